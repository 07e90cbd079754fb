"""WaveNet's gated residual block and a whole WaveNet stack in NumPy.

The weights are in Keras's layout, so the weights of
:class:`seqlab.layers.WaveNetResidualBlock` (``block.get_weights()``) and of a stack
built by :func:`seqlab.layers.build_dilated_causal_stack` with ``block="wavenet"``
(``model.get_weights()``) can be passed straight in:

- dilated convolution: ``kernel`` of shape ``(kernel_size, n_filters, 2 * n_filters)``,
  ``bias`` of shape ``(2 * n_filters,)``; the first ``n_filters`` output channels are
  the filter, the last ``n_filters`` the gate;
- 1x1 convolution: ``kernel`` of shape ``(1, n_in, n_out)``, ``bias`` of shape ``(n_out,)``.

Every convolution is :func:`seqlab.reference.conv1d` with ``padding="causal"``.
"""

from __future__ import annotations

import numpy as np

from seqlab.checks import as_float_array, positive_int
from seqlab.reference._weights import sigmoid
from seqlab.reference.conv1d import conv1d


def gated_activation(z):
    """WaveNet's gated activation unit: ``tanh(filter) * sigmoid(gate)``.

    ``tanh`` is applied once, to the filter half; the gate half goes through a sigmoid
    (van den Oord et al. 2016, equation 2).

    Args:
        z: array of shape ``(..., 2 * n)``: the filter in ``z[..., :n]``, the gate in
            ``z[..., n:]``.

    Returns:
        An array of shape ``(..., n)``.

    Raises:
        ValueError: if the last axis has an odd size.

    Example:

    >>> import numpy as np
    >>> gated_activation(np.array([[0.5, 0.0]])).round(4)  # tanh(0.5) * sigmoid(0)
    array([[0.2311]])
    """
    z = as_float_array("z", z, dtype=np.float64)
    if z.ndim == 0 or z.shape[-1] % 2:
        raise ValueError("z must have an even number of channels on its last axis "
                         f"(filter half and gate half), got shape {z.shape}")
    n = z.shape[-1] // 2
    return np.tanh(z[..., :n]) * sigmoid(z[..., n:])


def _pair(name, kernel, bias, *, n_in, n_out=None, width=None):
    kernel = as_float_array(f"{name} kernel", kernel, ndim=3, dtype=np.float64)
    expected_out = kernel.shape[2] if n_out is None else n_out
    if kernel.shape[1] != n_in or kernel.shape[2] != expected_out or (
            width is not None and kernel.shape[0] != width):
        shape = (width or "kernel_size", n_in, expected_out)
        raise ValueError(f"{name} kernel must have shape {shape}, got {kernel.shape}")
    bias = as_float_array(f"{name} bias", bias, ndim=1, dtype=np.float64)
    if bias.shape != (kernel.shape[2],):
        raise ValueError(f"{name} bias must have shape ({kernel.shape[2]},), got {bias.shape}")
    return kernel, bias


def wavenet_residual_block(x, conv_kernel, conv_bias, mix_kernel, mix_bias, *,
                           dilation_rate=1):
    """One WaveNet residual block: gated dilated causal convolution, 1x1, residual sum.

    For ``x`` of shape ``(m, T, c)``:

    - ``z = conv1d(x, conv_kernel, conv_bias, dilation_rate=d, padding="causal")``,
      shape ``(m, T, 2c)``;
    - ``z = tanh(z[..., :c]) * sigmoid(z[..., c:])``, shape ``(m, T, c)``;
    - ``skip = z @ mix_kernel[0] + mix_bias`` (a 1x1 convolution), shape ``(m, T, c)``;
    - ``residual = x + skip``.

    Args:
        x: inputs, shape ``(m, T, c)``.
        conv_kernel: dilated convolution kernel, shape ``(kernel_size, c, 2c)``.
        conv_bias: its bias, shape ``(2c,)``.
        mix_kernel: 1x1 convolution kernel, shape ``(1, c, c)``.
        mix_bias: its bias, shape ``(c,)``.
        dilation_rate: spacing between the taps of the dilated convolution, >= 1.

    Returns:
        ``(residual, skip)``, two float64 arrays of shape ``(m, T, c)``.

    Raises:
        ValueError: for arrays of the wrong rank or shape, or a dilation rate < 1.

    Example:

    >>> import numpy as np
    >>> x = np.ones((1, 5, 2))
    >>> residual, skip = wavenet_residual_block(
    ...     x, np.zeros((2, 2, 4)), np.zeros(4), np.zeros((1, 2, 2)), np.zeros(2),
    ...     dilation_rate=2)
    >>> residual.shape, float(abs(residual - x).max())
    ((1, 5, 2), 0.0)
    """
    x = as_float_array("x", x, ndim=3, dtype=np.float64)
    dilation_rate = positive_int("dilation_rate", dilation_rate)
    c = x.shape[2]
    conv_kernel, conv_bias = _pair("conv", conv_kernel, conv_bias, n_in=c, n_out=2 * c)
    mix_kernel, mix_bias = _pair("mix", mix_kernel, mix_bias, n_in=c, n_out=c, width=1)
    z = conv1d(x, conv_kernel, conv_bias, dilation_rate=dilation_rate, padding="causal")
    skip = gated_activation(z) @ mix_kernel[0] + mix_bias
    return x + skip, skip


