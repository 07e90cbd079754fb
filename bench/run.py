"""Run the benchmarks on one Keras backend and write bench/results/<backend>.{json,md}.

Usage::

    .venv/bin/python bench/run.py --backend jax
    .venv/bin/python bench/run.py --backend torch --epochs 3 --n-windows 1000
    .venv/bin/python bench/run.py --summary      # bench/results/speed.{json,md}

``--quick`` makes every run small (a few minutes for all backends on 2 cores).
On TensorFlow every model is timed twice, with Keras's defaults and as seqlab
configures it; on JAX the course's recipe is also compared with a plain ``model.fit``.
``--summary`` puts the latest per-backend results side by side with the ratios to JAX.

The backend must be chosen before Keras is imported, so this script sets
``KERAS_BACKEND`` itself. See bench/README.md for how to read the results.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BACKENDS = ("tensorflow", "jax", "torch")
# Keras runs recurrent layers on the PyTorch backend as a Python loop over time steps,
# about two orders of magnitude slower per window than JAX on a 2-core CPU: fewer
# windows keep that run within a few minutes. Ratios stay comparable within one run.
DEFAULT_WINDOWS = {"tensorflow": 2000, "jax": 2000, "torch": 192}
QUICK = {"epochs": 4, "windows": {"tensorflow": 500, "jax": 500, "torch": 64},
         "quality_epochs": 30, "quality_windows": 300}
# The quality table (recipe against plain fit) runs on JAX only: the arithmetic is the
# same on every backend and JAX trains these models several times faster on a CPU.
QUALITY_BACKEND = "jax"


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=BACKENDS)
    parser.add_argument("--summary", action="store_true",
                        help="combine the latest results of every backend into speed.md")
    parser.add_argument("--quick", action="store_true", help="small runs (a few minutes)")
    parser.add_argument("--quality-epochs", type=int, default=100,
                        help="epoch budget of the recipe-against-plain-fit table")
    parser.add_argument("--quality-windows", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=4,
                        help="epochs per model; the first is the warm-up (default 4)")
    parser.add_argument("--n-windows", type=int, default=None,
                        help=f"training windows (default per backend: {DEFAULT_WINDOWS})")
    parser.add_argument("--n-steps", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--models", nargs="*", default=None, help="subset of models to run")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    if args.backend is None and not args.summary:
        parser.error("give --backend or --summary")
    return args


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def ram_gib():
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def load_average():
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def machine_description(backend):
    import keras
    import numpy

    versions = {"python": platform.python_version(), "keras": keras.__version__,
                "numpy": numpy.__version__}
    module = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}[backend]
    versions[module] = __import__(module).__version__
    return {
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gib": ram_gib(),
        "os": platform.platform(),
        "versions": versions,
        "load_average_at_start": load_average(),
    }


def format_seconds(value):
    if value is None:
        return "n/a"
    return f"{value:.3f}" if value >= 0.01 else f"{value:.2e}"


def markdown_report(result):
    machine = result["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    settings = result["settings"]
    lines = [
        f"# Benchmarks on the {result['backend']} backend",
        "",
        f"Run {result['started_utc']} in {result['total_s']:.0f} s on {machine['cpu']}, "
        f"{machine['usable_cores']} usable of {machine['logical_cores']} logical cores, "
        f"{machine['ram_gib']} GiB RAM; {versions}. Load average at start "
        f"{machine['load_average_at_start']}, at end {result['load_average_at_end']} "
        "(a load above the core count means other processes shared the CPU and the "
        "absolute times are inflated; the ratios are more robust).",
        "",
        "## Training time per epoch",
        "",
        f"{settings['n_windows']} windows of {settings['n_steps']} steps, batch size "
        f"{settings['batch_size']}, {settings['epochs']} epochs per model; the median "
        f"excludes the first (warm-up) epoch. Backends may train on different numbers of "
        f"windows; compare backends by the time per 1,000 windows.",
        "",
        "| model | settings | parameters | first epoch (s) | median epoch (s) | min-max (s) | "
        "median per 1,000 windows (s) | ratio to SimpleRNN |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["training"]:
        ratio = "n/a" if row["ratio_to_simple_rnn"] is None else f"{row['ratio_to_simple_rnn']:.2f}"
        lines.append(
            f"| {row['model']} | {row.get('config', 'default')} {row.get('settings') or ''} | "
            f"{row['parameters']} | {format_seconds(row['first_epoch_s'])} | "
            f"{format_seconds(row['median_epoch_s'])} | {format_seconds(row['min_epoch_s'])}-"
            f"{format_seconds(row['max_epoch_s'])} | "
            f"{format_seconds(row['median_epoch_s'] * 1000 / settings['n_windows'])} | {ratio} |")
    windowing = result.get("windowing")
    if windowing:
        lines += ["", "## Windowing throughput (bench/windowing.py)", "",
                  "| method | median (s) | windows per second | time ratio to Keras |",
                  "|---|---:|---:|---:|"]
        for row in windowing:
            ratio = row.get("time_ratio_to_keras")
            per_s = row.get("windows_per_s")
            lines.append(f"| {row['method']} | {format_seconds(row.get('median_s'))} | "
                         f"{'n/a' if per_s is None else f'{per_s:,.0f}'} | "
                         f"{'n/a' if ratio is None else f'{ratio:.3g}'} |")
    elif result.get("windowing_note"):
        lines += ["", f"Windowing benchmark: {result['windowing_note']}"]
    if result.get("quality"):
        lines += ["", *quality_table(result["quality"])]
    return "\n".join(lines) + "\n"


def quality_table(rows):
    epochs = rows[0]["epochs"]
    lines = [
        "## Recipe against plain fit", "",
        f"Validation MAE after a budget of {epochs} epochs: plain `model.fit` with "
        "Keras's defaults (Adam 1e-3, batch 32, last epoch kept) against "
        "`seqlab.training.fit_and_evaluate` with its defaults (early stopping with "
        f"patience max(10, epochs // 4) = {rows[0]['recipe_patience']}, best weights "
        "restored). Verdict: the recipe wins or ties below a ratio of 1.01 (1 % is "
        "within run-to-run noise of these curves), loses above.", "",
        "| model | plain fit | plain fit's best epoch (not kept) | recipe | recipe epochs "
        "| recipe / plain | verdict | plain (s) | recipe (s) |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|"]
    for row in rows:
        ratio = row["recipe_over_plain"]
        verdict = ("recipe better" if ratio < 0.99 else "too close to call" if ratio <= 1.01
                   else "RECIPE WORSE")
        lines.append(
            f"| {row['model']} | {row['plain_val_mae']:.4f} | {row['plain_best_val_mae']:.4f} | "
            f"{row['recipe_val_mae']:.4f} | {row['recipe_epochs_run']} | {ratio:.3f} | "
            f"{verdict} | {row['plain_s']:.1f} | {row['recipe_s']:.1f} |")
    return lines


def summary(out):
    """bench/results/speed.{json,md}: every backend's median epoch per 1,000 windows."""
    results = {}
    for backend in BACKENDS:
        path = out / f"{backend}.json"
        if path.exists():
            results[backend] = json.loads(path.read_text())
    if "jax" not in results:
        raise SystemExit("run bench/run.py --backend jax first: the ratios are to JAX")
    columns = []  # (label, backend, config)
    for backend, result in results.items():
        for config in dict.fromkeys(row.get("config", "default") for row in result["training"]):
            label = backend if config == "default" else f"{backend} ({config})"
            columns.append((label, backend, config))

    def per_1000(backend, config, model, key="median_epoch_s", scale=True):
        result = results[backend]
        for row in result["training"]:
            if row["model"] == model and row.get("config", "default") == config:
                return row[key] * (1000 / result["settings"]["n_windows"] if scale else 1)
        return None

    models = list(dict.fromkeys(row["model"] for row in results["jax"]["training"]))
    table = []
    for model in models:
        jax = per_1000("jax", "default", model)
        entry = {"model": model}
        for label, backend, config in columns:
            median = per_1000(backend, config, model)
            entry[label] = {"median_per_1000_s": median,
                            "first_epoch_s": per_1000(backend, config, model,
                                                      "first_epoch_s", scale=False),
                            "n_windows": results[backend]["settings"]["n_windows"],
                            "ratio_to_jax": None if median is None or not jax else median / jax}
        table.append(entry)
    loads = {backend: [result["machine"]["load_average_at_start"],
                       result["load_average_at_end"]] for backend, result in results.items()}
    started = {backend: result["started_utc"] for backend, result in results.items()}
    combined = {"columns": [label for label, _, _ in columns], "models": table,
                "load_average": loads, "started_utc": started,
                "machine": results["jax"]["machine"]}
    (out / "speed.json").write_text(json.dumps(combined, indent=2) + "\n")
    labels = [label for label, _, _ in columns]
    lines = [
        "# Training speed per backend", "",
        "Median epoch time (training and validation, epochs after the first) per 1,000 "
        "training windows of 50 steps, batch 32, and in brackets the ratio to JAX; "
        "`tensorflow (seqlab)` is TensorFlow compiled as `seqlab.training.speed_settings` "
        "configures a full-size run (XLA, 32 steps per call). Runs: " +
        ", ".join(f"{b} {started[b]} (load {loads[b][0]} -> {loads[b][1]})" for b in started) +
        f". Machine: {combined['machine']['cpu']}, {combined['machine']['usable_cores']} "
        "usable cores. A load above the core count inflates absolute times; each "
        "backend ran in its own process, one after the other.", "",
        "| model | " + " | ".join(labels) + " | TF (seqlab) within 2x of JAX |",
        "|---|" + "---:|" * len(labels) + "---|"]
    for entry in table:
        cells = []
        for label in labels:
            value = entry[label]
            cells.append("n/a" if value["median_per_1000_s"] is None else
                         f"{format_seconds(value['median_per_1000_s'])} "
                         f"({value['ratio_to_jax']:.2f}x)")
        seqlab_tf = entry.get("tensorflow (seqlab)", {}).get("ratio_to_jax")
        verdict = "n/a" if seqlab_tf is None else ("yes" if seqlab_tf <= 2 else "no")
        lines.append(f"| {entry['model']} | " + " | ".join(cells) + f" | {verdict} |")
    windows = ", ".join(f"{b} {r['settings']['n_windows']}" for b, r in results.items())
    lines += ["", "First epoch (tracing and compilation included, which do not grow with the "
              f"data), seconds, on the run's own number of training windows ({windows}):",
              "", "| model | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
    for entry in table:
        lines.append(f"| {entry['model']} | " + " | ".join(
            format_seconds(entry[label]["first_epoch_s"]) for label in labels) + " |")
    if results["jax"].get("quality"):
        lines += ["", *quality_table(results["jax"]["quality"])]
    (out / "speed.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main(argv=None):
    args = parse_arguments(argv)
    if args.summary:
        summary(args.out)
        return
    if args.quick:
        args.epochs = QUICK["epochs"]
        args.quality_epochs = QUICK["quality_epochs"]
        args.quality_windows = QUICK["quality_windows"]
    if args.n_windows is None:
        args.n_windows = (QUICK["windows"] if args.quick else DEFAULT_WINDOWS)[args.backend]
    os.environ["KERAS_BACKEND"] = args.backend
    sys.path.insert(0, str(HERE))
    import seqlab  # noqa: F401  (before keras: quiets TensorFlow)
    import keras

    if keras.backend.backend() != args.backend:
        raise SystemExit(f"asked for backend {args.backend}, but keras is using "
                         f"{keras.backend.backend()} (was keras imported before?)")
    from training import run_training_benchmark

    started = time.perf_counter()
    result = {
        "backend": args.backend,
        "started_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_description(args.backend),
        "settings": {"epochs": args.epochs, "n_windows": args.n_windows, "n_steps": args.n_steps,
                     "batch_size": args.batch_size},
    }
    print(f"[{args.backend}] training benchmark ...", flush=True)
    configs = ({"default": {}, "seqlab": "seqlab"} if args.backend == "tensorflow"
               else {"default": {}})
    result["training"] = run_training_benchmark(
        epochs=args.epochs, n_windows=args.n_windows, n_steps=args.n_steps,
        batch_size=args.batch_size, models=args.models, configs=configs)
    if args.backend == QUALITY_BACKEND:
        from training import run_quality_benchmark

        print(f"[{args.backend}] recipe against plain fit ...", flush=True)
        result["quality"] = run_quality_benchmark(
            epochs=args.quality_epochs, n_windows=args.quality_windows,
            n_steps=args.n_steps, models=args.models)
    if args.backend == "tensorflow" and not args.quick:
        try:
            from windowing import run_windowing_benchmark
        except ImportError as error:
            result["windowing_note"] = f"not run: bench/windowing.py could not be imported ({error})"
        else:
            print(f"[{args.backend}] windowing benchmark ...", flush=True)
            result["windowing"] = run_windowing_benchmark()
    else:
        result["windowing_note"] = "run on the tensorflow backend only (it compares against tf.data)"
    result["load_average_at_end"] = load_average()
    result["total_s"] = time.perf_counter() - started
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.backend}.json").write_text(json.dumps(result, indent=2) + "\n")
    report = markdown_report(result)
    (args.out / f"{args.backend}.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
