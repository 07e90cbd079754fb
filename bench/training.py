"""Training time per epoch of the course's sequence models, on the current backend,
and the course's training recipe against a plain ``model.fit``.

The course's model kinds are trained on the same synthetic windows (2,000 windows
of 50 steps by default, from ``seqlab.datasets.synthetic_series``; the target is the
next value): ``SimpleRNN``, a two-layer ``DeepRNN``, ``LSTM``, ``GRU``,
``Conv1D+GRU``, ``RNN(LayerNormSimpleRNNCell)``, a WaveNet stack
(``build_dilated_causal_stack(block="wavenet")``) and ``OneUnit``, a bare
``SimpleRNN(1)``. Each model is trained for ``epochs`` epochs with ``model.fit`` and
validation data, compiled with each of the given settings (on TensorFlow: Keras's
defaults and the settings :func:`seqlab.training.speed_settings` picks for a
full-size run); a callback times every epoch. The
first epoch includes tracing/compilation, so it is reported separately as the
warm-up and the median of the other epochs is the figure of merit. The ratio to the
SimpleRNN's median comes from the same run, so it survives a busy machine better
than the absolute times do.

Importing this module runs nothing; ``bench/run.py`` calls :func:`run_training_benchmark`.
"""

from __future__ import annotations

import statistics
import time

REFERENCE_MODEL = "SimpleRNN"


def make_data(n_windows=2000, n_steps=50, seed=42):
    """Windows of ``n_steps`` values and the next value: X ``(n, n_steps, 1)``, y ``(n, 1)``."""
    from seqlab.datasets import synthetic_series

    series = synthetic_series(n_windows, n_steps + 1, seed=seed)
    return series[:, :n_steps], series[:, n_steps]


def model_builders(units=20):
    """Name -> function building an uncompiled model for inputs ``(None, 1)``."""
    import keras

    from seqlab.layers import LayerNormSimpleRNNCell, build_dilated_causal_stack

    def recurrent(*layers):
        return lambda: keras.Sequential([keras.Input((None, 1)), *[layer() for layer in layers],
                                         keras.layers.Dense(1)])

    return {
        "SimpleRNN": recurrent(lambda: keras.layers.SimpleRNN(units)),
        "DeepRNN": recurrent(lambda: keras.layers.SimpleRNN(units, return_sequences=True),
                             lambda: keras.layers.SimpleRNN(units)),
        "LSTM": recurrent(lambda: keras.layers.LSTM(units)),
        "GRU": recurrent(lambda: keras.layers.GRU(units)),
        "Conv1D+GRU": recurrent(lambda: keras.layers.Conv1D(units, 4, strides=2),
                                lambda: keras.layers.GRU(units)),
        "LayerNormSimpleRNNCell": recurrent(
            lambda: keras.layers.RNN(LayerNormSimpleRNNCell(units))),
        "WaveNet": lambda: build_dilated_causal_stack(
            units, 2, [1, 2, 4, 8, 16, 32], block="wavenet", return_sequences=False),
        # One recurrent neuron and nothing else (chapter 01): its loss plateaus early.
        "OneUnit": lambda: keras.Sequential([keras.Input((None, 1)),
                                             keras.layers.SimpleRNN(1)]),
    }


