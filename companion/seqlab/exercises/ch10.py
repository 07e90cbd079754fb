"""Checkers for chapter 10, "WaveNet".

- :func:`check_dilation_schedule`: the shortest doubling list of dilation rates whose
  receptive field reaches a target.
- :func:`check_seen_offsets`: the past steps one output of a dilated stack depends on.
- :func:`check_gated_activation`: WaveNet's gated activation unit in NumPy.
- :func:`check_residual_block_parameters`: the parameter count of one residual block.

Each checker runs the learner's function on cases of its own and, when the answer is
wrong, compares it with the typical mistakes to say which one was made.
"""

from __future__ import annotations

import numpy as np

from seqlab.exercises.feedback import Feedback, run_answer

__all__ = [
    "check_dilation_schedule",
    "check_gated_activation",
    "check_residual_block_parameters",
    "check_seen_offsets",
]


def _field(kernel_size, rates):
    return 1 + (kernel_size - 1) * sum(rates)


def _schedule(kernel_size, target_field, first=1):
    rates = [first]
    while _field(kernel_size, rates) < target_field:
        rates.append(2 * rates[-1])
    return rates


def _as_int_list(value):
    """The learner's list of integers, or None if it is not one."""
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 - anything that is not array-like
        return None
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.number):
        return None
    if not np.all(np.equal(np.mod(array, 1), 0)):
        return None
    return [int(v) for v in array]


_SCHEDULE_CASES = ((2, 16), (2, 17), (3, 15), (2, 50), (3, 100), (2, 1))


def check_dilation_schedule(dilation_schedule) -> Feedback:
    """Check ``dilation_schedule(kernel_size, target_field)``.

    The right answer is the shortest list ``[1, 2, 4, ..., 2**(n-1)]`` whose receptive
    field ``1 + (kernel_size - 1) * sum(rates)`` is at least ``target_field``.

    Args:
        dilation_schedule: the learner's function, returning a list of ints.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"not_a_list"``, ``"starts_at_two"``, ``"not_doubling"``, ``"too_short"``,
        ``"too_long"`` or ``"wrong_values"``.

    Example:

    >>> def schedule(kernel_size, target_field):
    ...     rates = [1]
    ...     while 1 + (kernel_size - 1) * sum(rates) < target_field:
    ...         rates.append(2 * rates[-1])
    ...     return rates
    >>> bool(check_dilation_schedule(schedule))
    True
    """
    for kernel_size, target in _SCHEDULE_CASES:
        result, problem = run_answer(dilation_schedule, kernel_size, target,
                                     what="the list of dilation rates")
        if problem is not None:
            return problem
        got = _as_int_list(result)
        expected = _schedule(kernel_size, target)
        case = f"kernel_size={kernel_size}, target_field={target}"
        if got is None or not got:
            return Feedback.wrong("not_a_list",
                                  f"For {case}, return a non-empty list of integers, got {result!r}.")
        if got == expected:
            continue
        if got[0] == 2 and all(b == 2 * a for a, b in zip(got, got[1:])):
            return Feedback.wrong(
                "starts_at_two",
                f"For {case} you returned {got}: rates that start at 2, as in the notes. "
                "A stack without a rate-1 layer never combines neighbouring steps, so an "
                "output sees only every other step.",
                "Start at 1 and double: 1, 2, 4, 8, ...")
        if any(b != 2 * a for a, b in zip(got, got[1:])) or got[0] != 1:
            return Feedback.wrong(
                "not_doubling", f"For {case} you returned {got}; expected {expected}.",
                "Each rate is twice the one before, starting at 1.")
        if _field(kernel_size, got) < target:
            return Feedback.wrong(
                "too_short",
                f"For {case} your rates {got} reach a receptive field of "
                f"{_field(kernel_size, got)} steps, less than {target}.",
                "Keep adding layers while the field is still below the target.")
        return Feedback.wrong(
            "too_long",
            f"For {case} your rates {got} work but are not the shortest: {expected} "
            f"already reach {_field(kernel_size, expected)} steps.",
            "Stop as soon as the field reaches the target (>=, not >).")
    return Feedback.correct("Correct: the shortest doubling schedule for every case.")


def _offsets(kernel_size, rates):
    """Offsets (steps back, 0 = the output's own step) one output depends on."""
    sums = {0}
    for rate in rates:
        sums = {s + j * rate for s in sums for j in range(kernel_size)}
    return sorted(sums)


_OFFSET_CASES = ((2, (2, 4, 8, 16)), (2, (1, 2, 4)), (3, (1, 3)), (2, (1, 1, 4)))


