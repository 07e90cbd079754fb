"""Checkers for chapter 2, "Memory cells".

- :func:`check_recall_target`: a function that computes the target of
  :func:`seqlab.memory.recall_task` from the symbols, checked against the generator.
- :func:`check_longest_solved`: a function that reads a memory horizon off a curve of
  errors, checked on curves whose answer is known.
- :func:`check_state_shapes`: the shapes a recurrent layer returns with
  ``return_state=True``.

Each checker returns a :class:`~seqlab.exercises.Feedback` and never raises on a wrong or
unfinished answer; when the answer is wrong, the feedback names the mistake.
"""

from __future__ import annotations

import numpy as np

from seqlab.exercises.feedback import NOT_DONE, Feedback, run_answer
from seqlab.memory import recall_task

__all__ = ["check_recall_target", "check_longest_solved", "check_state_shapes",
           "longest_solved_reference", "STATE_QUIZ"]


# --- the recall target ----------------------------------------------------------------

_RECALL_CASES = ((12, 3), (12, 0), (12, 11), (30, 17))


def check_recall_target(recall_target) -> Feedback:
    """Check ``recall_target(ids, lag)`` against :func:`seqlab.memory.recall_task`.

    ``ids`` is the integer array of symbols, shape ``(n_samples, n_steps)`` (what
    ``recall_task(..., one_hot=False)`` returns), and the function must return the
    targets, shape ``(n_samples,)``: the symbol ``lag`` steps before the last one.

    Args:
        recall_target: the learner's function, or None while the exercise is not done.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"not_callable"``, ``"raised"``,
        ``"wrong_shape"``, ``"off_by_one"`` (``lag`` steps before the end counted from
        ``ids[:, -lag]``), ``"counted_from_start"`` (``ids[:, lag]``), ``"wrong_values"``.
    """
    if recall_target is not None and not callable(recall_target):
        return Feedback.wrong("not_callable", "Give a function recall_target(ids, lag).")
    for n_steps, lag in _RECALL_CASES:
        ids, expected = recall_task(64, n_steps, lag, n_symbols=6, one_hot=False, seed=n_steps + lag)
        result, failure = run_answer(recall_target, ids.copy(), lag, what="the targets")
        if failure is not None:
            return failure
        got = np.asarray(result)
        if got.shape != expected.shape:
            if got.size == expected.size and np.array_equal(got.ravel(), expected):
                return Feedback.wrong("wrong_shape", f"Right values, but shape {got.shape}; "
                                      f"recall_task returns y of shape {expected.shape}.",
                                      "Index one column: ids[:, column], not ids[:, [column]].")
            return Feedback.wrong("wrong_shape", f"Expected an array of shape {expected.shape}, "
                                  f"got {got.shape}.")
        if np.array_equal(got, expected):
            continue
        where = f"(n_steps={n_steps}, lag={lag})"
        if lag > 0 and np.array_equal(got, ids[:, -lag]):
            return Feedback.wrong(
                "off_by_one",
                f"You returned the symbol {lag - 1} steps before the end, not {lag} {where}.",
                "The last symbol, ids[:, -1], is lag 0: lag k is ids[:, -1 - k].")
        if np.array_equal(got, ids[:, lag]):
            return Feedback.wrong("counted_from_start",
                                  f"You counted the lag from the first step {where}.",
                                  "The lag counts back from the end of the sequence.")
        return Feedback.wrong("wrong_values", f"Your targets differ from recall_task's {where}.")
    return Feedback.correct("Your targets match recall_task's for every length and lag tried.")


# --- reading a horizon off an error curve ---------------------------------------------

def longest_solved_reference(lengths, errors, threshold) -> int:
    """The answer :func:`check_longest_solved` expects.

    Args:
        lengths: the sequence lengths (or lags) measured, in any order.
        errors: the error measured at each, lower is better.
        threshold: an error below this counts as solved.

    Returns:
        The largest length L such that every measured length up to L is solved, or 0
        when the shortest one is not.
    """
    order = np.argsort(lengths)
    best = 0
    for length, error in zip(np.asarray(lengths)[order], np.asarray(errors)[order]):
        if not error < threshold:
            break
        best = int(length)
    return best


