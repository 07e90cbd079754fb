"""A simple recurrent layer in NumPy, in Keras's weight layout."""

from __future__ import annotations

import numpy as np

from seqlab._checks import as_float_array

ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
}


def _check_weights(n_inputs, kernel, recurrent_kernel, bias):
    kernel = as_float_array("kernel", kernel, ndim=2, dtype=np.float64)
    recurrent_kernel = as_float_array("recurrent_kernel", recurrent_kernel, ndim=2, dtype=np.float64)
    units = kernel.shape[1]
    if kernel.shape[0] != n_inputs:
        raise ValueError(
            f"kernel must have shape (n_inputs, units) = ({n_inputs}, units), got {kernel.shape}"
            " (Keras stores the input kernel as n_inputs x units)"
        )
    if recurrent_kernel.shape != (units, units):
        raise ValueError(
            f"recurrent_kernel must have shape (units, units) = ({units}, {units}), "
            f"got {recurrent_kernel.shape}"
        )
    if bias is None:
        bias = np.zeros(units)
    bias = as_float_array("bias", bias, ndim=1, dtype=np.float64)
    if bias.shape != (units,):
        raise ValueError(f"bias must have shape (units,) = ({units},), got {bias.shape}")
    return kernel, recurrent_kernel, bias


def simple_rnn_forward(inputs, kernel, recurrent_kernel, bias=None, *,
                       initial_state=None, activation="tanh", return_sequences=False):
    """Run a simple recurrent layer over a batch of sequences.

    At every time step ``t`` the layer computes, for the whole mini-batch at once,

    ``Y_t = activation(X_t @ kernel + Y_{t-1} @ recurrent_kernel + bias)``

    with ``Y_{-1}`` the initial state (zeros by default).

    Args:
        inputs: array of shape ``(m, T, n_inputs)``: m sequences of T steps.
        kernel: input weights ``W_x``, shape ``(n_inputs, units)``.
        recurrent_kernel: recurrent weights ``W_y``, shape ``(units, units)``.
        bias: shape ``(units,)``, or None for no bias.
        initial_state: shape ``(m, units)``; zeros when None.
        activation: ``"tanh"`` (Keras's default), ``"relu"``, ``"sigmoid"`` or ``"linear"``.
        return_sequences: return the outputs at every step, shape ``(m, T, units)``,
            instead of the last one, shape ``(m, units)``.

    Returns:
        A float64 array of outputs, as ``keras.layers.SimpleRNN`` would return them.

    Example:

    >>> import numpy as np
    >>> x = np.ones((2, 3, 1))
    >>> simple_rnn_forward(x, np.ones((1, 4)), np.zeros((4, 4))).shape
    (2, 4)
    """
    inputs = as_float_array("inputs", inputs, ndim=3, dtype=np.float64)
    m, n_steps, n_inputs = inputs.shape
    kernel, recurrent_kernel, bias = _check_weights(n_inputs, kernel, recurrent_kernel, bias)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    act = ACTIVATIONS[activation]
    units = kernel.shape[1]
    if initial_state is None:
        state = np.zeros((m, units))
    else:
        state = as_float_array("initial_state", initial_state, ndim=2, dtype=np.float64)
        if state.shape != (m, units):
            raise ValueError(f"initial_state must have shape (m, units) = ({m}, {units}), got {state.shape}")
    outputs = np.empty((m, n_steps, units))
    for t in range(n_steps):
        state = act(inputs[:, t, :] @ kernel + state @ recurrent_kernel + bias)
        outputs[:, t, :] = state
    return outputs if return_sequences else state
