"""The chapter 4 checkers accept a right answer and name each typical mistake."""

import numpy as np
import pytest

import seqlab  # noqa: F401
from seqlab.exercises import NOT_DONE
from seqlab.exercises.ch04 import (
    check_output_gradients,
    check_spectral_scaling,
    check_step_backward,
)


# --- exercise 1: one step of BPTT ------------------------------------------------------------

def right_step(x_t, h_prev, h_t, kernel, recurrent_kernel, d_h):
    d_z = d_h * (1 - h_t ** 2)
    return x_t.T @ d_z, h_prev.T @ d_z, d_z.sum(axis=0), d_z @ recurrent_kernel.T


def step_with(d_z_rule=None, **overrides):
    """The right answer, with one piece replaced by a typical mistake."""
    def step(x_t, h_prev, h_t, kernel, recurrent_kernel, d_h):
        d_z = d_h * (1 - h_t ** 2) if d_z_rule is None else d_z_rule(d_h, h_t)
        grads = {
            "kernel": x_t.T @ d_z,
            "recurrent_kernel": h_prev.T @ d_z,
            "bias": d_z.sum(axis=0),
            "previous_state": d_z @ recurrent_kernel.T,
        }
        for name, rule in overrides.items():
            grads[name] = rule(x_t, h_prev, d_z, recurrent_kernel)
        return grads["kernel"], grads["recurrent_kernel"], grads["bias"], grads["previous_state"]
    return step


def test_step_checker_accepts_the_right_answer():
    feedback = check_step_backward(right_step)
    assert feedback.passed and feedback.diagnosis == ""
    assert check_step_backward(lambda *a: list(right_step(*a)))


@pytest.mark.parametrize("mistake, diagnosis, named", [
    (step_with(lambda d_h, h_t: d_h), "forgot_activation_derivative", "d_kernel, d_recurrent_kernel, d_bias, d_h_prev"),
    (step_with(lambda d_h, h_t: d_h * h_t), "used_output_not_derivative", "d_kernel"),
    (step_with(kernel=lambda x, h, d_z, u: d_z.T @ x), "transposed_product", "d_kernel"),
    (step_with(recurrent_kernel=lambda x, h, d_z, u: d_z.T @ h), "transposed_product", "d_recurrent_kernel"),
    (step_with(previous_state=lambda x, h, d_z, u: d_z @ u), "transposed_product", "d_h_prev"),
    (step_with(bias=lambda x, h, d_z, u: d_z), "bias_not_summed", "d_bias"),
    (step_with(bias=lambda x, h, d_z, u: d_z.mean(axis=0)), "wrong_bias", "d_bias"),
    (step_with(kernel=lambda x, h, d_z, u: 2 * x.T @ d_z), "wrong_kernel", "d_kernel"),
    (step_with(recurrent_kernel=lambda x, h, d_z, u: h.T @ d_z + 1), "wrong_recurrent_kernel", "d_recurrent_kernel"),
    (step_with(previous_state=lambda x, h, d_z, u: d_z @ u.T @ u), "wrong_previous_state", "d_h_prev"),
    (step_with(previous_state=lambda x, h, d_z, u: d_z[:, :2]), "wrong_shape", "d_h_prev"),
])
def test_step_checker_pinpoints_each_mistake(mistake, diagnosis, named):
    feedback = check_step_backward(mistake)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis, feedback
    assert named in feedback.message


def test_step_checker_says_which_gradients_are_right():
    feedback = check_step_backward(step_with(bias=lambda x, h, d_z, u: d_z.mean(axis=0)))
    assert "d_kernel, d_recurrent_kernel, d_h_prev are right" in feedback.message


def test_step_checker_not_done_raised_and_bad_return():
    def unfinished(*args):
        raise NotImplementedError

    assert check_step_backward(unfinished).diagnosis == NOT_DONE
    assert check_step_backward(lambda *a: None).diagnosis == NOT_DONE
    broken = check_step_backward(lambda x_t, *a: x_t @ np.ones((5, 5)))
    assert broken.diagnosis == "raised" and "ValueError" in broken.message
    assert check_step_backward(lambda *a: right_step(*a)[:3]).diagnosis == "wrong_return"


# --- exercise 2: spectral radius ----------------------------------------------------------------

def spectral_radius(matrix):
    return np.max(np.abs(np.linalg.eigvals(matrix)))


def test_spectral_checker_accepts_the_right_answer():
    assert check_spectral_scaling(lambda m, r: m * (r / spectral_radius(m)))


@pytest.mark.parametrize("mistake, diagnosis", [
    (lambda m, r: m * r / np.linalg.norm(m, 2), "used_spectral_norm"),
    (lambda m, r: m * r / np.linalg.norm(m), "used_frobenius_norm"),
    (lambda m, r: m * r / np.abs(m).max(), "used_largest_entry"),
    (lambda m, r: m * r / np.linalg.eigvals(m)[0], "complex_result"),
    (lambda m, r: m * r, "wrong_radius"),
    (lambda m, r: r * np.eye(len(m)), "not_a_rescaling"),
    (lambda m, r: m[:3, :3], "wrong_shape"),
])
def test_spectral_checker_pinpoints_each_mistake(mistake, diagnosis):
    feedback = check_spectral_scaling(mistake)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis, feedback


def test_spectral_checker_not_done():
    assert check_spectral_scaling(lambda m, r: None).diagnosis == NOT_DONE


# --- exercise 3: gradient of a loss on the last steps ------------------------------------------

def right_output_gradients(outputs, targets, n_last):
    grads = np.zeros_like(outputs)
    grads[:, -n_last:] = 2 * (outputs - targets)[:, -n_last:] / outputs[:, -n_last:].size
    return grads


def test_output_gradient_checker_accepts_the_right_answer():
    assert check_output_gradients(right_output_gradients)


@pytest.mark.parametrize("mistake, diagnosis", [
    (lambda y, t, k: 2 * (y - t) / y[:, -k:].size, "gradient_on_ignored_steps"),
    (lambda y, t, k: right_output_gradients(y, t, k) / 2, "missing_factor_2"),
    (lambda y, t, k: -right_output_gradients(y, t, k), "wrong_sign"),
    (lambda y, t, k: right_output_gradients(y, t, k) * k / y.shape[1], "wrong_normalisation"),
    (lambda y, t, k: right_output_gradients(y, t, k) ** 2, "wrong_value"),
    (lambda y, t, k: right_output_gradients(y, t, k)[:, -k:], "wrong_shape"),
])
def test_output_gradient_checker_pinpoints_each_mistake(mistake, diagnosis):
    feedback = check_output_gradients(mistake)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis, feedback


def test_output_gradient_checker_not_done():
    assert check_output_gradients(lambda y, t, k: None).diagnosis == NOT_DONE
