"""Tasks that measure how far back a sequence model remembers.

Each generator is seeded and returns ``(X, y)`` NumPy arrays ready for ``model.fit``:

- :func:`recall_task`: output the symbol seen ``lag`` steps before the end. Accuracy
  against ``lag`` is a memory curve; chance level is ``1 / n_symbols``.
- :func:`adding_problem`: add the two values marked in a long sequence
  (Hochreiter & Schmidhuber 1997). Predicting 1 always gives an MSE of about 1/6.
- :func:`copy_memory_problem`: reproduce a few symbols after a long blank delay
  (Arjovsky et al. 2016).

Symbols are given one-hot (float32, for recurrent layers) or as integer ids (for an
``Embedding`` layer) and targets as integer ids, for
``loss="sparse_categorical_crossentropy"``.

The measurement plumbing of chapter 2 ("Memory cells"):

- :func:`recall_all_lags`: the recall task asked for every lag ``0 .. max_lag`` at once.
- :func:`recall_model`, :func:`adding_model`: the chapter's four models
  (:data:`MEMORY_MODELS`) with a recall head or one linear output.
- :func:`train_memory_model`: Adam with clipped gradients and early stopping, through
  :func:`seqlab.training.fit_and_evaluate`.
- :func:`accuracy_by_lag`, :func:`memory_horizon`, :func:`finished`: read a memory
  curve and a horizon off a trained model, and say whether its training finished.
- :func:`compare_horizons`, :func:`describe_horizon`: turn two horizons into a verdict.
"""

from __future__ import annotations

import keras
import numpy as np

from seqlab.checks import as_float_array, one_of, positive_int
from seqlab.forecasting import predict_numpy
from seqlab.models import build_recurrent_stack
from seqlab.training import fit_and_evaluate

__all__ = [
    "recall_task", "adding_problem", "copy_memory_problem", "recall_all_lags",
    "MEMORY_MODELS", "recall_model", "adding_model", "train_memory_model",
    "accuracy_by_lag", "memory_horizon", "finished", "compare_horizons",
    "describe_horizon",
]


def _one_hot(ids, depth):
    return np.eye(depth, dtype=np.float32)[ids]


def recall_task(n_samples, n_steps, lag, *, n_symbols=4, one_hot=True, seed=42):
    """Sequences of random symbols; the target is the symbol ``lag`` steps before the end.

    Sample ``i`` is a sequence ``s_0, ..., s_{T-1}`` of symbols drawn uniformly from
    ``0 .. n_symbols - 1``, and its target is ``s_{T-1-lag}``: ``lag=0`` asks for the
    last symbol (no memory needed), larger lags ask the model to carry the symbol
    through ``lag`` more steps of distracting symbols.

    Args:
        n_samples: number of sequences.
        n_steps: sequence length T.
        lag: how many steps before the end the symbol to recall sits,
            ``0 <= lag < n_steps``.
        n_symbols: alphabet size, >= 2; chance accuracy is ``1 / n_symbols``.
        one_hot: return X one-hot (float32) rather than integer ids.
        seed: seed of the generator.

    Returns:
        ``(X, y)``: X of shape ``(n_samples, n_steps, n_symbols)`` float32 if
        ``one_hot`` else ``(n_samples, n_steps)`` int32; y of shape ``(n_samples,)``
        int32.

    Raises:
        ValueError: for non-positive sizes, ``n_symbols < 2`` or a lag outside
            ``0 .. n_steps - 1``.

    Example:

    >>> X, y = recall_task(5, n_steps=10, lag=3)
    >>> X.shape, y.shape
    ((5, 10, 4), (5,))
    >>> bool((X[:, 10 - 1 - 3].argmax(axis=1) == y).all())
    True
    """
    n_samples = positive_int("n_samples", n_samples)
    n_steps = positive_int("n_steps", n_steps)
    lag = positive_int("lag", lag, minimum=0)
    n_symbols = positive_int("n_symbols", n_symbols, minimum=2)
    if lag >= n_steps:
        raise ValueError(
            f"lag must be smaller than n_steps (the symbol must be in the sequence), "
            f"got lag={lag} with n_steps={n_steps}"
        )
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, n_symbols, size=(n_samples, n_steps)).astype(np.int32)
    y = ids[:, n_steps - 1 - lag].copy()
    return (_one_hot(ids, n_symbols) if one_hot else ids), y


