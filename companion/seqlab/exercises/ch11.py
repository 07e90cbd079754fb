"""Checkers for the appendix, chapter 11, "Training on several devices".

- :func:`check_last_batch`: the size of the last batch of a split.
- :func:`check_trim`: dropping the fewest instances so that every batch divides by the
  device count, compared with :func:`seqlab.distributed.trim_to_devices`.
- :func:`check_combined_gradient`: the full-batch gradient from the per-device gradients
  of shares of different sizes (why an uneven batch is reweighted).
- :func:`check_kernel_regex`: a ``LayoutMap`` key that matches the input kernels of a
  recurrent layer but not its ``recurrent_kernel``.

Each checker runs the learner's answer on cases of its own and, when the answer is
wrong, compares it with the typical mistakes to say which one was made.
"""

from __future__ import annotations

import re

import numpy as np

from seqlab.distributed import trim_to_devices
from seqlab.exercises.feedback import Feedback, run_answer

__all__ = ["check_last_batch", "check_trim", "check_combined_gradient", "check_kernel_regex"]


# --- the last batch ------------------------------------------------------------------------

_LAST_CASES = [(130, 32), (128, 32), (20, 32), (33, 8), (64, 64)]  # (n, batch_size)


def check_last_batch(last_batch) -> Feedback:
    """Check ``last_batch(n_instances, batch_size)``, the size of a split's last batch.

    Args:
        last_batch: the learner's function, returning an int.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"zero_when_divides"`` (``n % batch_size``), ``"always_full"``, ``"wrong_value"``,
        ``"wrong_type"``, ``"raised"`` or ``"not done yet"``.
    """
    answers = {}
    for n, size in _LAST_CASES:
        result, problem = run_answer(last_batch, n, size, what="the size of the last batch")
        if problem is not None:
            return problem
        if isinstance(result, bool) or not isinstance(result, (int, np.integer)):
            return Feedback.wrong("wrong_type", f"Return an int, got {result!r}.")
        answers[(n, size)] = int(result)
    expected = {(n, s): (n % s or s) if n >= s else n for n, s in _LAST_CASES}
    if answers == expected:
        return Feedback.correct("Correct: the last batch holds what is left, a full batch "
                                "when the batch size divides the split.")
    mistakes = {
        "zero_when_divides": {(n, s): n % s for n, s in _LAST_CASES},
        "always_full": {(n, s): s for n, s in _LAST_CASES},
    }
    explain = {
        "zero_when_divides": (
            "Your function returns 0 when the batch size divides the split: then there is "
            "no short batch, and the last batch is a full one.",
            "Return n % batch_size or batch_size (and n itself when n < batch_size)."),
        "always_full": (
            "Your function always returns the batch size: the last batch holds only what "
            "is left after the full batches.", "Use the remainder n % batch_size."),
    }
    for diagnosis, values in mistakes.items():
        if answers == values:
            return Feedback.wrong(diagnosis, *explain[diagnosis])
    case = next(c for c in _LAST_CASES if answers[c] != expected[c])
    return Feedback.wrong("wrong_value", f"For n={case[0]}, batch_size={case[1]} the last "
                          f"batch holds {expected[case]}; yours says {answers[case]}.")


# --- trimming ------------------------------------------------------------------------------

_TRIM_CASES = [(130, 32, 4), (70, 16, 4), (21, 8, 2), (64, 16, 4)]  # (n, batch, devices)


def check_trim(trim) -> Feedback:
    """Check ``trim(X, y, batch_size, n_devices)`` returning the trimmed ``(X, y)``.

    Every batch of the result must divide by ``n_devices``, the fewest instances dropped,
    and the first instances kept (in order).

    Args:
        trim: the learner's function.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"drops_last_batch"`` (keeps only full batches), ``"drops_the_start"``,
        ``"x_y_mismatch"``, ``"wrong_value"``, ``"wrong_type"``, ``"raised"`` or
        ``"not done yet"``.
    """
    for n, batch, devices in _TRIM_CASES:
        X = np.arange(n * 2, dtype=float).reshape(n, 2)
        y = np.arange(n, dtype=float) + 1000
        result, problem = run_answer(trim, X.copy(), y.copy(), batch, devices,
                                     what="the trimmed (X, y)")
        if problem is not None:
            return problem
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return Feedback.wrong("wrong_type", "Return a pair (X, y).")
        got_x, got_y = (np.asarray(part) for part in result)
        want_x, want_y = trim_to_devices(X, y, batch_size=batch, n_devices=devices)
        if got_x.shape == want_x.shape and np.array_equal(got_x, want_x) \
                and np.array_equal(got_y, want_y):
            continue
        case = f"n={n}, batch_size={batch}, n_devices={devices}"
        if len(got_x) != len(got_y):
            return Feedback.wrong("x_y_mismatch", f"For {case} X keeps {len(got_x)} rows "
                                  f"and y {len(got_y)}.", "Cut both at the same length.")
        full = n // batch * batch
        if len(got_x) == full and len(want_x) != full:
            return Feedback.wrong(
                "drops_last_batch",
                f"For {case} you keep {full} instances, only the full batches: the last "
                f"batch may stay if it divides by the devices ({len(want_x)} can stay).",
                "Keep the largest multiple of n_devices of the last batch.")
        if len(got_x) == len(want_x) and np.array_equal(got_y, y[n - len(want_x):]):
            return Feedback.wrong(
                "drops_the_start", f"For {case} you dropped the first instances.",
                "Drop from the end: X[:keep], y[:keep] (the order of a series matters).")
        return Feedback.wrong("wrong_value", f"For {case} keep the first {len(want_x)} "
                              f"instances; you returned {len(got_x)} rows.")
    return Feedback.correct("Correct: every batch divides, and at most n_devices - 1 "
                            "instances are dropped.")


