"""Checkers for chapter 9, "1D convolutional layers".

- :func:`check_conv1d`: a 1-D convolution forward pass (``"valid"`` padding, strides,
  dilation), compared with :func:`seqlab.reference.conv1d`.
- :func:`check_output_length`: the output length of ``Conv1D`` for any
  (T, kernel size, stride, dilation, padding), compared with
  :func:`seqlab.layers.conv_output_length`.
- :func:`check_aligned_targets`: the targets of a strided ``"valid"`` convolution,
  checked by perturbing a Keras ``Conv1D``: each output's target must be the value
  right after the last input step the output sees.
- :func:`check_receptive_field`: the span of a stack with per-layer kernel sizes,
  dilation rates and strides, compared with :func:`seqlab.layers.receptive_field`.

Each checker runs the learner's answer on cases of its own and, when the answer is
wrong, compares it with the typical mistakes to say which one was made.
"""

from __future__ import annotations

import itertools

import keras
import numpy as np

from seqlab.exercises.feedback import Feedback, run_answer
from seqlab.layers.conv_geometry import conv_output_length
from seqlab.layers.receptive_field import receptive_field
from seqlab.reference.conv1d import conv1d

__all__ = [
    "check_conv1d",
    "check_output_length",
    "check_aligned_targets",
    "check_receptive_field",
]


def _as_array(result):
    try:
        return np.asarray(keras.ops.convert_to_numpy(result), dtype=np.float64), None
    except (TypeError, ValueError):
        return None, Feedback.wrong(
            "wrong_type", f"Return an array of numbers, got {type(result).__name__}.")


# --- the forward pass ----------------------------------------------------------------------

_CONV_CASES = [(1, 1), (2, 1), (1, 2)]  # (strides, dilation_rate)


def _conv_mistakes(x, kernel, bias, strides, dilation_rate):
    def valid(k, b=bias, s=strides, d=dilation_rate):
        return conv1d(x, k, b, strides=s, dilation_rate=d)

    return {
        "flipped_kernel": valid(kernel[::-1]),
        "missing_bias": valid(kernel, None),
        "dilation_ignored": valid(kernel, d=1),
        "stride_ignored": valid(kernel, s=1),
        "same_padding": conv1d(x, kernel, bias, strides=strides, dilation_rate=dilation_rate,
                               padding="same"),
        "causal_padding": conv1d(x, kernel, bias, strides=strides, dilation_rate=dilation_rate,
                                 padding="causal"),
    }


_CONV_EXPLAIN = {
    "flipped_kernel": (
        "Your output is the convolution with the kernel reversed in time: Conv1D does not "
        "flip its kernel (it computes a cross-correlation, unlike np.convolve).",
        "Tap i of the kernel multiplies the i-th step of the window: "
        "y[:, j] = sum_i x[:, j * s + i * d] @ kernel[i] + bias.",
    ),
    "missing_bias": ("Your output lacks the bias.", "Add bias (shape (n_out,)) to every output."),
    "dilation_ignored": (
        "Your output ignores the dilation rate: the taps of the window must be d steps apart.",
        "Read x[:, j * s + i * d] for tap i, not x[:, j * s + i].",
    ),
    "stride_ignored": (
        "Your output has one step per input window position: the stride is ignored.",
        "Output j starts at input step j * s.",
    ),
    "same_padding": (
        "Your output is padded to keep ceil(T / s) steps ('same' padding); the exercise asks "
        "for 'valid' padding (no padding at all).",
        "Only windows that fit entirely in the input give an output.",
    ),
    "causal_padding": (
        "Your output is padded on the left ('causal' padding); the exercise asks for "
        "'valid' padding (no padding at all).",
        "Only windows that fit entirely in the input give an output.",
    ),
}


