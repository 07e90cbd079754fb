"""seqlab.reference.simple_rnn_forward agrees with keras.layers.SimpleRNN and checks its inputs."""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras
from seqlab.reference import simple_rnn_forward


def keras_layer(n_inputs, units, *, activation="tanh", use_bias=True, return_sequences=False, seed=0):
    keras.utils.set_random_seed(seed)
    layer = keras.layers.SimpleRNN(units, activation=activation, use_bias=use_bias,
                                   return_sequences=return_sequences,
                                   bias_initializer="random_normal")
    layer.build((None, None, n_inputs))
    return layer


def as_numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_matches_keras_simple_rnn_with_copied_weights(activation, return_sequences, rng):
    n_inputs, units = 3, 5
    layer = keras_layer(n_inputs, units, activation=activation, return_sequences=return_sequences)
    kernel, recurrent_kernel, bias = layer.get_weights()
    assert kernel.shape == (n_inputs, units), "Keras stores the kernel as n_inputs x units"
    X = rng.normal(size=(4, 7, n_inputs)).astype("float32")
    expected = as_numpy(layer(X))
    ours = simple_rnn_forward(X, kernel, recurrent_kernel, bias, activation=activation,
                              return_sequences=return_sequences)
    assert ours.shape == expected.shape == ((4, 7, units) if return_sequences else (4, units))
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-5)


def test_matches_keras_without_bias_and_with_an_initial_state(rng):
    layer = keras_layer(2, 3, use_bias=False, return_sequences=True)
    kernel, recurrent_kernel = layer.get_weights()
    X = rng.normal(size=(6, 4, 2)).astype("float32")
    state = rng.normal(size=(6, 3)).astype("float32")
    expected = as_numpy(layer(X, initial_state=[state]))
    ours = simple_rnn_forward(X, kernel, recurrent_kernel, None, initial_state=state,
                              return_sequences=True)
    np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-5)
    zero_state = simple_rnn_forward(X, kernel, recurrent_kernel, None, return_sequences=True)
    assert not np.allclose(zero_state, ours), "the initial state must matter"


def test_one_neuron_one_step_by_hand():
    # y_0 = tanh(x_0 * w_x + 0 * w_y + b)
    out = simple_rnn_forward(np.array([[[2.0]]]), [[0.5]], [[3.0]], [0.25])
    np.testing.assert_allclose(out, [[np.tanh(2.0 * 0.5 + 0.25)]])
    # two steps: y_1 = tanh(x_1 w_x + y_0 w_y + b)
    out = simple_rnn_forward(np.array([[[2.0], [-1.0]]]), [[0.5]], [[3.0]], [0.25])
    y0 = np.tanh(1.25)
    np.testing.assert_allclose(out, [[np.tanh(-0.5 + 3.0 * y0 + 0.25)]])


def test_last_output_is_the_last_of_the_sequences(rng):
    X = rng.normal(size=(3, 5, 2))
    kernel, recurrent, bias = rng.normal(size=(2, 4)), rng.normal(size=(4, 4)) * 0.3, rng.normal(size=4)
    sequences = simple_rnn_forward(X, kernel, recurrent, bias, return_sequences=True)
    np.testing.assert_array_equal(simple_rnn_forward(X, kernel, recurrent, bias), sequences[:, -1])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(inputs=np.zeros((4, 2))), r"inputs must be 3-D, got shape \(4, 2\)"),
        (dict(kernel=np.zeros((3, 2))), r"kernel must have shape \(n_inputs, units\) = \(2, units\)"),
        (dict(kernel=np.zeros(3)), "kernel must be 2-D"),
        (dict(recurrent_kernel=np.zeros((3, 2))), r"recurrent_kernel must have shape \(units, units\) = \(3, 3\)"),
        (dict(bias=np.zeros(2)), r"bias must have shape \(units,\) = \(3,\)"),
        (dict(initial_state=np.zeros((4, 2))), r"initial_state must have shape \(m, units\) = \(4, 3\)"),
        (dict(activation="softmax"), "activation must be one of"),
        (dict(inputs=np.full((4, 5, 2), np.nan)), "inputs contains NaN"),
    ],
)
def test_bad_inputs_raise_clear_errors(kwargs, message):
    args = dict(inputs=np.zeros((4, 5, 2)), kernel=np.zeros((2, 3)), recurrent_kernel=np.zeros((3, 3)),
                bias=np.zeros(3))
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        simple_rnn_forward(**args)
