"""The checkers of chapter 8 accept right answers and name each typical mistake."""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras

from seqlab.exercises import NOT_DONE
from seqlab.exercises.ch08 import (
    FAST_PATH_QUIZ,
    adding_mse,
    check_adding_weights,
    check_fast_path_quiz,
    check_lstm_step,
    check_parameter_count,
)
from seqlab.reference import lstm_step


def placeholder(*args):
    raise NotImplementedError


# --- parameter counts -------------------------------------------------------------------

def right_count(kind, n, u):
    blocks = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
    bias_rows = 2 if kind == "GRU" else 1
    return blocks * (n * u + u * u + bias_rows * u)


def test_parameter_count_accepts_right_answer():
    feedback = check_parameter_count(right_count)
    assert feedback.passed, feedback


@pytest.mark.parametrize("wrong, diagnosis", [
    (lambda k, n, u: right_count(k, n, u) - (3 * u if k == "GRU" else 0), "gru_one_bias_row"),
    (lambda k, n, u: 3 * (n * u + u * u + u) if k == "LSTM" else right_count(k, n, u),
     "lstm_three_blocks"),
    (lambda k, n, u: {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[k] * (n * u + u * u),
     "forgot_bias"),
    (lambda k, n, u: {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[k] * n * u
     + right_count(k, n, u) - {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[k] * (n * u + u * u),
     "forgot_recurrent_kernel"),
    (lambda k, n, u: n * u + u * u + u, "one_block"),
    (lambda k, n, u: 7, "wrong_count"),
    (lambda k, n, u: float(right_count(k, n, u)) + 0.5, "wrong_count"),
    (lambda k, n, u: 1 / 0, "raised"),
    (placeholder, NOT_DONE),
    (None, NOT_DONE),
])
def test_parameter_count_mistakes_are_named(wrong, diagnosis):
    feedback = check_parameter_count(wrong)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis, feedback


# --- one LSTM step ----------------------------------------------------------------------

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def make_step(order="ifco", squash=True, candidate=np.tanh, swap_outputs=False):
    def step(x, h, c, kernel, recurrent, bias):
        blocks = dict(zip(order, np.split(x @ kernel + h @ recurrent + bias, 4, axis=1)))
        c_new = sigmoid(blocks["f"]) * c + sigmoid(blocks["i"]) * candidate(blocks["c"])
        h_new = sigmoid(blocks["o"]) * (np.tanh(c_new) if squash else c_new)
        return (c_new, h_new) if swap_outputs else (h_new, c_new)
    return step


def test_lstm_step_accepts_right_answer():
    assert check_lstm_step(make_step()).passed
    assert check_lstm_step(lstm_step).passed


@pytest.mark.parametrize("wrong, diagnosis", [
    (make_step(order="icfo"), "gate_order"),
    (make_step(order="ifoc"), "gate_order_ifoc"),
    (make_step(order="fico"), "swapped_input_forget"),
    (make_step(squash=False), "no_tanh_on_c"),
    (make_step(candidate=sigmoid), "sigmoid_candidate"),
    (make_step(swap_outputs=True), "returned_c_h"),
    (lambda *a: make_step()(*a)[0], "not_a_pair"),
    (lambda *a: tuple(v[:, :2] for v in make_step()(*a)), "wrong_shape"),
    (lambda *a: (make_step()(*a)[0], make_step()(*a)[1] + 1), "wrong_values"),
    (placeholder, NOT_DONE),
])
def test_lstm_step_mistakes_are_named(wrong, diagnosis):
    feedback = check_lstm_step(wrong)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis, feedback


# --- the hand-set adding LSTM -----------------------------------------------------------

def adding_weights(scale=0.1, forget_bias=20.0, input_weight=30.0, input_bias=-15.0,
                   readout=None, order=(0, 1, 2, 3)):
    kernel = np.zeros((2, 4))
    bias = np.zeros(4)
    kernel[0, 2] = scale            # candidate: a small multiple of the value
    kernel[1, 0] = input_weight     # input gate: opened by the marker
    bias[0] = input_bias
    bias[1] = forget_bias           # forget gate: always open
    bias[3] = 20.0                  # output gate: always open
    index = list(order)
    readout = 1.0 / scale if readout is None else readout
    return [kernel[:, index], np.zeros((1, 4)), bias[index], np.array([[readout]]),
            np.zeros(1)]


def test_hand_set_weights_solve_the_adding_problem_and_pass():
    mse, baseline = adding_mse(adding_weights(), 200)
    assert mse < baseline / 100
    feedback = check_adding_weights(adding_weights)
    assert feedback.passed, feedback


@pytest.mark.parametrize("wrong, diagnosis", [
    (lambda: adding_weights(order=(0, 1, 3, 2)), "swapped_candidate_output"),
    (lambda: adding_weights(forget_bias=2.0), "forget_gate_closes"),
    (lambda: adding_weights(input_weight=5.0, input_bias=-15.0), "input_gate_shut"),
    (lambda: adding_weights(input_bias=-3.0, input_weight=20.0), "input_gate_leaks"),
    (lambda: adding_weights(scale=3.0), "candidate_saturates"),
    (lambda: adding_weights(readout=5.0), "inaccurate"),
    (lambda: adding_weights()[:3], "wrong_shapes"),
    (lambda: [w.T for w in adding_weights()], "wrong_shapes"),
    (placeholder, NOT_DONE),
])
def test_adding_weights_mistakes_are_named(wrong, diagnosis):
    feedback = check_adding_weights(wrong)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis, feedback


# --- the fast-path quiz ------------------------------------------------------------------

RIGHT_QUIZ = {"a": True, "b": True, "c": False, "d": False, "e": False, "f": False, "g": True}


def test_fast_path_quiz_accepts_right_answer():
    assert set(RIGHT_QUIZ) == set(FAST_PATH_QUIZ)
    assert check_fast_path_quiz(RIGHT_QUIZ).passed


@pytest.mark.parametrize("key, diagnosis", [
    ("a", "default_lstm"), ("b", "dropout_keeps_it"), ("c", "recurrent_dropout"),
    ("d", "rnn_wrapper"), ("e", "reset_after"), ("f", "activation"), ("g", "sequences_keep_it"),
])
def test_fast_path_quiz_mistakes_are_named(key, diagnosis):
    answer = dict(RIGHT_QUIZ, **{key: not RIGHT_QUIZ[key]})
    feedback = check_fast_path_quiz(answer)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis


def test_fast_path_quiz_not_done_and_malformed():
    assert check_fast_path_quiz(None).diagnosis == NOT_DONE
    assert check_fast_path_quiz({k: None for k in FAST_PATH_QUIZ}).diagnosis == NOT_DONE
    assert check_fast_path_quiz({"a": True}).diagnosis == "missing_keys"
    assert check_fast_path_quiz([True] * 7).diagnosis == "not_a_dict"
