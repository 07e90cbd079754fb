"""Train a Keras model with early stopping and report it in one line.

Every chapter trains models the same way: Adam, early stopping on a validation metric,
the weights of the best epoch restored at the end, and a display short enough for a
rendered page (never Keras's per-batch progress bars)::

    result = fit_and_evaluate(model, data.train, data.valid)
    # SimpleRNN: 37 epochs (best 29), val_mae 0.0312, 12.4 s

The number of epochs defaults to ``budget(full=100, quick=5)``, so a chapter runs at a
reduced size in CI without any change.

Course defaults
---------------
One set of settings, :data:`DEFAULTS`, used by :func:`fit_and_evaluate` unless a chapter
passes another value:

- optimiser: Adam, learning rate ``1e-3``, no gradient clipping (``clipnorm`` or
  ``global_clipnorm`` turn it on);
- batch size 32, loss ``"mse"``, metrics ``("mae",)``, seed 42;
- early stopping with a patience relative to the epoch budget, ``max(10, epochs // 4)``
  (10 epochs up to a budget of 43, 25 for a budget of 100), the best epoch's weights
  restored. Measured against plain ``model.fit`` with Keras's defaults for the same
  budget (``bench/``, "recipe against plain fit"; 1,000 windows, 100 epochs): with a
  fixed patience of 10 a SimpleRNN(20) and an LSTM(20) stopped at epochs 51 and 62
  during a slow, noisy descent; the SimpleRNN ended 0.7 % worse than the plain fit's
  last epoch (val MAE 0.0674 against 0.0669). With a quarter of the budget the LSTM
  reaches 0.0659 (plain fit 0.0729, patience 10 0.0675) and the SimpleRNN 0.0672,
  0.5 % from the plain fit, within run-to-run noise. Only a patience of the whole
  budget makes the recipe provably no worse (the best of the same trajectory); a
  quarter keeps most of early stopping's saving, and only runs of 44 epochs or more
  wait longer than before. A learning-rate schedule (``ReduceLROnPlateau``, halving
  the rate after 5 to 25 epochs without improvement) helped no model beyond noise:
  SimpleRNN 0.0672-0.0680 against 0.0672 without it, LSTM 0.0657-0.0677 against
  0.0659, GRU 0.0723-0.0835 against 0.0723 (with patience 10 it stopped the GRU at
  epoch 32), so the recipe has none;
- epochs: ``budget(full=100, quick=5)``;
- speed: the fastest correct compile settings for the backend
  (:func:`speed_settings`; on TensorFlow, XLA and :data:`XLA_STEPS_PER_CALL` steps per
  call for runs of at least :data:`XLA_MIN_STEPS` steps), unless ``fast=False`` or
  ``SEQLAB_FAST=0``;
- monitor: the validation loss, ``"val_loss"``, except that when ``"mae"`` is among the
  metrics (as it is by default) the monitor is ``"val_mae"``: the course's forecasting
  chapters compare models by their mean absolute error, and chapters 01-06 were written
  with this rule. Pass ``monitor=`` to watch anything else.

Diverged runs
-------------
A run whose training loss becomes NaN or infinite (a learning rate far too large, an
exploding gradient) is not an error: training stops at the batch where it happened (at
the end of its call of up to :data:`XLA_STEPS_PER_CALL` steps when those are on),
the weights of the best epoch before it are restored (the initial weights if no epoch
finished cleanly), and the result says so (``FitResult.diverged``,
``FitResult.diverged_at``, and "diverged at epoch N" in the summary line). A chapter can
then show a diverging run next to a clipped one.

Helpers for the chapters on training: :func:`gradients_of` (gradients by automatic
differentiation on every backend) and :func:`time_forward` (the median time of a forward
pass, compilation excluded).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import keras
import numpy as np

from seqlab.checks import as_float_array, one_of, positive_int, positive_number
from seqlab.config import budget, is_fast, seed_everything
from seqlab.forecasting import predict_on_batch
from seqlab.distributed import check_splits, device_count

DEFAULTS = {
    "optimizer": "adam",
    "learning_rate": 1e-3,
    "clipnorm": None,
    "global_clipnorm": None,
    "batch_size": 32,
    "patience": "max(10, epochs // 4)",
    "loss": "mse",
    "metrics": ("mae",),
    "monitor": "val_mae when 'mae' is among the metrics, else val_loss",
    "epochs": "budget(full=100, quick=5)",
    "seed": 42,
}
"""The course's training settings (see the module docstring); :func:`fit_and_evaluate`'s
keyword defaults are these values."""

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
        stopped_early: True when early stopping ended training before the epoch budget.
        diverged: True when the training loss (or the monitored value) became NaN or
            infinite; training stopped there and the best weights before it were restored.
        diverged_at: the epoch (counted from 1) in which it happened, None otherwise.
        epoch_seconds: wall-clock seconds of each epoch run (training and validation),
            in order; the first also traces or compiles the model.
    """

    history: dict
    best_epoch: int
    best_score: float
    epochs_run: int
    seconds: float
    monitor: str = "val_mae"
    name: str = "model"
    stopped_early: bool = field(default=False)
    diverged: bool = field(default=False)
    diverged_at: int | None = field(default=None)
    epoch_seconds: tuple = field(default=())

    @property
    def seconds_per_epoch(self) -> float:
        """The median time of an epoch after the first (the first also compiles).

        With a single epoch, that epoch's time. Use it to compare models' training
        speed: the total ``seconds`` depends on how many epochs early stopping ran.
        """
        times = self.epoch_seconds[1:] or self.epoch_seconds
        if not times:
            return math.nan
        return float(np.median(times))

    def summary(self) -> str:
        """One line: ``"name: 37 epochs (best 29), val_mae 0.0312, 12.4 s"``.

        A diverged run ends with ``", diverged at epoch N"``; when it diverged in its first
        epoch there is no best epoch (``best 0``) and the line says ``"no finite val_mae"``.
        """
        stopped = ", stopped early" if self.stopped_early else ""
        if self.best_epoch == 0:
            best = f"no finite {self.monitor}"
        else:
            best = f"{self.monitor} {self.best_score:.4g}"
        line = (
            f"{self.name}: {self.epochs_run} epochs (best {self.best_epoch}{stopped}), "
            f"{best}, {self.seconds:.1f} s"
        )
        if self.diverged:
            line += f", diverged at epoch {self.diverged_at}"
        return line

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
    """Keeps the weights of the best epoch, stops after ``patience`` epochs without
    improvement, stops at the first batch whose loss is NaN or infinite, and prints the
    progress lines when asked."""

    def __init__(self, monitor, mode, patience, epochs, display):
        super().__init__()
        self.monitor, self.mode, self.patience = monitor, mode, patience
        self.epochs, self.display = epochs, display
        self.best_score = math.inf if mode == "min" else -math.inf
        self.best_epoch = 0
        self.best_weights = None
        self.wait = 0
        self.stopped_early = False
        self.diverged_at = None
        self.epoch = 0
        self.epoch_seconds = []
        self._epoch_start = None
        self.every = max(1, math.ceil(epochs / _PROGRESS_LINES))

    def _improved(self, value):
        return value < self.best_score if self.mode == "min" else value > self.best_score

    def on_train_begin(self, logs=None):
        # Restored if the run diverges before any epoch ends cleanly.
        self.best_weights = self.model.get_weights()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self._epoch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        # The check TerminateOnNaN makes, without its print: stop within the epoch.
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self.diverged_at = self.epoch + 1
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        if self._epoch_start is not None:
            self.epoch_seconds.append(time.perf_counter() - self._epoch_start)
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"monitor={self.monitor!r} is not something the model reports; it reports {sorted(logs)}"
            )
        value = float(logs[self.monitor])
        loss = float(logs.get("loss", 0.0))
        if self.diverged_at is not None or not (math.isfinite(value) and math.isfinite(loss)):
            self.diverged_at = epoch + 1
            self.model.stop_training = True
        elif self._improved(value):
            self.best_score, self.best_epoch, self.wait = value, epoch + 1, 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_early = True
                self.model.stop_training = True
        if self.display == "progress" and (epoch == 0 or (epoch + 1) % self.every == 0 or
                                           self.diverged_at is not None):
            shown = ", ".join(f"{key} {float(val):.4g}" for key, val in logs.items()
                              if key in ("loss", "val_loss", self.monitor))
            print(f"  epoch {epoch + 1:>{len(str(self.epochs))}}/{self.epochs}: {shown}")

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