_CURVES = {
    # name: (lengths, errors, threshold); the answers differ under each typical mistake
    "falling": ([5, 10, 20, 40, 80], [0.01, 0.02, 0.08, 0.15, 0.17], 0.05),
    "lucky spike": ([5, 10, 20, 40, 80], [0.01, 0.09, 0.12, 0.03, 0.16], 0.05),
    "unsorted": ([40, 5, 80, 10, 20], [0.15, 0.01, 0.17, 0.02, 0.03], 0.05),
    "nothing solved": ([5, 10, 20], [0.09, 0.12, 0.16], 0.05),
    "all solved": ([10, 30, 60], [0.001, 0.002, 0.004], 0.05),
}


def _mistakes(lengths, errors, threshold) -> dict:
    """What each typical mistake returns on a curve; first match wins, in this order."""
    lengths, errors = np.asarray(lengths), np.asarray(errors)
    passing = lengths[errors < threshold]
    flipped = lengths[errors > threshold]
    first_fail = next((i for i, e in enumerate(errors) if not e < threshold), len(errors))
    order = np.argsort(lengths)
    sorted_pass = errors[order] < threshold
    index = int(np.argmin(sorted_pass)) - 1 if not sorted_pass.all() else len(lengths) - 1
    return {
        "isolated_pass_counted": int(passing.max()) if passing.size else 0,
        "assumes_sorted": int(lengths[first_fail - 1]) if first_fail > 0 else 0,
        "returned_index": index,
        "wrong_direction": longest_solved_reference(lengths, -errors, -threshold)
        if flipped.size else None,
    }


def check_longest_solved(longest_solved) -> Feedback:
    """Check ``longest_solved(lengths, errors, threshold)`` on curves with known answers.

    The function must return the largest measured length L such that the error is below
    ``threshold`` at every measured length up to L, and 0 when even the shortest one is not
    solved. Lengths may come in any order.

    Args:
        longest_solved: the learner's function, or None while the exercise is not done.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"not_callable"``, ``"raised"``,
        ``"wrong_direction"`` (counts errors above the threshold as solved),
        ``"isolated_pass_counted"`` (a solved length after an unsolved one counted),
        ``"assumes_sorted"``, ``"returned_index"``, ``"nothing_solved_not_zero"``,
        ``"wrong_value"``.
    """
    if longest_solved is not None and not callable(longest_solved):
        return Feedback.wrong("not_callable", "Give a function longest_solved(lengths, errors, threshold).")
    for name, (lengths, errors, threshold) in _CURVES.items():
        expected = longest_solved_reference(lengths, errors, threshold)
        got, failure = run_answer(longest_solved, list(lengths), list(errors), threshold,
                                  what="the longest solved length")
        if failure is not None and failure.diagnosis == NOT_DONE and name == "nothing solved":
            # It answered the curves before this one: None here means "no length", not "not done".
            return Feedback.wrong(
                "nothing_solved_not_zero",
                f"On the curve {name!r}, lengths={lengths}, errors={errors}, threshold={threshold}: "
                "nothing is solved, so the answer is 0; your function gave no number.")
        if failure is not None:
            return failure
        if np.ndim(got) == 0 and got == expected:
            continue
        where = f"On the curve {name!r}, lengths={lengths}, errors={errors}, threshold={threshold}"
        if name == "nothing solved":
            return Feedback.wrong("nothing_solved_not_zero",
                                  f"{where}: nothing is solved, so the answer is 0; you returned {got!r}.")
        for diagnosis, value in _mistakes(lengths, errors, threshold).items():
            if value is not None and value != expected and got == value:
                hint = {
                    "isolated_pass_counted": "Stop at the first length that is not solved: a lucky "
                                             "score further on is not memory.",
                    "wrong_direction": "These are errors: lower is better, solved means error < threshold.",
                    "assumes_sorted": "Sort the lengths (and their errors with them) first.",
                    "returned_index": "Return the length itself, not its position in the list.",
                }[diagnosis]
                return Feedback.wrong(diagnosis, f"{where}: expected {expected}, you returned {got!r}.", hint)
        return Feedback.wrong("wrong_value", f"{where}: expected {expected}, you returned {got!r}.")
    return Feedback.correct("Right on every test curve, including unsorted and unsolved ones.")


