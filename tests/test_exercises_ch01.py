"""Chapter 1 checkers accept right answers and name each typical mistake."""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras
from seqlab.exercises import NOT_DONE
from seqlab.exercises.ch01 import (
    check_concatenated_weights,
    check_difference_weights,
    check_forward_pass,
    check_linear_neuron,
    check_parameter_count,
    parameter_count,
)


def make_forward(*, transpose_kernel=False, transpose_recurrent=False, bias=True, recurrence=True,
                 activation=np.tanh, initial=0.0, steps_offset=0, output="last"):
    """A forward pass with one deliberate mistake switched on."""

    def forward(X, W_x, W_y, b):
        m, n_steps, _ = X.shape
        kernel = W_x.T if transpose_kernel else W_x
        recurrent = W_y.T if transpose_recurrent else W_y
        Y = np.full((m, W_y.shape[0]), initial)
        outputs = []
        for t in range(n_steps - steps_offset):
            z = X[:, t] @ kernel + (Y @ recurrent if recurrence else 0) + (b if bias else 0)
            Y = activation(z)
            outputs.append(Y)
        if output == "sequences":
            return np.stack(outputs, axis=1)
        if output == "time_major":
            return np.stack(outputs, axis=0)
        if output == "transposed":
            return Y.T
        if output == "first":
            return outputs[0]
        return Y

    return forward


def test_forward_pass_checker_accepts_a_right_answer_and_keras_itself():
    feedback = check_forward_pass(make_forward())
    assert feedback.passed and feedback.diagnosis == ""

    def keras_forward(X, W_x, W_y, b):
        layer = keras.layers.SimpleRNN(W_y.shape[0])
        layer.build(X.shape)
        layer.set_weights([W_x, W_y, b])
        return keras.ops.convert_to_numpy(layer(X.astype("float32")))

    assert check_forward_pass(keras_forward).passed


@pytest.mark.parametrize(
    "mistake, diagnosis, phrase",
    [
        (dict(transpose_kernel=True), "transposed_kernel", "X_t @ W_x"),
        (dict(transpose_recurrent=True), "transposed_recurrent_kernel", "W_y"),
        (dict(bias=False), "missing_bias", "bias"),
        (dict(recurrence=False), "missing_recurrence", "previous outputs"),
        (dict(activation=lambda z: z), "wrong_activation", "linear"),
        (dict(activation=lambda z: np.maximum(z, 0)), "wrong_activation", "relu"),
        (dict(activation=lambda z: 1 / (1 + np.exp(-z))), "wrong_activation", "sigmoid"),
        (dict(initial=1.0), "nonzero_initial_state", "initial state"),
        (dict(steps_offset=1), "skipped_last_step", "one step early"),
        (dict(output="first"), "first_output", "first time step"),
        (dict(output="sequences"), "returned_sequences", "every step"),
        (dict(output="time_major"), "time_major", "time first"),
        (dict(output="transposed"), "transposed_output", "transpose"),
    ],
)
def test_forward_pass_checker_names_each_mistake(mistake, diagnosis, phrase):
    feedback = check_forward_pass(make_forward(**mistake))
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis, str(feedback)
    assert phrase in feedback.message


def test_forward_pass_checker_on_unfinished_broken_and_odd_answers():
    def unfinished(X, W_x, W_y, b):
        raise NotImplementedError

    def placeholder(X, W_x, W_y, b):
        pass

    assert check_forward_pass(None).diagnosis == NOT_DONE
    assert check_forward_pass(unfinished).diagnosis == NOT_DONE
    assert check_forward_pass(placeholder).diagnosis == NOT_DONE
    assert check_forward_pass(42).diagnosis == "not_callable"

    def broken(X, W_x, W_y, b):
        return X @ W_y  # a shape error, not a transposed kernel

    feedback = check_forward_pass(broken)
    assert feedback.diagnosis == "raised" and "ValueError" in feedback.message
    assert check_forward_pass(lambda X, W_x, W_y, b: np.zeros(7)).diagnosis == "wrong_shape"
    assert check_forward_pass(lambda X, W_x, W_y, b: np.zeros((5, 3))).diagnosis == "wrong_values"


def test_parameter_count_formula_matches_keras():
    for n_inputs, n_neurons in [(1, 1), (3, 5), (10, 4)]:
        model = keras.Sequential([keras.Input((None, n_inputs)), keras.layers.SimpleRNN(n_neurons)])
        assert model.count_params() == parameter_count(n_inputs, n_neurons)


@pytest.mark.parametrize(
    "answer, diagnosis",
    [
        (lambda i, n: n * (i + n + 1), ""),
        (lambda i, n: n * (i + n), "missing_bias"),
        (lambda i, n: n * (i + 1), "missing_recurrent_weights"),
        (lambda i, n: n * (i + 2), "recurrent_weights_per_neuron"),
        (lambda i, n: n * (n + 1), "missing_input_weights"),
        (lambda i, n: i + n, "wrong_count"),
        (lambda i, n: "many", "wrong_count"),
        (lambda i, n: 1 / 0, "raised"),
        (None, NOT_DONE),
    ],
)
def test_parameter_count_checker(answer, diagnosis):
    feedback = check_parameter_count(answer)
    assert feedback.passed == (diagnosis == "")
    assert feedback.diagnosis == diagnosis, str(feedback)