def epoch_timer():
    """A Keras callback whose ``seconds`` list holds each epoch's wall time."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def time_model(build, X, y, *, epochs, batch_size=32, seed=42, settings=None,
               validation=None):
    """Train one freshly built model and return its per-epoch times and final loss.

    ``settings`` are extra ``model.compile`` arguments; the string ``"seqlab"`` asks
    :func:`seqlab.training.speed_settings` for those of a full-size (100-epoch) run.
    """
    import keras

    import seqlab
    from seqlab.training import speed_settings

    seqlab.seed_everything(seed)
    model = build()
    if settings == "seqlab":
        settings = speed_settings(model, len(X), epochs=100, batch_size=batch_size, fast=True)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", **(settings or {}))
    timer = epoch_timer()
    seqlab.seed_everything(seed)
    history = model.fit(X, y, epochs=epochs, batch_size=batch_size, shuffle=True,
                        verbose=0, callbacks=[timer], validation_data=validation)
    timed = timer.seconds[1:]
    return {
        "parameters": int(model.count_params()),
        "first_epoch_s": timer.seconds[0],
        "median_epoch_s": statistics.median(timed),
        "min_epoch_s": min(timed),
        "max_epoch_s": max(timed),
        "epoch_s": timer.seconds,
        "final_loss": float(history.history["loss"][-1]),
        "settings": {key: value for key, value in (settings or {}).items()},
    }


def run_training_benchmark(*, epochs=4, n_windows=2000, n_steps=50, batch_size=32,
                           units=20, models=None, seed=42, configs=None):
    """Time every model on the current backend; return one row (dict) per model.

    Args:
        epochs: epochs per model, >= 2 (the first is the warm-up).
        n_windows: number of training windows.
        n_steps: steps per window.
        batch_size: batch size of ``fit``.
        units: recurrent units (and WaveNet filters) of every model.
        models: names to run (default: all, SimpleRNN first, as the reference).
        seed: seed of the data and of the weights.
        configs: ``{name: compile settings}`` to time each model with (default one
            configuration, ``{"default": {}}``); ``"seqlab"`` as the settings stands
            for those :func:`seqlab.training.speed_settings` picks.

    Returns:
        Rows with ``model``, ``parameters``, ``first_epoch_s``, ``median_epoch_s``,
        ``min_epoch_s``, ``max_epoch_s``, ``epoch_s``, ``final_loss`` and
        ``ratio_to_simple_rnn`` (median over SimpleRNN's median; None if SimpleRNN
        was not run).
    """
    if epochs < 2:
        raise ValueError(f"epochs must be >= 2 (the first epoch is the warm-up), got {epochs}")
    builders = model_builders(units)
    names = list(builders) if models is None else list(models)
    unknown = sorted(set(names) - set(builders))
    if unknown:
        raise ValueError(f"unknown models {unknown}; known: {sorted(builders)}")
    configs = {"default": {}} if configs is None else configs
    X, y = make_data(n_windows + n_windows // 4, n_steps, seed)
    train, valid = (X[:n_windows], y[:n_windows]), (X[n_windows:], y[n_windows:])
    rows = []
    for name in names:
        for config, settings in configs.items():
            row = {"benchmark": "training", "model": name, "config": config}
            row.update(time_model(builders[name], *train, epochs=epochs,
                                  batch_size=batch_size, seed=seed, settings=settings,
                                  validation=valid))
            print(f"  {name} [{config}]: first {row['first_epoch_s']:.2f} s, "
                  f"median {row['median_epoch_s']:.3f} s", flush=True)
            rows.append(row)
    for config in configs:
        reference = next((r["median_epoch_s"] for r in rows
                          if r["model"] == REFERENCE_MODEL and r["config"] == config), None)
        for row in rows:
            if row["config"] == config:
                row["ratio_to_simple_rnn"] = (None if reference is None
                                              else row["median_epoch_s"] / reference)
    return rows


def run_quality_benchmark(*, epochs=100, n_windows=1000, n_steps=50, units=20,
                          models=None, seed=42):
    """The course's recipe against plain ``model.fit`` for the same epoch budget.

    For each model, built twice from the same seed: (a) ``model.compile(optimizer="adam",
    loss="mse", metrics=["mae"])`` and ``model.fit`` for ``epochs`` epochs with Keras's
    defaults (batch size 32), keeping the last epoch's weights; (b)
    ``seqlab.training.fit_and_evaluate`` with its defaults and the same budget. Both
    are scored by the validation MAE of the weights they end with.

    Returns:
        Rows with ``model``, ``plain_val_mae``, ``plain_best_val_mae`` (the best epoch
        of the plain run, which it does not keep), ``recipe_val_mae``,
        ``recipe_epochs_run``, ``recipe_patience`` and ``recipe_over_plain``
        (recipe / plain; above 1 means the recipe ended worse).
    """
    import seqlab
    from seqlab.training import evaluate, fit_and_evaluate

    builders = model_builders(units)
    names = list(builders) if models is None else list(models)
    X, y = make_data(n_windows + n_windows // 4, n_steps, seed)
    train, valid = (X[:n_windows], y[:n_windows]), (X[n_windows:], y[n_windows:])
    rows = []
    for name in names:
        seqlab.seed_everything(seed)
        plain = builders[name]()
        plain.compile(optimizer="adam", loss="mse", metrics=["mae"])
        seqlab.seed_everything(seed)
        started = time.perf_counter()
        history = plain.fit(*train, validation_data=valid, epochs=epochs, verbose=0).history
        plain_s = time.perf_counter() - started
        seqlab.seed_everything(seed)
        model = builders[name]()
        result = fit_and_evaluate(model, train, valid, epochs=epochs, display=None)
        row = {
            "benchmark": "quality", "model": name, "epochs": epochs,
            "plain_val_mae": float(history["val_mae"][-1]),
            "plain_best_val_mae": float(min(history["val_mae"])),
            "plain_s": plain_s,
            "recipe_val_mae": evaluate(model, valid)["mae"],
            "recipe_epochs_run": result.epochs_run,
            "recipe_s": result.seconds,
            "recipe_patience": max(10, epochs // 4),
        }
        row["recipe_over_plain"] = row["recipe_val_mae"] / row["plain_val_mae"]
        print(f"  quality {name}: plain {row['plain_val_mae']:.4f}, recipe "
              f"{row['recipe_val_mae']:.4f} ({result.epochs_run} epochs)", flush=True)
        rows.append(row)
    return rows
