"""The NumPy LSTM and GRU against keras.layers.LSTM / GRU with the same weights."""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras

from seqlab.reference import gru_forward, gru_step, lstm_forward, lstm_step

ATOL = 1e-5


def random_weights(layer, rng, scale=0.5):
    """Give a built layer random weights (biases too, so bias bugs show)."""
    layer.set_weights([rng.normal(scale=scale, size=w.shape).astype("float32")
                       for w in layer.get_weights()])
    return layer.get_weights()


@pytest.mark.parametrize("return_sequences", [False, True])
def test_lstm_forward_matches_keras_lstm(rng, return_sequences):
    x = rng.normal(size=(4, 7, 3)).astype("float32")
    layer = keras.layers.LSTM(5, return_sequences=return_sequences)
    layer.build((None, 7, 3))
    kernel, recurrent_kernel, bias = random_weights(layer, rng)
    expected = keras.ops.convert_to_numpy(layer(x))
    ours = lstm_forward(x, kernel, recurrent_kernel, bias, return_sequences=return_sequences)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=ATOL)


def test_lstm_final_states_and_initial_state_match_keras(rng):
    x = rng.normal(size=(3, 6, 2)).astype("float32")
    h0 = rng.normal(size=(3, 4)).astype("float32")
    c0 = rng.normal(size=(3, 4)).astype("float32")
    layer = keras.layers.LSTM(4, return_state=True)
    layer.build((None, 6, 2))
    weights = random_weights(layer, rng)
    out_k, h_k, c_k = (keras.ops.convert_to_numpy(a) for a in layer(x, initial_state=[h0, c0]))
    out, h, c = lstm_forward(x, *weights, initial_state=(h0, c0), return_state=True)
    np.testing.assert_allclose(out, out_k, atol=ATOL)
    np.testing.assert_allclose(h, h_k, atol=ATOL)
    np.testing.assert_allclose(c, c_k, atol=ATOL)


def test_lstm_step_gate_order_is_i_f_c_o():
    # Forget gate open (2nd block), input gate shut (1st block), output gate at 0.5:
    # the cell keeps c_prev and emits 0.5 * tanh(c_prev).
    units = 2
    bias = np.zeros(4 * units)
    bias[:units] = -50.0
    bias[units:2 * units] = 50.0
    c_prev = np.array([[0.3, -0.7]])
    h, c = lstm_step(np.ones((1, 1)), np.zeros((1, units)), c_prev,
                     np.zeros((1, 4 * units)), np.zeros((units, 4 * units)), bias)
    np.testing.assert_allclose(c, c_prev, atol=1e-12)
    np.testing.assert_allclose(h, 0.5 * np.tanh(c_prev), atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_gru_forward_matches_keras_gru(rng, reset_after, return_sequences):
    x = rng.normal(size=(4, 7, 3)).astype("float32")
    layer = keras.layers.GRU(5, reset_after=reset_after, return_sequences=return_sequences)
    layer.build((None, 7, 3))
    kernel, recurrent_kernel, bias = random_weights(layer, rng)
    assert bias.shape == ((2, 15) if reset_after else (15,))
    expected = keras.ops.convert_to_numpy(layer(x))
    ours = gru_forward(x, kernel, recurrent_kernel, bias, reset_after=reset_after,
                       return_sequences=return_sequences)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=ATOL)


def test_gru_initial_state_matches_keras(rng):
    x = rng.normal(size=(3, 5, 2)).astype("float32")
    h0 = rng.normal(size=(3, 4)).astype("float32")
    layer = keras.layers.GRU(4)
    layer.build((None, 5, 2))
    weights = random_weights(layer, rng)
    expected = keras.ops.convert_to_numpy(layer(x, initial_state=[h0]))
    np.testing.assert_allclose(gru_forward(x, *weights, initial_state=h0), expected, atol=ATOL)


def test_gru_keeps_old_state_when_update_gate_is_one():
    # Keras's rule h = z * h_prev + (1 - z) * candidate: z (1st block) = 1 keeps h_prev.
    units = 3
    bias = np.zeros((2, 3 * units))
    bias[0, :units] = 50.0
    h_prev = np.array([[0.1, -0.2, 0.9]])
    h = gru_step(np.ones((1, 2)), h_prev, np.ones((2, 3 * units)),
                 np.zeros((units, 3 * units)), bias)
    np.testing.assert_allclose(h, h_prev, atol=1e-12)


def test_the_two_gru_variants_differ(rng):
    # reset_after changes the maths, so a mix-up between them would be caught.
    x = rng.normal(size=(2, 4, 3))
    kernel = rng.normal(size=(3, 6))
    recurrent_kernel = rng.normal(size=(2, 6))
    bias = rng.normal(size=(6,))
    after = gru_forward(x, kernel, recurrent_kernel, np.stack([bias, np.zeros(6)]), reset_after=True)
    before = gru_forward(x, kernel, recurrent_kernel, bias, reset_after=False)
    assert np.abs(after - before).max() > 1e-3


@pytest.mark.parametrize("call, message", [
    (lambda: lstm_step(np.ones((2, 3)), None, None, np.ones((3, 10)), np.ones((2, 10))),
     "4 \\* units"),
    (lambda: lstm_step(np.ones((2, 3)), None, None, np.ones((2, 8)), np.ones((2, 8))),
     "kernel must have shape"),
    (lambda: lstm_step(np.ones((2, 3)), None, None, np.ones((3, 8)), np.ones((3, 8))),
     "recurrent_kernel"),
    (lambda: lstm_step(np.ones((2, 3)), np.ones((2, 3)), None, np.ones((3, 8)), np.ones((2, 8))),
     "h_prev must have shape"),
    (lambda: lstm_step(np.ones((2, 3)), None, None, np.ones((3, 8)), np.ones((2, 8)), np.ones(4)),
     "bias must have shape"),
    (lambda: lstm_forward(np.ones((2, 3)), np.ones((3, 8)), np.ones((2, 8))), "inputs must be 3-D"),
    (lambda: lstm_forward(np.full((1, 2, 3), np.nan), np.ones((3, 8)), np.ones((2, 8))), "NaN"),
    (lambda: gru_step(np.ones((2, 3)), None, np.ones((3, 6)), np.ones((2, 6)), np.ones(6)),
     "bias must have shape \\(2, 6\\)"),
    (lambda: gru_step(np.ones((2, 3)), None, np.ones((3, 6)), np.ones((2, 6)), np.ones((2, 6)),
                      reset_after=False), "bias must have shape \\(6,\\)"),
    (lambda: gru_forward(np.ones((2, 4, 3)), np.ones((3, 6)), np.ones((2, 6)),
                         initial_state=np.ones((2, 5))), "initial_state must have shape"),
])
def test_bad_arguments_get_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