def check_seen_offsets(seen_offsets) -> Feedback:
    """Check ``seen_offsets(kernel_size, dilation_rates)``.

    The right answer lists, in increasing order, the offsets ``s >= 0`` such that the
    output at step ``t`` of a stack of causal convolutions depends on the input at step
    ``t - s``: the sums ``j_1 d_1 + ... + j_L d_L`` with ``0 <= j_l < kernel_size``.

    Args:
        seen_offsets: the learner's function, returning a list of ints.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"not_a_list"``, ``"whole_span"``, ``"negative_offsets"``, ``"counted_from_one"``,
        ``"unsorted"`` or ``"wrong_values"``.

    Example:

    >>> def offsets(kernel_size, dilation_rates):
    ...     seen = {0}
    ...     for d in dilation_rates:
    ...         seen = {s + j * d for s in seen for j in range(kernel_size)}
    ...     return sorted(seen)
    >>> bool(check_seen_offsets(offsets))
    True
    """
    for kernel_size, rates in _OFFSET_CASES:
        result, problem = run_answer(seen_offsets, kernel_size, list(rates),
                                     what="the sorted list of offsets")
        if problem is not None:
            return problem
        got = _as_int_list(result)
        expected = _offsets(kernel_size, rates)
        case = f"kernel_size={kernel_size}, dilation_rates={list(rates)}"
        if got is None or not got:
            return Feedback.wrong("not_a_list",
                                  f"For {case}, return a non-empty list of integers, got {result!r}.")
        if got == expected:
            continue
        span = list(range(_field(kernel_size, rates)))
        if got == span and span != expected:
            return Feedback.wrong(
                "whole_span",
                f"For {case} you returned every step of the span 0..{span[-1]}; the output "
                f"depends on only {len(expected)} of those {len(span)} steps.",
                "An offset is seen if it is a sum j_1 d_1 + ... + j_L d_L with each j_l "
                "in 0..kernel_size-1: build the set layer by layer.")
        if sorted(-v for v in got) == expected:
            return Feedback.wrong(
                "negative_offsets",
                f"For {case} your offsets are negative; count them as steps back, >= 0.")
        if sorted(v - 1 for v in got) == expected:
            return Feedback.wrong(
                "counted_from_one",
                f"For {case} every offset is one too large: the output's own step is offset 0.")
        if sorted(got) == expected:
            return Feedback.wrong("unsorted", f"For {case} the offsets are right but not sorted.",
                                  "Return them in increasing order.")
        missing = sorted(set(expected) - set(got))[:5]
        extra = sorted(set(got) - set(expected))[:5]
        return Feedback.wrong(
            "wrong_values", f"For {case}: missing offsets {missing}, extra offsets {extra}.",
            "Each layer adds 0, d, 2d, ... (kernel_size - 1) d to every offset seen so far.")
    return Feedback.correct("Correct: the offsets match for every stack.")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _gated_mistakes(z):
    n = z.shape[-1] // 2
    f, g = z[..., :n], z[..., n:]
    return {
        "double_tanh": np.tanh(np.tanh(f)) * _sigmoid(g),
        "swapped_halves": _sigmoid(f) * np.tanh(g),
        "no_sigmoid": np.tanh(f) * g,
        "interleaved": np.tanh(z[..., 0::2]) * _sigmoid(z[..., 1::2]),
    }


_GATED_EXPLAIN = {
    "double_tanh": ("You apply tanh twice to the filter half (a version widely copied "
                    "in public code does this).",
                    "tanh(filter) * sigmoid(gate): tanh once, on the filter half only."),
    "swapped_halves": ("You swapped the halves: sigmoid on the filter, tanh on the gate.",
                       "The first n channels are the filter (tanh), the last n the gate (sigmoid)."),
    "no_sigmoid": ("The gate is not squashed: multiply by sigmoid(gate), a number between "
                   "0 and 1, not by the gate itself.",),
    "interleaved": ("You split the channels even/odd; the filter is the first half, "
                    "z[..., :n], and the gate the second, z[..., n:].",),
}


