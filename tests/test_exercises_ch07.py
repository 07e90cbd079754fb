"""The chapter 7 checkers accept right answers, report placeholders as not done, and name
each typical mistake."""

import numpy as np
import pytest

import seqlab  # noqa: F401

from seqlab.exercises import NOT_DONE
from seqlab.exercises import ch07


def placeholder(*args):
    raise NotImplementedError


# --- check_layer_norm ---------------------------------------------------------------------

def ln_over(axis, ddof=0):
    def answer(x, gamma, beta, epsilon):
        mean = x.mean(axis=axis, keepdims=True)
        var = x.var(axis=axis, keepdims=True, ddof=ddof)
        return gamma * (x - mean) / np.sqrt(var + epsilon) + beta
    return answer


def ln_epsilon_outside(x, gamma, beta, epsilon):
    return gamma * (x - x.mean(-1, keepdims=True)) / (x.std(-1, keepdims=True) + epsilon) + beta


def ln_swapped(x, gamma, beta, epsilon):
    return ln_over(-1)(x, beta, gamma, epsilon)


def ln_ignores_gamma_beta(x, gamma, beta, epsilon):
    return ln_over(-1)(x, 1.0, 0.0, epsilon)


def ln_no_keepdims(x, gamma, beta, epsilon):
    return gamma * (x - x.mean()) / np.sqrt(x.var() + epsilon) + beta


def test_layer_norm_accepts_the_right_answer():
    feedback = ch07.check_layer_norm(ln_over(-1))
    assert feedback and feedback.diagnosis == ""


def test_layer_norm_placeholder_is_not_done():
    assert ch07.check_layer_norm(placeholder).diagnosis == NOT_DONE
    assert ch07.check_layer_norm(None).diagnosis == NOT_DONE


@pytest.mark.parametrize("answer, diagnosis", [
    (ln_over(0), "normalised_over_batch"),
    (ln_over(1), "normalised_over_time"),
    (ln_over((1, 2)), "normalised_over_time_and_features"),
    (ln_no_keepdims, "normalised_over_everything"),
    (ln_over(-1, ddof=1), "sample_variance"),
    (ln_epsilon_outside, "epsilon_outside_sqrt"),
    (ln_swapped, "gamma_beta_swapped"),
    (ln_ignores_gamma_beta, "gamma_beta_ignored"),
    (lambda x, gamma, beta, epsilon: x[..., 0], "wrong_shape"),
    (lambda x, gamma, beta, epsilon: x + 1.0, "wrong_values"),
    (lambda x, gamma, beta, epsilon: x @ np.ones((2, 2)), "raised"),
])
def test_layer_norm_names_each_mistake(answer, diagnosis):
    feedback = ch07.check_layer_norm(answer)
    assert not feedback and feedback.diagnosis == diagnosis, feedback


# --- check_clip_by_global_norm --------------------------------------------------------------

def global_clip(grads, threshold):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * threshold / max(norm, threshold) for g in grads]


def per_variable(grads, threshold):
    return [g * threshold / max(np.linalg.norm(g), threshold) for g in grads]


def always(grads, threshold):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    return [g * threshold / norm for g in grads]


def sum_of_norms(grads, threshold):
    norm = sum(np.linalg.norm(g) for g in grads)
    return [g * threshold / max(norm, threshold) for g in grads]


def test_clip_accepts_the_right_answer():
    assert ch07.check_clip_by_global_norm(global_clip)


def test_clip_placeholder_is_not_done():
    assert ch07.check_clip_by_global_norm(placeholder).diagnosis == NOT_DONE


@pytest.mark.parametrize("answer, diagnosis", [
    (per_variable, "clipped_each_variable"),
    (lambda grads, t: [np.clip(g, -t, t) for g in grads], "clipped_values"),
    (always, "always_rescaled"),
    (sum_of_norms, "sum_of_norms"),
    (lambda grads, t: list(grads), "not_clipped"),
    (lambda grads, t: np.concatenate([g.ravel() for g in global_clip(grads, t)]), "wrong_shape"),
    (lambda grads, t: [g.ravel() for g in global_clip(grads, t)], "wrong_shape"),
    (lambda grads, t: [0.5 * g for g in grads], "wrong_values"),
])
def test_clip_names_each_mistake(answer, diagnosis):
    feedback = ch07.check_clip_by_global_norm(answer)
    assert not feedback and feedback.diagnosis == diagnosis, feedback


