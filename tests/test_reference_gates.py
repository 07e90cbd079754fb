"""Gate values per step (seqlab.reference.lstm_gates / gru_gates) read out of Keras.

Keras does not return its gates, so each gate is read out of Keras's own states one
step at a time: the layer is run for one step from the states Keras reached at the
previous step, with copied weights, and a block of the weights is changed where
that isolates a gate (a block's weights only reach the others through the new state,
which a one-step run does not feed back). Checked for ``keras.layers.LSTM``,
``keras.layers.RNN(keras.layers.LSTMCell)`` and ``keras.layers.GRU`` with both
``reset_after`` settings, on the active backend.
"""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras

from seqlab.reference import (
    GRU_GATES,
    LSTM_GATES,
    gru_forward,
    gru_gates,
    gru_parameter_count,
    lstm_forward,
    lstm_gates,
    lstm_parameter_count,
)

ATOL = 2e-5
M, T, N, U = 3, 5, 2, 4


def _numpy(values):
    return [keras.ops.convert_to_numpy(v).astype(np.float64) for v in values]


def _lstm_layer(kind):
    if kind == "LSTM":
        layer = keras.layers.LSTM(U, return_state=True)
    else:
        layer = keras.layers.RNN(keras.layers.LSTMCell(U), return_state=True)
    layer.build((None, 1, N))
    return layer


def _lstm_one_step(layer, weights, x_t, h, c):
    layer.set_weights([w.astype("float32") for w in weights])
    _, h_new, c_new = _numpy(layer(x_t[:, None, :].astype("float32"),
                                   initial_state=[h.astype("float32"), c.astype("float32")]))
    return h_new, c_new


@pytest.mark.parametrize("kind", ["LSTM", "RNN(LSTMCell)"])
def test_lstm_gates_match_gates_read_out_of_keras(rng, kind):
    x = rng.normal(size=(M, T, N))
    kernel = rng.normal(scale=0.6, size=(N, 4 * U))
    recurrent = rng.normal(scale=0.6, size=(U, 4 * U))
    bias = rng.normal(scale=0.5, size=(4 * U,))
    ours = lstm_gates(x, kernel, recurrent, bias)
    assert set(ours) == set(LSTM_GATES)
    assert all(v.shape == (M, T, U) for v in ours.values())

    layer = _lstm_layer(kind)
    block = {name: slice(k * U, (k + 1) * U) for k, name in enumerate("ifco")}

    def forced(name, value):
        """Copies of the weights whose block `name` is a constant pre-activation."""
        k, r, b = kernel.copy(), recurrent.copy(), bias.copy()
        k[:, block[name]] = 0.0
        r[:, block[name]] = 0.0
        b[block[name]] = value
        return k, r, b

    h = np.zeros((M, U))
    c = np.zeros((M, U))
    delta = 0.5
    for t in range(T):
        x_t = x[:, t]
        h_new, c_new = _lstm_one_step(layer, (kernel, recurrent, bias), x_t, h, c)
        # f: the gates do not depend on c_prev, so shifting c_prev by delta shifts c by f*delta
        _, c_shift = _lstm_one_step(layer, (kernel, recurrent, bias), x_t, h, c + delta)
        forget = (c_shift - c_new) / delta
        # i*g = c - f*c_prev; with the input gate forced open (i=1) it is g, and with the
        # candidate forced to tanh(30) = 1 it is i.
        _, c_open = _lstm_one_step(layer, forced("i", 30.0), x_t, h, c)
        _, c_unit = _lstm_one_step(layer, forced("c", 30.0), x_t, h, c)
        candidate = c_open - forget * c
        input_gate = c_unit - forget * c
        output = h_new / np.tanh(c_new)
        for name, keras_value in [("h", h_new), ("c", c_new), ("forget", forget),
                                  ("candidate", candidate), ("input", input_gate),
                                  ("output", output)]:
            np.testing.assert_allclose(ours[name][:, t], keras_value, atol=5e-5 if
                                       name == "output" else ATOL, err_msg=f"{name} at step {t}")
        h, c = h_new, c_new


def test_lstm_gates_agree_with_lstm_forward_and_initial_state(rng):
    x = rng.normal(size=(2, 6, 3))
    weights = (rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), rng.normal(size=8))
    h0, c0 = rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    gates = lstm_gates(x, *weights, initial_state=(h0, c0))
    out, h, c = lstm_forward(x, *weights, initial_state=(h0, c0), return_sequences=True,
                             return_state=True)
    np.testing.assert_allclose(gates["h"], out)
    np.testing.assert_allclose(gates["c"][:, -1], c)
    # the cell update, checked on the returned values
    c_prev = np.concatenate([c0[:, None], gates["c"][:, :-1]], axis=1)
    np.testing.assert_allclose(gates["c"], gates["forget"] * c_prev
                               + gates["input"] * gates["candidate"])
    assert np.all((gates["input"] > 0) & (gates["input"] < 1))


