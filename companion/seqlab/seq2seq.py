"""Plumbing for encoder-decoder models on token sequences of different lengths.

An encoder-decoder earns its place when the output's length varies from one example to
the next and the model itself must decide when to stop. Chapter 3 trains one on a toy
task, writing short digit sequences backwards, with this module's helpers:

- :func:`reversal_task`: variable-length digit sequences and their reversals.
- :func:`to_tokens` / :func:`to_digits`: digits <-> tokens, with the reserved tokens
  :data:`PAD` (0, for padding and masking), :data:`START` and :data:`END`.
- :func:`teacher_forcing`: the decoder's inputs (the target shifted right, after
  ``START``) and targets (the target followed by ``END``), padded with ``PAD``.
- :func:`greedy_decode`: step-by-step decoding at inference, feeding back the token
  the model chose, until each sequence writes ``END``.
"""

from __future__ import annotations

import numpy as np

from seqlab.checks import positive_int

__all__ = [
    "PAD", "START", "END", "VOCABULARY_SIZE",
    "reversal_task", "to_tokens", "to_digits", "teacher_forcing", "greedy_decode",
]

PAD = 0
"""Token 0 pads sequences to a common length; ``mask_zero=True`` masks it."""
START = 11
"""The token fed to the decoder at its first step."""
END = 12
"""The token the decoder writes to say the sequence is over."""
VOCABULARY_SIZE = 13
"""PAD, the ten digits (tokens 1 to 10), START and END."""


def reversal_task(n_samples, *, min_length=1, max_length=6, seed=0):
    """Random digit sequences of random lengths, each with its reversal.

    Args:
        n_samples: number of examples, >= 1.
        min_length: shortest sequence, >= 1.
        max_length: longest sequence, >= ``min_length``.
        seed: seed of the NumPy generator, >= 0.

    Returns:
        ``(sources, targets)``: two lists of ``n_samples`` integer arrays of digits
        0-9; ``targets[i]`` is ``sources[i]`` backwards.

    Raises:
        TypeError: if an argument is not an integer.
        ValueError: if an argument is out of range.

    Example:

    >>> sources, targets = reversal_task(2, max_length=4, seed=1)
    >>> all((s[::-1] == t).all() for s, t in zip(sources, targets))
    True
    """
    n_samples = positive_int("n_samples", n_samples)
    min_length = positive_int("min_length", min_length)
    max_length = positive_int("max_length", max_length, minimum=min_length)
    seed = positive_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, size=n_samples)
    sources = [rng.integers(0, 10, size=length) for length in lengths]
    return sources, [source[::-1].copy() for source in sources]


def _digit_rows(name, sequences):
    if isinstance(sequences, np.ndarray) and sequences.ndim == 1:
        sequences = [sequences]
    try:
        rows = [np.asarray(row) for row in sequences]
    except TypeError:
        raise TypeError(f"{name} must be a list of digit sequences, "
                        f"got {type(sequences).__name__}") from None
    for i, row in enumerate(rows):
        if row.ndim != 1 or (row.size and (
                not np.issubdtype(row.dtype, np.integer)
                or row.min() < 0 or row.max() > 9)):
            raise ValueError(f"{name}[{i}] must be a 1-D sequence of digits 0-9, "
                             f"got {row.tolist()!r}")
    return rows


def to_tokens(sequences, length=None):
    """Digit sequences as one padded array of tokens (digit d -> token d + 1).

    Args:
        sequences: a list of 1-D integer sequences of digits 0-9.
        length: the padded length, at least the longest sequence; by default
            the longest sequence.

    Returns:
        An ``int32`` array ``(len(sequences), length)``, padded after each
        sequence with :data:`PAD`.

    Raises:
        TypeError: if ``sequences`` is not a list of sequences.
        ValueError: if a sequence is not digits 0-9, or ``length`` is too short.

    Example:

    >>> to_tokens([[3, 0], [5]]).tolist()
    [[4, 1], [6, 0]]
    """
    rows = _digit_rows("sequences", sequences)
    longest = max((row.size for row in rows), default=0)
    length = longest if length is None else positive_int("length", length,
                                                         minimum=max(longest, 1))
    tokens = np.full((len(rows), length), PAD, dtype="int32")
    for i, row in enumerate(rows):
        tokens[i, :row.size] = row + 1
    return tokens


