"""Headline results that the book's results page collects from the chapters.

A chapter records each number (or label) that the results page shows::

    results.record("ch01_rnn16_mse", layer_result.valid_score)

In a Jupyter Book build, where ``myst_nb`` is installed, this *glues* the value under its
key (``myst_nb.glue(key, value, display=False)``): the cell shows nothing, and
``book/results.md`` pastes the value with ``{glue:text}`` from the executed chapter, so the
page and the chapter cannot disagree. Anywhere else (Colab, a plain Python script, or
outside a running IPython kernel) ``record`` only checks its arguments: nothing is
displayed or printed. It returns None, so a cell may end with it and show nothing.

Keys start with the chapter, ``chNN_``, so that no two chapters glue the same key.
"""

from __future__ import annotations

import numbers
import re

_KEY = re.compile(r"ch\d\d_[a-z0-9_]+")


class _Text(str):
    """A string whose plain-text display is the string itself, without quotes."""

    def __repr__(self) -> str:
        return str.__str__(self)


def _glue():
    """``myst_nb.glue`` when it can display (myst_nb installed, inside IPython), else None."""
    try:
        from IPython import get_ipython
        from myst_nb import glue
    except ImportError:
        return None
    if get_ipython() is None:
        return None
    return glue


def record(key: str, value):
    """Record a headline number or label of a chapter for the book's results page.

    Args:
        key: ``chNN_`` followed by lowercase letters, digits and underscores, unique
            in the whole book (``"ch07_ln_mse"``).
        value: a real number (a Python or NumPy scalar, stored as a Python ``int`` or
            ``float`` so the page can format it, e.g. ``{glue:text}`path::key:.3f```),
            or a string (pasted as it is, without quotes).

    Raises:
        TypeError: if ``key`` is not a string, or ``value`` is neither a real number
            nor a string (a bool, an array, None).
        ValueError: if ``key`` does not have the form ``chNN_name``, or ``value`` is
            not finite.

    Example:

    >>> from seqlab import results
    >>> results.record("ch01_rnn16_mse", 0.0123)  # shows nothing outside a book build
    """
    if not isinstance(key, str):
        raise TypeError(f"key must be a string like 'ch01_rnn16_mse', got {type(key).__name__}")
    if not _KEY.fullmatch(key):
        raise ValueError(
            "key must be 'chNN_' (the chapter) then lowercase letters, digits and "
            f"underscores, like 'ch01_rnn16_mse'; got {key!r}")
    if isinstance(value, str):
        stored = _Text(value)
    elif isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"value must be a real number or a string, got {type(value).__name__}")
    else:
        stored = int(value) if isinstance(value, numbers.Integral) else float(value)
        if stored != stored or stored in (float("inf"), float("-inf")):
            raise ValueError(f"value must be finite, got {stored}")
    glue = _glue()
    if glue is not None:
        glue(key, stored, display=False)