def check_gated_activation(gated_activation) -> Feedback:
    """Check ``gated_activation(z)``: ``tanh(z[..., :n]) * sigmoid(z[..., n:])``.

    Args:
        gated_activation: the learner's NumPy function; ``z`` has shape ``(m, T, 2n)``.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"wrong_shape"``, ``"double_tanh"``, ``"swapped_halves"``, ``"no_sigmoid"``,
        ``"interleaved"`` or ``"wrong_values"``.

    Example:

    >>> import numpy as np
    >>> def gate(z):
    ...     n = z.shape[-1] // 2
    ...     return np.tanh(z[..., :n]) / (1 + np.exp(-z[..., n:]))
    >>> bool(check_gated_activation(gate))
    True
    """
    z = np.random.default_rng(10).normal(scale=1.5, size=(2, 5, 6))
    result, problem = run_answer(gated_activation, z.copy(), what="the gated activations")
    if problem is not None:
        return problem
    try:
        got = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        return Feedback.wrong("wrong_shape", f"Return an array of numbers, got {type(result).__name__}.")
    n = z.shape[-1] // 2
    if got.shape != (2, 5, n):
        return Feedback.wrong(
            "wrong_shape", f"For z of shape {z.shape}, return shape (2, 5, {n}), got {got.shape}.",
            "The output has half as many channels as z: the gate halves multiply the filter halves.")
    expected = np.tanh(z[..., :n]) * _sigmoid(z[..., n:])
    if np.allclose(got, expected, atol=1e-6):
        return Feedback.correct("Correct: tanh(filter) * sigmoid(gate).")
    for diagnosis, values in _gated_mistakes(z).items():
        if np.allclose(got, values, atol=1e-6):
            return Feedback.wrong(diagnosis, *_GATED_EXPLAIN[diagnosis])
    return Feedback.wrong("wrong_values", "The values differ from tanh(filter) * sigmoid(gate).",
                          "Split z into its first and second half along the last axis.")


def _block_parameters(n_filters, kernel_size):
    dilated = kernel_size * n_filters * 2 * n_filters + 2 * n_filters
    mix = n_filters * n_filters + n_filters
    return dilated + mix


def _parameter_mistakes(c, k, d):
    return {
        "no_gate_channels": k * c * c + c + c * c + c,
        "no_biases": k * c * 2 * c + c * c,
        "no_mix_conv": k * c * 2 * c + 2 * c,
        "dilation_counted": (k - 1) * d * c * 2 * c + c * 2 * c + 2 * c + c * c + c,
        "dilation_multiplies": d * _block_parameters(c, k),
    }


_PARAMETER_EXPLAIN = {
    "no_gate_channels": ("The dilated convolution outputs 2 * n_filters channels (the filter "
                         "half and the gate half), not n_filters.",),
    "no_biases": ("You left out the biases: one per output channel of each convolution.",),
    "no_mix_conv": ("You left out the 1x1 convolution that maps the gated output back to "
                    "n_filters channels (n_filters * n_filters weights plus biases).",),
    "dilation_counted": ("The dilation rate spaces the kernel's taps; it does not add weights. "
                         "The kernel has kernel_size taps whatever the rate.",),
    "dilation_multiplies": ("The dilation rate does not change the parameter count: that is "
                            "why a doubling schedule buys an exponential field at a linear cost.",),
}

_PARAMETER_CASES = ((16, 2, 4), (8, 3, 1), (5, 2, 16))


def check_residual_block_parameters(residual_block_parameters) -> Feedback:
    """Check ``residual_block_parameters(n_filters, kernel_size, dilation_rate)``.

    A :class:`seqlab.layers.WaveNetResidualBlock` has a dilated convolution from
    ``c = n_filters`` to ``2c`` channels (``k * c * 2c`` weights, ``2c`` biases) and a 1x1
    convolution from ``c`` to ``c`` channels (``c * c + c``); the dilation rate adds none.

    Args:
        residual_block_parameters: the learner's function, returning an int.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"not_a_number"``, ``"no_gate_channels"``, ``"no_biases"``, ``"no_mix_conv"``,
        ``"dilation_counted"``, ``"dilation_multiplies"`` or ``"wrong_values"``.

    Example:

    >>> def count(c, k, d):
    ...     return k * c * 2 * c + 2 * c + c * c + c
    >>> bool(check_residual_block_parameters(count))
    True
    """
    for c, k, d in _PARAMETER_CASES:
        result, problem = run_answer(residual_block_parameters, c, k, d,
                                     what="the number of parameters")
        if problem is not None:
            return problem
        case = f"n_filters={c}, kernel_size={k}, dilation_rate={d}"
        try:
            got = float(result)
        except (TypeError, ValueError):
            return Feedback.wrong("not_a_number", f"For {case}, return a number, got {result!r}.")
        expected = _block_parameters(c, k)
        if got == expected:
            continue
        for diagnosis, value in _parameter_mistakes(c, k, d).items():
            if got == value and value != expected:
                return Feedback.wrong(diagnosis, f"For {case} you counted {got:g}, "
                                      f"expected {expected}.", *_PARAMETER_EXPLAIN[diagnosis])
        return Feedback.wrong(
            "wrong_values", f"For {case} you counted {got:g}, expected {expected}.",
            "Count each convolution: kernel_size * inputs * outputs weights, plus one bias "
            "per output channel.")
    return Feedback.correct("Correct: the parameter count matches for every block.")