# --- combining gradients -------------------------------------------------------------------

def check_combined_gradient(combine) -> Feedback:
    """Check ``combine(gradients, sizes)``: the gradient of the mean loss over the whole
    batch, from the per-device gradients of the mean loss over each device's share.

    Args:
        combine: the learner's function; ``gradients`` is an array ``(n_devices, n_params)``
            and ``sizes`` the number of instances each device had.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"plain_mean"`` (right only for equal shares), ``"sum"``, ``"wrong_shape"``,
        ``"wrong_value"``, ``"wrong_type"``, ``"raised"`` or ``"not done yet"``.
    """
    rng = np.random.default_rng(11)
    cases = [np.array([4, 4, 4, 4]), np.array([4, 4, 3, 1]), np.array([5, 2])]
    for sizes in cases:
        grads = rng.normal(size=(len(sizes), 3))
        result, problem = run_answer(combine, grads.copy(), sizes.copy(),
                                     what="the combined gradient")
        if problem is not None:
            return problem
        try:
            got = np.asarray(result, dtype=float)
        except (TypeError, ValueError):
            return Feedback.wrong("wrong_type", f"Return an array, got {type(result).__name__}.")
        want = (sizes[:, None] * grads).sum(0) / sizes.sum()
        if got.shape != want.shape:
            return Feedback.wrong("wrong_shape", f"Expected shape {want.shape} (one value "
                                  f"per parameter), got {got.shape}.")
        if np.allclose(got, want):
            continue
        if np.allclose(got, grads.mean(0)):
            return Feedback.wrong(
                "plain_mean",
                f"With shares of sizes {sizes.tolist()} the plain mean of the gradients "
                "gives each instance of a small share more weight than one of a large share.",
                "Weight each device's gradient by its share: sum(n_i * g_i) / sum(n_i).")
        if np.allclose(got, grads.sum(0)):
            return Feedback.wrong("sum", "The sum of the gradients is n_devices times too "
                                  "large for equal shares.", "Average, weighting by sizes.")
        return Feedback.wrong("wrong_value", f"For sizes {sizes.tolist()} expected "
                              f"{np.round(want, 4).tolist()}, got {np.round(got, 4).tolist()}.")
    return Feedback.correct("Correct: weighted by the shares, the per-device gradients give "
                            "the whole batch's gradient, for equal and unequal shares.")


# --- a LayoutMap key -----------------------------------------------------------------------

_PATHS = {
    "sequential/gru/gru_cell/kernel": True,
    "sequential/lstm/lstm_cell/kernel": True,
    "sequential_1/gru_1/gru_cell/kernel": True,
    "sequential/gru/gru_cell/recurrent_kernel": False,
    "sequential/lstm/lstm_cell/recurrent_kernel": False,
    "sequential/gru/gru_cell/bias": False,
    "sequential/dense/kernel": False,
}


def check_kernel_regex(pattern) -> Feedback:
    """Check a ``LayoutMap`` key that matches the input ``kernel`` of GRU and LSTM cells
    and nothing else.

    ``keras.distribution.LayoutMap`` looks a variable up by its path (for example
    ``"sequential/gru/gru_cell/kernel"``): an exact key first, else every key used as a
    regex that must match the *whole* path (``re.fullmatch``); a path matched by two keys
    is an error.

    Args:
        pattern: the learner's regex, a str.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"matches_recurrent_kernel"``, ``"matches_dense"``, ``"misses_kernels"``,
        ``"bad_regex"``, ``"wrong_type"`` or ``"not done yet"``.
    """
    if pattern is None or pattern is Ellipsis or pattern == "":
        return Feedback.not_done()
    if not isinstance(pattern, str):
        return Feedback.wrong("wrong_type", f"Give a str, got {type(pattern).__name__}.")
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        return Feedback.wrong("bad_regex", f"{pattern!r} is not a valid regex: {error}.")
    matched = {path: compiled.fullmatch(path) is not None for path in _PATHS}
    if matched == _PATHS:
        return Feedback.correct("Correct: your key picks the cells' input kernels and "
                                "leaves recurrent kernels, biases and Dense alone.")
    recurrent = [p for p in _PATHS if p.endswith("recurrent_kernel") and matched[p]]
    if recurrent:
        return Feedback.wrong(
            "matches_recurrent_kernel",
            f"{pattern!r} also matches {recurrent[0]!r}: 'kernel' is the end of "
            "'recurrent_kernel' too, so a key such as '.*kernel' takes both.",
            "Put the slash before the name, e.g. r'.*_cell/kernel'.")
    if matched["sequential/dense/kernel"]:
        return Feedback.wrong("matches_dense",
                              f"{pattern!r} also matches 'sequential/dense/kernel'.",
                              "Require the cell in the path, e.g. '_cell/'.")
    missed = [p for p in _PATHS if _PATHS[p] and not matched[p]]
    return Feedback.wrong("misses_kernels", f"{pattern!r} does not match {missed[0]!r}.",
                          "LayoutMap matches the regex against the whole path "
                          "(re.fullmatch): start it with '.*'.")