# --- what return_state returns ----------------------------------------------------------

STATE_QUIZ = {
    "lstm": "keras.layers.LSTM(8, return_sequences=True, return_state=True) on inputs of shape (4, 10, 3)",
    "gru": "keras.layers.GRU(8, return_state=True) on inputs of shape (4, 10, 3)",
}
"""The two layers :func:`check_state_shapes` asks about."""

_STATE_TRUTH = {"lstm": [(4, 10, 8), (4, 8), (4, 8)], "gru": [(4, 8), (4, 8)]}


def _shapes(value):
    try:
        return [tuple(int(d) for d in shape) for shape in value]
    except (TypeError, ValueError):
        return None


def check_state_shapes(answer) -> Feedback:
    """Check the list of shapes each layer of :data:`STATE_QUIZ` returns.

    Args:
        answer: a dict ``{"lstm": [shape, ...], "gru": [shape, ...]}``, one tuple per
            returned tensor, in the order Keras returns them.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"not_a_dict"``,
        ``"not_shapes"``, ``"forgot_cell_state"`` (an LSTM has two states),
        ``"gru_has_one_state"``, ``"state_has_time_axis"`` (a state is one vector per
        sequence, even with ``return_sequences=True``), ``"ignored_return_sequences"``,
        ``"wrong_shapes"``.
    """
    if answer is None:
        return Feedback.not_done()
    if not isinstance(answer, dict) or set(answer) != set(STATE_QUIZ):
        return Feedback.wrong("not_a_dict", 'Give a dict {"lstm": [...], "gru": [...]}.')
    if any(value is None or value is Ellipsis for value in answer.values()):
        return Feedback.not_done()
    given = {name: _shapes(value) for name, value in answer.items()}
    if any(value is None for value in given.values()):
        return Feedback.wrong("not_shapes", "Each answer must be a list of shape tuples, e.g. [(4, 8)].")
    lstm, gru = given["lstm"], given["gru"]
    if len(lstm) == 2:
        return Feedback.wrong("forgot_cell_state",
                              "An LSTM returns its output and two states: h (the short-term state, "
                              "equal to the last output) and c (the long-term cell state).")
    if len(gru) == 3:
        return Feedback.wrong("gru_has_one_state", "A GRU has a single state vector: it returns "
                              "its output and that one state.")
    for name, shapes in given.items():
        truth = _STATE_TRUTH[name]
        if len(shapes) != len(truth):
            return Feedback.wrong("wrong_shapes", f"{name}: expected {len(truth)} tensors, got {len(shapes)}.")
        if any(len(shape) == 3 for shape in shapes[1:]):
            return Feedback.wrong("state_has_time_axis",
                                  f"{name}: a state is one vector per sequence, shape (batch, units), "
                                  "even when the output is a whole sequence.")
        if name == "lstm" and shapes[0] == (4, 8):
            return Feedback.wrong("ignored_return_sequences",
                                  "With return_sequences=True the first tensor is the output at every "
                                  "step, shape (batch, time, units).")
        if shapes != truth:
            return Feedback.wrong("wrong_shapes", f"{name}: {shapes} is not what Keras returns.",
                                  "Batch first, then time (only for a sequence), then units.")
    return Feedback.correct("Right: LSTM returns output, h and c; GRU returns output and h.")
