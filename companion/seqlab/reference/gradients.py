"""Helpers for checking and inspecting gradients, in NumPy.

:func:`numerical_gradient` is the independent reference that every hand-written
backward pass in the course is checked against: it needs nothing but the forward
computation.
"""

from __future__ import annotations

import numpy as np

from seqlab.checks import as_float_array


def numerical_gradient(f, x, eps=1e-6):
    """Estimate the gradient of a scalar function by central differences.

    For every entry ``x[i]``, ``df/dx[i] ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``,
    with an error of order ``eps**2``. It costs two calls of ``f`` per entry, so keep
    ``x`` small, and compute in float64: in float32 the rounding error of ``f``
    divided by ``2 eps`` swamps the estimate.

    Args:
        f: a function of one array, returning a scalar (a Python or NumPy number).
        x: the point, an array of any shape; it is not modified.
        eps: the step, > 0.

    Returns:
        A float64 array shaped like ``x``.

    Raises:
        ValueError: if ``eps <= 0``, ``x`` holds NaN or inf, or ``f`` does not return a
            finite scalar.

    Example:

    >>> import numpy as np
    >>> g = numerical_gradient(lambda v: np.sum(v ** 3), np.array([1.0, 2.0]))
    >>> np.round(g, 6).tolist()
    [3.0, 12.0]
    """
    if not np.isscalar(eps) or not eps > 0:
        raise ValueError(f"eps must be a positive number, got {eps!r}")
    point = as_float_array("x", x, dtype=np.float64).copy()
    grad = np.zeros_like(point)
    flat_point, flat_grad = point.reshape(-1), grad.reshape(-1)
    for i in range(flat_point.size):
        original = flat_point[i]
        flat_point[i] = original + eps
        above = _scalar(f(point))
        flat_point[i] = original - eps
        below = _scalar(f(point))
        flat_point[i] = original
        flat_grad[i] = (above - below) / (2.0 * eps)
    return grad


def _scalar(value):
    array = np.asarray(value, dtype=np.float64)
    if array.size != 1:
        raise ValueError(f"f must return a scalar, got an array of shape {array.shape}")
    number = float(array.reshape(()))
    if not np.isfinite(number):
        raise ValueError(f"f must return a finite number, got {number}")
    return number


def max_abs_difference(a, b):
    """The largest absolute difference between two arrays of the same shape.

    Args:
        a: an array.
        b: an array of the same shape.

    Returns:
        A Python float.

    Raises:
        ValueError: if the shapes differ.

    Example:

    >>> max_abs_difference([1.0, 2.0], [1.0, 2.5])
    0.5
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def cosine_similarity(a, b):
    """The cosine of the angle between two arrays seen as flat vectors.

    1 means the same direction, 0 orthogonal, -1 opposite: used to compare a
    truncated gradient with the full one.

    Args:
        a: an array.
        b: an array of the same shape.

    Returns:
        A Python float in ``[-1, 1]``.

    Raises:
        ValueError: if the shapes differ or either array is all zeros.

    Example:

    >>> cosine_similarity([1.0, 0.0], [2.0, 0.0])
    1.0
    """
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    if norms == 0:
        raise ValueError("cosine_similarity is undefined when an array is all zeros")
    return float(np.clip(a @ b / norms, -1.0, 1.0))


def state_gradient_norms(state_gradients):
    """The norm of the gradient with respect to the state at each step, averaged over
    the batch.

    Args:
        state_gradients: shape ``(m, T, units)``, as returned by
            :func:`seqlab.reference.simple_rnn_state_gradients`.

    Returns:
        A float64 array of shape ``(T,)``: the mean over the ``m`` sequences of the
        Euclidean norm of ``dL/dY_t``.

    Example:

    >>> import numpy as np
    >>> state_gradient_norms(np.ones((2, 3, 4))).tolist()
    [2.0, 2.0, 2.0]
    """
    grads = as_float_array("state_gradients", state_gradients, ndim=3, dtype=np.float64)
    return np.linalg.norm(grads, axis=2).mean(axis=0)
