"""Backpropagation through time in NumPy (seqlab.reference.simple_rnn_backward), checked
three independent ways: finite differences in float64, the active backend's automatic
differentiation of a keras.ops forward pass, and the gradient of keras.layers.SimpleRNN
with the same weights."""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras
from keras import ops

from seqlab.reference import (
    numerical_gradient,
    simple_rnn_backward,
    simple_rnn_forward,
    simple_rnn_state_gradients,
)
from seqlab.reference.gradients import cosine_similarity, max_abs_difference, state_gradient_norms

GRAD_KEYS = ("kernel", "recurrent_kernel", "bias", "inputs", "initial_state")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


def make_problem(rng, m=3, n_steps=6, n_inputs=2, units=4, *, last_only=False, dtype=np.float64):
    arrays = {
        "inputs": rng.normal(size=(m, n_steps, n_inputs)),
        "kernel": rng.normal(size=(n_inputs, units)),
        "recurrent_kernel": 0.5 * rng.normal(size=(units, units)),
        "bias": rng.normal(size=units),
        "initial_state": rng.normal(size=(m, units)),
    }
    d_outputs = rng.normal(size=(m, units) if last_only else (m, n_steps, units))
    arrays = {k: v.astype(dtype) for k, v in arrays.items()}
    return arrays, d_outputs.astype(dtype)


def weighted_output_sum(arrays, d_outputs, activation):
    """The scalar loss whose gradient w.r.t. the outputs is d_outputs."""
    outputs = simple_rnn_forward(
        arrays["inputs"], arrays["kernel"], arrays["recurrent_kernel"], arrays["bias"],
        initial_state=arrays["initial_state"], activation=activation, return_sequences=True)
    if d_outputs.ndim == 2:
        outputs = outputs[:, -1]
    return np.sum(outputs * d_outputs)


def finite_difference_grads(arrays, loss):
    grads = {}
    for key in GRAD_KEYS:
        def f(value, key=key):
            return loss({**arrays, key: value})
        grads[key] = numerical_gradient(f, arrays[key])
    return grads


def backward(arrays, d_outputs, **kwargs):
    return simple_rnn_backward(arrays["inputs"], arrays["kernel"], arrays["recurrent_kernel"],
                               arrays["bias"], d_outputs, initial_state=arrays["initial_state"],
                               **kwargs)


# --- finite differences (float64) -------------------------------------------------------

@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("last_only", [False, True], ids=["every-step", "last-output"])
def test_backward_matches_finite_differences(rng, activation, last_only):
    arrays, d_outputs = make_problem(rng, last_only=last_only)
    grads = backward(arrays, d_outputs, activation=activation)
    expected = finite_difference_grads(
        arrays, lambda a: weighted_output_sum(a, d_outputs, activation))
    for key in GRAD_KEYS:
        assert grads[key].shape == arrays[key].shape
        np.testing.assert_allclose(grads[key], expected[key], atol=1e-7, rtol=1e-6, err_msg=key)


def test_ignored_outputs_contribute_nothing(rng):
    # A loss on the last output only: d_outputs of shape (m, units) is the same as
    # (m, T, units) with zeros everywhere but the last step.
    arrays, d_last = make_problem(rng, last_only=True)
    padded = np.zeros(arrays["inputs"].shape[:2] + (d_last.shape[1],))
    padded[:, -1] = d_last
    a, b = backward(arrays, d_last), backward(arrays, padded)
    for key in GRAD_KEYS:
        np.testing.assert_array_equal(a[key], b[key])
    # ...and the last input still receives a gradient: it flows through the layers too.
    assert np.abs(a["inputs"][:, -1]).max() > 0


def test_without_bias_and_initial_state_uses_zeros(rng):
    arrays, d_outputs = make_problem(rng)
    zeroed = {**arrays, "bias": np.zeros(4), "initial_state": np.zeros((3, 4))}
    expected = backward(zeroed, d_outputs)
    grads = simple_rnn_backward(arrays["inputs"], arrays["kernel"], arrays["recurrent_kernel"],
                                None, d_outputs)
    for key in GRAD_KEYS:
        np.testing.assert_allclose(grads[key], expected[key])


