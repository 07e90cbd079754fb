"""The checkers of chapter 2 accept right answers and name each typical mistake."""

import keras
import numpy as np
import pytest

from seqlab.exercises import NOT_DONE
from seqlab.exercises.ch02 import (
    STATE_QUIZ,
    KnownMemory,
    check_first_symbol_task,
    check_recall_horizon,
    check_recall_target,
    check_state_shapes,
    recall_horizon_reference,
)
from seqlab.memory import memory_horizon, recall_all_lags, recall_task

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


# --- check_first_symbol_task ----------------------------------------------------------


def test_right_first_symbol_task_passes_and_asks_for_x0():
    def first_symbol_task(n_samples, n_steps, seed):
        return recall_task(n_samples, n_steps, n_steps - 1, seed=seed)

    X, y = first_symbol_task(16, 7, 0)
    assert np.array_equal(y, X[:, 0].argmax(axis=1))
    assert check_first_symbol_task(first_symbol_task).passed


@pytest.mark.parametrize("wrong, diagnosis", [
    (lambda n, T, seed: recall_task(n, T, T, seed=seed), "lag_too_large"),
    (lambda n, T, seed: recall_task(n, T, 0, seed=seed), "last_symbol"),
    (lambda n, T, seed: recall_task(n, T, T - 2, seed=seed), "second_symbol"),
    (lambda n, T, seed: recall_task(n, T, T // 2, seed=seed), "wrong_values"),
    (lambda n, T, seed: recall_task(n, T, T - 1, seed=seed, one_hot=False),
     "wrong_shape"),
    (lambda n, T, seed: recall_task(n, T, T - 1, seed=seed)[0], "not_a_pair"),
    (lambda n, T, seed: 1 / 0, "raised"),
    ("recall_task", "not_callable"),
])
def test_first_symbol_task_mistakes_are_named(wrong, diagnosis):
    feedback = check_first_symbol_task(wrong)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis


def test_first_symbol_task_not_done():
    def placeholder(n_samples, n_steps, seed):
        raise NotImplementedError

    assert check_first_symbol_task(None).diagnosis == NOT_DONE
    assert check_first_symbol_task(placeholder).diagnosis == NOT_DONE


# --- check_recall_horizon --------------------------------------------------------------


def right_horizon(P, Y, threshold=0.9):
    answers = P.argmax(axis=-1)
    horizon = None
    for lag, score in enumerate((answers == Y).mean(axis=0)):
        if score < threshold:
            break
        horizon = lag
    return horizon


def isolated_passes(P, Y, threshold=0.9):
    scores = (P.argmax(axis=-1) == Y).mean(axis=0)
    passing = np.flatnonzero(scores >= threshold)
    return int(passing.max()) if passing.size else None


def counts_lags(P, Y, threshold=0.9):
    horizon = right_horizon(P, Y, threshold)
    return None if horizon is None else horizon + 1


def perfect_only(P, Y, threshold=0.9):
    return right_horizon(P, Y, threshold=1.0)


def zero_when_nothing(P, Y, threshold=0.9):
    horizon = right_horizon(P, Y, threshold)
    return 0 if horizon is None else horizon


def scores_only(P, Y, threshold=0.9):
    return (P.argmax(axis=-1) == Y).mean(axis=0)


def test_recall_horizon_accepts_right_answers():
    assert check_recall_horizon(right_horizon).passed
    assert check_recall_horizon(recall_horizon_reference).passed
    # the package's own plumbing gives the same horizons
    def with_package(P, Y, threshold=0.9):
        scores = accuracy_by_lag_of(P, Y)
        return memory_horizon(np.arange(len(scores)), scores, threshold)
    assert check_recall_horizon(with_package).passed


def accuracy_by_lag_of(P, Y):
    return (P.argmax(axis=-1) == Y).mean(axis=0)


def test_known_memory_model_scores_what_it_says():
    X, Y = recall_all_lags(200, 12, 5, seed=3)
    model = KnownMemory(6, {0: 1.0, 1: 0.95, 3: 1.0})
    scores = accuracy_by_lag_of(model.predict(X), Y)
    assert scores[0] == 1.0 and scores[3] == 1.0
    assert 0.95 <= scores[1] < 1.0       # right on 95 %, lucky on some of the rest
    assert scores[2] < 0.5 and scores[4] < 0.5
    assert recall_horizon_reference(model.predict(X), Y) == 1


@pytest.mark.parametrize("wrong, diagnosis", [
    (isolated_passes, "isolated_pass_counted"),
    (counts_lags, "counted_lags"),
    (perfect_only, "required_perfect"),
    (zero_when_nothing, "nothing_not_none"),
    (scores_only, "not_a_lag"),
    (lambda P, Y, threshold=0.9: 3, "wrong_value"),
    (lambda P, Y, threshold=0.9: P.nope, "raised"),
    (7, "not_callable"),
])
def test_recall_horizon_mistakes_are_named(wrong, diagnosis):
    feedback = check_recall_horizon(wrong)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis


def test_recall_horizon_not_done():
    def placeholder(P, Y, threshold=0.9):
        raise NotImplementedError

    assert check_recall_horizon(None).diagnosis == NOT_DONE
    assert check_recall_horizon(placeholder).diagnosis == NOT_DONE


def test_recall_horizon_measures_a_trained_gru():
    import seqlab
    from seqlab.forecasting import predict_numpy
    from seqlab.memory import recall_model, train_memory_model

    seqlab.seed_everything(0)
    train, test = recall_all_lags(768, 8, 3, seed=0), recall_all_lags(256, 8, 3, seed=1)
    model = recall_model("GRU", 8, 3, units=16)
    train_memory_model(model, train, test, task="recall", epochs=6, display=None)
    P = predict_numpy(model, test[0])
    assert right_horizon(P, test[1]) is not None
    assert right_horizon(P, test[1]) == recall_horizon_reference(P, test[1])


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
