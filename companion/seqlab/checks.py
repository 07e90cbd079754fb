"""Argument checks shared by the public functions of seqlab.

Each helper raises an error that names the argument and says what was expected, so a
learner sees "series must be 1-D or 2-D, got shape (4, 5, 6)" and not a stack trace from
inside TensorFlow. Every part of the package (layers, reference, exercises, config) uses
these checks and no other; chapters have no need to import them.

Each check returns the value it accepted, converted (an ``int`` from a NumPy integer, a
float array from a list), so a function checks and converts an argument in one line::

    n_steps = positive_int("n_steps", n_steps)

Integer checks accept Python and NumPy integers (``np.arange(3)[0]``) and refuse ``bool``
and floats, even whole ones: ``2.0`` steps is almost always a bug upstream.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np


def as_float_array(name: str, value, *, ndim: int | Iterable[int] | None = None,
                   allow_nan: bool = False, dtype=np.float32) -> np.ndarray:
    """Convert ``value`` to a float array and check its rank, NaNs and infinities.

    Args:
        name: the argument's name, used in the error message.
        value: anything ``np.asarray`` turns into numbers (a list, an array, a tensor
            already on the CPU).
        ndim: the allowed number of dimensions, one int or several; None allows any.
        allow_nan: accept NaN (missing values) when True.
        dtype: the float type of the result (float32, the Keras default, unless asked).

    Returns:
        The array; a NumPy input of the right dtype is not copied.

    Raises:
        TypeError: if ``value`` is not array-like of numbers.
        ValueError: if the rank is not one of ``ndim``, or the array holds NaN (unless
            allowed) or an infinity.

    Example:

    >>> as_float_array("x", [[1, 2], [3, 4]], ndim=2).dtype
    dtype('float32')
    >>> as_float_array("x", [1.0, 2.0], ndim=(2, 3))
    Traceback (most recent call last):
    ...
    ValueError: x must be 2-D or 3-D, got shape (2,)
    """
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be array-like of numbers, got {type(value).__name__}") from error
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            expected = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {expected}, got shape {array.shape}")
    if not allow_nan and array.size and np.isnan(array).any():
        where = np.argwhere(np.isnan(array))[0].tolist()
        raise ValueError(
            f"{name} contains NaN (first at index {where}); fill or drop missing values first"
        )
    if array.size and np.isinf(array).any():
        raise ValueError(f"{name} contains inf")
    return array


def positive_int(name: str, value, *, minimum: int = 1, maximum: int | None = None) -> int:
    """Check that ``value`` is an integer >= ``minimum`` (and <= ``maximum``); return an ``int``.

    Args:
        name: the argument's name, used in the error message.
        value: the value to check; Python and NumPy integers are accepted, ``bool`` and
            floats are not.
        minimum: the smallest value allowed (1 by default; 0 for a count that may be
            empty or a seed).
        maximum: the largest value allowed, or None for no upper bound.

    Returns:
        ``value`` as a Python ``int``.

    Raises:
        TypeError: if ``value`` is not an integer.
        ValueError: if ``value`` is out of range.

    Example:

    >>> positive_int("stride", np.int64(2))
    2
    >>> positive_int("stride", 0)
    Traceback (most recent call last):
    ...
    ValueError: stride must be an integer >= 1, got 0
    >>> positive_int("seed", 2 ** 32, minimum=0, maximum=2 ** 32 - 1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be an integer from 0 to 4294967295, got 4294967296
    """
    expected = f"an integer >= {minimum}" if maximum is None else (
        f"an integer from {minimum} to {maximum}")
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be {expected}, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {expected}, got {value}")
    return int(value)


def positive_number(name: str, value) -> float:
    """Check that ``value`` is a finite real number > 0 and return it as ``float``.

    Args:
        name: the argument's name, used in the error message.
        value: a Python or NumPy number (not a ``bool``).

    Returns:
        ``value`` as a Python ``float``.

    Raises:
        TypeError: if ``value`` is not a real number.
        ValueError: if ``value`` is not finite or not > 0.

    Example:

    >>> positive_number("learning_rate", np.float32(0.5))
    0.5
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number > 0, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def one_of(name: str, value, choices: Iterable) -> object:
    """Check that ``value`` is one of ``choices`` and return it.

    Args:
        name: the argument's name, used in the error message.
        value: the value to check.
        choices: the allowed values.

    Returns:
        ``value``.

    Raises:
        ValueError: if ``value`` is not among ``choices``; the message lists them.

    Example:

    >>> one_of("target", "next", ("next", "horizon"))
    'next'
    >>> one_of("target", "last", ("next", "horizon"))
    Traceback (most recent call last):
    ...
    ValueError: target must be one of ['next', 'horizon'], got 'last'
    """
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Check that two arrays have the same shape.

    Args:
        name_a: the first argument's name.
        a: the first array (anything with a shape, or a nested list).
        name_b: the second argument's name.
        b: the second array.

    Raises:
        ValueError: if the shapes differ; the message gives both.

    Example:

    >>> same_shape("y_true", np.zeros(3), "y_pred", np.zeros((3, 1)))
    Traceback (most recent call last):
    ...
    ValueError: y_true and y_pred must have the same shape, got (3,) and (3, 1)
    """
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {np.shape(a)} and {np.shape(b)}"
        )


def positive_ints(name: str, value, *, length: int | None = None, minimum: int = 1) -> list[int]:
    """Check one integer or a non-empty sequence of integers >= ``minimum``; return a list.

    A single integer stands for a list of one, or, when ``length`` is given, for the
    same value repeated ``length`` times (one per layer); a sequence must then hold
    exactly ``length`` values. NumPy integers and integer arrays are accepted.
    """
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return [positive_int(name, value, minimum=minimum)] * (1 if length is None else length)
    else:
        try:
            values = list(value)
        except TypeError:
            raise TypeError(f"{name} must be an integer or a sequence of integers >= {minimum}, "
                            f"got {value!r}") from None
        if not values:
            raise ValueError(f"{name} must hold at least one integer >= {minimum}, got none")
        if length is not None and len(values) != length:
            raise ValueError(f"{name} must hold one integer per layer ({length}), "
                             f"got {len(values)}: {value!r}")
    return [positive_int(f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(values)]


def recurrent_state(name: str, state, m: int, units: int) -> np.ndarray:
    """Check one recurrent state of shape ``(m, units)``; zeros when it is None.

    The check of every ``initial_state`` of the NumPy references (simple RNN, LSTM, GRU).

    Args:
        name: the argument's name, used in the error message (``"initial_state"``,
            ``"initial_state[1]"``).
        state: an array-like of shape ``(m, units)``, or None for zeros.
        m: the batch size.
        units: the layer's units.

    Returns:
        The state as a float64 array of shape ``(m, units)``.

    Raises:
        TypeError: if ``state`` is not array-like of numbers.
        ValueError: if ``state`` does not have shape ``(m, units)`` or holds NaN or inf.

    Example:

    >>> recurrent_state("initial_state", None, 2, 3).shape
    (2, 3)
    >>> recurrent_state("initial_state", np.zeros((3, 2)), 2, 3)
    Traceback (most recent call last):
    ...
    ValueError: initial_state must have shape (m, units) = (2, 3), got (3, 2)
    """
    if state is None:
        return np.zeros((m, units))
    state = as_float_array(name, state, ndim=2, dtype=np.float64)
    if state.shape != (m, units):
        raise ValueError(f"{name} must have shape (m, units) = ({m}, {units}), got {state.shape}")
    return state


def gate_weights(n_inputs: int, kernel, recurrent_kernel, bias, *, n_gates: int, layer: str,
                 bias_rows: int | None = None):
    """Check the weights of a gated recurrent layer in Keras's layout (gates stacked).

    Shared by the NumPy LSTM (4 gates) and GRU (3 gates): ``kernel`` is
    ``(n_inputs, n_gates * units)``, ``recurrent_kernel`` ``(units, n_gates * units)`` and
    ``bias`` ``(n_gates * units,)``, or ``(bias_rows, n_gates * units)`` for a GRU with
    ``reset_after=True`` (an input row and a recurrent row).

    Args:
        n_inputs: features per time step of the inputs the weights are used on.
        kernel: the input kernel.
        recurrent_kernel: the recurrent kernel.
        bias: the bias, or None for zeros.
        n_gates: the number of stacked blocks (4 for an LSTM, 3 for a GRU).
        layer: the layer named in the messages (``"an LSTM"``).
        bias_rows: the number of bias rows, or None for a 1-D bias.

    Returns:
        ``(kernel, recurrent_kernel, bias, units)``, the arrays as float64.

    Raises:
        TypeError: if a weight is not array-like of numbers.
        ValueError: if a shape does not match the layout; the message gives the shape
            expected and the shape received.

    Example:

    >>> k, rk, b, units = gate_weights(3, np.zeros((3, 8)), np.zeros((2, 8)), None,
    ...                                n_gates=4, layer="an LSTM")
    >>> units, b.shape
    (2, (8,))
    >>> _ = gate_weights(3, np.zeros((3, 8)), np.zeros((8, 2)), None, n_gates=4,
    ...                  layer="an LSTM")
    Traceback (most recent call last):
    ...
    ValueError: recurrent_kernel must have shape (units, 4 * units) = (2, 8), got (8, 2)
    """
    kernel = as_float_array("kernel", kernel, ndim=2, dtype=np.float64)
    recurrent_kernel = as_float_array("recurrent_kernel", recurrent_kernel, ndim=2,
                                      dtype=np.float64)
    if kernel.shape[1] % n_gates:
        raise ValueError(
            f"kernel must have shape (n_inputs, {n_gates} * units) for {layer}, got {kernel.shape}"
        )
    units = kernel.shape[1] // n_gates
    if kernel.shape[0] != n_inputs:
        raise ValueError(
            f"kernel must have shape (n_inputs, {n_gates} * units) = ({n_inputs}, "
            f"{n_gates * units}), got {kernel.shape}"
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
