"""A GRU layer in NumPy, in Keras's weight layout.

Keras stores the three blocks of a GRU side by side, in the order update gate
(``z``), reset gate (``r``), candidate state (``h``):

- ``kernel``: shape ``(n_inputs, 3 * units)``
- ``recurrent_kernel``: shape ``(units, 3 * units)``
- ``bias``: shape ``(2, 3 * units)`` when ``reset_after=True`` (Keras's default: one
  row added to the input part, one to the recurrent part), ``(3 * units,)`` otherwise.

Keras's update rule is ``h = z * h_prev + (1 - z) * candidate``: ``z`` is the share
of the *old* state that is kept (some texts swap the roles of ``z`` and ``1 - z``).
"""

from __future__ import annotations

import numpy as np

from seqlab.checks import as_float_array, gate_weights, positive_int, recurrent_state
from seqlab.reference._weights import sigmoid


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias=None, *, reset_after=True):
    """Advance a GRU cell by one time step (Keras's equations, default activations).

    With ``reset_after=True`` (Keras's default, the cuDNN variant), the reset gate
    multiplies the recurrent contribution after the matrix product:

    - ``x_z, x_r, x_h = split(x_t @ kernel + bias[0])``
    - ``u_z, u_r, u_h = split(h_prev @ recurrent_kernel + bias[1])``
    - ``z = sigmoid(x_z + u_z)``, ``r = sigmoid(x_r + u_r)``
    - ``candidate = tanh(x_h + r * u_h)``

    With ``reset_after=False`` the reset gate is applied to the state first:
    ``candidate = tanh(x_h + (r * h_prev) @ recurrent_kernel[:, 2 * units:])``.
    In both cases ``h = z * h_prev + (1 - z) * candidate``.

    Args:
        x_t: inputs at step t, shape ``(m, n_inputs)``.
        h_prev: previous state, shape ``(m, units)``.
        kernel: shape ``(n_inputs, 3 * units)``, block order z, r, h.
        recurrent_kernel: shape ``(units, 3 * units)``, same order.
        bias: shape ``(2, 3 * units)`` if ``reset_after`` else ``(3 * units,)``; None
            for no bias.
        reset_after: which of Keras's two GRU variants to compute.

    Returns:
        The new state ``h`` (also the output), shape ``(m, units)``, float64.

    Raises:
        ValueError: if a shape does not match Keras's layout.

    Example:

    >>> import numpy as np
    >>> gru_step(np.ones((2, 3)), np.zeros((2, 4)), np.zeros((3, 12)),
    ...          np.zeros((4, 12)), np.zeros((2, 12))).shape
    (2, 4)
    """
    x_t = as_float_array("x_t", x_t, ndim=2, dtype=np.float64)
    m, n_inputs = x_t.shape
    kernel, recurrent_kernel, bias, units = gate_weights(
        n_inputs, kernel, recurrent_kernel, bias, n_gates=3,
        layer=f"a GRU with reset_after={reset_after}", bias_rows=2 if reset_after else None)
    h_prev = recurrent_state("h_prev", h_prev, m, units)
    return _gru_parts(x_t, h_prev, kernel, recurrent_kernel, bias, reset_after)["h"]


def _gru_parts(x_t, h_prev, kernel, recurrent_kernel, bias, reset_after):
    """One GRU step on checked float64 arrays: the gates, the candidate and the state."""
    units = h_prev.shape[1]
    if reset_after:
        x_z, x_r, x_h = np.split(x_t @ kernel + bias[0], 3, axis=1)
        u_z, u_r, u_h = np.split(h_prev @ recurrent_kernel + bias[1], 3, axis=1)
        z = sigmoid(x_z + u_z)
        r = sigmoid(x_r + u_r)
        candidate = np.tanh(x_h + r * u_h)
    else:
        x_z, x_r, x_h = np.split(x_t @ kernel + bias, 3, axis=1)
        z = sigmoid(x_z + h_prev @ recurrent_kernel[:, :units])
        r = sigmoid(x_r + h_prev @ recurrent_kernel[:, units:2 * units])
        candidate = np.tanh(x_h + (r * h_prev) @ recurrent_kernel[:, 2 * units:])
    return {"update": z, "reset": r, "candidate": candidate,
            "h": z * h_prev + (1.0 - z) * candidate}


