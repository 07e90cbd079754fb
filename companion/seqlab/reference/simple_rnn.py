"""A simple recurrent layer in NumPy, in Keras's weight layout."""

from __future__ import annotations

import numpy as np

from seqlab.checks import as_float_array, recurrent_state

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
    state = recurrent_state("initial_state", initial_state, m, units)
    outputs = np.empty((m, n_steps, units))
    for t in range(n_steps):
        state = act(inputs[:, t, :] @ kernel + state @ recurrent_kernel + bias)
        outputs[:, t, :] = state
    return outputs if return_sequences else state


def _activation_derivative(activation, outputs):
    """The activation's derivative, written in terms of its *output* ``y``.

    The backward pass only keeps the outputs, so each derivative is expressed through
    them: ``tanh' = 1 - y**2``, ``sigmoid' = y * (1 - y)``, ``relu' = [y > 0]``.
    """
    if activation == "tanh":
        return 1.0 - outputs ** 2
    if activation == "sigmoid":
        return outputs * (1.0 - outputs)
    if activation == "relu":
        return (outputs > 0.0).astype(np.float64)
    return np.ones_like(outputs)


def _check_d_outputs(d_outputs, m, n_steps, units):
    """Return ``d_outputs`` as an ``(m, T, units)`` array (zeros except the last step
    when only the last output's gradient is given)."""
    d_outputs = as_float_array("d_outputs", d_outputs, ndim=(2, 3), dtype=np.float64)
    if d_outputs.ndim == 2:
        if d_outputs.shape != (m, units):
            raise ValueError(
                f"d_outputs must have shape (m, units) = ({m}, {units}) for the last output, "
                f"or (m, T, units) = ({m}, {n_steps}, {units}) for every step; got {d_outputs.shape}"
            )
        full = np.zeros((m, n_steps, units))
        full[:, -1, :] = d_outputs
        return full
    if d_outputs.shape != (m, n_steps, units):
        raise ValueError(
            f"d_outputs must have shape (m, T, units) = ({m}, {n_steps}, {units}) for every step, "
            f"or (m, units) = ({m}, {units}) for the last output; got {d_outputs.shape}"
        )
    return d_outputs


def _check_truncate(truncate):
    if truncate is None:
        return None
    if isinstance(truncate, bool) or not isinstance(truncate, (int, np.integer)) or truncate < 1:
        raise ValueError(
            f"truncate must be None (full backpropagation through time) or an integer >= 1 "
            f"(number of steps each output's gradient flows back), got {truncate!r}"
        )
    return int(truncate)


def _backward(inputs, kernel, recurrent_kernel, bias, d_outputs, initial_state, activation,
              truncate):
    """Forward pass, then BPTT. Returns the gradient dict and dL/dy_t at every step."""
    inputs = as_float_array("inputs", inputs, ndim=3, dtype=np.float64)
    m, n_steps, n_inputs = inputs.shape
    kernel, recurrent_kernel, bias = _check_weights(n_inputs, kernel, recurrent_kernel, bias)
    units = kernel.shape[1]
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    truncate = _check_truncate(truncate)
    initial_state = recurrent_state("initial_state", initial_state, m, units)
    d_outputs = _check_d_outputs(d_outputs, m, n_steps, units)

    outputs = simple_rnn_forward(inputs, kernel, recurrent_kernel, bias, initial_state=initial_state,
                                 activation=activation, return_sequences=True)
    # previous[:, t] is the state that step t received: y_{t-1}, or the initial state.
    previous = np.concatenate([initial_state[:, None, :], outputs[:, :-1, :]], axis=1)
    local_slope = _activation_derivative(activation, outputs)

    grads = {
        "kernel": np.zeros_like(kernel),
        "recurrent_kernel": np.zeros_like(recurrent_kernel),
        "bias": np.zeros_like(bias),
        "inputs": np.zeros_like(inputs),
        "initial_state": np.zeros_like(initial_state),
    }
    state_grads = np.zeros_like(outputs)

    def step_back(t, d_state):
        """Push dL/dy_t through step t; return dL/dy_{t-1} along this path."""
        state_grads[:, t] += d_state
        d_pre = d_state * local_slope[:, t]
        grads["kernel"] += inputs[:, t].T @ d_pre
        grads["recurrent_kernel"] += previous[:, t].T @ d_pre
        grads["bias"] += d_pre.sum(axis=0)
        grads["inputs"][:, t] += d_pre @ kernel.T
        return d_pre @ recurrent_kernel.T

    if truncate is None or truncate >= n_steps:
        # One sweep from the last step back: the gradient arriving at y_t is the sum
        # of the output's own gradient and what flows back from step t + 1.
        d_state = np.zeros((m, units))
        for t in range(n_steps - 1, -1, -1):
            d_state = step_back(t, d_state + d_outputs[:, t])
        grads["initial_state"] = d_state
    else:
        # Each output's gradient flows back through at most `truncate` steps; the
        # state computed just before that window is treated as a constant.
        for t in range(n_steps - 1, -1, -1):
            if not d_outputs[:, t].any():
                continue
            d_state = d_outputs[:, t]
            first = t - truncate + 1
            for s in range(t, max(first, 0) - 1, -1):
                d_state = step_back(s, d_state)
            if first <= 0:
                grads["initial_state"] += d_state
    return grads, state_grads


