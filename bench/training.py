"""Training time per epoch of the course's sequence models, on the current backend.

Five models of similar size are trained on the same synthetic windows (2,000 windows
of 50 steps by default, from ``seqlab.datasets.synthetic_series``; the target is the
next value): ``SimpleRNN``, ``LSTM``, ``GRU``, ``RNN(LayerNormSimpleRNNCell)`` and a
WaveNet stack (``build_dilated_causal_stack(block="wavenet")``). Each model is
trained for ``epochs`` epochs with ``model.fit``; a callback times every epoch. The
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

    def recurrent(layer):
        return lambda: keras.Sequential([keras.Input((None, 1)), layer(), keras.layers.Dense(1)])

    return {
        "SimpleRNN": recurrent(lambda: keras.layers.SimpleRNN(units)),
        "LSTM": recurrent(lambda: keras.layers.LSTM(units)),
        "GRU": recurrent(lambda: keras.layers.GRU(units)),
        "LayerNormSimpleRNNCell": recurrent(
            lambda: keras.layers.RNN(LayerNormSimpleRNNCell(units))),
        "WaveNet": lambda: build_dilated_causal_stack(
            units, 2, [1, 2, 4, 8, 16, 32], block="wavenet", return_sequences=False),
    }


def _epoch_timer():
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


def time_model(build, X, y, *, epochs, batch_size=32, seed=42):
    """Train one freshly built model and return its per-epoch times and final loss."""
    import keras

    import seqlab

    seqlab.seed_everything(seed)
    model = build()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    timer = _epoch_timer()
    history = model.fit(X, y, epochs=epochs, batch_size=batch_size, shuffle=True,
                        verbose=0, callbacks=[timer])
    timed = timer.seconds[1:]
    return {
        "parameters": int(model.count_params()),
        "first_epoch_s": timer.seconds[0],
        "median_epoch_s": statistics.median(timed),
        "min_epoch_s": min(timed),
        "max_epoch_s": max(timed),
        "epoch_s": timer.seconds,
        "final_loss": float(history.history["loss"][-1]),
    }


def run_training_benchmark(*, epochs=4, n_windows=2000, n_steps=50, batch_size=32,
                           units=20, models=None, seed=42):
    """Time every model on the current backend; return one row (dict) per model.

    Args:
        epochs: epochs per model, >= 2 (the first is the warm-up).
        n_windows: number of training windows.
        n_steps: steps per window.
        batch_size: batch size of ``fit``.
        units: recurrent units (and WaveNet filters) of every model.
        models: names to run (default: all, SimpleRNN first, as the reference).
        seed: seed of the data and of the weights.

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
    X, y = make_data(n_windows, n_steps, seed)
    rows = []
    for name in names:
        row = {"benchmark": "training", "model": name}
        row.update(time_model(builders[name], X, y, epochs=epochs, batch_size=batch_size,
                              seed=seed))
        rows.append(row)
    reference = next((r["median_epoch_s"] for r in rows if r["model"] == REFERENCE_MODEL), None)
    for row in rows:
        row["ratio_to_simple_rnn"] = None if reference is None else row["median_epoch_s"] / reference
    return rows