# XLA on TensorFlow (``jit_compile=True``), which Keras 3 leaves off on a machine without
# a GPU, makes each training step of the course's small models faster (2-core CPU,
# 2,000 windows of 50 steps: SimpleRNN 0.63 -> 0.39 s an epoch, LSTM 1.34 -> 0.43 s,
# measured unloaded; 0.47 -> 0.36 s and a 2-layer SimpleRNN 2.6 -> 2.0 s at a load
# of 6-10), but its first epoch costs 3-4 s more unloaded, 7-24 s on a loaded machine
# (one compilation per batch shape: the training batch, its last partial batch and the
# validation batches). It saves about 2-10 ms a step, so it pays from about 1,000-4,000
# steps: XLA is used when the epoch budget holds at least XLA_MIN_STEPS steps. A
# chapter's full-size runs (tens of epochs of tens of steps) qualify; its quick runs
# (a few epochs) and the tests do not, so they skip the compile time they would not
# win back. Each step is also one call of a compiled function from Python, about 1 ms
# on TensorFlow before any arithmetic (bench/results/tensorflow_overhead.md: a Dense
# model's epoch is 5x JAX's): with XLA, running XLA_STEPS_PER_CALL steps per call
# (``steps_per_execution``) was the fastest setting on every model in three runs on an
# idle machine (first run: SimpleRNN 0.245 -> 0.119 s an epoch, GRU 0.346 -> 0.203 s,
# LSTM 0.273 -> 0.266 s), with the same losses. Callbacks then see one batch in XLA_STEPS_PER_CALL, so a run given extra
# callbacks keeps one step per call, and a diverging run stops at the end of the call.
# Without XLA it paid nothing (SimpleRNN 0.364 s either way) and stays 1.
# JAX compiles every step anyway; on PyTorch ``jit_compile=True`` is torch.compile,
# whose compile time (tens of seconds) the course's runs never win back.
XLA_MIN_STEPS = 1500
"""Fewest training steps (epochs x batches per epoch) for which :func:`speed_settings`
turns XLA on with TensorFlow."""

