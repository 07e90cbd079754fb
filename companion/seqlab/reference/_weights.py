"""Argument checks and helpers shared by the NumPy reference implementations."""

from __future__ import annotations

import numpy as np

from seqlab.checks import as_float_array


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _check_gate_weights(n_inputs, kernel, recurrent_kernel, bias, *, n_gates, layer,
                       bias_rows=None):
    """Check the shapes of stacked-gate weights and return them as float64 arrays.

    Shared by the LSTM functions (4 gates) and the GRU functions (3 gates). ``bias_rows``
    is 2 for a GRU with ``reset_after=True``, whose bias holds an input row and a
    recurrent row.
    """
    kernel = as_float_array("kernel", kernel, ndim=2, dtype=np.float64)
    recurrent_kernel = as_float_array("recurrent_kernel", recurrent_kernel, ndim=2, dtype=np.float64)
    if kernel.shape[1] % n_gates:
        raise ValueError(
            f"kernel must have shape (n_inputs, {n_gates} * units) for {layer}, got {kernel.shape}"
        )
    units = kernel.shape[1] // n_gates
    if kernel.shape[0] != n_inputs:
        raise ValueError(
            f"kernel must have shape (n_inputs, {n_gates} * units) = ({n_inputs}, {n_gates * units}), "
            f"got {kernel.shape}"
        )
    if recurrent_kernel.shape != (units, n_gates * units):
        raise ValueError(
            f"recurrent_kernel must have shape (units, {n_gates} * units) = "
            f"({units}, {n_gates * units}), got {recurrent_kernel.shape}"
        )
    expected = (n_gates * units,) if bias_rows is None else (bias_rows, n_gates * units)
    if bias is None:
        bias = np.zeros(expected)
    bias = as_float_array("bias", bias, dtype=np.float64)
    if bias.shape != expected:
        raise ValueError(f"bias must have shape {expected} for {layer}, got {bias.shape}")
    return kernel, recurrent_kernel, bias, units


def _check_state(name, state, m, units):
    """Check one recurrent state of shape ``(m, units)``; zeros when None."""
    if state is None:
        return np.zeros((m, units))
    state = as_float_array(name, state, ndim=2, dtype=np.float64)
    if state.shape != (m, units):
        raise ValueError(f"{name} must have shape (m, units) = ({m}, {units}), got {state.shape}")
    return state
