"""Checkers for chapter 2, "Memory cells".

- :func:`check_recall_target`: a function that computes the target of
  :func:`seqlab.memory.recall_task` from the symbols, checked against the generator.
- :func:`check_first_symbol_task`: a recall task that needs one piece of memory held
  through the whole sequence.
- :func:`check_recall_horizon`: a function that measures a trained model's memory
  horizon, checked on models whose memory is known (:class:`KnownMemory`).
- :func:`check_state_shapes`: the shapes a recurrent layer returns with
  ``return_state=True``.

Each checker returns a :class:`~seqlab.exercises.Feedback` and never raises on a wrong or
unfinished answer; when the answer is wrong, the feedback names the mistake.
"""

from __future__ import annotations

import numpy as np

from seqlab.exercises.feedback import NOT_DONE, Feedback, run_answer
from seqlab.memory import recall_all_lags, recall_task

__all__ = ["check_recall_target", "check_first_symbol_task", "check_recall_horizon",
           "check_state_shapes", "recall_horizon_reference", "KnownMemory", "STATE_QUIZ"]


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
        ids, expected = recall_task(64, n_steps, lag, n_symbols=6, one_hot=False,
                                    seed=n_steps + lag)
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


# --- a task for one piece of memory ------------------------------------------------------

_FIRST_CASES = ((12, 0), (5, 1), (30, 2))


def check_first_symbol_task(first_symbol_task) -> Feedback:
    """Check ``first_symbol_task(n_samples, n_steps, seed)``: sequences whose target is
    their *first* symbol, made with :func:`seqlab.memory.recall_task`.

    Args:
        first_symbol_task: the learner's function, returning ``(X, y)`` as
            ``recall_task`` does (one-hot X, 4 symbols), or None while not done.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"not_callable"``,
        ``"raised"``, ``"lag_too_large"`` (``lag=n_steps``: the first symbol is
        ``n_steps - 1`` steps before the last), ``"not_a_pair"``, ``"wrong_shape"``,
        ``"last_symbol"`` (``lag=0``), ``"second_symbol"`` (``lag=n_steps - 2``),
        ``"wrong_values"``.
    """
    if first_symbol_task is not None and not callable(first_symbol_task):
        return Feedback.wrong("not_callable",
                              "Give a function first_symbol_task(n_samples, n_steps, seed).")
    for n_steps, seed in _FIRST_CASES:
        where = f"(n_samples=32, n_steps={n_steps}, seed={seed})"
        result, failure = run_answer(first_symbol_task, 32, n_steps, seed,
                                     what="(X, y)")
        if failure is not None:
            if "lag must be smaller than n_steps" in failure.message:
                return Feedback.wrong(
                    "lag_too_large", f"recall_task refused your lag {where}.",
                    "Steps run 0 .. n_steps - 1: the first symbol, x_0, is "
                    "n_steps - 1 steps before the last one.")
            return failure
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return Feedback.wrong("not_a_pair", "Return the pair (X, y), as recall_task does.")
        X, y = (np.asarray(part) for part in result)
        if X.shape != (32, n_steps, 4) or y.shape != (32,):
            return Feedback.wrong(
                "wrong_shape", f"Expected X of shape (32, {n_steps}, 4) and y of shape "
                f"(32,) {where}, got {X.shape} and {y.shape}.",
                "Pass n_samples and n_steps on to recall_task, one-hot as by default.")
        symbols = X.argmax(axis=-1)
        if np.array_equal(y, symbols[:, 0]):
            continue
        if np.array_equal(y, symbols[:, -1]):
            return Feedback.wrong("last_symbol", f"Your target is the last symbol {where}.",
                                  "lag counts back from the end: lag=0 is the last symbol.")
        if np.array_equal(y, symbols[:, 1]):
            return Feedback.wrong("second_symbol",
                                  f"Your target is the second symbol, x_1 {where}.",
                                  "With T steps the last is x_{T-1}: x_0 is T - 1 steps "
                                  "before it.")
        return Feedback.wrong("wrong_values", f"Your targets are not the first symbols {where}.")
    return Feedback.correct("Right: lag = n_steps - 1 asks for x_0, the first symbol.")


# --- measuring a memory horizon -----------------------------------------------------------

class KnownMemory:
    """A stand-in for a trained recall model whose memory is known, for the checker.

    Its ``predict(X)`` (also ``predict_on_batch`` and calling it) returns probabilities
    of shape ``(n_samples, n_lags, n_symbols)``: at each lag in ``share``, the right
    symbol (the input ``lag`` steps before the end) for the first ``share[lag]`` of the
    samples, symbol 0 otherwise; at any other lag, always symbol 0 (right by chance).

    Args:
        n_lags: lags answered, 0 .. n_lags - 1.
        share: ``{lag: fraction of samples answered right}``.
    """

    def __init__(self, n_lags, share):
        self.n_lags, self.share = n_lags, dict(share)

    def predict(self, X, verbose=0, **kwargs):
        X = np.asarray(X)
        n, n_symbols = len(X), X.shape[-1]
        answers = np.zeros((n, self.n_lags), dtype=int)
        for lag, fraction in self.share.items():
            right = int(round(fraction * n))
            answers[:right, lag] = X[:right, -1 - lag].argmax(axis=-1)
        return np.eye(n_symbols, dtype=np.float32)[answers]

    predict_on_batch = predict
    __call__ = predict


