"""Run-size switch shared by every chapter, and seeding.

Chapters run at full size in the book and on the GPU workflow, and at a reduced size in
CI, where ``SEQLAB_QUICK=1`` is set. A chapter never tests the variable itself: it asks
:func:`budget` for a number, so every size decision is visible at the call site::

    epochs = seqlab.budget(full=50, quick=3)
"""

from __future__ import annotations

import os
import random

import numpy as np

from seqlab.checks import positive_int

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def is_quick() -> bool:
    """Return True when ``SEQLAB_QUICK`` asks for the reduced run size.

    Read at call time, so tests can change the environment variable.
    """
    value = os.environ.get("SEQLAB_QUICK", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"SEQLAB_QUICK must be one of {sorted(_TRUE | _FALSE)}, got {value!r}"
    )


QUICK = is_quick()
"""Whether this process started in quick mode (``SEQLAB_QUICK=1``)."""


def is_fast() -> bool:
    """Return False when ``SEQLAB_FAST`` turns the speed settings of training off.

    :func:`seqlab.training.fit_and_evaluate` picks the fastest correct settings per
    backend (XLA on TensorFlow for long runs) unless ``fast=False`` is passed or
    ``SEQLAB_FAST=0`` is set; unset, the settings are on. Read at call time.

    Example:

    >>> is_fast() in (True, False)
    True
    """
    value = os.environ.get("SEQLAB_FAST", "1").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE - {""}:
        return False
    raise ValueError(
        f"SEQLAB_FAST must be one of {sorted((_TRUE | _FALSE) - {''})}, got {value!r}"
    )


def budget(full, quick):
    """Return ``quick`` in quick mode (``SEQLAB_QUICK=1``), ``full`` otherwise.

    Args:
        full: value used for the full-size run (the book, the GPU workflow).
        quick: value used in CI. Must have the same type as ``full``.

    Returns:
        ``full`` or ``quick``.

    Example:

    >>> budget(full=100, quick=5) in (100, 5)
    True
    """
    if type(full) is not type(quick):
        raise TypeError(
            "budget(full=..., quick=...) expects values of one type, got "
            f"full={type(full).__name__} and quick={type(quick).__name__}"
        )
    return quick if is_quick() else full


def seed_everything(seed: int = 42) -> None:
    """Seed Python, NumPy and the active Keras backend so that runs repeat.

    Args:
        seed: an integer from 0 to 2**32 - 1 (NumPy's range); NumPy integers are accepted.

    Raises:
        TypeError: if ``seed`` is not an integer.
        ValueError: if ``seed`` is out of range.

    Example:

    >>> seed_everything(7)
    >>> first = np.random.rand()
    >>> seed_everything(7)
    >>> np.random.rand() == first
    True
    """
    seed = positive_int("seed", seed, minimum=0, maximum=2 ** 32 - 1)
    import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
