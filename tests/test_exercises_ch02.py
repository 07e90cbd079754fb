"""The checkers of chapter 2 accept right answers and name each typical mistake."""

import keras
import numpy as np
import pytest

from seqlab.exercises import NOT_DONE
from seqlab.exercises.ch02 import (
    STATE_QUIZ,
    check_longest_solved,
    check_recall_target,
    check_state_shapes,
    longest_solved_reference,
)
from seqlab.memory import recall_task

# --- check_recall_target --------------------------------------------------------------


def test_right_recall_target_passes_and_agrees_with_the_generator():
    def recall_target(ids, lag):
        return ids[:, -1 - lag]

    X, y = recall_task(20, n_steps=9, lag=4, one_hot=False, seed=3)
    assert np.array_equal(recall_target(X, 4), y)
    assert check_recall_target(recall_target).passed


@pytest.mark.parametrize("wrong, diagnosis", [
    (lambda ids, lag: ids[:, -lag], "off_by_one"),
    (lambda ids, lag: ids[:, lag], "counted_from_start"),
    (lambda ids, lag: ids[:, [-1 - lag]], "wrong_shape"),
    (lambda ids, lag: ids[:, -1], "wrong_values"),
    (lambda ids, lag: ids[:, -1 - lag, None].T, "wrong_shape"),
    (lambda ids, lag: ids.nope, "raised"),
    ("ids[:, -1 - lag]", "not_callable"),
])
def test_recall_target_mistakes_are_named(wrong, diagnosis):
    feedback = check_recall_target(wrong)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis


def test_recall_target_not_done():
    assert check_recall_target(None).diagnosis == NOT_DONE
    assert check_recall_target(lambda ids, lag: None).diagnosis == NOT_DONE


# --- check_longest_solved -------------------------------------------------------------


def right(lengths, errors, threshold):
    pairs = sorted(zip(lengths, errors))
    best = 0
    for length, error in pairs:
        if error >= threshold:
            break
        best = length
    return best


def counts_isolated_passes(lengths, errors, threshold):
    return max([l for l, e in zip(lengths, errors) if e < threshold], default=0)


def wrong_direction(lengths, errors, threshold):
    return right(lengths, [-e for e in errors], -threshold)


def assumes_sorted(lengths, errors, threshold):
    best = 0
    for length, error in zip(lengths, errors):
        if error >= threshold:
            break
        best = length
    return best


def returns_index(lengths, errors, threshold):
    pairs = sorted(zip(lengths, errors))
    index = -1
    for i, (_, error) in enumerate(pairs):
        if error >= threshold:
            break
        index = i
    return index


def none_when_nothing_solved(lengths, errors, threshold):
    return right(lengths, errors, threshold) or None


def test_longest_solved_accepts_right_answer_and_matches_reference():
    assert check_longest_solved(right).passed
    assert check_longest_solved(longest_solved_reference).passed
    assert longest_solved_reference([30, 10, 20], [0.2, 0.01, 0.02], 0.05) == 20
    assert longest_solved_reference([10, 20], [0.2, 0.01], 0.05) == 0


@pytest.mark.parametrize("wrong, diagnosis", [
    (counts_isolated_passes, "isolated_pass_counted"),
    (wrong_direction, "wrong_direction"),
    (assumes_sorted, "assumes_sorted"),
    (returns_index, "returned_index"),
    (none_when_nothing_solved, "nothing_solved_not_zero"),
    (lambda lengths, errors, threshold: 7, "wrong_value"),
    (lambda lengths, errors, threshold: 1 / 0, "raised"),
    (42, "not_callable"),
])
def test_longest_solved_mistakes_are_named(wrong, diagnosis):
    feedback = check_longest_solved(wrong)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis


def test_longest_solved_not_done():
    assert check_longest_solved(None).diagnosis == NOT_DONE
    assert check_longest_solved(lambda lengths, errors, threshold: None).diagnosis == NOT_DONE


# --- check_state_shapes ---------------------------------------------------------------

RIGHT_STATES = {"lstm": [(4, 10, 8), (4, 8), (4, 8)], "gru": [(4, 8), (4, 8)]}


def test_right_state_shapes_match_keras_and_pass():
    inputs = np.zeros((4, 10, 3), "float32")
    lstm = keras.layers.LSTM(8, return_sequences=True, return_state=True)(inputs)
    gru = keras.layers.GRU(8, return_state=True)(inputs)
    assert [tuple(t.shape) for t in lstm] == RIGHT_STATES["lstm"]
    assert [tuple(t.shape) for t in gru] == RIGHT_STATES["gru"]
    assert set(STATE_QUIZ) == set(RIGHT_STATES)
    assert check_state_shapes(RIGHT_STATES).passed
    assert check_state_shapes({k: [list(s) for s in v] for k, v in RIGHT_STATES.items()}).passed


@pytest.mark.parametrize("answer, diagnosis", [
    ({"lstm": [(4, 10, 8), (4, 8)], "gru": [(4, 8), (4, 8)]}, "forgot_cell_state"),
    ({"lstm": [(4, 10, 8), (4, 8), (4, 8)], "gru": [(4, 8), (4, 8), (4, 8)]}, "gru_has_one_state"),
    ({"lstm": [(4, 10, 8), (4, 10, 8), (4, 10, 8)], "gru": [(4, 8), (4, 8)]}, "state_has_time_axis"),
    ({"lstm": [(4, 8), (4, 8), (4, 8)], "gru": [(4, 8), (4, 8)]}, "ignored_return_sequences"),
    ({"lstm": [(4, 10, 8), (4, 8), (4, 8)], "gru": [(4, 10, 8), (4, 8)]}, "wrong_shapes"),
    ({"lstm": [(10, 8), (8,), (8,)], "gru": [(8,), (8,)]}, "wrong_shapes"),
    ({"lstm": ["a"], "gru": [(4, 8)]}, "not_shapes"),
    ([(4, 8)], "not_a_dict"),
])
def test_state_shape_mistakes_are_named(answer, diagnosis):
    feedback = check_state_shapes(answer)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis


def test_state_shapes_not_done():
    assert check_state_shapes(None).diagnosis == NOT_DONE
    assert check_state_shapes({"lstm": None, "gru": None}).diagnosis == NOT_DONE
