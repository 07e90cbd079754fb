"""Layer normalisation and the layer-normalised simple RNN, in NumPy.

:func:`layer_norm` computes what ``keras.layers.LayerNormalization`` computes;
:func:`layer_norm_simple_rnn_forward` computes what
``keras.layers.RNN(seqlab.layers.LayerNormSimpleRNNCell(...))`` computes, from weights
in the cell's layout.
"""

from __future__ import annotations

import numpy as np

from seqlab.checks import as_float_array, positive_number, recurrent_state
from seqlab.reference.simple_rnn import ACTIVATIONS


def _normalised_axes(axis, ndim):
    """``axis`` (an int or a sequence of ints, negative allowed) as a sorted tuple."""
    axes = (axis,) if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool) else axis
    try:
        axes = tuple(axes)
    except TypeError:
        raise TypeError(f"axis must be an integer or a tuple of integers, got {axis!r}") from None
    if not axes or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in axes):
        raise TypeError(f"axis must be an integer or a tuple of integers, got {axis!r}")
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for an input of {ndim} dimensions")
    positive = sorted({int(a) % ndim for a in axes})
    if len(positive) != len(axes):
        raise ValueError(f"axis must not repeat an axis, got {axis!r}")
    return tuple(positive)


def _parameter(name, value, default, shape, broadcast):
    if value is None:
        return np.full(broadcast, default)
    value = as_float_array(name, value, dtype=np.float64)
    if value.shape != shape:
        raise ValueError(
            f"{name} must have the shape of the normalised axes, {shape}, got {value.shape}")
    return value.reshape(broadcast)


def layer_norm(x, gamma=None, beta=None, *, axis=-1, epsilon=1e-3):
    """Layer normalisation, as ``keras.layers.LayerNormalization`` computes it.

    For every position outside ``axis`` (every instance and, with the default
    ``axis=-1``, every time step), the values along ``axis`` are centred and scaled:

    ``y = gamma * (x - mean) / sqrt(var + epsilon) + beta``

    where ``mean`` and ``var`` (the population variance) are taken over ``axis`` only,
    never over the batch. For a ``(m, T, n)`` input and ``axis=-1``, each of the
    ``m * T`` feature vectors is normalised on its own; ``gamma`` and ``beta`` have
    shape ``(n,)``.

    Args:
        x: array of any shape.
        gamma: scale, with the shape of the normalised axes (``(n,)`` for
            ``axis=-1``); ones when None.
        beta: shift, same shape as ``gamma``; zeros when None.
        axis: the axis or tuple of axes normalised over (Keras's ``axis``).
        epsilon: added to the variance; ``1e-3`` as in Keras (PyTorch uses ``1e-5``).

    Returns:
        A float64 array shaped like ``x``.

    Raises:
        ValueError: NaN or inf in the input, an axis out of range or repeated, a
            ``gamma``/``beta`` of the wrong shape, ``epsilon <= 0``.
        TypeError: ``axis`` not an integer or tuple of integers, ``epsilon`` not a number.

    Example:

    >>> import numpy as np
    >>> y = layer_norm(np.array([[1.0, 2.0, 3.0]]))
    >>> np.round(y, 3).tolist()
    [[-1.224, 0.0, 1.224]]
    """
    x = as_float_array("x", x, dtype=np.float64)
    if x.ndim == 0:
        raise ValueError("x must have at least one dimension, got a scalar")
    epsilon = positive_number("epsilon", epsilon)
    axes = _normalised_axes(axis, x.ndim)
    shape = tuple(x.shape[a] for a in axes)
    broadcast = tuple(x.shape[i] if i in axes else 1 for i in range(x.ndim))
    gamma = _parameter("gamma", gamma, 1.0, shape, broadcast)
    beta = _parameter("beta", beta, 0.0, shape, broadcast)
    mean = x.mean(axis=axes, keepdims=True)
    variance = x.var(axis=axes, keepdims=True)
    return gamma * (x - mean) / np.sqrt(variance + epsilon) + beta