def test_backward_does_not_modify_its_arguments(rng):
    arrays, d_outputs = make_problem(rng)
    copies = {k: v.copy() for k, v in arrays.items()}
    d_copy = d_outputs.copy()
    backward(arrays, d_outputs)
    for key in arrays:
        np.testing.assert_array_equal(arrays[key], copies[key])
    np.testing.assert_array_equal(d_outputs, d_copy)


# --- truncated BPTT ---------------------------------------------------------------------

def truncated_loss(arrays, d_outputs, truncate, reference_states, activation="tanh"):
    """sum_t <d_t, y_t> with y_t recomputed over its window of `truncate` steps from the
    (constant) state just before the window: the definition of truncated BPTT."""
    total = 0.0
    n_steps = arrays["inputs"].shape[1]
    for t in range(n_steps):
        first = max(t - truncate + 1, 0)
        start = arrays["initial_state"] if first == 0 else reference_states[:, first - 1]
        window = simple_rnn_forward(
            arrays["inputs"][:, first:t + 1], arrays["kernel"], arrays["recurrent_kernel"],
            arrays["bias"], initial_state=start, activation=activation)
        total += np.sum(window * d_outputs[:, t])
    return total


@pytest.mark.parametrize("truncate", [1, 2, 3, 5])
def test_truncated_backward_matches_finite_differences_of_its_definition(rng, truncate):
    arrays, d_outputs = make_problem(rng, n_steps=7)
    states = simple_rnn_forward(arrays["inputs"], arrays["kernel"], arrays["recurrent_kernel"],
                                arrays["bias"], initial_state=arrays["initial_state"],
                                return_sequences=True)
    grads = backward(arrays, d_outputs, truncate=truncate)
    expected = finite_difference_grads(
        arrays, lambda a: truncated_loss(a, d_outputs, truncate, states))
    for key in GRAD_KEYS:
        np.testing.assert_allclose(grads[key], expected[key], atol=1e-7, rtol=1e-6, err_msg=key)


def test_truncated_backward_differs_from_full_and_equals_it_when_long_enough(rng):
    arrays, d_outputs = make_problem(rng, n_steps=6)
    full = backward(arrays, d_outputs)
    for truncate in (6, 7, 100):
        same = backward(arrays, d_outputs, truncate=truncate)
        for key in GRAD_KEYS:
            np.testing.assert_allclose(same[key], full[key], atol=1e-12)
    short = backward(arrays, d_outputs, truncate=2)
    assert max_abs_difference(short["recurrent_kernel"], full["recurrent_kernel"]) > 1e-3


def test_truncation_one_step_back_on_the_last_output_sees_only_the_last_step(rng):
    arrays, d_last = make_problem(rng, last_only=True)
    grads = backward(arrays, d_last, truncate=1)
    states = simple_rnn_forward(arrays["inputs"], arrays["kernel"], arrays["recurrent_kernel"],
                                arrays["bias"], initial_state=arrays["initial_state"],
                                return_sequences=True)
    d_pre = d_last * (1 - states[:, -1] ** 2)
    np.testing.assert_allclose(grads["kernel"], arrays["inputs"][:, -1].T @ d_pre)
    np.testing.assert_allclose(grads["recurrent_kernel"], states[:, -2].T @ d_pre)
    assert not grads["inputs"][:, :-1].any()
    assert not grads["initial_state"].any()


# --- gradients with respect to the state ------------------------------------------------

def test_state_gradients_match_finite_differences_through_the_initial_state(rng):
    # dL/dy_t equals the gradient w.r.t. the initial state of the same RNN run on
    # inputs[:, t+1:] with initial state y_t, with the outputs from t on.
    arrays, d_outputs = make_problem(rng, n_steps=5)
    state_grads = simple_rnn_state_gradients(
        arrays["inputs"], arrays["kernel"], arrays["recurrent_kernel"], arrays["bias"], d_outputs,
        initial_state=arrays["initial_state"])
    states = simple_rnn_forward(arrays["inputs"], arrays["kernel"], arrays["recurrent_kernel"],
                                arrays["bias"], initial_state=arrays["initial_state"],
                                return_sequences=True)
    for t in range(5):
        def loss(y_t, t=t):
            later = simple_rnn_forward(arrays["inputs"][:, t + 1:], arrays["kernel"],
                                       arrays["recurrent_kernel"], arrays["bias"],
                                       initial_state=y_t, return_sequences=True)
            return np.sum(y_t * d_outputs[:, t]) + np.sum(later * d_outputs[:, t + 1:])
        expected = numerical_gradient(loss, states[:, t])
        np.testing.assert_allclose(state_grads[:, t], expected, atol=1e-7, rtol=1e-6)


