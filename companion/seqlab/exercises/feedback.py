"""The result that every exercise checker returns."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np

NOT_DONE = "not done yet"


@dataclass(frozen=True)
class Feedback:
    """What a checker found.

    Attributes:
        passed: True when the answer is right.
        message: one sentence for the learner: what is right, or what is wrong and why.
        hints: further hints, shown as a list under the message.
        diagnosis: a short machine-readable label of the mistake (``"transposed_kernel"``,
            ``"missing_bias"``, ``NOT_DONE``...), used by the tests; empty when passed.

    A Feedback is truthy when the answer passed, so a solution cell can write
    ``assert check_something(answer)``.
    """

    passed: bool
    message: str
    hints: tuple[str, ...] = field(default_factory=tuple)
    diagnosis: str = ""

    def __post_init__(self):
        if not isinstance(self.passed, (bool, np.bool_)):
            raise TypeError(f"passed must be True or False, got {self.passed!r}")
        if not isinstance(self.message, str):
            raise TypeError(f"message must be a str, got {type(self.message).__name__}")
        if not isinstance(self.hints, tuple) or not all(isinstance(h, str) for h in self.hints):
            raise TypeError(f"hints must be a tuple of str, got {self.hints!r}")
        if not isinstance(self.diagnosis, str):
            raise TypeError(f"diagnosis must be a str, got {type(self.diagnosis).__name__}")
        if not self.passed and not self.diagnosis:
            raise ValueError("diagnosis must name the mistake (a non-empty str) when passed is "
                             "False, got ''")

    @classmethod
    def correct(cls, message: str = "Correct.") -> "Feedback":
        return cls(True, message)

    @classmethod
    def wrong(cls, diagnosis: str, message: str, *hints: str) -> "Feedback":
        return cls(False, message, tuple(hints), diagnosis)

    @classmethod
    def not_done(cls, message: str = "Not done yet: replace the placeholder with your answer.") -> "Feedback":
        return cls(False, message, (), NOT_DONE)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "PASSED" if self.passed else ("NOT DONE" if self.diagnosis == NOT_DONE else "NOT YET")
        lines = [f"{mark}: {self.message}"] + [f"  - {hint}" for hint in self.hints]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else ("#6e7781" if self.diagnosis == NOT_DONE else "#b35900")
        mark = "&#10004;" if self.passed else "&#9998;"
        items = "".join(f"<li>{html.escape(h)}</li>" for h in self.hints)
        hints = f"<ul style='margin:0.2em 0 0 1em'>{items}</ul>" if items else ""
        return (
            f"<div style='border-left:4px solid {colour};padding:0.3em 0.8em'>"
            f"<b style='color:{colour}'>{mark}</b> {html.escape(self.message)}{hints}</div>"
        )


def run_answer(function, *args, what="the result"):
    """Run a learner's function the one way every checker of the course does.

    The placeholder convention is the same in every chapter: an exercise cell starts
    with ``def answer(...): raise NotImplementedError`` (or the name bound to None or
    ``...``), and the learner is told "not done yet", never "your function raised".

    Args:
        function: the learner's function, or None / ``...`` while not done.
        *args: passed to ``function``. Pass copies of arrays the checker reuses.
        what: what the function should return, named in the message when it
            returns None (``"the forecasts"``, ``"the gradient"``).

    Returns:
        ``(result, None)`` when the function ran and returned something, else
        ``(None, feedback)`` with a :class:`Feedback` whose diagnosis is
        ``NOT_DONE`` (placeholder, ``NotImplementedError``, returned None),
        ``"not_callable"`` or ``"raised"`` (any other exception, named with its
        message).

    Example:

    >>> def answer(x):
    ...     raise NotImplementedError
    >>> run_answer(answer, 3)[1].diagnosis
    'not done yet'
    >>> run_answer(lambda x: x + 1, 3)
    (4, None)
    """
    if not isinstance(what, str):
        raise TypeError(f"what must be a str naming what the function returns, got {what!r}")
    if function is None or function is Ellipsis:
        return None, Feedback.not_done()
    if not callable(function):
        return None, Feedback.wrong(
            "not_callable", f"Expected a function, got a {type(function).__name__}.")
    try:
        result = function(*args)
    except NotImplementedError:
        return None, Feedback.not_done()
    except Exception as error:  # the learner's code may fail in any way
        return None, Feedback.wrong(
            "raised", f"Your function raised {type(error).__name__}: {str(error)[:300]}",
            "Run it on a small example and print the shapes at every step.")
    if result is None or result is Ellipsis:
        return None, Feedback.not_done(f"Your function returned None: return {what}.")
    return result, None