def adding_problem(n_samples, n_steps, *, seed=42):
    """The adding problem: sum the two marked values of a long sequence.

    Channel 0 holds values drawn uniformly from [0, 1); channel 1 is 1 at exactly two
    steps, one in the first half of the sequence and one in the second, and 0
    elsewhere. The target is the sum of the two marked values, so the model must keep
    the first one in memory for up to ``n_steps`` steps.

    Args:
        n_samples: number of sequences.
        n_steps: sequence length, >= 2.
        seed: seed of the generator.

    Returns:
        ``(X, y)``: X of shape ``(n_samples, n_steps, 2)`` float32, y of shape
        ``(n_samples, 1)`` float32.

    Raises:
        ValueError: for ``n_samples < 1`` or ``n_steps < 2``.

    Example:

    >>> X, y = adding_problem(3, 20)
    >>> X.shape, y.shape
    ((3, 20, 2), (3, 1))
    """
    n_samples = positive_int("n_samples", n_samples)
    n_steps = positive_int("n_steps", n_steps, minimum=2)
    rng = np.random.default_rng(seed)
    values = rng.random((n_samples, n_steps)).astype(np.float32)
    half = n_steps // 2
    first = rng.integers(0, half, size=n_samples)
    second = rng.integers(half, n_steps, size=n_samples)
    markers = np.zeros((n_samples, n_steps), dtype=np.float32)
    rows = np.arange(n_samples)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    y = (values[rows, first] + values[rows, second]).reshape(-1, 1).astype(np.float32)
    return np.stack([values, markers], axis=-1), y


def copy_memory_problem(n_samples, delay, n_symbols=8, *, sequence_length=10, one_hot=True,
                        seed=42):
    """The copy memory problem: repeat a few symbols after a long blank delay.

    Ids: ``0`` is the blank, ``1 .. n_symbols`` are the symbols to copy and
    ``n_symbols + 1`` is the delimiter. With ``L = sequence_length``, each input is
    ``L`` random symbols, ``delay - 1`` blanks, the delimiter, then ``L`` blanks
    (``delay + 2 L`` steps). The target is blank for the first ``delay + L`` steps,
    then the ``L`` symbols in their original order, so each symbol must be held for
    ``delay + L`` steps. Always answering blank, then guessing, gives a
    cross-entropy of ``L log(n_symbols) / (delay + 2 L)``.

    Args:
        n_samples: number of sequences.
        delay: steps between the end of the symbols and the delimiter plus one, >= 1.
        n_symbols: number of distinct symbols to copy, >= 1.
        sequence_length: how many symbols to copy, >= 1.
        one_hot: return X one-hot (float32) rather than integer ids.
        seed: seed of the generator.

    Returns:
        ``(X, y)``: X of shape ``(n_samples, delay + 2 L, n_symbols + 2)`` float32
        if ``one_hot`` else ``(n_samples, delay + 2 L)`` int32; y of shape
        ``(n_samples, delay + 2 L)`` int32 with ids ``0 .. n_symbols``.

    Raises:
        ValueError: for non-positive sizes.

    Example:

    >>> X, y = copy_memory_problem(2, delay=5, n_symbols=8, sequence_length=3)
    >>> X.shape, y.shape
    ((2, 11, 10), (2, 11))
    >>> bool((y[:, -3:] == X[:, :3].argmax(axis=2)).all())
    True
    """
    n_samples = positive_int("n_samples", n_samples)
    delay = positive_int("delay", delay)
    n_symbols = positive_int("n_symbols", n_symbols)
    length = positive_int("sequence_length", sequence_length)
    rng = np.random.default_rng(seed)
    n_steps = delay + 2 * length
    symbols = rng.integers(1, n_symbols + 1, size=(n_samples, length)).astype(np.int32)
    ids = np.zeros((n_samples, n_steps), dtype=np.int32)
    ids[:, :length] = symbols
    ids[:, length + delay - 1] = n_symbols + 1
    y = np.zeros((n_samples, n_steps), dtype=np.int32)
    y[:, -length:] = symbols
    return (_one_hot(ids, n_symbols + 2) if one_hot else ids), y


