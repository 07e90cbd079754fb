"""Receptive field of a stack of causal dilated convolutions, and its inverse."""

from __future__ import annotations


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def receptive_field(kernel_size, dilation_rates):
    """Number of input steps that one output step of a causal conv stack can see.

    Each layer with kernel size ``k`` and dilation rate ``d`` widens the field by
    ``(k - 1) * d`` steps, so a stack of such layers sees

    ``1 + sum_l (kernel_size - 1) * d_l``

    steps: the current one and the ``receptive_field - 1`` before it.

    Args:
        kernel_size: kernel size shared by every layer (a positive integer).
        dilation_rates: one positive integer per layer, in any order.

    Returns:
        The receptive field, an int.

    Raises:
        ValueError: for a non-positive kernel size or dilation rate, or no layers.

    Example:

    >>> receptive_field(2, [1, 2, 4, 8])
    16
    """
    _positive_int("kernel_size", kernel_size)
    rates = list(dilation_rates)
    if not rates:
        raise ValueError("dilation_rates must hold at least one dilation rate, got none")
    for rate in rates:
        _positive_int("each dilation rate", rate)
    return 1 + (kernel_size - 1) * sum(rates)


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
        A list of ints (empty-free: at least ``[1]``).

    Raises:
        ValueError: for ``target_field < 1`` or ``kernel_size < 2``.

    Example:

    >>> dilation_rates_for(16, kernel_size=2)
    [1, 2, 4, 8]
    >>> dilation_rates_for(17, kernel_size=2)
    [1, 2, 4, 8, 16]
    """
    _positive_int("target_field", target_field)
    _positive_int("kernel_size", kernel_size)
    if kernel_size < 2:
        raise ValueError("kernel_size must be >= 2 to widen the receptive field, got 1")
    rates = [1]
    while receptive_field(kernel_size, rates) < target_field:
        rates.append(2 * rates[-1])
    return rates
