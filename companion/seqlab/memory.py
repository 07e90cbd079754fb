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
"""

from __future__ import annotations

import numpy as np

from seqlab.checks import positive_int


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