# --- measuring memory: the plumbing of chapter 2 ---------------------------------------

def recall_all_lags(n_samples, n_steps, max_lag, *, n_symbols=4, seed=42):
    """The recall task asked for every lag ``0, 1, ..., max_lag`` at once.

    Column ``k`` of the targets is what :func:`recall_task` gives for ``lag=k`` with the
    same arguments and seed: the symbol ``k`` steps before the end, ``s_{T-1-k}``.

    Args:
        n_samples: number of sequences.
        n_steps: sequence length T.
        max_lag: the largest lag asked for, ``0 <= max_lag < n_steps``.
        n_symbols: alphabet size, >= 2.
        seed: seed of the generator.

    Returns:
        ``(X, Y)``: X of shape ``(n_samples, n_steps, n_symbols)`` float32 (one-hot),
        Y of shape ``(n_samples, max_lag + 1)`` int32.

    Raises:
        ValueError: as :func:`recall_task`, for ``max_lag`` in place of ``lag``.

    Example:

    >>> X, Y = recall_all_lags(5, n_steps=10, max_lag=3)
    >>> X.shape, Y.shape
    ((5, 10, 4), (5, 4))
    >>> bool((Y[:, 3] == recall_task(5, 10, 3)[1]).all())
    True
    """
    max_lag = positive_int("max_lag", max_lag, minimum=0)
    n_steps = positive_int("n_steps", n_steps)
    if max_lag >= n_steps:
        raise ValueError(
            f"max_lag must be smaller than n_steps (the symbol must be in the sequence), "
            f"got max_lag={max_lag} with n_steps={n_steps}"
        )
    X, _ = recall_task(n_samples, n_steps, 0, n_symbols=n_symbols, one_hot=False,
                       seed=seed)
    Y = X[:, n_steps - 1 - np.arange(max_lag + 1)].copy()
    return _one_hot(X, n_symbols), Y


MEMORY_MODELS = {
    "SimpleRNN": ("simple_rnn", 1),
    "2 x SimpleRNN": ("simple_rnn", 2),
    "LSTM": ("lstm", 1),
    "GRU": ("gru", 1),
}
"""The chapter's four models: name -> (``cell``, ``n_layers``) of
:func:`seqlab.models.build_recurrent_stack`."""


def _stack(kind, n_steps, n_features, units, n_outputs):
    one_of("kind", kind, tuple(MEMORY_MODELS))
    cell, n_layers = MEMORY_MODELS[kind]
    name = kind.replace(" ", "")
    return build_recurrent_stack(cell, n_layers, units, n_features=n_features,
                                 n_outputs=n_outputs, input_length=n_steps, name=name)


def recall_model(kind, n_steps, max_lag, *, n_symbols=4, units=32):
    """A recurrent model that answers every lag of :func:`recall_all_lags` at once.

    The recurrent layer(s) of ``kind`` read the sequence; a ``Dense`` layer maps the
    last output to ``(max_lag + 1) * n_symbols`` numbers, reshaped to one row per lag,
    and a softmax over the symbols of each row gives the probabilities.

    Args:
        kind: one of :data:`MEMORY_MODELS`.
        n_steps: sequence length.
        max_lag: the largest lag asked for.
        n_symbols: alphabet size, the features of each input step.
        units: units of each recurrent layer.

    Returns:
        A ``keras.Sequential`` with output shape ``(None, max_lag + 1, n_symbols)``.

    Raises:
        ValueError: ``kind`` is not a key of :data:`MEMORY_MODELS`, or a size is not
            a positive integer (``max_lag`` may be 0).

    Example:

    >>> recall_model("GRU", n_steps=10, max_lag=3, units=4).output_shape
    (None, 4, 4)
    """
    n_lags = positive_int("max_lag", max_lag, minimum=0) + 1
    n_symbols = positive_int("n_symbols", n_symbols, minimum=2)
    model = _stack(kind, n_steps, n_symbols, units, n_lags * n_symbols)
    model.add(keras.layers.Reshape((n_lags, n_symbols)))
    model.add(keras.layers.Softmax())
    return model


