"""Run the benchmarks on one Keras backend and write bench/results/<backend>.{json,md}.

Usage::

    .venv/bin/python bench/run.py --backend jax
    .venv/bin/python bench/run.py --backend torch --epochs 3 --n-windows 1000

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


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", required=True, choices=BACKENDS)
    parser.add_argument("--epochs", type=int, default=4,
                        help="epochs per model; the first is the warm-up (default 4)")
    parser.add_argument("--n-windows", type=int, default=None,
                        help=f"training windows (default per backend: {DEFAULT_WINDOWS})")
    parser.add_argument("--n-steps", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--models", nargs="*", default=None, help="subset of models to run")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    return parser.parse_args(argv)


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
        "| model | parameters | first epoch (s) | median epoch (s) | min-max (s) | "
        "median per 1,000 windows (s) | ratio to SimpleRNN |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["training"]:
        ratio = "n/a" if row["ratio_to_simple_rnn"] is None else f"{row['ratio_to_simple_rnn']:.2f}"
        lines.append(
            f"| {row['model']} | {row['parameters']} | {format_seconds(row['first_epoch_s'])} | "
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
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_arguments(argv)
    if args.n_windows is None:
        args.n_windows = DEFAULT_WINDOWS[args.backend]
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
    result["training"] = run_training_benchmark(
        epochs=args.epochs, n_windows=args.n_windows, n_steps=args.n_steps,
        batch_size=args.batch_size, models=args.models)
    if args.backend == "tensorflow":
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