def _gru_one_step(layer, weights, x_t, h):
    layer.set_weights([w.astype("float32") for w in weights])
    _, h_new = _numpy(layer(x_t[:, None, :].astype("float32"),
                            initial_state=[h.astype("float32")]))
    return h_new


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_gates_match_gates_read_out_of_keras(rng, reset_after):
    x = rng.normal(size=(M, T, N))
    kernel = rng.normal(scale=0.6, size=(N, 3 * U))
    recurrent = rng.normal(scale=0.6, size=(U, 3 * U))
    bias = rng.normal(scale=0.5, size=(2, 3 * U) if reset_after else (3 * U,))
    ours = gru_gates(x, kernel, recurrent, bias, reset_after=reset_after)
    assert set(ours) == set(GRU_GATES)
    layer = keras.layers.GRU(U, reset_after=reset_after, return_state=True)
    layer.build((None, 1, N))
    cand = slice(2 * U, 3 * U)

    def forced_candidate(value=None, recurrent_bias=None):
        """Weights whose candidate block ignores x (and h, unless reset_after=False)."""
        k, r, b = kernel.copy(), recurrent.copy(), bias.copy()
        k[:, cand] = 0.0
        r[:, cand] = 0.0
        if reset_after:
            b[0, cand] = 0.0 if value is None else value
            b[1, cand] = 0.0 if recurrent_bias is None else recurrent_bias
        else:
            b[cand] = 0.0 if value is None else value
            if recurrent_bias is not None:
                r[:, cand] = np.eye(U)    # candidate = tanh(r * h_prev)
        return k, r, b

    h = rng.uniform(0.3, 0.9, size=(M, U)) * rng.choice([-1, 1], size=(M, U))
    ours = gru_gates(x, kernel, recurrent, bias, reset_after=reset_after, initial_state=h)
    for t in range(T):
        x_t = x[:, t]
        h_new = _gru_one_step(layer, (kernel, recurrent, bias), x_t, h)
        # candidate forced to +1 and -1: the two states differ by 2 * (1 - z)
        h_plus = _gru_one_step(layer, forced_candidate(30.0), x_t, h)
        h_minus = _gru_one_step(layer, forced_candidate(-30.0), x_t, h)
        update = 1.0 - (h_plus - h_minus) / 2.0
        candidate = (h_new - update * h) / (1.0 - update)
        # candidate = tanh(r * 1) (reset_after) or tanh(r * h_prev) (reset before)
        h_r = _gru_one_step(layer, forced_candidate(recurrent_bias=1.0), x_t, h)
        scale = 1.0 if reset_after else h
        reset = np.arctanh((h_r - update * h) / (1.0 - update)) / scale
        for name, keras_value, atol in [("h", h_new, ATOL), ("update", update, ATOL),
                                        ("candidate", candidate, 1e-3),
                                        ("reset", reset, 1e-3)]:
            np.testing.assert_allclose(ours[name][:, t], keras_value, atol=atol,
                                       err_msg=f"{name} at step {t}")
        h = h_new


def test_gru_gates_agree_with_gru_forward(rng):
    x = rng.normal(size=(2, 6, 3))
    for reset_after, bias_shape in [(True, (2, 6)), (False, (6,))]:
        weights = (rng.normal(size=(3, 6)), rng.normal(size=(2, 6)), rng.normal(size=bias_shape))
        gates = gru_gates(x, *weights, reset_after=reset_after)
        np.testing.assert_allclose(gates["h"], gru_forward(
            x, *weights, reset_after=reset_after, return_sequences=True))
        h_prev = np.concatenate([np.zeros((2, 1, 2)), gates["h"][:, :-1]], axis=1)
        np.testing.assert_allclose(gates["h"], gates["update"] * h_prev
                                   + (1 - gates["update"]) * gates["candidate"])


@pytest.mark.parametrize("n_inputs, units", [(1, 1), (3, 5), (7, 16)])
@pytest.mark.parametrize("use_bias", [True, False])
def test_lstm_parameter_count_matches_keras(n_inputs, units, use_bias):
    expected = lstm_parameter_count(n_inputs, units, use_bias=use_bias)
    for layer in (keras.layers.LSTM(units, use_bias=use_bias),
                  keras.layers.RNN(keras.layers.LSTMCell(units, use_bias=use_bias))):
        layer.build((None, 4, n_inputs))
        assert layer.count_params() == expected


@pytest.mark.parametrize("n_inputs, units", [(1, 1), (3, 5), (7, 16)])
@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("use_bias", [True, False])
def test_gru_parameter_count_matches_keras(n_inputs, units, reset_after, use_bias):
    layer = keras.layers.GRU(units, reset_after=reset_after, use_bias=use_bias)
    layer.build((None, 4, n_inputs))
    assert layer.count_params() == gru_parameter_count(
        n_inputs, units, reset_after=reset_after, use_bias=use_bias)


@pytest.mark.parametrize("call, error, message", [
    (lambda: lstm_gates(np.ones((2, 3)), np.ones((3, 8)), np.ones((2, 8))), ValueError,
     "inputs must be 3-D"),
    (lambda: lstm_gates(np.ones((2, 4, 3)), np.ones((3, 10)), np.ones((2, 10))), ValueError,
     "4 \\* units"),
    (lambda: lstm_gates(np.ones((2, 4, 3)), np.ones((3, 8)), np.ones((2, 8)),
                        initial_state=(np.ones((2, 2)),)), ValueError, "pair \\(h0, c0\\)"),
    (lambda: lstm_gates(np.ones((2, 4, 3)), np.ones((3, 8)), np.ones((2, 8)),
                        initial_state=(np.ones((2, 2)), np.ones((2, 3)))), ValueError,
     "initial_state\\[1\\] must have shape"),
    (lambda: gru_gates(np.ones((2, 4, 3)), np.ones((3, 6)), np.ones((2, 6)), np.ones(6)),
     ValueError, "bias must have shape \\(2, 6\\)"),
    (lambda: gru_gates(np.ones((2, 4, 3)), np.ones((3, 6)), np.ones((2, 6)),
                       initial_state=np.ones((2, 3))), ValueError, "initial_state must have"),
    (lambda: lstm_parameter_count(0, 4), ValueError, "n_inputs must be an integer >= 1"),
    (lambda: lstm_parameter_count(3, 2.5), TypeError, "units must be an integer"),
    (lambda: gru_parameter_count(3, -1), ValueError, "units must be an integer >= 1"),
    (lambda: gru_parameter_count("3", 4), TypeError, "n_inputs must be an integer"),
])
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