def adding_model(kind, n_steps, *, units=32):
    """A recurrent model of ``kind`` with one linear output, for :func:`adding_problem`.

    Args:
        kind: one of :data:`MEMORY_MODELS`.
        n_steps: sequence length.
        units: units of each recurrent layer.

    Returns:
        A ``keras.Sequential`` with input ``(None, n_steps, 2)``, output ``(None, 1)``.

    Raises:
        ValueError: ``kind`` is not a key of :data:`MEMORY_MODELS`, or a size is not a
            positive integer.

    Example:

    >>> adding_model("2 x SimpleRNN", n_steps=10, units=4).output_shape
    (None, 1)
    """
    return _stack(kind, n_steps, 2, units, 1)


_TASKS = {"recall": ("sparse_categorical_crossentropy", "accuracy"), "adding": ("mse", "mse")}


def train_memory_model(model, train, valid, *, task, epochs, patience=10,
                       learning_rate=1e-2, clipnorm=1.0, batch_size=32,
                       display="compact"):
    """Train a model of :func:`recall_model` or :func:`adding_model` until it finishes.

    Adam with a learning rate of ``1e-2`` and each gradient clipped to norm ``clipnorm``,
    early stopping on the validation accuracy (recall) or MSE (adding) with the best
    weights restored, through :func:`seqlab.training.fit_and_evaluate`, which also
    picks the compile settings (:func:`seqlab.training.speed_settings`: XLA on
    TensorFlow for a run of at least ``XLA_MIN_STEPS`` training steps). The results
    are the same up to float rounding.

    Args:
        model: the model to train (compiled here).
        train: ``(X, y)`` training data.
        valid: ``(X, y)`` validation data, watched by early stopping.
        task: ``"recall"`` (sparse cross-entropy, accuracy) or ``"adding"`` (MSE).
        epochs: the most epochs to run; pick enough that early stopping ends training
            (see :func:`finished`).
        patience: epochs without improvement before stopping.
        learning_rate: Adam's learning rate.
        clipnorm: the largest norm of each weight's gradient.
        batch_size: sequences per gradient step.
        display: ``"compact"`` (one line), ``"progress"`` or None.

    Returns:
        The :class:`seqlab.training.FitResult`.

    Raises:
        ValueError: ``task`` is not ``"recall"`` or ``"adding"``, or as
            :func:`seqlab.training.fit_and_evaluate`.

    Example:

    >>> X, Y = recall_all_lags(64, n_steps=6, max_lag=1)
    >>> model = recall_model("SimpleRNN", 6, 1, units=4)
    >>> fit = train_memory_model(model, (X, Y), (X, Y), task="recall", epochs=2,
    ...                          display=None)
    >>> fit.epochs_run, fit.monitor
    (2, 'val_accuracy')
    """
    one_of("task", task, tuple(_TASKS))
    loss, metric = _TASKS[task]
    return fit_and_evaluate(model, train, valid, epochs=epochs, patience=patience,
                            learning_rate=learning_rate, clipnorm=clipnorm,
                            batch_size=batch_size, loss=loss, metrics=[metric],
                            monitor=f"val_{metric}", display=display)


def accuracy_by_lag(model, X, Y):
    """The accuracy of a recall model at each lag: one number per column of ``Y``.

    Args:
        model: a model whose output has shape ``(n_samples, n_lags, n_symbols)``.
        X: its inputs.
        Y: the target symbols, shape ``(n_samples, n_lags)``.

    Returns:
        A float array of shape ``(n_lags,)``: the share of right answers at each lag.

    Raises:
        ValueError: ``Y`` is not 2-D, or the model's output does not have one row per
            column of ``Y``.

    Example:

    >>> X, Y = recall_all_lags(8, n_steps=5, max_lag=2)
    >>> accuracy_by_lag(recall_model("LSTM", 5, 2, units=2), X, Y).shape
    (3,)
    """
    Y = as_float_array("Y", Y, ndim=2)
    predicted = predict_numpy(model, X).argmax(axis=-1)
    if predicted.shape != Y.shape:
        raise ValueError(
            f"the model's answers have shape {predicted.shape} (after argmax over the "
            f"symbols) but Y has shape {Y.shape}: expected one answer per lag"
        )
    return (predicted == Y).mean(axis=0)


