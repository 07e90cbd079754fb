"""The result that every exercise checker returns."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

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
