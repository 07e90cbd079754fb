"""Checkers for the course's exercises, one module per chapter (``ch01``, ``ch02``, ...).

A checker takes the learner's answer (a function, an array, a model), runs it against a
reference, and returns a :class:`Feedback`: it never raises on a wrong answer, so an
exercise cell can call it on an unfinished answer and the notebook still runs top to
bottom. The feedback says *what* is wrong (transposed weights, a missing bias, the wrong
activation, a wrong shape), not just "incorrect".
"""

from seqlab.exercises.feedback import NOT_DONE, Feedback, run_answer

__all__ = ["Feedback", "NOT_DONE", "run_answer"]