@pytest.mark.parametrize(
    "answer, diagnosis",
    [
        (lambda W_x, W_y: np.vstack([W_x, W_y]), ""),
        (lambda W_x, W_y: np.concatenate([W_x, W_y], axis=0).tolist(), ""),
        (lambda W_x, W_y: np.vstack([W_y, W_x]), "wrong_order"),
        (lambda W_x, W_y: np.hstack([W_x, W_y]), "stacked_horizontally"),
        (lambda W_x, W_y: np.hstack([W_x.T, W_y.T]), "transposed"),
        (lambda W_x, W_y: W_x, "wrong_shape"),
        (lambda W_x, W_y: np.zeros((5, 3)), "wrong_values"),
        (lambda W_x, W_y: W_x @ W_x, "raised"),
        (None, NOT_DONE),
    ],
)
def test_concatenated_weights_checker(answer, diagnosis):
    feedback = check_concatenated_weights(answer)
    assert feedback.passed == (diagnosis == "")
    assert feedback.diagnosis == diagnosis, str(feedback)


def test_checkers_never_raise_and_print_readably():
    feedback = check_forward_pass(make_forward(bias=False))
    assert str(feedback).startswith("NOT YET: The bias b is missing")
    assert "bias" in feedback._repr_html_()


@pytest.mark.parametrize(
    "answer, diagnosis",
    [
        ([0.5, 1.0, 1.5, 2.0], ""),
        (np.array([[0.5], [1.0], [1.5], [2.0]]), ""),
        (list(np.tanh([0.5, 0.5 + np.tanh(0.5)])) + [0.8469, 0.8733], "used_tanh"),
        ([0.5, 0.5, 0.5, 0.5], "missing_recurrence"),
        ([0.0, 0.5, 1.0, 1.5], "shifted_by_one_step"),
        ([1.0, 1.5, 2.0, 2.5], "shifted_by_one_step"),
        ([0.5, 1.0, 1.5], "wrong_length"),
        ([1, 2, 3, 4], "wrong_values"),
        ("four", "wrong_values"),
        (None, NOT_DONE),
    ],
)
def test_linear_neuron_checker(answer, diagnosis):
    feedback = check_linear_neuron(answer)
    assert feedback.passed == (diagnosis == "")
    assert feedback.diagnosis == diagnosis, str(feedback)


def test_linear_neuron_checker_agrees_with_the_reference_layer():
    from seqlab.exercises.ch01 import LINEAR_NEURON
    from seqlab.reference import simple_rnn_forward

    x = np.array(LINEAR_NEURON["inputs"]).reshape(1, -1, 1)
    outputs = simple_rnn_forward(x, [[LINEAR_NEURON["w_x"]]], [[LINEAR_NEURON["w_y"]]], [LINEAR_NEURON["b"]],
                                 activation="linear", return_sequences=True)
    assert check_linear_neuron(outputs.ravel())
    tanh_outputs = simple_rnn_forward(x, [[LINEAR_NEURON["w_x"]]], [[LINEAR_NEURON["w_y"]]], [LINEAR_NEURON["b"]],
                                      return_sequences=True)
    assert check_linear_neuron(tanh_outputs.ravel()).diagnosis == "used_tanh"


def _difference(W_x=((1.0, 1.0),), W_y=((0.0, -1.0), (0.0, 0.0)), b=(0.0, 0.0)):
    return lambda: (np.array(W_x), np.array(W_y), np.array(b))


def test_difference_weights_checker_accepts_right_answers_checked_by_keras():
    right = _difference()
    assert check_difference_weights(right).passed
    # another right answer: neuron 1 may also scale the copy (copy 2 x_t, weight -0.5)
    assert check_difference_weights(_difference(
        W_x=((2.0, 1.0),), W_y=((0.0, -0.5), (0.0, 0.0)))).passed
    # the accepted weights do what the exercise asks in Keras itself
    layer = keras.layers.SimpleRNN(2, activation="linear", return_sequences=True)
    x = np.array([1.0, 2.0, 4.0, 7.0], dtype="float32").reshape(1, 4, 1)
    layer.build(x.shape)
    layer.set_weights([a.astype("float32") for a in right()])
    outputs = keras.ops.convert_to_numpy(layer(x))[0, :, 1]
    assert np.allclose(outputs, [1.0, 1.0, 2.0, 3.0], atol=1e-6)


@pytest.mark.parametrize(
    "answer, diagnosis, phrase",
    [
        (_difference(W_y=((0.0, 0.0), (-1.0, 0.0))),
         "transposed_recurrent_kernel", "rows: from"),
        (_difference(W_x=((1.0, 2.0),), W_y=((0.0, 0.0), (-0.5, 0.0))),
         "wrong_neuron", "neuron 1"),
        (_difference(W_y=((0.0, 1.0), (0.0, 0.0))), "wrong_sign", "-1"),
        (_difference(W_y=((0.0, 0.0), (0.0, 0.0))), "missing_recurrence", "x_t"),
        (_difference(W_x=((1.0, 0.0),)), "missing_current_input", "W_x[0, 1]"),
        (_difference(W_y=((1.0, -1.0), (0.0, 0.0))), "copy_accumulates", "column 0"),
        (_difference(W_y=((0.0, -1.0), (0.5, 0.0))), "copy_accumulates", "column 0"),
        (_difference(b=(0.0, 1.0)), "wrong_values", "[1.0, 1.0, 2.0, 3.0]"),
        (_difference(W_x=((1.0,),)), "wrong_shape", "W_x"),
        (lambda: (1, 2), "wrong_shape", "three arrays"),
        (lambda: 1 / 0, "raised", "ZeroDivisionError"),
    ],
)
def test_difference_weights_checker_names_each_mistake(answer, diagnosis, phrase):
    feedback = check_difference_weights(answer)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis, str(feedback)
    assert phrase in str(feedback)


def test_difference_weights_checker_reports_not_done_for_the_placeholder():
    def placeholder():
        raise NotImplementedError

    assert check_difference_weights(placeholder).diagnosis == NOT_DONE
    assert check_difference_weights(None).diagnosis == NOT_DONE