def memory_horizon(lags, scores, threshold, *, higher_is_better=True):
    """The largest lag at which the score passes ``threshold``, at every shorter lag too.

    A lag that passes after one that failed does not count: a lucky score further on is
    not memory. ``lags`` may be lags (recall) or sequence lengths (adding problem).

    Args:
        lags: the lags (or lengths) measured, in any order.
        scores: the score at each, same length.
        threshold: a score at or above it passes (below it, when
            ``higher_is_better=False``, for an error).
        higher_is_better: True for an accuracy, False for an error.

    Returns:
        The horizon, an ``int``, or None when even the smallest lag fails.

    Raises:
        ValueError: ``lags`` and ``scores`` are empty or differ in length.

    Example:

    >>> memory_horizon([0, 1, 2, 3], [1.0, 0.95, 0.6, 0.97], 0.9)
    1
    >>> memory_horizon([10, 20, 40], [0.2, 0.01, 0.01], 0.05, higher_is_better=False)
    """
    lags = as_float_array("lags", lags, ndim=1)
    scores = as_float_array("scores", scores, ndim=1)
    if len(lags) == 0 or len(lags) != len(scores):
        raise ValueError(
            f"lags and scores must be non-empty and of the same length, got "
            f"{len(lags)} lags and {len(scores)} scores"
        )
    horizon = None
    for lag, score in sorted(zip(lags, scores)):
        passed = score >= threshold if higher_is_better else score < threshold
        if not passed:
            break
        horizon = int(lag)
    return horizon


def finished(fit):
    """Did early stopping end this training, before the epoch budget ran out?

    Only then does the score measure the model rather than the budget: a model still
    improving when the epochs ran out might have done better, and its horizon is a
    lower bound. A run that diverged did not finish either.

    Args:
        fit: a :class:`seqlab.training.FitResult`.

    Returns:
        ``bool``.

    Raises:
        TypeError: ``fit`` is not a ``FitResult``.
    """
    from seqlab.training import FitResult

    if not isinstance(fit, FitResult):
        raise TypeError(f"fit must be a seqlab.training.FitResult, got {type(fit).__name__}")
    return bool(fit.stopped_early and not fit.diverged)


def compare_horizons(horizon, reference, *, margin=0):
    """A verdict: is ``horizon`` longer than, shorter than, or too close to ``reference``?

    Args:
        horizon: a horizon from :func:`memory_horizon` (None counts as below any lag).
        reference: the horizon to compare with.
        margin: differences up to this many steps are too close to call.

    Returns:
        ``"longer"``, ``"shorter"`` or ``"too close to call"``.

    Raises:
        ValueError: ``margin`` is negative or not an integer.

    Example:

    >>> compare_horizons(12, 8, margin=2), compare_horizons(9, 8, margin=2)
    ('longer', 'too close to call')
    """
    margin = positive_int("margin", margin, minimum=0)
    a = -1 if horizon is None else horizon
    b = -1 if reference is None else reference
    if a > b + margin:
        return "longer"
    if a < b - margin:
        return "shorter"
    return "too close to call"


def describe_horizon(horizon, longest):
    """A horizon as text: ``"at least 24"`` when it reaches the longest lag measured.

    Args:
        horizon: a horizon from :func:`memory_horizon`, or None.
        longest: the longest lag (or length) that was measured.

    Returns:
        ``"none"``, ``"at least N"`` or ``"N"``.

    Example:

    >>> describe_horizon(24, 24), describe_horizon(7, 24), describe_horizon(None, 24)
    ('at least 24', '7', 'none')
    """
    if horizon is None:
        return "none"
    return f"at least {horizon}" if horizon >= longest else str(horizon)
