"""Gradient clipping by value, by norm and by global norm, in NumPy.

The three functions take a list of gradient arrays, one per variable (as an optimizer
sees them), and return a new list of float64 arrays of the same shapes. They compute
what a Keras optimizer applies with ``clipvalue``, ``clipnorm`` and
``global_clipnorm`` respectively.
"""

from __future__ import annotations

import numpy as np

from seqlab.checks import as_float_array, positive_number


def _check_grads(grads):
    if isinstance(grads, np.ndarray) or not isinstance(grads, (list, tuple)):
        raise TypeError(
            "grads must be a list of arrays, one per variable, "
            f"got {type(grads).__name__} (wrap a single array as [array])")
    if not grads:
        raise ValueError("grads must hold at least one array, got an empty list")
    return [as_float_array(f"grads[{i}]", g, dtype=np.float64) for i, g in enumerate(grads)]


def clip_by_value(grads, clipvalue):
    """Clip every entry of every gradient to ``[-clipvalue, clipvalue]``.

    This is Keras's ``clipvalue``. Each entry is clipped on its own, so the gradient's
    direction changes whenever some entries are clipped and others are not.

    Args:
        grads: list of arrays, one per variable.
        clipvalue: a number > 0.

    Returns:
        A list of float64 arrays, shaped like ``grads``.

    Raises:
        TypeError: ``grads`` is not a list or tuple of arrays; ``clipvalue`` not a number.
        ValueError: ``clipvalue <= 0``, an empty list, or NaN/inf in a gradient.

    Example:

    >>> import numpy as np
    >>> clip_by_value([np.array([3.0, -0.5])], 1.0)[0].tolist()
    [1.0, -0.5]
    """
    grads = _check_grads(grads)
    clipvalue = positive_number("clipvalue", clipvalue)
    return [np.clip(g, -clipvalue, clipvalue) for g in grads]


def clip_by_norm(grads, clipnorm):
    """Rescale each gradient separately so that its L2 norm is at most ``clipnorm``.

    This is Keras's ``clipnorm``: ``g * clipnorm / max(||g||, clipnorm)`` for every
    variable's gradient ``g`` on its own. Each variable's gradient keeps its direction,
    but the whole gradient's direction changes when some variables are rescaled and
    others are not.

    Args:
        grads: list of arrays, one per variable.
        clipnorm: a number > 0.

    Returns:
        A list of float64 arrays, shaped like ``grads``.

    Raises:
        TypeError: ``grads`` is not a list or tuple of arrays; ``clipnorm`` not a number.
        ValueError: ``clipnorm <= 0``, an empty list, or NaN/inf in a gradient.

    Example:

    >>> import numpy as np
    >>> clipped = clip_by_norm([np.array([3.0, 4.0]), np.array([0.1])], 1.0)
    >>> [c.tolist() for c in clipped]
    [[0.6, 0.8], [0.1]]
    """
    grads = _check_grads(grads)
    clipnorm = positive_number("clipnorm", clipnorm)
    return [g * clipnorm / max(float(np.linalg.norm(g)), clipnorm) for g in grads]


def global_norm(grads):
    """The L2 norm of all gradients together, ``sqrt(sum of every squared entry)``.

    Example:

    >>> import numpy as np
    >>> global_norm([np.array([3.0]), np.array([4.0])])
    5.0
    """
    grads = _check_grads(grads)
    return float(np.sqrt(sum(np.sum(g ** 2) for g in grads)))


def clip_by_global_norm(grads, global_clipnorm):
    """Rescale all gradients by one factor so that their global norm is at most
    ``global_clipnorm``.

    This is Keras's ``global_clipnorm``: every gradient is multiplied by
    ``global_clipnorm / max(N, global_clipnorm)``, where ``N`` is the L2 norm of all
    gradients concatenated (:func:`global_norm`). The whole gradient keeps its direction.

    Args:
        grads: list of arrays, one per variable.
        global_clipnorm: a number > 0.

    Returns:
        A list of float64 arrays, shaped like ``grads``.

    Raises:
        TypeError: ``grads`` is not a list or tuple of arrays; ``global_clipnorm`` not a
            number.
        ValueError: ``global_clipnorm <= 0``, an empty list, or NaN/inf in a gradient.

    Example:

    >>> import numpy as np
    >>> clipped = clip_by_global_norm([np.array([3.0]), np.array([4.0])], 1.0)
    >>> [c.tolist() for c in clipped]
    [[0.6], [0.8]]
    """
    grads = _check_grads(grads)
    global_clipnorm = positive_number("global_clipnorm", global_clipnorm)
    denominator = max(global_norm(grads), global_clipnorm)
    return [g * global_clipnorm / denominator for g in grads]