def check_conv1d(conv) -> Feedback:
    """Check a 1-D convolution forward pass with ``"valid"`` padding.

    Args:
        conv: the learner's ``conv(inputs, kernel, bias, strides, dilation_rate)`` with
            ``inputs`` of shape ``(m, T, n_in)``, ``kernel`` of shape ``(k, n_in, n_out)``
            and ``bias`` of shape ``(n_out,)`` (Keras's layout), returning the output of
            ``keras.layers.Conv1D(n_out, k, strides, padding="valid", dilation_rate)``
            without activation, shape ``(m, T_out, n_out)``.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"flipped_kernel"``, ``"missing_bias"``, ``"dilation_ignored"``,
        ``"stride_ignored"``, ``"same_padding"``, ``"causal_padding"``,
        ``"wrong_shape"``, ``"wrong_values"``, ``"wrong_type"``, ``"raised"`` or
        ``"not done yet"``.
    """
    rng = np.random.default_rng(9)
    x = rng.normal(size=(2, 11, 3))
    kernel = rng.normal(size=(3, 3, 2))
    bias = rng.normal(size=2)
    for strides, dilation_rate in _CONV_CASES:
        result, problem = run_answer(conv, x.copy(), kernel.copy(), bias.copy(), strides,
                                     dilation_rate, what="the convolution's output")
        if problem is not None:
            return problem
        got, problem = _as_array(result)
        if problem is not None:
            return problem
        expected = conv1d(x, kernel, bias, strides=strides, dilation_rate=dilation_rate)
        if got.shape == expected.shape and np.allclose(got, expected, atol=1e-5):
            continue
        for diagnosis, values in _conv_mistakes(x, kernel, bias, strides, dilation_rate).items():
            if got.shape == values.shape and np.allclose(got, values, atol=1e-5):
                return Feedback.wrong(diagnosis, *_CONV_EXPLAIN[diagnosis])
        if got.shape != expected.shape:
            return Feedback.wrong(
                "wrong_shape",
                f"With strides={strides}, dilation_rate={dilation_rate} on inputs of shape "
                f"{x.shape} and a kernel of shape {kernel.shape}, the output has shape "
                f"{expected.shape}; yours has shape {got.shape}.",
                "T_out = (T - (k - 1) * d - 1) // s + 1; the last axis has n_out channels.")
        return Feedback.wrong(
            "wrong_values",
            f"With strides={strides}, dilation_rate={dilation_rate} the shape is right but "
            f"the values differ (largest gap {np.max(np.abs(got - expected)):.3g}).",
            "y[:, j] = sum_i x[:, j * s + i * d] @ kernel[i] + bias.")
    return Feedback.correct(
        "Correct: your convolution matches keras.layers.Conv1D's formula with strides and "
        "dilation.")


# --- the output length ---------------------------------------------------------------------

_LENGTH_CASES = [(n, k, s, d, p) for n, k, s, d, p in itertools.product(
    [10, 13], [1, 3, 4], [1, 2, 3], [1, 2], ["valid", "same", "causal"])
    if s == 1 or d == 1]