XLA_STEPS_PER_CALL = 32
"""Training steps per call of the compiled function (``steps_per_execution``) when
:func:`speed_settings` turns XLA on; at most one epoch's steps."""


def _supports_xla(model) -> bool:
    # Keras's own test (every layer's ``supports_jit``), made here to avoid the warning
    # Keras prints when it turns a requested jit_compile=True off.
    if getattr(model, "_distribute_strategy", None) is not None:
        return False
    return all(getattr(layer, "supports_jit", True) for layer in model._flatten_layers())


def speed_settings(model, n_train, *, epochs, batch_size=32, fast=None) -> dict:
    """The compile settings with which :func:`fit_and_evaluate` trains ``model``.

    The fastest correct settings for the backend, from measurements on a 2-core CPU
    (see the comment above :data:`XLA_MIN_STEPS` in the source): on TensorFlow,
    ``jit_compile=True`` (XLA) and :data:`XLA_STEPS_PER_CALL` steps per call (at most
    one epoch's) when the run holds at least :data:`XLA_MIN_STEPS` training steps
    (``epochs * ceil(n_train / batch_size)``) and every layer supports XLA; otherwise,
    and on JAX and PyTorch, Keras's own choice (``"auto"``: XLA on JAX, none on
    PyTorch, and on TensorFlow XLA only with a GPU) and one step per call. With
    ``fast=False`` (or ``SEQLAB_FAST=0``) the result is Keras's defaults. The numbers
    do not depend on the settings, up to float rounding.

    Args:
        model: the Keras model to train.
        n_train: the number of training instances.
        epochs: the epoch budget.
        batch_size: instances per step.
        fast: True or False, or None to follow ``SEQLAB_FAST`` (on unless set to 0).

    Returns:
        ``{"jit_compile": True or "auto", "steps_per_execution": n}``, keyword arguments
        of ``model.compile``.

    Raises:
        TypeError: ``fast`` is not True, False or None, or ``model`` is not a Keras model.
        ValueError: ``n_train``, ``epochs`` or ``batch_size`` is not a positive integer,
            or ``SEQLAB_FAST`` holds something other than 0/1, true/false, yes/no, on/off.

    Example:

    >>> import keras
    >>> model = keras.Sequential([keras.Input((5, 1)), keras.layers.GRU(3)])
    >>> speed_settings(model, 64, epochs=2, fast=False)
    {'jit_compile': 'auto', 'steps_per_execution': 1}
    """
    fast = _check_fast(fast)
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    n_train = positive_int("n_train", n_train)
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    settings = {"jit_compile": "auto", "steps_per_execution": 1}
    steps_per_epoch = math.ceil(n_train / batch_size)
    if (fast and keras.backend.backend() == "tensorflow"
            and epochs * steps_per_epoch >= XLA_MIN_STEPS and _supports_xla(model)):
        settings["jit_compile"] = True
        settings["steps_per_execution"] = min(XLA_STEPS_PER_CALL, steps_per_epoch)
    return settings