def simple_rnn_backward(inputs, kernel, recurrent_kernel, bias, d_outputs, *, initial_state=None,
                        activation="tanh", truncate=None):
    """Backpropagation through time (BPTT) for :func:`simple_rnn_forward`.

    With ``z_t = X_t @ kernel + Y_{t-1} @ recurrent_kernel + bias`` and
    ``Y_t = activation(z_t)``, and ``G_t`` the gradient of the loss with respect to
    ``Y_t`` (the output's own gradient plus what flows back from step ``t + 1``):

    - ``dZ_t = G_t * activation'(z_t)``, shape ``(m, units)``
    - ``d kernel = sum_t X_t.T @ dZ_t``, ``d recurrent_kernel = sum_t Y_{t-1}.T @ dZ_t``,
      ``d bias = sum_t dZ_t.sum(axis=0)``
    - ``d X_t = dZ_t @ kernel.T`` and ``G_{t-1} = d_outputs_{t-1} + dZ_t @ recurrent_kernel.T``

    Args:
        inputs: shape ``(m, T, n_inputs)``.
        kernel: shape ``(n_inputs, units)``.
        recurrent_kernel: shape ``(units, units)``.
        bias: shape ``(units,)``, or None for no bias (its gradient is still returned).
        d_outputs: gradient of the loss with respect to the outputs: shape ``(m, units)``
            when only the last output enters the loss (``return_sequences=False``), or
            ``(m, T, units)`` for every step (zeros at the steps the loss ignores).
        initial_state: shape ``(m, units)``; zeros when None.
        activation: ``"tanh"``, ``"relu"``, ``"sigmoid"`` or ``"linear"``.
        truncate: None for full BPTT, or ``k >= 1``: truncated BPTT, where the gradient
            of the output at step ``t`` flows back through steps ``t, t-1, ..., t-k+1``
            only, and the state computed before that window is treated as a constant
            (the initial state is still reached when the window covers step 0). With
            ``k >= T`` the result equals full BPTT.

    Returns:
        A dict of float64 arrays with keys ``"kernel"``, ``"recurrent_kernel"``,
        ``"bias"``, ``"inputs"`` and ``"initial_state"``, each shaped like its argument.

    Raises:
        ValueError: on a shape that does not fit Keras's layout, NaN or inf values, an
            unknown activation, or ``truncate < 1``.

    Example:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(2, 5, 3))
    >>> grads = simple_rnn_backward(x, rng.normal(size=(3, 4)), 0.5 * np.eye(4),
    ...                             np.zeros(4), np.ones((2, 4)))
    >>> sorted(grads)
    ['bias', 'initial_state', 'inputs', 'kernel', 'recurrent_kernel']
    >>> grads["kernel"].shape
    (3, 4)
    """
    grads, _ = _backward(inputs, kernel, recurrent_kernel, bias, d_outputs, initial_state,
                         activation, truncate)
    return grads


def simple_rnn_state_gradients(inputs, kernel, recurrent_kernel, bias, d_outputs, *,
                               initial_state=None, activation="tanh", truncate=None):
    """The gradient of the loss with respect to the state ``Y_t`` at every step.

    This is ``G_t`` of :func:`simple_rnn_backward`: the output's own gradient plus all
    that flows back from later steps. Its norm, plotted against ``t``, shows gradients
    vanishing or exploding as they travel back in time. It takes the same arguments as
    :func:`simple_rnn_backward`.

    Returns:
        A float64 array of shape ``(m, T, units)``.

    Example:

    >>> import numpy as np
    >>> x = np.zeros((1, 4, 1))
    >>> g = simple_rnn_state_gradients(x, np.zeros((1, 2)), 0.5 * np.eye(2), None,
    ...                                np.ones((1, 2)), activation="linear")
    >>> g[0, :, 0].tolist()
    [0.125, 0.25, 0.5, 1.0]
    """
    _, state_grads = _backward(inputs, kernel, recurrent_kernel, bias, d_outputs, initial_state,
                               activation, truncate)
    return state_grads
