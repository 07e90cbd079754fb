"""Receptive field of a stack of 1-D convolutions: its span, the steps seen, its inverse.

For a stack of layers ``l = 1 .. L`` (the input's layer first) with kernel sizes
``k_l``, dilation rates ``d_l`` and strides ``s_l``, one output of the top layer
depends on the input steps

``t_last - sum_l i_l * d_l * S_l``  for every choice of ``i_l`` in ``0 .. k_l - 1``,

where ``t_last`` is the last input step it sees and ``S_l = s_1 * ... * s_(l-1)`` is
the spacing, in input steps, of layer ``l``'s inputs (``S_1 = 1``). The offsets
``sum_l i_l * d_l * S_l`` are :func:`seen_offsets`; the largest plus one is the span
returned by :func:`receptive_field`. With rates that double from 1 and kernel 2 every
step of the span is seen; with other rates (2, 4, 8, 16 for instance) the span has holes.
"""

from __future__ import annotations

import numpy as np

from seqlab.checks import positive_int, positive_ints


def _layers(kernel_size, dilation_rates, strides):
    """Per-layer kernel sizes, rates and strides, checked; the rates set the depth."""
    rates = positive_ints("dilation_rates", dilation_rates)
    kernels = positive_ints("kernel_size", kernel_size, length=len(rates))
    steps = positive_ints("strides", strides, length=len(rates))
    return kernels, rates, steps


def receptive_field(kernel_size, dilation_rates, strides=1):
    """The span of input steps that one output of a 1-D convolution stack depends on.

    The span runs from the first to the last input step an output can depend on,
    both included:

    ``span = 1 + sum_l (k_l - 1) * d_l * (s_1 * ... * s_(l-1))``

    (each stride multiplies the reach of every layer above it). The span is not the
    number of steps the output *sees*: dilation rates such as 2, 4, 8, 16 leave holes
    (:func:`seen_offsets` lists the steps actually seen).

    Args:
        kernel_size: kernel size of every layer (an int), or one per layer.
        dilation_rates: one dilation rate per layer, bottom layer first (a list, a
            NumPy array, or a single int for a one-layer stack).
        strides: stride of every layer (an int), or one per layer.

    Returns:
        The span, an int >= 1.

    Raises:
        TypeError: for a non-integer argument.
        ValueError: for a value below 1, no layers, or per-layer lists of different
            lengths.

    Example:

    >>> receptive_field(2, [1, 2, 4, 8])
    16
    >>> receptive_field(2, 4)
    5
    >>> receptive_field(4, [1, 1], strides=2)
    10
    """
    kernels, rates, steps = _layers(kernel_size, dilation_rates, strides)
    span, spacing = 1, 1
    for k, d, s in zip(kernels, rates, steps):
        span += (k - 1) * d * spacing
        spacing *= s
    return span


def seen_offsets(kernel_size, dilation_rates, strides=1):
    """The input steps one output actually depends on, as offsets back in time.

    Offset 0 is the last input step the output sees (for a causal stack, the output's
    own step); offset ``o`` is ``o`` steps before it. The largest offset is
    ``receptive_field(...) - 1``.

    Args:
        kernel_size: kernel size of every layer (an int), or one per layer.
        dilation_rates: one dilation rate per layer, bottom layer first, or an int.
        strides: stride of every layer (an int), or one per layer.

    Returns:
        A sorted 1-D NumPy int array of distinct offsets.

    Raises:
        TypeError, ValueError: as :func:`receptive_field`.

    Example:

    >>> offsets = seen_offsets(2, [2, 4, 8, 16])
    >>> len(offsets), int(offsets.max()) + 1
    (16, 31)
    >>> seen_offsets(2, [1, 2, 4]).tolist()
    [0, 1, 2, 3, 4, 5, 6, 7]
    """
    kernels, rates, steps = _layers(kernel_size, dilation_rates, strides)
    offsets, spacing = np.zeros(1, dtype=int), 1
    for k, d, s in zip(kernels, rates, steps):
        taps = np.arange(k) * d * spacing
        offsets = np.unique((offsets[:, None] + taps[None, :]).ravel())
        spacing *= s
    return offsets


def dilation_rates_for(target_field, kernel_size=2):
    """Doubling dilation rates ``[1, 2, 4, ...]`` reaching a receptive field.

    Returns the shortest list ``[1, 2, 4, ..., 2**(n-1)]`` whose
    :func:`receptive_field` is at least ``target_field``; with ``kernel_size=2``
    that field is ``2**n``.

    Args:
        target_field: the number of steps each output must see, >= 1.
        kernel_size: kernel size of every layer, >= 2 (a kernel of 1 never widens
            the field).

    Returns:
        A list of ints (at least ``[1]``).

    Raises:
        TypeError: for a non-integer argument.
        ValueError: for ``target_field < 1`` or ``kernel_size < 2``.

    Example:

    >>> dilation_rates_for(16, kernel_size=2)
    [1, 2, 4, 8]
    >>> dilation_rates_for(17, kernel_size=2)
    [1, 2, 4, 8, 16]
    """
    target_field = positive_int("target_field", target_field)
    kernel_size = positive_int("kernel_size", kernel_size, minimum=2)
    rates = [1]
    while receptive_field(kernel_size, rates) < target_field:
        rates.append(2 * rates[-1])
    return rates
