"""Where TensorFlow's time goes on a CPU, against JAX: bench/results/tensorflow_overhead.md.

Usage::

    .venv/bin/python bench/tensorflow_overhead.py            # both backends, then the table
    .venv/bin/python bench/tensorflow_overhead.py --epochs 4 --n-windows 1000

For each model (a Dense model with no recurrence, the floor; SimpleRNN, LSTM and GRU
with 20 units) it measures, in one process per backend:

- the median epoch of ``model.fit`` (2,000 windows of 50 steps, batch 32, 500
  validation windows) on TensorFlow with Keras's defaults, with XLA (what
  ``seqlab.training.speed_settings`` picks for a full-size run), with XLA and
  ``steps_per_execution=32``, and with the recurrent layer unrolled (``unroll=True``,
  no XLA); and on JAX with Keras's defaults;
- one compiled training step on a fixed batch, called in a loop with no data pipeline:
  the time TensorFlow spends per step before any data reaches it.

The backend must be chosen before Keras is imported, so each backend runs in its own
subprocess (``--worker``), one after the other.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import cpu_model, load_average  # noqa: E402
from training import epoch_timer, make_data  # noqa: E402

MODELS = ("Dense", "SimpleRNN", "LSTM", "GRU")
# name: (jit_compile, steps_per_execution, unroll)
TENSORFLOW_SETTINGS = {
    "default": (False, 1, False),
    "XLA": (True, 1, False),
    "XLA, 32 steps per call": (True, 32, False),
    "unrolled, no XLA": (False, 1, True),
}
JAX_SETTINGS = {"default": ("auto", 1, False)}


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=("tensorflow", "jax"),
                        help="measure one backend and print JSON (used internally)")
    parser.add_argument("--epochs", type=int, default=6,
                        help="epochs per run; the first is the warm-up (default 6)")
    parser.add_argument("--n-windows", type=int, default=2000)
    parser.add_argument("--n-steps", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--step-repeats", type=int, default=200)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    return parser.parse_args(argv)


def build(kind, n_steps, unroll):
    import keras

    layers = [keras.Input((n_steps, 1))]
    if kind == "Dense":
        layers += [keras.layers.Flatten()]
    else:
        layers += [getattr(keras.layers, kind)(20, unroll=unroll)]
    return keras.Sequential(layers + [keras.layers.Dense(1)])


def step_milliseconds(model, X, y, batch_size, repeats):
    """One training step on a fixed batch, no data pipeline (TensorFlow only)."""
    import tensorflow as tf

    batch = tf.data.Dataset.from_tensors((X[:batch_size], y[:batch_size])).repeat()
    iterator = iter(batch)
    model.make_train_function()
    for _ in range(3):
        model.train_function(iterator)
    start = time.perf_counter()
    for _ in range(repeats):
        model.train_function(iterator)
    return (time.perf_counter() - start) / repeats * 1000


def measure(backend, args):
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    train = make_data(args.n_windows, args.n_steps, seed=0)
    valid = make_data(500, args.n_steps, seed=1)
    settings = TENSORFLOW_SETTINGS if backend == "tensorflow" else JAX_SETTINGS
    rows = []
    for kind in MODELS:
        for name, (jit, steps_per_call, unroll) in settings.items():
            if kind == "Dense" and unroll:
                continue
            keras.utils.set_random_seed(0)
            model = build(kind, args.n_steps, unroll)
            model.compile(keras.optimizers.Adam(), "mse", metrics=["mae"],
                          jit_compile=jit, steps_per_execution=steps_per_call)
            timer = epoch_timer()
            history = model.fit(*train, validation_data=valid, epochs=args.epochs,
                                batch_size=args.batch_size, verbose=0, callbacks=[timer])
            row = {"model": kind, "setting": name, "first_epoch": timer.seconds[0],
                   "median_epoch": float(np.median(timer.seconds[1:])),
                   "val_loss": float(history.history["val_loss"][-1])}
            if backend == "tensorflow" and steps_per_call == 1 and not unroll:
                row["step_ms"] = step_milliseconds(model, *train, args.batch_size,
                                                   args.step_repeats)
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    return {"backend": backend, "keras": keras.__version__, "rows": rows}


def run_worker(backend, args):
    command = [sys.executable, __file__, "--worker", backend,
               "--epochs", str(args.epochs), "--n-windows", str(args.n_windows),
               "--n-steps", str(args.n_steps), "--batch-size", str(args.batch_size),
               "--step-repeats", str(args.step_repeats)]
    before = load_average()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"the {backend} run failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load"] = [before, load_average()]
    return result


def table(tensorflow, jax, args):
    jax_epoch = {row["model"]: row["median_epoch"] for row in jax["rows"]}
    names = list(TENSORFLOW_SETTINGS)
    lines = [
        "# Where TensorFlow's time goes on a CPU",
        "",
        f"`python bench/tensorflow_overhead.py`, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} "
        f"UTC; {cpu_model()}, {os.cpu_count()} cores; "
        f"load before and after: TensorFlow {tensorflow['load']}, JAX {jax['load']}. "
        f"Keras {tensorflow['keras']}.",
        "",
        f"Median epoch of `model.fit` (the first, with tracing and compilation, left out), "
        f"seconds, {args.n_windows} windows of {args.n_steps} steps, batch "
        f"{args.batch_size}, 500 validation windows; in brackets the ratio to JAX.",
        "",
        "| model | " + " | ".join(f"TF {name}" for name in names) + " | JAX |",
        "|---|" + "---:|" * (len(names) + 1),
    ]
    by_key = {(row["model"], row["setting"]): row for row in tensorflow["rows"]}
    for kind in MODELS:
        cells = []
        for name in names:
            row = by_key.get((kind, name))
            cells.append("" if row is None else
                         f"{row['median_epoch']:.3f} ({row['median_epoch'] / jax_epoch[kind]:.1f}x)")
        lines.append(f"| {kind} | " + " | ".join(cells) + f" | {jax_epoch[kind]:.3f} |")
    steps = -(-args.n_windows // args.batch_size)
    lines += [
        "",
        f"One TensorFlow training step on a fixed batch, called {args.step_repeats} times "
        f"in a loop with no data pipeline, milliseconds; and that time multiplied by the "
        f"{steps} steps of an epoch, against JAX's whole epoch (training and validation):",
        "",
        "| model | step, default (ms) | step, XLA (ms) | XLA steps of one epoch (s) | "
        "JAX's whole epoch (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in MODELS:
        default, xla = by_key[(kind, "default")]["step_ms"], by_key[(kind, "XLA")]["step_ms"]
        lines.append(f"| {kind} | {default:.2f} | {xla:.2f} | {xla * steps / 1000:.3f} | "
                     f"{jax_epoch[kind]:.3f} |")
    lines += ["", "Validation loss after the last epoch (the settings change the speed, "
              "not the arithmetic):", "",
              "| model | " + " | ".join(f"TF {name}" for name in names) + " | JAX |",
              "|---|" + "---:|" * (len(names) + 1)]
    jax_loss = {row["model"]: row["val_loss"] for row in jax["rows"]}
    for kind in MODELS:
        cells = [f"{by_key[(kind, name)]['val_loss']:.5f}" if (kind, name) in by_key else ""
                 for name in names]
        lines.append(f"| {kind} | " + " | ".join(cells) + f" | {jax_loss[kind]:.5f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_arguments(argv)
    if args.worker:
        print(json.dumps(measure(args.worker, args)))
        return
    tensorflow, jax = run_worker("tensorflow", args), run_worker("jax", args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "tensorflow_overhead.json").write_text(
        json.dumps({"tensorflow": tensorflow, "jax": jax}, indent=1) + "\n")
    text = table(tensorflow, jax, args)
    (args.out / "tensorflow_overhead.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
