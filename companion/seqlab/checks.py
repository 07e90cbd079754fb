"""Argument checks shared by the public functions of seqlab.

Each helper raises an error that names the argument and says what was expected, so a
learner sees "series must be 1-D or 2-D, got shape (4, 5, 6)" and not a stack trace from
inside TensorFlow. Every part of the package (layers, reference, exercises, config) uses
these checks and no other; chapters have no need to import them.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np


def as_float_array(name: str, value, *, ndim: int | Iterable[int] | None = None,
                   allow_nan: bool = False, dtype=np.float32) -> np.ndarray:
    """Convert ``value`` to a float array and check its rank and NaNs."""
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


def positive_int(name: str, value, *, minimum: int = 1) -> int:
    """Check that ``value`` is an integer >= ``minimum`` and return it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    return int(value)


def positive_number(name: str, value) -> float:
    """Check that ``value`` is a finite real number > 0 and return it as ``float``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number > 0, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def one_of(name: str, value, choices: Iterable) -> object:
    """Check that ``value`` is one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")
    return value


def same_shape(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Check that two arrays have the same shape."""
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
