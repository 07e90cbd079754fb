"""Train a Keras model with early stopping and report it in one line.

Every chapter trains models the same way: Adam, early stopping on a validation metric,
the weights of the best epoch restored at the end, and a display short enough for a
rendered page (never Keras's per-batch progress bars)::

    result = fit_and_evaluate(model, data.train, data.valid)
    # SimpleRNN: 37 epochs (best 29), val_mae 0.0312, 12.4 s

The number of epochs defaults to ``budget(full=100, quick=5)``, so a chapter runs at a
reduced size in CI without any change.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import keras
import numpy as np

from seqlab.checks import as_float_array, one_of, positive_int
from seqlab.config import budget, seed_everything

DISPLAYS = ("compact", "progress", None)
"""Accepted values of ``display``: one closing line, a few lines while training, or silence."""

_PROGRESS_LINES = 4
_MAXIMISED = ("accuracy", "acc", "auc", "precision", "recall")


@dataclass(repr=False)
class FitResult:
    """What :func:`fit_and_evaluate` measured.

    Attributes:
        history: the per-epoch values, ``{"loss": [...], "val_loss": [...], "mae": [...], ...}``,
            one float per epoch run.
        best_epoch: the epoch (counted from 1) whose weights the model holds at the end.
        best_score: the value of ``monitor`` at ``best_epoch``.
        epochs_run: how many epochs ran before early stopping (or the epoch budget) ended training.
        seconds: wall-clock time of the training.
        monitor: the name of the monitored quantity, e.g. ``"val_mae"``.
        name: the model's name, used in the summary line.
    """

    history: dict
    best_epoch: int
    best_score: float
    epochs_run: int
    seconds: float
    monitor: str = "val_mae"
    name: str = "model"
    stopped_early: bool = field(default=False)

    def summary(self) -> str:
        """One line: ``"name: 37 epochs (best 29), val_mae 0.0312, 12.4 s"``."""
        stopped = ", stopped early" if self.stopped_early else ""
        return (
            f"{self.name}: {self.epochs_run} epochs (best {self.best_epoch}{stopped}), "
            f"{self.monitor} {self.best_score:.4g}, {self.seconds:.1f} s"
        )

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        # Short, so that a cell ending with a FitResult does not print the whole history.
        return f"FitResult({self.summary()})"


def _check_pair(name: str, pair) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        got = f"a {type(pair).__name__}" + (f" of length {len(pair)}" if isinstance(pair, (tuple, list)) else "")
        raise TypeError(f"{name} must be an (X, y) tuple of two arrays, got {got}")
    inputs = as_float_array(f"{name}[0] (X)", pair[0])
    targets = as_float_array(f"{name}[1] (y)", pair[1])
    if inputs.ndim < 2:
        raise ValueError(
            f"{name}[0] (X) must have a batch axis first, e.g. (n_windows, n_steps, n_features), "
            f"got shape {inputs.shape}"
        )
    if targets.ndim < 1 or len(targets) != len(inputs):
        raise ValueError(
            f"{name}: X and y must have the same number of instances (first axis), "
            f"got X {inputs.shape} and y {targets.shape}"
        )
    if len(inputs) == 0:
        raise ValueError(f"{name} is empty: X has shape {inputs.shape}")
    return inputs, targets


def _metric_name(metric) -> str:
    if isinstance(metric, str):
        return metric
    return getattr(metric, "name", None) or getattr(metric, "__name__", None) or str(metric)


def _monitor_names(metrics) -> list[str]:
    names = ["loss"] + [_metric_name(metric) for metric in metrics]
    return [f"val_{name}" for name in names] + names


def _mode_for(monitor: str) -> str:
    base = monitor.removeprefix("val_")
    return "max" if any(base == word or base.endswith(word) for word in _MAXIMISED) else "min"


class _BestWeights(keras.callbacks.Callback):
    """Keeps the weights of the best epoch and stops after ``patience`` epochs without
    improvement; prints the progress lines when asked."""

    def __init__(self, monitor, mode, patience, epochs, display):
        super().__init__()
        self.monitor, self.mode, self.patience = monitor, mode, patience
        self.epochs, self.display = epochs, display
        self.best_score = math.inf if mode == "min" else -math.inf
        self.best_epoch = 0
        self.best_weights = None
        self.wait = 0
        self.stopped_early = False
        self.every = max(1, math.ceil(epochs / _PROGRESS_LINES))

    def _improved(self, value):
        return value < self.best_score if self.mode == "min" else value > self.best_score

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"monitor={self.monitor!r} is not something the model reports; it reports {sorted(logs)}"
            )
        value = float(logs[self.monitor])
        if math.isnan(value):
            raise FloatingPointError(
                f"{self.monitor} became NaN at epoch {epoch + 1}: the training diverged "
                "(try a smaller learning_rate)"
            )
        if self._improved(value):
            self.best_score, self.best_epoch, self.wait = value, epoch + 1, 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_early = True
                self.model.stop_training = True
        if self.display == "progress" and (epoch == 0 or (epoch + 1) % self.every == 0):
            shown = ", ".join(f"{key} {float(val):.4g}" for key, val in logs.items()
                              if key in ("loss", "val_loss", self.monitor))
            print(f"  epoch {epoch + 1:>{len(str(self.epochs))}}/{self.epochs}: {shown}")

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def fit_and_evaluate(model, train, valid, *, epochs=None, learning_rate=1e-3, patience=10,
                     batch_size=32, loss="mse", metrics=("mae",), monitor="val_mae", seed=42,
                     display="compact", compile=True, mode="auto") -> FitResult:
    """Train ``model`` with Adam and early stopping, and restore its best weights.

    Args:
        model: a Keras model.
        train: the training data, an ``(X, y)`` tuple of arrays with the same first axis.
        valid: the validation data, an ``(X, y)`` tuple; ``monitor`` is measured on it.
        epochs: the most epochs to run; ``budget(full=100, quick=5)`` when None.
        learning_rate: Adam's learning rate.
        patience: stop after this many epochs without improvement of ``monitor``.
        batch_size: instances per gradient step.
        loss: the loss passed to ``model.compile``.
        metrics: the metrics passed to ``model.compile``.
        monitor: what early stopping watches: ``"val_loss"``, ``"loss"``, or ``"val_"``/no prefix
            plus the name of one of ``metrics``.
        seed: seeds Python, NumPy and Keras before training, so runs repeat
            (the model's initial weights are seeded when it is built, before this call).
        display: ``"compact"`` prints one line at the end, ``"progress"`` adds a few lines
            while training, ``None`` prints nothing.
        compile: set False to keep the model's own ``compile`` (``loss``, ``metrics`` and
            ``learning_rate`` are then ignored).
        mode: ``"min"`` or ``"max"``, whether a lower or higher ``monitor`` is better;
            ``"auto"`` picks ``"max"`` for accuracy-like names and ``"min"`` otherwise.

    Returns:
        A :class:`FitResult`; the model holds the weights of ``FitResult.best_epoch``.

    Raises:
        TypeError: ``train`` or ``valid`` is not an ``(X, y)`` pair.
        ValueError: X and y lengths differ, the data contain NaN or inf, ``monitor`` is not
            a reported quantity, or an integer argument is not positive.

    Example:

    >>> import numpy as np, keras
    >>> X = np.random.rand(64, 5, 1).astype("float32"); y = X[:, -1]
    >>> model = keras.Sequential([keras.Input((5, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    >>> result = fit_and_evaluate(model, (X, y), (X, y), epochs=2, display=None)
    >>> result.epochs_run
    2
    """
    train_x, train_y = _check_pair("train", train)
    valid_x, valid_y = _check_pair("valid", valid)
    epochs = budget(full=100, quick=5) if epochs is None else positive_int("epochs", epochs)
    patience = positive_int("patience", patience)
    batch_size = positive_int("batch_size", batch_size)
    one_of("display", display, DISPLAYS)
    one_of("mode", mode, ("auto", "min", "max"))
    if isinstance(metrics, str):
        metrics = (metrics,)
    if compile:
        allowed = _monitor_names(metrics)
        if monitor not in allowed:
            raise ValueError(f"monitor must be one of {allowed} (from loss and metrics), got {monitor!r}")
    if not isinstance(learning_rate, (int, float)) or learning_rate < 0:
        raise ValueError(f"learning_rate must be a number >= 0, got {learning_rate!r}")

    seed_everything(seed)
    if compile:
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                      loss=loss, metrics=list(metrics))
    tracker = _BestWeights(monitor, _mode_for(monitor) if mode == "auto" else mode,
                           patience, epochs, display)
    start = time.perf_counter()
    history = model.fit(train_x, train_y, validation_data=(valid_x, valid_y), epochs=epochs,
                        batch_size=batch_size, callbacks=[tracker], shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    values = {key: [float(v) for v in vals] for key, vals in history.history.items()}
    result = FitResult(
        history=values,
        best_epoch=tracker.best_epoch,
        best_score=tracker.best_score,
        epochs_run=len(values[monitor]),
        seconds=seconds,
        monitor=monitor,
        name=model.name,
        stopped_early=tracker.stopped_early,
    )
    if display is not None:
        print(result.summary())
    return result


def evaluate(model, data, *, batch_size=256) -> dict:
    """Evaluate a compiled model on an ``(X, y)`` tuple, without any progress bar.

    Args:
        model: a compiled Keras model.
        data: an ``(X, y)`` tuple of arrays with the same first axis.
        batch_size: instances per evaluation batch.

    Returns:
        ``{"loss": ..., "mae": ...}``: the loss and each compiled metric, as floats.

    Example:

    >>> import numpy as np, keras
    >>> X = np.zeros((8, 3, 1), "float32"); y = np.zeros((8, 1), "float32")
    >>> model = keras.Sequential([keras.Input((3, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    >>> model.compile(loss="mse", metrics=["mae"])
    >>> sorted(evaluate(model, (X, y)))
    ['loss', 'mae']
    """
    inputs, targets = _check_pair("data", data)
    scores = model.evaluate(inputs, targets, batch_size=positive_int("batch_size", batch_size),
                            verbose=0, return_dict=True)
    return {key: float(value) for key, value in scores.items()}