def _length_mistakes(n, k, s, d, padding):
    span = (k - 1) * d + 1
    same = -(-n // s)
    return {
        "dilation_ignored": {"valid": (n - k) // s + 1, "same": same, "causal": same}[padding],
        "floor_not_ceil": {"valid": (n - span) // s + 1, "same": n // s, "causal": n // s}[padding],
        "stride_ignored": {"valid": n - span + 1, "same": n, "causal": n}[padding],
        "missing_plus_one": {"valid": (n - span) // s, "same": same, "causal": same}[padding],
        "causal_as_valid": {"valid": (n - span) // s + 1, "same": same,
                            "causal": (n - span) // s + 1}[padding],
    }


_LENGTH_EXPLAIN = {
    "dilation_ignored": (
        "Your valid lengths use the kernel size alone: with dilation d a window spans "
        "(k - 1) * d + 1 input steps.",
        "valid: (T - (k - 1) * d - 1) // s + 1.",
    ),
    "floor_not_ceil": (
        "Your 'same'/'causal' lengths round down: Keras keeps ceil(T / s) outputs, so the "
        "last, partial stride still gives an output.",
        "ceil(T / s) = -(-T // s) in integer arithmetic.",
    ),
    "stride_ignored": (
        "Your lengths ignore the stride: a stride of s keeps one window position in s.",
        "Divide the number of window positions by s (rounding as Keras does).",
    ),
    "missing_plus_one": (
        "Your 'valid' lengths are one short: count the window positions, "
        "0, s, 2s, ... up to T - span, which is (T - span) // s + 1 of them.",
    ),
    "causal_as_valid": (
        "Your 'causal' lengths are those of 'valid' padding: causal padding adds "
        "(k - 1) * d zeros on the left, so it keeps ceil(T / s) outputs, like 'same'.",
    ),
}


def check_output_length(output_length) -> Feedback:
    """Check a function giving the output length of ``keras.layers.Conv1D``.

    Args:
        output_length: the learner's ``output_length(n_steps, kernel_size, strides,
            dilation_rate, padding)`` returning an int, for ``padding`` in
            ``"valid"``, ``"same"``, ``"causal"``.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"dilation_ignored"``, ``"floor_not_ceil"``, ``"stride_ignored"``,
        ``"missing_plus_one"``, ``"causal_as_valid"``, ``"wrong_value"``,
        ``"wrong_type"``, ``"raised"`` or ``"not done yet"``.
    """
    answers, expected = {}, {}
    for case in _LENGTH_CASES:
        n, k, s, d, padding = case
        result, problem = run_answer(output_length, n, k, s, d, padding, what="the length")
        if problem is not None:
            return problem
        if isinstance(result, bool) or not isinstance(result, (int, np.integer)):
            return Feedback.wrong("wrong_type", f"Return an int, got {result!r} "
                                  f"for {case}.", "Use integer division // for the rounding.")
        answers[case] = int(result)
        expected[case] = conv_output_length(n, k, strides=s, dilation_rate=d, padding=padding)
    wrong = [case for case in _LENGTH_CASES if answers[case] != expected[case]]
    if not wrong:
        return Feedback.correct("Correct: your lengths match Keras's for all three paddings, "
                                "with strides and dilation.")
    for diagnosis in _LENGTH_EXPLAIN:
        if all(answers[case] in (expected[case], _length_mistakes(*case)[diagnosis])
               for case in _LENGTH_CASES):
            return Feedback.wrong(diagnosis, *_LENGTH_EXPLAIN[diagnosis])
    n, k, s, d, padding = wrong[0]
    return Feedback.wrong(
        "wrong_value",
        f"For T={n}, kernel_size={k}, strides={s}, dilation_rate={d}, padding={padding!r} "
        f"Conv1D gives {expected[wrong[0]]} steps; your function says {answers[wrong[0]]}.",
        "valid: (T - (k - 1) * d - 1) // s + 1; same and causal: ceil(T / s).")


# --- aligned targets -----------------------------------------------------------------------

_ALIGN_CASES = [(20, 4, 2), (17, 3, 3), (12, 2, 1)]  # (T, kernel_size, strides)


def _measured_last_steps(n_steps, kernel_size, strides):
    """The last input step each output of a Keras Conv1D sees, by perturbation."""
    layer = keras.layers.Conv1D(1, kernel_size, strides=strides, use_bias=False,
                                kernel_initializer="ones")
    x = np.zeros((n_steps + 1, n_steps, 1), np.float32)
    x[np.arange(1, n_steps + 1), np.arange(n_steps), 0] = 1.0  # row t + 1 bumps step t
    out = keras.ops.convert_to_numpy(layer(x))[..., 0]
    changed = np.abs(out[1:] - out[:1]) > 0  # (input step, output)
    return np.array([np.flatnonzero(changed[:, j]).max() for j in range(out.shape[1])])


def _align_mistakes(series, k, s):
    return {
        "target_inside_window": series[k - 1:-1:s],
        "starts_at_step_one": series[1::s],
        "stride_ignored": series[k:],
        "two_steps_late": series[k + 1::s],
    }


_ALIGN_EXPLAIN = {
    "target_inside_window": (
        "Each of your targets is the last input step its output sees: the model is asked "
        "to copy an input it reads, not to forecast (a leak).",
        "The target of output j is the value after its last input step: "
        "series[(k - 1) + j * s + 1].",
    ),
    "starts_at_step_one": (
        "Your targets start at step 1, as for a stride-1 causal layer; a 'valid' window of "
        "k steps first ends at step k - 1, so outputs see their own targets (a leak).",
        "Start at step k: targets = series[k::s].",
    ),
    "stride_ignored": (
        "You kept a target for every step: the strided layer has one output every s steps.",
        "Take every s-th value: series[k::s].",
    ),
    "two_steps_late": (
        "Your targets are one step further than the value after the window: they skip the "
        "next value.",
        "Output j's last input step is (k - 1) + j * s; its target is the step after it.",
    ),
}


def check_aligned_targets(aligned_targets) -> Feedback:
    """Check the targets of a strided ``"valid"`` Conv1D, by perturbation.

    Args:
        aligned_targets: the learner's ``aligned_targets(series, kernel_size, strides)``.
            ``series`` is 1-D with ``T + 1`` values: the layer reads ``series[:-1]``
            (T steps) and the function returns, for each of the layer's outputs, the value
            that output must forecast: the one right after the last input step it sees.

    The checker passes series of distinct values, so each returned target names the step
    it comes from; it measures which steps each output of a Keras ``Conv1D`` sees by
    perturbing them one at a time, and requires target ``j`` to come from the step after
    output ``j``'s last one.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"target_inside_window"``, ``"starts_at_step_one"``, ``"stride_ignored"``,
        ``"two_steps_late"``, ``"wrong_length"``, ``"not_from_series"``,
        ``"wrong_alignment"``, ``"wrong_type"``, ``"raised"`` or ``"not done yet"``.
    """
    for n_steps, k, s in _ALIGN_CASES:
        series = 100.0 + np.arange(n_steps + 1, dtype=np.float64) * 1.5
        result, problem = run_answer(aligned_targets, series.copy(), k, s, what="the targets")
        if problem is not None:
            return problem
        got, problem = _as_array(result)
        if problem is not None:
            return problem
        got = got.reshape(-1) if got.ndim == 2 and 1 in got.shape else got
        last = _measured_last_steps(n_steps, k, s)
        expected = series[last + 1]
        if got.shape == expected.shape and np.allclose(got, expected):
            continue
        for diagnosis, values in _align_mistakes(series, k, s).items():
            if got.shape == values.shape and np.allclose(got, values):
                return Feedback.wrong(diagnosis, *_ALIGN_EXPLAIN[diagnosis])
        if got.ndim != 1 or got.size != last.size:
            return Feedback.wrong(
                "wrong_length",
                f"With T={n_steps}, kernel_size={k}, strides={s} the layer has {last.size} "
                f"outputs, so {last.size} targets; you returned shape {got.shape}.",
                "(T - k) // s + 1 outputs.")
        steps = np.rint((got - 100.0) / 1.5).astype(int)
        if not np.allclose(series[np.clip(steps, 0, n_steps)], got):
            return Feedback.wrong(
                "not_from_series", "Your targets are not values of the series.",
                "Return values taken from series, one per output.")
        j = int(np.argmax(steps != last + 1))
        return Feedback.wrong(
            "wrong_alignment",
            f"With T={n_steps}, kernel_size={k}, strides={s}: output {j} sees input steps up "
            f"to {last[j]} (measured by perturbation), so its target is series[{last[j] + 1}]; "
            f"yours is series[{steps[j]}].",
            "Output j's last input step is (k - 1) + j * s.")
    return Feedback.correct(
        "Correct: every target is the value right after the last step its output sees "
        "(measured by perturbing a Keras Conv1D).")


# --- the receptive field -------------------------------------------------------------------

_FIELD_CASES = [
    ([2, 2, 2, 2], [1, 2, 4, 8], [1, 1, 1, 1]),
    ([3, 3], [1, 3], [1, 1]),
    ([4, 4], [1, 1], [2, 2]),
    ([4, 2, 3], [1, 1, 2], [2, 3, 1]),
    ([5], [1], [3]),
]


def _field_mistakes(kernels, rates, strides):
    def field(term, start=1):
        total, spacing = start, 1
        for k, d, s in zip(kernels, rates, strides):
            total += term(k, d, s, spacing)
            spacing *= s
        return total

    return {
        "strides_ignored": field(lambda k, d, s, p: (k - 1) * d),
        "own_stride_counted": field(lambda k, d, s, p: (k - 1) * d * p * s),
        "missing_plus_one": field(lambda k, d, s, p: (k - 1) * d * p, start=0),
        "kernel_times_rate": field(lambda k, d, s, p: k * d * p),
    }


_FIELD_EXPLAIN = {
    "strides_ignored": (
        "Your spans ignore the strides: a stride s_l spaces the inputs of every layer above "
        "it s_l times further apart.",
        "Multiply layer l's reach (k_l - 1) * d_l by s_1 * ... * s_(l-1).",
    ),
    "own_stride_counted": (
        "You multiply each layer's reach by its own stride too: a layer's stride spaces its "
        "outputs, not its own taps.",
        "Multiply by the strides of the layers *below* it: s_1 * ... * s_(l-1).",
    ),
    "missing_plus_one": (
        "Your spans are one short: the span counts the output's own last step too.",
        "span = 1 + sum_l (k_l - 1) * d_l * s_1 * ... * s_(l-1).",
    ),
    "kernel_times_rate": (
        "Your layers add k * d steps each: a kernel of k taps d apart reaches (k - 1) * d "
        "steps back, not k * d.",
    ),
}


def check_receptive_field(field) -> Feedback:
    """Check the span of a 1-D convolution stack with kernel sizes, rates and strides.

    Args:
        field: the learner's ``field(kernel_sizes, dilation_rates, strides)``, three lists
            with one int per layer (bottom layer first), returning the span in input steps
            (first to last step one output can depend on, both included).

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"strides_ignored"``, ``"own_stride_counted"``, ``"missing_plus_one"``,
        ``"kernel_times_rate"``, ``"wrong_value"``, ``"wrong_type"``, ``"raised"`` or
        ``"not done yet"``.
    """
    answers, expected = [], []
    for kernels, rates, strides in _FIELD_CASES:
        result, problem = run_answer(field, list(kernels), list(rates), list(strides),
                                     what="the span")
        if problem is not None:
            return problem
        if isinstance(result, bool) or not isinstance(result, (int, np.integer)):
            return Feedback.wrong("wrong_type", f"Return an int, got {result!r}.")
        answers.append(int(result))
        expected.append(receptive_field(kernels, rates, strides))
    if answers == expected:
        return Feedback.correct("Correct: your spans match the formula, strides included.")
    for diagnosis in _FIELD_EXPLAIN:
        mistaken = [_field_mistakes(*case)[diagnosis] for case in _FIELD_CASES]
        if all(a in (e, m) for a, e, m in zip(answers, expected, mistaken)):
            return Feedback.wrong(diagnosis, *_FIELD_EXPLAIN[diagnosis])
    i = next(i for i, (a, e) in enumerate(zip(answers, expected)) if a != e)
    kernels, rates, strides = _FIELD_CASES[i]
    return Feedback.wrong(
        "wrong_value",
        f"For kernel sizes {kernels}, rates {rates}, strides {strides} the span is "
        f"{expected[i]}; your function says {answers[i]}.",
        "span = 1 + sum_l (k_l - 1) * d_l * s_1 * ... * s_(l-1).")