def _check_fast(fast) -> bool:
    if fast is None:
        return is_fast()
    if not isinstance(fast, (bool, np.bool_)):
        raise TypeError(f"fast must be True, False or None (follow SEQLAB_FAST), got {fast!r}")
    return bool(fast)


def _xla_failed(error) -> bool:
    """Whether ``error`` is TensorFlow refusing to compile a graph with XLA."""
    if keras.backend.backend() != "tensorflow":
        return False
    import tensorflow as tf

    return isinstance(error, tf.errors.OpError) and (
        "XLA" in str(error) or "compile" in str(error).lower())


def _default_monitor(metrics, compile) -> str:
    if compile and any(_metric_name(metric) == "mae" for metric in metrics):
        return "val_mae"
    return "val_loss"


def _clip_value(name, value):
    return None if value is None else positive_number(name, value)


def _check_callbacks(callbacks) -> list:
    if isinstance(callbacks, keras.callbacks.Callback):
        callbacks = [callbacks]
    try:
        callbacks = list(callbacks)
    except TypeError:
        raise TypeError(
            f"callbacks must be a list of keras.callbacks.Callback, got {type(callbacks).__name__}"
        ) from None
    for position, callback in enumerate(callbacks):
        if not isinstance(callback, keras.callbacks.Callback):
            raise TypeError(
                f"callbacks[{position}] must be a keras.callbacks.Callback, "
                f"got {type(callback).__name__}"
            )
    return callbacks