def to_digits(tokens):
    """Token sequences back to digits: stops at :data:`END` and drops padding.

    Args:
        tokens: a list (or 2-D array) of token sequences.

    Returns:
        A list of integer arrays of digits 0-9; a START or END token ends a row.

    Example:

    >>> [row.tolist() for row in to_digits([[4, 1, END, 5], [6, 0, 0]])]
    [[3, 0], [5]]
    """
    digits = []
    for row in tokens:
        row = np.asarray(row, dtype="int64").reshape(-1)
        stops = np.flatnonzero((row == END) | (row == START))
        row = row[:stops[0]] if stops.size else row
        digits.append(row[row != PAD] - 1)
    return digits


def teacher_forcing(targets, length=None):
    """The decoder's inputs and targets for training with teacher forcing.

    At step ``t`` the decoder receives the *true* token of step ``t - 1`` (START at
    step 0), not its own guess, and learns to write the token of step ``t``; after
    the last token it learns to write END.

    Args:
        targets: a list of digit sequences (the outputs to learn).
        length: padded length, at least the longest target + 1 (for START / END).

    Returns:
        ``(decoder_inputs, decoder_targets)``, two ``int32`` arrays of shape
        ``(len(targets), length)``: ``[START, y_0, ..., y_{L-1}]`` and
        ``[y_0, ..., y_{L-1}, END]`` as tokens, padded with :data:`PAD`.

    Raises:
        TypeError, ValueError: as :func:`to_tokens`.

    Example:

    >>> inputs, outputs = teacher_forcing([[7, 2]])
    >>> inputs.tolist(), outputs.tolist()
    ([[11, 8, 3]], [[8, 3, 12]])
    """
    rows = _digit_rows("targets", targets)
    longest = max((row.size for row in rows), default=0) + 1
    length = longest if length is None else positive_int("length", length,
                                                         minimum=longest)
    tokens = to_tokens(rows, length)
    inputs = np.full_like(tokens, PAD)
    inputs[:, 0] = START
    inputs[:, 1:] = tokens[:, :-1]
    outputs = tokens.copy()
    outputs[np.arange(len(rows)), [row.size for row in rows]] = END
    return inputs, outputs


def greedy_decode(step, state, n_sequences, *, max_length):
    """Decode step by step: feed back the most likely token until END.

    Args:
        step: ``step(tokens, state) -> (probabilities, state)``; ``tokens`` has
            shape ``(n_sequences, 1)``, ``probabilities`` ``(n_sequences,
            VOCABULARY_SIZE)`` (or with a time axis of 1), ``state`` whatever the
            decoder carries (the encoder's final state at the first step).
        state: the decoder's initial state.
        n_sequences: number of sequences decoded together, >= 1.
        max_length: most tokens written per sequence, END included, >= 1.

    Returns:
        A list of ``n_sequences`` integer arrays of digits 0-9: what each
        sequence wrote before its END (or ``max_length`` tokens).

    Raises:
        TypeError: if ``n_sequences`` or ``max_length`` is not an integer.
        ValueError: if they are below 1, or ``step`` returns a wrongly shaped
            array of probabilities.

    Example:

    >>> def step(tokens, state):  # writes token 3, 4, ... then END
    ...     probabilities = np.zeros((1, VOCABULARY_SIZE))
    ...     probabilities[0, END if state == 2 else state + 3] = 1
    ...     return probabilities, state + 1
    >>> [row.tolist() for row in greedy_decode(step, 0, 1, max_length=9)]
    [[2, 3]]
    """
    n_sequences = positive_int("n_sequences", n_sequences)
    max_length = positive_int("max_length", max_length)
    tokens = np.full((n_sequences, 1), START, dtype="int32")
    written = np.full((n_sequences, max_length), PAD, dtype="int32")
    done = np.zeros(n_sequences, dtype=bool)
    for t in range(max_length):
        probabilities, state = step(tokens, state)
        probabilities = np.asarray(probabilities)
        probabilities = probabilities.reshape(probabilities.shape[0], -1)
        if probabilities.shape != (n_sequences, VOCABULARY_SIZE):
            raise ValueError(
                f"step must return probabilities of shape ({n_sequences}, "
                f"{VOCABULARY_SIZE}), got {probabilities.shape}")
        chosen = probabilities.argmax(axis=-1).astype("int32")
        chosen[done] = PAD
        written[:, t] = chosen
        done |= chosen == END
        if done.all():
            break
        tokens = chosen.reshape(-1, 1)
    return to_digits(written)