def wavenet_stack_forward(x, weights, dilation_rates, *, return_sequences=True):
    """A whole WaveNet stack, as built by ``build_dilated_causal_stack(block="wavenet")``.

    - ``z = x @ W_in + b_in`` (1x1 input projection to ``c`` channels);
    - one :func:`wavenet_residual_block` per dilation rate, each fed the previous
      block's residual output;
    - ``s = relu(sum of the skip outputs)``, ``s = relu(s @ W_head + b_head)``;
    - ``y = s @ W_out + b_out``.

    Args:
        x: inputs, shape ``(m, T, n_features)``.
        weights: the model's ``get_weights()``: input projection kernel and bias, four
            arrays per block (dilated kernel, bias, 1x1 kernel, bias), head kernel and
            bias, output kernel and bias.
        dilation_rates: one rate per block, in order.
        return_sequences: every step, ``(m, T, n_outputs)``, or only the last,
            ``(m, n_outputs)``.

    Returns:
        The stack's output, a float64 array.

    Raises:
        ValueError: if ``weights`` does not hold ``6 + 4 * len(dilation_rates)`` arrays
            of matching shapes, or for a bad dilation rate.

    Example:

    >>> import numpy as np
    >>> c, rates = 2, [1, 2]
    >>> weights = [np.ones((1, 1, c)), np.zeros(c)]
    >>> for _ in rates:
    ...     weights += [np.ones((2, c, 2 * c)), np.zeros(2 * c), np.ones((1, c, c)), np.zeros(c)]
    >>> weights += [np.ones((1, c, c)), np.zeros(c), np.ones((1, c, 1)), np.zeros(1)]
    >>> wavenet_stack_forward(np.zeros((3, 7, 1)), weights, rates).shape
    (3, 7, 1)
    """
    x = as_float_array("x", x, ndim=3, dtype=np.float64)
    rates = [positive_int(f"dilation_rates[{i}]", r) for i, r in enumerate(dilation_rates)]
    if not rates:
        raise ValueError("dilation_rates must hold at least one rate, got none")
    weights = list(weights)
    expected = 6 + 4 * len(rates)
    if len(weights) != expected:
        raise ValueError(f"weights must hold {expected} arrays for {len(rates)} blocks "
                         f"(model.get_weights()), got {len(weights)}")
    kernel, bias = _pair("input projection", weights[0], weights[1], n_in=x.shape[2], width=1)
    z = x @ kernel[0] + bias
    skips = 0.0
    for index, rate in enumerate(rates):
        conv_kernel, conv_bias, mix_kernel, mix_bias = weights[2 + 4 * index:6 + 4 * index]
        z, skip = wavenet_residual_block(z, conv_kernel, conv_bias, mix_kernel, mix_bias,
                                         dilation_rate=rate)
        skips = skips + skip
    c = z.shape[2]
    head_kernel, head_bias = _pair("head", weights[-4], weights[-3], n_in=c, width=1)
    out_kernel, out_bias = _pair("output", weights[-2], weights[-1],
                                 n_in=head_kernel.shape[2], width=1)
    s = np.maximum(np.maximum(skips, 0.0) @ head_kernel[0] + head_bias, 0.0)
    y = s @ out_kernel[0] + out_bias
    return y if return_sequences else y[:, -1]