def gru_forward(inputs, kernel, recurrent_kernel, bias=None, *, reset_after=True,
                initial_state=None, return_sequences=False):
    """Run a GRU layer over a batch of sequences, as ``keras.layers.GRU`` does.

    Args:
        inputs: shape ``(m, T, n_inputs)``.
        kernel: shape ``(n_inputs, 3 * units)``, block order z, r, h.
        recurrent_kernel: shape ``(units, 3 * units)``.
        bias: shape ``(2, 3 * units)`` if ``reset_after`` else ``(3 * units,)``, or None.
        reset_after: which of Keras's two GRU variants to compute.
        initial_state: shape ``(m, units)``; zeros when None.
        return_sequences: return the outputs at every step, shape ``(m, T, units)``,
            instead of the last one, shape ``(m, units)``.

    Returns:
        The outputs, float64.

    Example:

    >>> import numpy as np
    >>> x = np.ones((2, 5, 3))
    >>> gru_forward(x, np.zeros((3, 6)), np.zeros((2, 6))).shape
    (2, 2)
    """
    inputs = as_float_array("inputs", inputs, ndim=3, dtype=np.float64)
    m, n_steps, n_inputs = inputs.shape
    kernel, recurrent_kernel, bias, units = gate_weights(
        n_inputs, kernel, recurrent_kernel, bias, n_gates=3,
        layer=f"a GRU with reset_after={reset_after}", bias_rows=2 if reset_after else None)
    h = recurrent_state("initial_state", initial_state, m, units)
    outputs = np.empty((m, n_steps, units))
    for t in range(n_steps):
        h = gru_step(inputs[:, t, :], h, kernel, recurrent_kernel, bias, reset_after=reset_after)
        outputs[:, t, :] = h
    return outputs if return_sequences else h


GRU_GATES = ("update", "reset", "candidate", "h")
"""The keys of the dict :func:`gru_gates` returns, in Keras's block order then the state."""


def gru_gates(inputs, kernel, recurrent_kernel, bias=None, *, reset_after=True,
              initial_state=None):
    """Run a GRU layer and return every gate's value at every step.

    The same computation as :func:`gru_forward`, keeping what happens inside the cell:
    the update gate ``z`` (the share of the old state kept, in Keras's convention), the
    reset gate ``r``, the candidate state and the new state ``h`` (the layer's output).

    Args:
        inputs: shape ``(m, T, n_inputs)``.
        kernel: shape ``(n_inputs, 3 * units)``, block order z, r, h.
        recurrent_kernel: shape ``(units, 3 * units)``.
        bias: shape ``(2, 3 * units)`` if ``reset_after`` else ``(3 * units,)``, or None.
        reset_after: which of Keras's two GRU variants to compute.
        initial_state: shape ``(m, units)``; zeros when None.

    Returns:
        A dict with the keys of :data:`GRU_GATES` (``"update"``, ``"reset"``,
        ``"candidate"``, ``"h"``), each a float64 array of shape ``(m, T, units)``.

    Raises:
        ValueError: if a shape does not match Keras's layout.

    Example:

    >>> import numpy as np
    >>> gates = gru_gates(np.ones((2, 5, 3)), np.zeros((3, 6)), np.zeros((2, 6)))
    >>> gates["update"].shape, float(gates["reset"][0, 0, 0])
    ((2, 5, 2), 0.5)
    """
    inputs = as_float_array("inputs", inputs, ndim=3, dtype=np.float64)
    m, n_steps, n_inputs = inputs.shape
    kernel, recurrent_kernel, bias, units = gate_weights(
        n_inputs, kernel, recurrent_kernel, bias, n_gates=3,
        layer=f"a GRU with reset_after={reset_after}", bias_rows=2 if reset_after else None)
    h = recurrent_state("initial_state", initial_state, m, units)
    values = {name: np.empty((m, n_steps, units)) for name in GRU_GATES}
    for t in range(n_steps):
        parts = _gru_parts(inputs[:, t, :], h, kernel, recurrent_kernel, bias, reset_after)
        for name in GRU_GATES:
            values[name][:, t, :] = parts[name]
        h = parts["h"]
    return values


def gru_parameter_count(n_inputs, units, *, reset_after=True, use_bias=True):
    """The number of weights of ``keras.layers.GRU(units)`` on ``n_inputs`` features.

    Three blocks (z, r, h), each with an input kernel ``(n_inputs, units)`` and a
    recurrent kernel ``(units, units)``; the bias has one row of ``3 * units`` with
    ``reset_after=False`` and two (input and recurrent) with ``reset_after=True``:
    ``3 * (n_inputs * units + units * units) + (6 if reset_after else 3) * units``.

    Args:
        n_inputs: features per time step, >= 1.
        units: the layer's units, >= 1.
        reset_after: which of Keras's two GRU variants (default True, as Keras).
        use_bias: whether the layer has a bias (Keras's default True).

    Returns:
        The count, an int (what ``layer.count_params()`` gives).

    Raises:
        TypeError: if ``n_inputs`` or ``units`` is not an integer.
        ValueError: if ``n_inputs`` or ``units`` is below 1.

    Example:

    >>> gru_parameter_count(1, 1), gru_parameter_count(1, 1, reset_after=False)
    (12, 9)
    """
    n_inputs = positive_int("n_inputs", n_inputs)
    units = positive_int("units", units)
    bias = (6 if reset_after else 3) * units if use_bias else 0
    return 3 * (n_inputs * units + units * units) + bias