def recall_horizon_reference(probabilities, Y, threshold=0.9):
    """The answer :func:`check_recall_horizon` expects (see its docstring)."""
    scores = (np.asarray(probabilities).argmax(axis=-1) == Y).mean(axis=0)
    horizon = None
    for lag, score in enumerate(scores):
        if score < threshold:
            break
        horizon = lag
    return horizon


_HORIZON_CASES = {
    # name: (n_lags, {lag: share right}); the answers differ under each typical mistake
    "remembers lags 0-4": (9, {lag: 1.0 for lag in range(5)}),
    "a lucky lag 6": (9, {0: 1.0, 1: 1.0, 2: 1.0, 6: 1.0}),
    "mostly right": (8, {0: 1.0, 1: 1.0, 2: 0.95, 3: 0.92, 4: 0.8}),
    "remembers every lag": (7, {lag: 1.0 for lag in range(7)}),
    "nothing": (5, {}),
}


def _horizon_mistakes(scores, threshold) -> dict:
    passing = np.flatnonzero(scores >= threshold)
    first_fail = next((i for i, s in enumerate(scores) if s < threshold), len(scores))
    perfect = next((i for i, s in enumerate(scores) if s < 1.0), len(scores))
    return {
        "isolated_pass_counted": int(passing.max()) if passing.size else None,
        "counted_lags": first_fail,
        "required_perfect": perfect - 1 if perfect > 0 else None,
    }


_HORIZON_HINTS = {
    "isolated_pass_counted": "Stop at the first lag that fails: a lag answered well after "
                             "one that failed is luck, not memory.",
    "counted_lags": "Return the lag itself (lags start at 0), not how many lags passed.",
    "required_perfect": "A lag passes when its accuracy is at least the threshold, "
                        "not only when it is perfect.",
}


def check_recall_horizon(recall_horizon) -> Feedback:
    """Check ``recall_horizon(probabilities, Y, threshold=0.9)`` on known memories.

    The function gets what a recall model predicts on test sequences, ``probabilities``
    of shape ``(n, n_lags, n_symbols)``, and the targets ``Y`` (shape ``(n, n_lags)``,
    column ``k`` = lag ``k``, as :func:`seqlab.memory.recall_all_lags` makes them); the
    checker makes the probabilities with :class:`KnownMemory`. It must return the
    memory horizon: the largest lag ``k`` such that the accuracy at every lag
    ``0 .. k`` is at least ``threshold``, or None when even lag 0 fails.

    Args:
        recall_horizon: the learner's function, or None while not done.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"not_callable"``,
        ``"raised"``, ``"not_a_lag"`` (an array instead of one number),
        ``"isolated_pass_counted"``, ``"counted_lags"``, ``"required_perfect"``,
        ``"nothing_not_none"``, ``"wrong_value"``.
    """
    if recall_horizon is not None and not callable(recall_horizon):
        return Feedback.wrong("not_callable",
                              "Give a function recall_horizon(probabilities, Y, threshold).")
    threshold = 0.9
    for name, (n_lags, share) in _HORIZON_CASES.items():
        X, Y = recall_all_lags(200, 12, n_lags - 1, seed=n_lags)
        probabilities = KnownMemory(n_lags, share).predict(X)
        expected = recall_horizon_reference(probabilities, Y, threshold)
        got, failure = run_answer(recall_horizon, probabilities.copy(), Y.copy(),
                                  threshold, what="the horizon")
        where = (f"On the answers of a model that {name} (lags 0 to {n_lags - 1}, "
                 f"threshold {threshold})")
        if failure is not None and failure.diagnosis == NOT_DONE and name == "nothing":
            continue   # None is the right answer here, after the cases above passed
        if failure is not None:
            return failure
        if np.ndim(got) != 0:
            return Feedback.wrong("not_a_lag", f"{where}: you returned an array of shape "
                                  f"{np.shape(got)}, not one lag.",
                                  "Compute the accuracy per lag (mean over the samples, "
                                  "axis 0), then read one lag off it.")
        if got == expected:
            continue
        if name == "nothing":
            return Feedback.wrong("nothing_not_none",
                                  f"{where}: even lag 0 fails, so the answer is None; "
                                  f"you returned {got!r}.")
        scores = (probabilities.argmax(axis=-1) == Y).mean(axis=0)
        for diagnosis, value in _horizon_mistakes(scores, threshold).items():
            if value is not None and value != expected and got == value:
                return Feedback.wrong(diagnosis, f"{where}: expected {expected}, you "
                                      f"returned {got!r}.", _HORIZON_HINTS[diagnosis])
        return Feedback.wrong("wrong_value", f"{where}: expected {expected}, "
                              f"you returned {got!r}.")
    return Feedback.correct("Right on every model, including a lucky lag and no memory.")


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