# --- check_noise_shape -----------------------------------------------------------------------

@pytest.mark.parametrize("answer", [
    lambda batch_size, n_steps, n_features: (None, 1, n_features),
    lambda batch_size, n_steps, n_features: (batch_size, 1, n_features),
    lambda batch_size, n_steps, n_features: [None, 1, None],
])
def test_noise_shape_accepts_right_answers(answer):
    assert ch07.check_noise_shape(answer)


def test_noise_shape_placeholder_is_not_done():
    assert ch07.check_noise_shape(placeholder).diagnosis == NOT_DONE


@pytest.mark.parametrize("answer, diagnosis", [
    (lambda b, t, n: (None, t, n), "new_mask_each_step"),
    (lambda b, t, n: (None, t, 1), "new_mask_each_step"),
    (lambda b, t, n: (1, 1, n), "same_mask_for_every_sequence"),
    (lambda b, t, n: (None, 1, 1), "whole_step_dropped"),
    (lambda b, t, n: (None, n), "wrong_rank"),
    (lambda b, t, n: "per sequence", "wrong_rank"),
    (lambda b, t, n: (None, 2, n), "raised"),
])
def test_noise_shape_names_each_mistake(answer, diagnosis):
    feedback = ch07.check_noise_shape(answer)
    assert not feedback and feedback.diagnosis == diagnosis, feedback


# --- check_ln_cell_step ---------------------------------------------------------------------

def layer_norm(v, gamma, beta, epsilon, axis=-1):
    mean, var = v.mean(axis=axis, keepdims=True), v.var(axis=axis, keepdims=True)
    return gamma * (v - mean) / np.sqrt(var + epsilon) + beta


def cell_step(x_t, h_prev, kernel, recurrent_kernel, gamma, beta, epsilon):
    return np.tanh(layer_norm(x_t @ kernel + h_prev @ recurrent_kernel, gamma, beta, epsilon))


def test_cell_step_accepts_the_right_answer():
    assert ch07.check_ln_cell_step(cell_step)


def test_cell_step_placeholder_is_not_done():
    assert ch07.check_ln_cell_step(placeholder).diagnosis == NOT_DONE


@pytest.mark.parametrize("answer, diagnosis", [
    (lambda x, h, k, u, g, b, e: np.tanh(layer_norm(x @ k + h @ u, g, b, e, axis=0)),
     "normalised_over_batch"),
    (lambda x, h, k, u, g, b, e: layer_norm(np.tanh(x @ k + h @ u), g, b, e), "activation_before_norm"),
    (lambda x, h, k, u, g, b, e: np.tanh(x @ k + h @ u), "not_normalised"),
    (lambda x, h, k, u, g, b, e: layer_norm(x @ k + h @ u, g, b, e), "no_activation"),
    (lambda x, h, k, u, g, b, e: np.tanh(layer_norm(x @ k, g, b, e)), "state_not_used"),
    (lambda x, h, k, u, g, b, e: np.tanh(layer_norm(x @ k + h @ u.T, g, b, e)),
     "transposed_recurrent_kernel"),
    (lambda x, h, k, u, g, b, e: np.tanh(layer_norm(x @ k + h @ u, g, 0.0, e)) + b,
     "beta_after_activation"),
    (lambda x, h, k, u, g, b, e: cell_step(x, h, k, u, g, b, e)[0], "wrong_shape"),
    (lambda x, h, k, u, g, b, e: cell_step(x, h, k, u, g, b, e) + 0.1, "wrong_values"),
    (lambda x, h, k, u, g, b, e: x @ k.T, "raised"),
])
def test_cell_step_names_each_mistake(answer, diagnosis):
    feedback = ch07.check_ln_cell_step(answer)
    assert not feedback and feedback.diagnosis == diagnosis, feedback
