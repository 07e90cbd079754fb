"""The chapter 10 checkers accept right answers, report placeholders and name each mistake."""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras

from seqlab.exercises import NOT_DONE
from seqlab.exercises import ch10
from seqlab.layers import WaveNetResidualBlock, receptive_field


def placeholder(*args):
    raise NotImplementedError


# --- check_dilation_schedule --------------------------------------------------------------

def schedule(kernel_size, target_field, first=1, stop_late=False, layers_less=0):
    rates = [first]
    while receptive_field(kernel_size, rates) < target_field + (1 if stop_late else 0):
        rates.append(2 * rates[-1])
    return rates[:len(rates) - layers_less] if len(rates) > layers_less else rates


def test_schedule_right_answer_and_agreement_with_the_package():
    from seqlab.layers import dilation_rates_for
    assert ch10.check_dilation_schedule(schedule)
    assert ch10.check_dilation_schedule(lambda k, target: dilation_rates_for(target, k))


@pytest.mark.parametrize("answer, diagnosis", [
    (placeholder, NOT_DONE),
    (None, NOT_DONE),
    (lambda k, target: schedule(k, target, first=2), "starts_at_two"),
    (lambda k, target: [1, 2, 3, 4], "not_doubling"),
    (lambda k, target: schedule(k, target, layers_less=1) if target > 2 else [1], "too_short"),
    (lambda k, target: schedule(k, target, stop_late=True), "too_long"),
    (lambda k, target: "1, 2, 4", "not_a_list"),
])
def test_schedule_mistakes(answer, diagnosis):
    feedback = ch10.check_dilation_schedule(answer)
    assert not feedback
    assert feedback.diagnosis == diagnosis, feedback


# --- check_seen_offsets ---------------------------------------------------------------------

def offsets(kernel_size, rates):
    seen = {0}
    for rate in rates:
        seen = {s + j * rate for s in seen for j in range(kernel_size)}
    return sorted(seen)


def measured_offsets(kernel_size, rates, n_steps=64):
    """Offsets found by perturbing a linear Keras stack with all-ones kernels."""
    layers = [keras.Input((n_steps, 1))]
    layers += [keras.layers.Conv1D(1, kernel_size, padding="causal", dilation_rate=d,
                                   kernel_initializer="ones", use_bias=False) for d in rates]
    model = keras.Sequential(layers)
    x = np.zeros((1, n_steps, 1), "float32")
    last = n_steps - 1
    seen = []
    for s in range(n_steps):
        bumped = x.copy()
        bumped[0, last - s, 0] = 1.0
        if abs(float(keras.ops.convert_to_numpy(model(bumped))[0, last, 0])) > 0:
            seen.append(s)
    return seen


@pytest.mark.parametrize("kernel_size, rates", [(2, [2, 4, 8, 16]), (3, [1, 3]), (2, [1, 1, 4])])
def test_offsets_reference_equals_perturbation(kernel_size, rates):
    assert offsets(kernel_size, rates) == measured_offsets(kernel_size, rates)


def test_offsets_right_answer():
    assert ch10.check_seen_offsets(offsets)
    assert ch10.check_seen_offsets(lambda k, rates: np.array(offsets(k, rates)))


@pytest.mark.parametrize("answer, diagnosis", [
    (placeholder, NOT_DONE),
    (lambda k, rates: list(range(receptive_field(k, rates))), "whole_span"),
    (lambda k, rates: [-s for s in offsets(k, rates)], "negative_offsets"),
    (lambda k, rates: [s + 1 for s in offsets(k, rates)], "counted_from_one"),
    (lambda k, rates: offsets(k, rates)[::-1], "unsorted"),
    (lambda k, rates: offsets(k, rates)[:-1], "wrong_values"),
    (lambda k, rates: 3.5, "not_a_list"),
])
def test_offsets_mistakes(answer, diagnosis):
    feedback = ch10.check_seen_offsets(answer)
    assert not feedback
    assert feedback.diagnosis == diagnosis, feedback


# --- check_gated_activation -------------------------------------------------------------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def gated(z):
    n = z.shape[-1] // 2
    return np.tanh(z[..., :n]) * sigmoid(z[..., n:])


def test_gated_right_answers():
    assert ch10.check_gated_activation(gated)
    from seqlab.layers import GatedActivationUnit
    assert ch10.check_gated_activation(
        lambda z: keras.ops.convert_to_numpy(GatedActivationUnit()(z.astype("float32"))))


def half(z):
    return z.shape[-1] // 2


@pytest.mark.parametrize("answer, diagnosis", [
    (placeholder, NOT_DONE),
    (lambda z: np.tanh(np.tanh(z[..., :half(z)])) * sigmoid(z[..., half(z):]), "double_tanh"),
    (lambda z: sigmoid(z[..., :half(z)]) * np.tanh(z[..., half(z):]), "swapped_halves"),
    (lambda z: np.tanh(z[..., :half(z)]) * z[..., half(z):], "no_sigmoid"),
    (lambda z: np.tanh(z[..., 0::2]) * sigmoid(z[..., 1::2]), "interleaved"),
    (lambda z: np.tanh(z) * sigmoid(z), "wrong_shape"),
    (lambda z: np.tanh(z[..., :half(z)]), "wrong_values"),
])
def test_gated_mistakes(answer, diagnosis):
    feedback = ch10.check_gated_activation(answer)
    assert not feedback
    assert feedback.diagnosis == diagnosis, feedback


# --- check_residual_block_parameters ---------------------------------------------------------

def count(c, k, d):
    return k * c * 2 * c + 2 * c + c * c + c


@pytest.mark.parametrize("c, k, d", [(16, 2, 4), (8, 3, 1), (5, 2, 16)])
def test_parameter_formula_equals_keras(c, k, d):
    block = WaveNetResidualBlock(c, k, d)
    block.build((None, None, c))
    assert count(c, k, d) == block.count_params()


def test_parameters_right_answer():
    assert ch10.check_residual_block_parameters(count)


@pytest.mark.parametrize("answer, diagnosis", [
    (placeholder, NOT_DONE),
    (lambda c, k, d: k * c * c + c + c * c + c, "no_gate_channels"),
    (lambda c, k, d: k * c * 2 * c + c * c, "no_biases"),
    (lambda c, k, d: k * c * 2 * c + 2 * c, "no_mix_conv"),
    (lambda c, k, d: ((k - 1) * d + 1) * c * 2 * c + 2 * c + c * c + c, "dilation_counted"),
    (lambda c, k, d: d * count(c, k, d), "dilation_multiplies"),
    (lambda c, k, d: count(c, k, d) + 1, "wrong_values"),
    (lambda c, k, d: "many", "not_a_number"),
])
def test_parameter_mistakes(answer, diagnosis):
    feedback = ch10.check_residual_block_parameters(answer)
    assert not feedback
    assert feedback.diagnosis == diagnosis, feedback
