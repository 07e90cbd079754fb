"""An LSTM layer in NumPy, in Keras's weight layout.

Keras stores the four gates of an LSTM side by side in one matrix, in the order
input (``i``), forget (``f``), candidate cell (``c``), output (``o``):

- ``kernel``: shape ``(n_inputs, 4 * units)``
- ``recurrent_kernel``: shape ``(units, 4 * units)``
- ``bias``: shape ``(4 * units,)``

so ``layer.get_weights()`` of a ``keras.layers.LSTM`` can be passed straight in.
"""

from __future__ import annotations

import numpy as np

from seqlab.checks import as_float_array, gate_weights, positive_int, recurrent_state
from seqlab.reference._weights import sigmoid


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias=None):
    """Advance an LSTM cell by one time step (Keras's equations, default activations).

    With ``z = x_t @ kernel + h_prev @ recurrent_kernel + bias`` split into four
    blocks of ``units`` columns ``z_i, z_f, z_c, z_o``:

    - ``i = sigmoid(z_i)``, ``f = sigmoid(z_f)``, ``o = sigmoid(z_o)``
    - ``c = f * c_prev + i * tanh(z_c)``
    - ``h = o * tanh(c)``

    Args:
        x_t: inputs at step t, shape ``(m, n_inputs)``.
        h_prev: short-term state (previous output), shape ``(m, units)``.
        c_prev: long-term (cell) state, shape ``(m, units)``.
        kernel: shape ``(n_inputs, 4 * units)``, gate order i, f, c, o.
        recurrent_kernel: shape ``(units, 4 * units)``, same gate order.
        bias: shape ``(4 * units,)``, or None for no bias.

    Returns:
        ``(h, c)``: the new output and cell state, each of shape ``(m, units)``, float64.

    Raises:
        ValueError: if a shape does not match Keras's layout.

    Example:

    >>> import numpy as np
    >>> h, c = lstm_step(np.ones((2, 3)), np.zeros((2, 4)), np.zeros((2, 4)),
    ...                  np.zeros((3, 16)), np.zeros((4, 16)))
    >>> h.shape, c.shape
    ((2, 4), (2, 4))
    """
    x_t = as_float_array("x_t", x_t, ndim=2, dtype=np.float64)
    m, n_inputs = x_t.shape
    kernel, recurrent_kernel, bias, units = gate_weights(
        n_inputs, kernel, recurrent_kernel, bias, n_gates=4, layer="an LSTM")
    h_prev = recurrent_state("h_prev", h_prev, m, units)
    c_prev = recurrent_state("c_prev", c_prev, m, units)
    parts = _lstm_parts(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)
    return parts["h"], parts["c"]