def test_state_gradient_norms_vanish_for_a_contracting_linear_rnn():
    # Linear RNN with recurrent kernel 0.5 I: dL/dy_t = 0.5 ** (T - 1 - t) dL/dy_{T-1}.
    units, n_steps = 3, 8
    d_last = np.ones((2, units))
    grads = simple_rnn_state_gradients(np.zeros((2, n_steps, 1)), np.zeros((1, units)),
                                       0.5 * np.eye(units), None, d_last, activation="linear")
    norms = state_gradient_norms(grads)
    np.testing.assert_allclose(norms, np.sqrt(units) * 0.5 ** np.arange(n_steps)[::-1])


# --- backend autodiff and Keras's own gradient -------------------------------------------

def backend_gradients(loss, arrays):
    """Gradients of loss(*tensors) w.r.t. every array, by the active backend's autodiff."""
    name = keras.backend.backend()
    if name == "tensorflow":
        import tensorflow as tf

        tensors = [tf.convert_to_tensor(a) for a in arrays]
        with tf.GradientTape() as tape:
            tape.watch(tensors)
            value = loss(*tensors)
        return [g.numpy() for g in tape.gradient(value, tensors)]
    if name == "jax":
        import jax

        return [np.asarray(g) for g in jax.grad(loss, argnums=tuple(range(len(arrays))))(*arrays)]
    if name == "torch":
        import torch

        tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
        loss(*tensors).backward()
        return [t.grad.numpy() for t in tensors]
    raise NotImplementedError(f"no gradient helper for backend {name!r}")


KERAS_ACTIVATIONS = {"tanh": ops.tanh, "relu": ops.relu, "sigmoid": ops.sigmoid,
                     "linear": lambda z: z}


def ops_forward(inputs, kernel, recurrent_kernel, bias, initial_state, activation):
    """The simple RNN written with keras.ops, returning outputs (m, T, units)."""
    act = KERAS_ACTIVATIONS[activation]
    state, outputs = initial_state, []
    for t in range(inputs.shape[1]):
        state = act(ops.matmul(inputs[:, t, :], kernel) + ops.matmul(state, recurrent_kernel) + bias)
        outputs.append(state)
    return ops.stack(outputs, axis=1)


def as_list(arrays):
    return [arrays[k] for k in GRAD_KEYS[:3]] + [arrays["inputs"], arrays["initial_state"]]


def assert_close_float32(ours, theirs):
    for key, value in zip(GRAD_KEYS[:3] + ("inputs", "initial_state"), theirs):
        scale = max(1.0, float(np.abs(ours[key]).max()))
        assert max_abs_difference(ours[key], value) < 2e-5 * scale, key


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("last_only", [False, True], ids=["every-step", "last-output"])
def test_backward_matches_backend_autodiff(rng, activation, last_only):
    arrays, d_outputs = make_problem(rng, n_steps=7, dtype=np.float32)

    def loss(kernel, recurrent_kernel, bias, inputs, initial_state):
        outputs = ops_forward(inputs, kernel, recurrent_kernel, bias, initial_state, activation)
        if last_only:
            return ops.sum(outputs[:, -1] * ops.convert_to_tensor(d_outputs[:, -1]))
        return ops.sum(outputs * ops.convert_to_tensor(d_outputs))

    theirs = backend_gradients(loss, as_list(arrays))
    ours = backward(arrays, d_outputs[:, -1] if last_only else d_outputs, activation=activation)
    assert_close_float32(ours, theirs)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_backward_matches_keras_simple_rnn_gradient(rng, activation, return_sequences):
    arrays, d_outputs = make_problem(rng, n_steps=7, dtype=np.float32)
    if not return_sequences:
        d_outputs = d_outputs[:, -1]
    layer = keras.layers.SimpleRNN(4, activation=activation, return_sequences=return_sequences)
    layer.build((None, 7, 2))
    layer.set_weights([arrays["kernel"], arrays["recurrent_kernel"], arrays["bias"]])
    non_trainable = [v.value for v in layer.non_trainable_variables]
    names = [v.path.rsplit("/", 1)[-1] for v in layer.trainable_variables]
    assert names == ["kernel", "recurrent_kernel", "bias"]

    def loss(kernel, recurrent_kernel, bias, inputs, initial_state):
        outputs, _ = layer.stateless_call([kernel, recurrent_kernel, bias], non_trainable,
                                          inputs, initial_state=[initial_state])
        return ops.sum(outputs * ops.convert_to_tensor(d_outputs))

    theirs = backend_gradients(loss, as_list(arrays))
    ours = backward(arrays, d_outputs, activation=activation)
    assert_close_float32(ours, theirs)