def _check_cell_weights(n_inputs, kernel, recurrent_kernel, gamma, beta, bias):
    kernel = as_float_array("kernel", kernel, ndim=2, dtype=np.float64)
    recurrent_kernel = as_float_array("recurrent_kernel", recurrent_kernel, ndim=2,
                                      dtype=np.float64)
    units = kernel.shape[1]
    if kernel.shape[0] != n_inputs:
        raise ValueError(
            f"kernel must have shape (n_inputs, units) = ({n_inputs}, units), got {kernel.shape}")
    if recurrent_kernel.shape != (units, units):
        raise ValueError(
            f"recurrent_kernel must have shape (units, units) = ({units}, {units}), "
            f"got {recurrent_kernel.shape}")
    checked = []
    for name, value in (("gamma", gamma), ("beta", beta), ("bias", bias)):
        if value is None:
            value = np.ones(units) if name == "gamma" else np.zeros(units)
        value = as_float_array(name, value, ndim=1, dtype=np.float64)
        if value.shape != (units,):
            raise ValueError(f"{name} must have shape (units,) = ({units},), got {value.shape}")
        checked.append(value)
    return (kernel, recurrent_kernel, *checked)


def layer_norm_simple_rnn_forward(inputs, kernel, recurrent_kernel, gamma=None, beta=None,
                                  bias=None, *, initial_state=None, activation="tanh",
                                  epsilon=1e-3, return_sequences=False):
    """Run ``keras.layers.RNN(LayerNormSimpleRNNCell(units))`` over a batch, in NumPy.

    At every step ``t``, for the whole mini-batch,

    ``A_t = X_t @ kernel + H_{t-1} @ recurrent_kernel (+ bias)``, shape ``(m, units)``

    ``H_t = activation(layer_norm(A_t, gamma, beta))``, the mean and variance taken
    over the ``units`` axis of each sequence separately,

    with ``H_{-1}`` the initial state (zeros by default). The weights are in the
    cell's layout, so ``{w.name: w.numpy() for w in cell.weights}`` can be passed in.

    Args:
        inputs: shape ``(m, T, n_inputs)``.
        kernel: shape ``(n_inputs, units)``.
        recurrent_kernel: shape ``(units, units)``.
        gamma: the normalisation's scale, shape ``(units,)``; ones when None.
        beta: the normalisation's shift, shape ``(units,)``; zeros when None.
        bias: shape ``(units,)`` (the cell's ``use_bias=True``), or None.
        initial_state: shape ``(m, units)``; zeros when None.
        activation: ``"tanh"`` (the cell's default), ``"relu"``, ``"sigmoid"`` or
            ``"linear"``.
        epsilon: added to the variance; the cell's default ``1e-3``.
        return_sequences: return every step's output, shape ``(m, T, units)``,
            instead of the last, shape ``(m, units)``.

    Returns:
        A float64 array of outputs.

    Raises:
        ValueError: shapes that do not fit the cell's layout, NaN or inf, an unknown
            activation, ``epsilon <= 0``.

    Example:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> h = layer_norm_simple_rnn_forward(rng.normal(size=(2, 5, 3)),
    ...                                   rng.normal(size=(3, 4)), np.eye(4))
    >>> h.shape
    (2, 4)
    """
    inputs = as_float_array("inputs", inputs, ndim=3, dtype=np.float64)
    m, n_steps, n_inputs = inputs.shape
    kernel, recurrent_kernel, gamma, beta, bias = _check_cell_weights(
        n_inputs, kernel, recurrent_kernel, gamma, beta, bias)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    act = ACTIVATIONS[activation]
    epsilon = positive_number("epsilon", epsilon)
    units = kernel.shape[1]
    state = recurrent_state("initial_state", initial_state, m, units)
    outputs = np.empty((m, n_steps, units))
    for t in range(n_steps):
        pre_activation = inputs[:, t] @ kernel + state @ recurrent_kernel + bias
        state = act(layer_norm(pre_activation, gamma, beta, axis=-1, epsilon=epsilon))
        outputs[:, t] = state
    return outputs if return_sequences else state
