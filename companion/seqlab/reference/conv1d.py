"""A 1-D convolution in NumPy, in the layout of ``keras.layers.Conv1D``."""

from __future__ import annotations

import numpy as np

from seqlab.checks import as_float_array, one_of, positive_int


def conv1d(inputs, kernel, bias=None, *, strides=1, dilation_rate=1, padding="valid"):
    """Forward pass of ``keras.layers.Conv1D`` (no activation), written out in NumPy.

    With kernel size ``k``, dilation ``d`` and stride ``s``, output ``j`` is

    ``y[:, j] = sum_i x_pad[:, j * s + i * d] @ kernel[i] + bias``

    where ``x_pad`` is the input with zeros added on the left (and, for ``"same"``, on
    the right). This is a cross-correlation: tap ``i`` of the kernel meets the
    ``i``-th step of the window, and the kernel is not flipped as in ``np.convolve``.
    Padding:

    - ``"valid"``: none; ``floor((T - (k - 1) * d - 1) / s) + 1`` outputs.
    - ``"causal"``: ``(k - 1) * d`` zeros on the left, so output ``j`` sees inputs up
      to step ``j * s`` and no later one; ``ceil(T / s)`` outputs.
    - ``"same"``: ``ceil(T / s)`` outputs; ``total = max((n_out - 1) * s + (k - 1) * d
      + 1 - T, 0)`` zeros, ``total // 2`` on the left and the rest on the right.

    Args:
        inputs: shape ``(m, T, n_in)``.
        kernel: shape ``(k, n_in, n_out)``, as ``Conv1D.kernel`` stores it.
        bias: shape ``(n_out,)``, or None for no bias.
        strides: stride s (>= 1).
        dilation_rate: dilation rate d (>= 1).
        padding: ``"valid"``, ``"same"`` or ``"causal"``.

    Returns:
        A float64 array of shape ``(m, n_out_steps, n_out)``.

    Raises:
        TypeError: for non-numeric arrays or non-integer settings.
        ValueError: for arrays of the wrong rank or inconsistent shapes, a setting
            below 1, an unknown padding, or a ``"valid"`` window longer than the input.

    Example:

    >>> x = np.arange(5.0).reshape(1, 5, 1)
    >>> kernel = np.array([1.0, 10.0]).reshape(2, 1, 1)
    >>> conv1d(x, kernel)[0, :, 0].tolist()
    [10.0, 21.0, 32.0, 43.0]
    >>> conv1d(x, kernel, padding="causal")[0, :, 0].tolist()
    [0.0, 10.0, 21.0, 32.0, 43.0]
    """
    x = as_float_array("inputs", inputs, ndim=3, dtype=np.float64)
    w = as_float_array("kernel", kernel, ndim=3, dtype=np.float64)
    strides = positive_int("strides", strides)
    dilation_rate = positive_int("dilation_rate", dilation_rate)
    one_of("padding", padding, ("valid", "same", "causal"))
    m, n_steps, n_in = x.shape
    k, kernel_in, n_out = w.shape
    if k == 0 or n_out == 0:
        raise ValueError(f"kernel must have shape (k, n_in, n_out) with k, n_out >= 1, "
                         f"got {w.shape}")
    if kernel_in != n_in:
        raise ValueError(f"kernel must have shape (k, {n_in}, n_out) for inputs with "
                         f"{n_in} channels, got kernel shape {w.shape}")
    if bias is not None:
        b = as_float_array("bias", bias, ndim=1, dtype=np.float64)
        if b.shape != (n_out,):
            raise ValueError(f"bias must have shape ({n_out},), got {b.shape}")
    reach = (k - 1) * dilation_rate
    if padding == "valid":
        left = right = 0
    elif padding == "causal":
        left, right = reach, 0
    else:
        n_wanted = -(-n_steps // strides)
        total = max((n_wanted - 1) * strides + reach + 1 - n_steps, 0)
        left, right = total // 2, total - total // 2
    padded = np.concatenate([np.zeros((m, left, n_in)), x, np.zeros((m, right, n_in))], axis=1)
    n_windows = (padded.shape[1] - reach - 1) // strides + 1
    if padded.shape[1] <= reach:
        raise ValueError(
            f"inputs with {n_steps} steps are too short for padding={padding!r}: a window "
            f"of kernel size {k} with dilation_rate={dilation_rate} spans {reach + 1} steps")
    starts = np.arange(n_windows) * strides
    outputs = np.zeros((m, n_windows, n_out))
    for i in range(k):
        outputs += padded[:, starts + i * dilation_rate] @ w[i]
    if bias is not None:
        outputs += b
    return outputs