# --- numerical_gradient and helpers -------------------------------------------------------

def test_numerical_gradient_of_a_known_function(rng):
    x = rng.normal(size=(2, 3))
    a = rng.normal(size=(2, 3))
    grad = numerical_gradient(lambda v: np.sum(a * v ** 2) + np.sin(v).sum(), x)
    np.testing.assert_allclose(grad, 2 * a * x + np.cos(x), atol=1e-8)
    assert grad.shape == x.shape


def test_numerical_gradient_leaves_x_untouched(rng):
    x = rng.normal(size=4)
    copy = x.copy()
    numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
    np.testing.assert_array_equal(x, copy)


def test_numerical_gradient_bad_input():
    with pytest.raises(ValueError, match="eps must be a positive number"):
        numerical_gradient(np.sum, np.ones(2), eps=0)
    with pytest.raises(ValueError, match="x contains NaN"):
        numerical_gradient(np.sum, np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="f must return a scalar"):
        numerical_gradient(lambda v: v, np.ones(2))
    with pytest.raises(ValueError, match="f must return a finite number"):
        numerical_gradient(lambda v: np.inf, np.ones(2))


def test_cosine_similarity_and_max_abs_difference():
    assert cosine_similarity([1.0, 1.0], [-2.0, -2.0]) == pytest.approx(-1.0)
    assert cosine_similarity([1.0, 0.0], [0.0, 3.0]) == pytest.approx(0.0)
    assert max_abs_difference(np.zeros((2, 2)), np.eye(2)) == 1.0
    with pytest.raises(ValueError, match="same shape"):
        max_abs_difference(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="all zeros"):
        cosine_similarity(np.zeros(2), np.ones(2))


# --- bad input ------------------------------------------------------------------------------

def test_backward_bad_input(rng):
    arrays, d_outputs = make_problem(rng)
    with pytest.raises(ValueError, match=r"d_outputs must have shape \(m, T, units\) = \(3, 6, 4\)"):
        backward(arrays, d_outputs[:, :5])
    with pytest.raises(ValueError, match=r"d_outputs must have shape \(m, units\) = \(3, 4\)"):
        backward(arrays, d_outputs[:, -1, :3])
    with pytest.raises(ValueError, match="d_outputs must be 2-D or 3-D"):
        backward(arrays, d_outputs[0, 0])
    bad = d_outputs.copy()
    bad[0, 1, 2] = np.nan
    with pytest.raises(ValueError, match="d_outputs contains NaN"):
        backward(arrays, bad)
    for truncate in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="truncate must be None"):
            backward(arrays, d_outputs, truncate=truncate)
    with pytest.raises(ValueError, match="activation must be one of"):
        backward(arrays, d_outputs, activation="softmax")
    with pytest.raises(ValueError, match="initial_state must have shape"):
        backward({**arrays, "initial_state": np.zeros((3, 5))}, d_outputs)
    with pytest.raises(ValueError, match="kernel must have shape"):
        backward({**arrays, "kernel": np.zeros((4, 2))}, d_outputs)
    with pytest.raises(ValueError, match="recurrent_kernel must have shape"):
        backward({**arrays, "recurrent_kernel": np.zeros((4, 5))}, d_outputs)
    with pytest.raises(ValueError, match="inputs must be 3-D"):
        backward({**arrays, "inputs": np.zeros((3, 6))}, d_outputs)