def _lstm_parts(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One LSTM step on checked float64 arrays: the gates, the candidate and the states."""
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    c = f * c_prev + i * g
    return {"input": i, "forget": f, "candidate": g, "output": o, "c": c, "h": o * np.tanh(c)}


def lstm_forward(inputs, kernel, recurrent_kernel, bias=None, *, initial_state=None,
                 return_sequences=False, return_state=False):
    """Run an LSTM layer over a batch of sequences, as ``keras.layers.LSTM`` does.

    Args:
        inputs: shape ``(m, T, n_inputs)``.
        kernel: shape ``(n_inputs, 4 * units)``, gate order i, f, c, o.
        recurrent_kernel: shape ``(units, 4 * units)``.
        bias: shape ``(4 * units,)``, or None.
        initial_state: ``(h0, c0)``, each of shape ``(m, units)``; zeros when None.
        return_sequences: return the outputs at every step, shape ``(m, T, units)``,
            instead of the last one, shape ``(m, units)``.
        return_state: also return the final ``h`` and ``c``.

    Returns:
        The outputs (float64), or ``(outputs, h, c)`` when ``return_state`` is True.

    Example:

    >>> import numpy as np
    >>> x = np.ones((2, 5, 3))
    >>> lstm_forward(x, np.zeros((3, 8)), np.zeros((2, 8)), return_sequences=True).shape
    (2, 5, 2)
    """
    inputs = as_float_array("inputs", inputs, ndim=3, dtype=np.float64)
    m, n_steps, n_inputs = inputs.shape
    kernel, recurrent_kernel, bias, units = gate_weights(
        n_inputs, kernel, recurrent_kernel, bias, n_gates=4, layer="an LSTM")
    if initial_state is None:
        h, c = np.zeros((m, units)), np.zeros((m, units))
    else:
        if len(initial_state) != 2:
            raise ValueError("initial_state must be a pair (h0, c0) for an LSTM")
        h = recurrent_state("initial_state[0]", initial_state[0], m, units)
        c = recurrent_state("initial_state[1]", initial_state[1], m, units)
    outputs = np.empty((m, n_steps, units))
    for t in range(n_steps):
        h, c = lstm_step(inputs[:, t, :], h, c, kernel, recurrent_kernel, bias)
        outputs[:, t, :] = h
    result = outputs if return_sequences else h
    return (result, h, c) if return_state else result


LSTM_GATES = ("input", "forget", "candidate", "output", "c", "h")
"""The keys of the dict :func:`lstm_gates` returns, in Keras's block order then the states."""


def lstm_gates(inputs, kernel, recurrent_kernel, bias=None, *, initial_state=None):
    """Run an LSTM layer and return every gate's value at every step.

    The same computation as :func:`lstm_forward`, keeping what happens inside the cell:
    the input gate ``i``, the forget gate ``f``, the candidate ``tanh(z_c)`` (what the
    input gate lets into the cell state), the output gate ``o``, the long-term state
    ``c`` and the short-term state ``h`` (the layer's output) after each step.

    Args:
        inputs: shape ``(m, T, n_inputs)``.
        kernel: shape ``(n_inputs, 4 * units)``, gate order i, f, c, o.
        recurrent_kernel: shape ``(units, 4 * units)``.
        bias: shape ``(4 * units,)``, or None.
        initial_state: ``(h0, c0)``, each of shape ``(m, units)``; zeros when None.

    Returns:
        A dict with the keys of :data:`LSTM_GATES` (``"input"``, ``"forget"``,
        ``"candidate"``, ``"output"``, ``"c"``, ``"h"``), each a float64 array of shape
        ``(m, T, units)``; entry ``[:, t]`` is the value at step ``t``.

    Raises:
        ValueError: if a shape does not match Keras's layout.

    Example:

    >>> import numpy as np
    >>> gates = lstm_gates(np.ones((2, 5, 3)), np.zeros((3, 8)), np.zeros((2, 8)))
    >>> gates["forget"].shape, float(gates["forget"][0, 0, 0])
    ((2, 5, 2), 0.5)
    """
    inputs = as_float_array("inputs", inputs, ndim=3, dtype=np.float64)
    m, n_steps, n_inputs = inputs.shape
    kernel, recurrent_kernel, bias, units = gate_weights(
        n_inputs, kernel, recurrent_kernel, bias, n_gates=4, layer="an LSTM")
    if initial_state is None:
        initial_state = (None, None)
    elif len(initial_state) != 2:
        raise ValueError("initial_state must be a pair (h0, c0) for an LSTM")
    h = recurrent_state("initial_state[0]", initial_state[0], m, units)
    c = recurrent_state("initial_state[1]", initial_state[1], m, units)
    values = {name: np.empty((m, n_steps, units)) for name in LSTM_GATES}
    for t in range(n_steps):
        parts = _lstm_parts(inputs[:, t, :], h, c, kernel, recurrent_kernel, bias)
        for name in LSTM_GATES:
            values[name][:, t, :] = parts[name]
        h, c = parts["h"], parts["c"]
    return values


def lstm_parameter_count(n_inputs, units, *, use_bias=True):
    """The number of weights of ``keras.layers.LSTM(units)`` on ``n_inputs`` features.

    Four blocks (i, f, c, o), each with an input kernel ``(n_inputs, units)``, a
    recurrent kernel ``(units, units)`` and a bias ``(units,)``:
    ``4 * (n_inputs * units + units * units + units)``.

    Args:
        n_inputs: features per time step, >= 1.
        units: the layer's units, >= 1.
        use_bias: whether the layer has a bias (Keras's default True).

    Returns:
        The count, an int (what ``layer.count_params()`` gives).

    Raises:
        TypeError: if ``n_inputs`` or ``units`` is not an integer.
        ValueError: if ``n_inputs`` or ``units`` is below 1.

    Example:

    >>> lstm_parameter_count(1, 1)
    12
    """
    n_inputs = positive_int("n_inputs", n_inputs)
    units = positive_int("units", units)
    return 4 * (n_inputs * units + units * units + (units if use_bias else 0))