def fit_and_evaluate(model, train, valid, *, epochs=None,
                     learning_rate=DEFAULTS["learning_rate"], patience=None,
                     batch_size=DEFAULTS["batch_size"], loss=DEFAULTS["loss"],
                     metrics=DEFAULTS["metrics"], monitor=None, seed=DEFAULTS["seed"],
                     display="compact", compile=True, mode="auto", clipnorm=None,
                     global_clipnorm=None, callbacks=(), fast=None) -> FitResult:
    """Train ``model`` with Adam and early stopping, and restore its best weights.

    The defaults are the course's (:data:`DEFAULTS`). A run whose loss becomes NaN or
    infinite is stopped and reported in the result (``diverged``), not raised.

    Args:
        model: a Keras model.
        train: the training data, an ``(X, y)`` tuple of arrays with the same first axis.
        valid: the validation data, an ``(X, y)`` tuple; ``monitor`` is measured on it.
        epochs: the most epochs to run; ``budget(full=100, quick=5)`` when None.
        learning_rate: Adam's learning rate.
        patience: stop after this many epochs without improvement of ``monitor``; None
            (the default) for ``max(10, epochs // 4)``, a quarter of the epoch budget.
        batch_size: instances per gradient step.
        loss: the loss passed to ``model.compile``.
        metrics: the metrics passed to ``model.compile``.
        monitor: what early stopping watches: ``"val_loss"``, ``"loss"``, or ``"val_"``/no prefix
            plus the name of one of ``metrics``. None (the default) watches ``"val_mae"``
            when ``"mae"`` is among ``metrics`` and ``compile`` is True, ``"val_loss"``
            otherwise.
        seed: seeds Python, NumPy and Keras before training, so runs repeat
            (the model's initial weights are seeded when it is built, before this call).
        display: ``"compact"`` prints one line at the end, ``"progress"`` adds a few lines
            while training, ``None`` prints nothing.
        compile: set False to keep the model's own ``compile`` (``loss``, ``metrics``,
            ``learning_rate`` and the clipping arguments are then not used).
        mode: ``"min"`` or ``"max"``, whether a lower or higher ``monitor`` is better;
            ``"auto"`` picks ``"max"`` for accuracy-like names and ``"min"`` otherwise.
        clipnorm: clip each weight's gradient to this norm (Adam's ``clipnorm``), or None.
        global_clipnorm: clip all gradients together so that their global norm is at most
            this (Adam's ``global_clipnorm``), or None. Set at most one of the two.
        callbacks: extra ``keras.callbacks.Callback`` objects, run after the course's
            early-stopping callback.
        fast: compile with the fastest correct settings for the backend
            (:func:`speed_settings`: XLA on TensorFlow for runs of at least
            :data:`XLA_MIN_STEPS` steps, several steps per call unless ``callbacks``
            are given); False keeps Keras's defaults; None (the default) follows
            ``SEQLAB_FAST`` (on unless set to 0). The numbers are the same either way
            up to float rounding. A model that XLA cannot compile is trained again from
            its initial weights without XLA. After an XLA run the model predicts and
            evaluates with Keras's defaults. Not used with ``compile=False``.

    Returns:
        A :class:`FitResult`; the model holds the weights of ``FitResult.best_epoch``
        (its initial weights if the run diverged in its first epoch).

    Raises:
        TypeError: ``train`` or ``valid`` is not an ``(X, y)`` pair, a callback is not a
            ``keras.callbacks.Callback``, or ``fast`` is not True, False or None.
        ValueError: X and y lengths differ, the data contain NaN or inf, ``monitor`` is not
            a reported quantity, an integer argument is not positive, a clipping value is
            not positive, both ``clipnorm`` and ``global_clipnorm`` are set, or a clipping
            value is given with ``compile=False``, or, under a distribution
            (:func:`seqlab.distributed.device_count` above 1), a training or validation
            batch does not divide by the number of devices.

    Example:

    >>> import numpy as np, keras
    >>> X = np.random.rand(64, 5, 1).astype("float32"); y = X[:, -1]
    >>> model = keras.Sequential([keras.Input((5, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    >>> result = fit_and_evaluate(model, (X, y), (X, y), epochs=2, display=None)
    >>> result.epochs_run, result.monitor, result.diverged
    (2, 'val_mae', False)
    """
    train_x, train_y = _check_pair("train", train)
    valid_x, valid_y = _check_pair("valid", valid)
    epochs = budget(full=100, quick=5) if epochs is None else positive_int("epochs", epochs)
    patience = max(10, epochs // 4) if patience is None else positive_int("patience", patience)
    batch_size = positive_int("batch_size", batch_size)
    one_of("display", display, DISPLAYS)
    one_of("mode", mode, ("auto", "min", "max"))
    if isinstance(metrics, str):
        metrics = (metrics,)
    if monitor is None:
        monitor = _default_monitor(metrics, compile)
    if compile:
        allowed = _monitor_names(metrics)
        if monitor not in allowed:
            raise ValueError(f"monitor must be one of {allowed} (from loss and metrics), got {monitor!r}")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) \
            or learning_rate < 0:
        raise ValueError(f"learning_rate must be a number >= 0, got {learning_rate!r}")
    clipnorm = _clip_value("clipnorm", clipnorm)
    global_clipnorm = _clip_value("global_clipnorm", global_clipnorm)
    if clipnorm is not None and global_clipnorm is not None:
        raise ValueError(
            "clipnorm and global_clipnorm: set at most one of them (clip each gradient, or "
            f"all of them together), got clipnorm={clipnorm} and global_clipnorm={global_clipnorm}"
        )
    if not compile and (clipnorm is not None or global_clipnorm is not None):
        raise ValueError(
            "clipnorm and global_clipnorm are Adam settings used only with compile=True; "
            "with compile=False set them on the model's own optimizer"
        )
    extra_callbacks = _check_callbacks(callbacks)
    fast = _check_fast(fast)
    n_devices = device_count()
    if n_devices > 1:  # under a distribution every batch must split evenly across devices
        check_splits(n_devices, batch_size, train=train_x, valid=valid_x)

    def train(settings):
        seed_everything(seed)
        if compile:
            optimizer = keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=clipnorm,
                                              global_clipnorm=global_clipnorm)
            model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics), **settings)
        tracker = _BestWeights(monitor, _mode_for(monitor) if mode == "auto" else mode,
                               patience, epochs, display)
        history = model.fit(train_x, train_y, validation_data=(valid_x, valid_y),
                            epochs=epochs, batch_size=batch_size,
                            callbacks=[tracker, *extra_callbacks], shuffle=True, verbose=0)
        return tracker, history

    settings = speed_settings(model, len(train_x), epochs=epochs, batch_size=batch_size,
                              fast=fast) if compile else {}
    if extra_callbacks and settings:  # they are promised every batch
        settings["steps_per_execution"] = 1
    start = time.perf_counter()
    if settings.get("jit_compile") is True:
        if not model.built:
            model(train_x[:1])
        initial = model.get_weights()
        try:
            tracker, history = train(settings)
        except Exception as error:  # XLA could not compile a layer: train again without
            if not _xla_failed(error):
                raise
            model.set_weights(initial)
            start = time.perf_counter()
            tracker, history = train({"jit_compile": False, "steps_per_execution": 1})
        # Predictions and evaluations with Keras's defaults: one XLA compilation per
        # input shape would not pay.
        model.jit_compile, model.steps_per_execution = False, 1
        model.train_function = model.test_function = model.predict_function = None
    else:
        tracker, history = train(settings)
    seconds = time.perf_counter() - start
    values = {key: [float(v) for v in vals] for key, vals in history.history.items()}
    best_score = tracker.best_score if tracker.best_epoch else math.nan
    result = FitResult(
        history=values,
        best_epoch=tracker.best_epoch,
        best_score=best_score,
        epochs_run=len(values[monitor]),
        seconds=seconds,
        monitor=monitor,
        name=model.name,
        stopped_early=tracker.stopped_early,
        diverged=tracker.diverged_at is not None,
        diverged_at=tracker.diverged_at,
        epoch_seconds=tuple(tracker.epoch_seconds),
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
    batch_size = positive_int("batch_size", batch_size)
    n_devices = device_count()
    if n_devices > 1:  # as in fit_and_evaluate: every batch must split evenly
        check_splits(n_devices, batch_size, data=inputs)
    scores = model.evaluate(inputs, targets, batch_size=batch_size,
                            verbose=0, return_dict=True)
    return {key: float(value) for key, value in scores.items()}


def _backend_gradients(function, arrays: list) -> list[np.ndarray]:
    """Gradients of the scalar ``function(*arrays)`` with respect to every array."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tensors = [tf.convert_to_tensor(array) for array in arrays]
        with tf.GradientTape() as tape:
            tape.watch(tensors)
            value = function(*tensors)
        grads = tape.gradient(value, tensors)
    elif backend == "jax":
        import jax

        grads = jax.grad(function, argnums=tuple(range(len(arrays))))(*arrays)
    elif backend == "torch":
        tensors = [keras.ops.convert_to_tensor(array).detach().requires_grad_(True)
                   for array in arrays]
        function(*tensors).backward()
        grads = [tensor.grad for tensor in tensors]
    else:
        raise NotImplementedError(f"gradients_of does not support the {backend!r} backend")
    return [np.zeros(np.shape(array), np.float32) if grad is None
            else np.asarray(keras.ops.convert_to_numpy(grad)) for array, grad in zip(arrays, grads)]


def gradients_of(model, X, y=None, loss="mse", *, training=False) -> list[np.ndarray]:
    """Gradients by the backend's automatic differentiation (TensorFlow, JAX or PyTorch).

    Two forms:

    - ``gradients_of(model, X, y, loss="mse")``: the gradient of the mean ``loss`` of a
      Keras model on ``(X, y)`` with respect to each of ``model.trainable_weights``, in
      that order; the model's weights are not changed.
    - ``gradients_of(function, arrays)``: the gradient of a scalar function written with
      ``keras.ops``, ``function(*arrays)``, with respect to each array, in order. This is
      the form chapter 04 uses to differentiate a forward pass it wrote itself.

    The same code runs on every backend: ``tf.GradientTape`` on TensorFlow, ``jax.grad``
    on JAX, ``backward()`` on PyTorch.

    Args:
        model: a Keras model (or layer), or a function returning a scalar tensor.
        X: the inputs of the model, or (second form) the list of arrays to differentiate
            with respect to.
        y: the targets (first form only).
        loss: a Keras loss name or function ``loss(y_true, y_pred)``; its mean over the
            batch is differentiated (first form only).
        training: run the model in training mode (dropout active); first form only.

    Returns:
        A list of NumPy arrays, one per trainable weight (or per array), each shaped like
        it. A weight the loss does not depend on gets zeros.

    Raises:
        TypeError: ``model`` is neither a Keras model nor a callable, ``y`` is missing for
            a model or given for a function, or ``X`` is not a list for a function.

    Example:

    >>> import numpy as np, keras
    >>> [g.tolist() for g in gradients_of(lambda a: keras.ops.sum(a ** 2), [np.array([1.0, 3.0])])]
    [[2.0, 6.0]]
    """
    if isinstance(model, keras.layers.Layer):
        if y is None:
            raise TypeError("gradients_of(model, X, y): y, the targets, is missing")
        inputs = as_float_array("X", X)
        targets = as_float_array("y", y)
        if len(inputs) != len(targets):
            raise ValueError(
                f"X and y must have the same number of instances, got X {inputs.shape} "
                f"and y {targets.shape}"
            )
        if not model.built:
            model(inputs[:1])
        loss_function = keras.losses.get(loss)
        non_trainable = [variable.value for variable in model.non_trainable_variables]

        def model_loss(*trainable):
            outputs, _ = model.stateless_call(list(trainable), non_trainable, inputs,
                                              training=training)
            return keras.ops.mean(loss_function(targets, outputs))

        values = [keras.ops.convert_to_numpy(v.value) for v in model.trainable_variables]
        return _backend_gradients(model_loss, values)
    if callable(model):
        if y is not None:
            raise TypeError(
                "gradients_of(function, arrays) takes no y: the function computes the loss"
            )
        if not isinstance(X, (list, tuple)):
            raise TypeError(
                "gradients_of(function, arrays): arrays must be a list of arrays, "
                f"got {type(X).__name__}"
            )
        return _backend_gradients(model, [np.asarray(array) for array in X])
    raise TypeError(
        "gradients_of needs a Keras model or a function of arrays, "
        f"got {type(model).__name__}"
    )


def time_forward(model, inputs, *, repeats=5, batch_size=None) -> float:
    """The median time, in seconds, of one forward pass of ``model`` over ``inputs``.

    A pass runs ``model.predict_on_batch`` (the model's compiled predict function, as
    ``model.predict`` uses it; through :func:`seqlab.forecasting.predict_on_batch`, so
    without log lines) on ``inputs``, whole or in batches of ``batch_size``.
    Before timing, each distinct batch shape is run once, so the time of tracing and
    compiling (large on TensorFlow and JAX, paid once per input shape) is left out; the
    median of ``repeats`` passes resists a shared machine's hiccups.

    Args:
        model: a Keras model.
        inputs: the input array, ``(batch, ...)``.
        repeats: timed passes, at least 1.
        batch_size: None for one batch, or the instances per call.

    Returns:
        The median wall-clock seconds of one pass over all of ``inputs``.

    Raises:
        TypeError: ``model`` is not a Keras model.
        ValueError: ``inputs`` is empty, holds NaN or inf; ``repeats`` or
            ``batch_size`` below 1.

    Example:

    >>> import numpy as np, keras
    >>> model = keras.Sequential([keras.Input((4, 1)), keras.layers.GRU(3)])
    >>> time_forward(model, np.zeros((8, 4, 1)), repeats=3) > 0
    True
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    inputs = as_float_array("inputs", inputs)
    if inputs.ndim == 0 or len(inputs) == 0:
        raise ValueError(f"inputs must hold at least one instance, got shape {inputs.shape}")
    repeats = positive_int("repeats", repeats)
    size = len(inputs) if batch_size is None else positive_int("batch_size", batch_size)
    batches = [inputs[start:start + size] for start in range(0, len(inputs), size)]
    warmed = set()
    for batch in batches:  # once per input shape: tracing and compiling happen here
        if batch.shape not in warmed:
            predict_on_batch(model, batch)
            warmed.add(batch.shape)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        for batch in batches:
            predict_on_batch(model, batch)
        seconds.append(time.perf_counter() - start)
    return float(np.median(seconds))
