"""The chapter 9 checkers accept right answers, report placeholders and name each mistake."""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras  # noqa: F401

from seqlab.exercises import NOT_DONE
from seqlab.exercises import ch09


def placeholder(*args):
    raise NotImplementedError


# --- check_conv1d ---------------------------------------------------------------------------

def conv_loop(x, kernel, bias, strides, dilation_rate, *, flip=False, use_bias=True):
    """An independent loop version of Conv1D with 'valid' padding."""
    k = kernel.shape[0]
    taps = kernel[::-1] if flip else kernel
    n_out = (x.shape[1] - (k - 1) * dilation_rate - 1) // strides + 1
    y = np.zeros((x.shape[0], n_out, kernel.shape[2]))
    for j in range(n_out):
        for i in range(k):
            y[:, j] += x[:, j * strides + i * dilation_rate] @ taps[i]
    return y + (bias if use_bias else 0.0)


def test_conv1d_checker_accepts_a_right_answer():
    assert ch09.check_conv1d(conv_loop)


@pytest.mark.parametrize("answer, diagnosis", [
    (placeholder, NOT_DONE),
    (lambda x, w, b, s, d: None, NOT_DONE),
    (lambda x, w, b, s, d: conv_loop(x, w, b, s, d, flip=True), "flipped_kernel"),
    (lambda x, w, b, s, d: conv_loop(x, w, b, s, d, use_bias=False), "missing_bias"),
    (lambda x, w, b, s, d: conv_loop(x, w, b, s, 1), "dilation_ignored"),
    (lambda x, w, b, s, d: conv_loop(x, w, b, 1, d), "stride_ignored"),
    (lambda x, w, b, s, d: conv_loop(x, w, b, s, d)[:, :-1], "wrong_shape"),
    (lambda x, w, b, s, d: conv_loop(x, w, b, s, d) * 1.1, "wrong_values"),
    (lambda x, w, b, s, d: "no", "wrong_type"),
    (lambda x, w, b, s, d: x @ w, "raised"),
])
def test_conv1d_checker_names_each_mistake(answer, diagnosis):
    feedback = ch09.check_conv1d(answer)
    assert not feedback and feedback.diagnosis == diagnosis, feedback


def test_conv1d_checker_recognises_padded_answers():
    from seqlab.reference import conv1d

    for padding in ("same", "causal"):
        def padded(x, w, b, s, d, padding=padding):
            return conv1d(x, w, b, strides=s, dilation_rate=d, padding=padding)
        feedback = ch09.check_conv1d(padded)
        assert feedback.diagnosis == f"{padding}_padding", feedback


# --- check_output_length --------------------------------------------------------------------

def length(n, k, s, d, padding):
    if padding == "valid":
        return (n - (k - 1) * d - 1) // s + 1
    return -(-n // s)


def test_output_length_checker_accepts_a_right_answer():
    assert ch09.check_output_length(length)


@pytest.mark.parametrize("answer, diagnosis", [
    (placeholder, NOT_DONE),
    (lambda n, k, s, d, p: (n - k) // s + 1 if p == "valid" else -(-n // s), "dilation_ignored"),
    (lambda n, k, s, d, p: length(n, k, s, d, p) if p == "valid" else n // s, "floor_not_ceil"),
    (lambda n, k, s, d, p: n - (k - 1) * d if p == "valid" else n, "stride_ignored"),
    (lambda n, k, s, d, p: length(n, k, s, d, p) - (p == "valid"), "missing_plus_one"),
    (lambda n, k, s, d, p: length(n, k, s, d, "valid" if p == "causal" else p),
     "causal_as_valid"),
    (lambda n, k, s, d, p: length(n, k, s, d, p) + (n == 13 and k == 4), "wrong_value"),
    (lambda n, k, s, d, p: float(length(n, k, s, d, p)), "wrong_type"),
])
def test_output_length_checker_names_each_mistake(answer, diagnosis):
    feedback = ch09.check_output_length(answer)
    assert not feedback and feedback.diagnosis == diagnosis, feedback


# --- check_aligned_targets ------------------------------------------------------------------

def test_aligned_targets_checker_accepts_right_answers():
    assert ch09.check_aligned_targets(lambda series, k, s: series[k::s])
    assert ch09.check_aligned_targets(lambda series, k, s: list(series[k::s]))


@pytest.mark.parametrize("answer, diagnosis", [
    (placeholder, NOT_DONE),
    (lambda series, k, s: series[k - 1:-1:s], "target_inside_window"),
    (lambda series, k, s: series[1::s], "starts_at_step_one"),
    (lambda series, k, s: series[k:], "stride_ignored"),
    (lambda series, k, s: series[k + 1::s], "two_steps_late"),
    (lambda series, k, s: series[k::s][:-1], "wrong_length"),
    (lambda series, k, s: series[k::s] + 0.3, "not_from_series"),
    (lambda series, k, s: np.r_[series[k::s][:-1], series[0]], "wrong_alignment"),
    (lambda series, k, s: {"a": 1}, "wrong_type"),
])
def test_aligned_targets_checker_names_each_mistake(answer, diagnosis):
    feedback = ch09.check_aligned_targets(answer)
    assert not feedback and feedback.diagnosis == diagnosis, feedback


def test_alignment_is_measured_on_keras():
    # the checker's oracle agrees with the companion's formula
    from seqlab.layers import last_input_step

    for n, k, s in ch09._ALIGN_CASES:
        np.testing.assert_array_equal(ch09._measured_last_steps(n, k, s),
                                      last_input_step(n, k, strides=s))


# --- check_receptive_field ------------------------------------------------------------------

def span(kernels, rates, strides):
    total, spacing = 1, 1
    for k, d, s in zip(kernels, rates, strides):
        total += (k - 1) * d * spacing
        spacing *= s
    return total


def test_receptive_field_checker_accepts_a_right_answer():
    assert ch09.check_receptive_field(span)


@pytest.mark.parametrize("answer, diagnosis", [
    (placeholder, NOT_DONE),
    (lambda ks, ds, ss: 1 + sum((k - 1) * d for k, d in zip(ks, ds)), "strides_ignored"),
    (lambda ks, ds, ss: 1 + sum((k - 1) * d * int(np.prod(ss[:i + 1]))
                                for i, (k, d) in enumerate(zip(ks, ds))), "own_stride_counted"),
    (lambda ks, ds, ss: span(ks, ds, ss) - 1, "missing_plus_one"),
    (lambda ks, ds, ss: 1 + sum(k * d * int(np.prod(ss[:i]))
                                for i, (k, d) in enumerate(zip(ks, ds))), "kernel_times_rate"),
    (lambda ks, ds, ss: span(ks, ds, ss) + (len(ks) == 3), "wrong_value"),
    (lambda ks, ds, ss: str(span(ks, ds, ss)), "wrong_type"),
])
def test_receptive_field_checker_names_each_mistake(answer, diagnosis):
    feedback = ch09.check_receptive_field(answer)
    assert not feedback and feedback.diagnosis == diagnosis, feedback
