"""The checkers of chapter 3 accept right answers and name each typical mistake."""

import keras
import pytest

from seqlab.exercises import NOT_DONE
from seqlab.exercises.ch03 import (
    ARCHITECTURES,
    USE_CASES,
    check_architecture_choices,
    check_layer_shapes,
    check_vector_to_sequence_model,
    shape_quiz_model,
)

L = keras.layers

RIGHT_CHOICES = {
    "sentiment": "sequence_to_vector",
    "captioning": "vector_to_sequence",
    "translation": "encoder_decoder",
    "tagging": "sequence_to_sequence",
    "anomaly_score": "sequence_to_vector",
    "step_forecast": "sequence_to_sequence",
}


# --- check_architecture_choices -------------------------------------------------------

def test_right_choices_pass_and_cover_every_use_case():
    assert set(RIGHT_CHOICES) == set(USE_CASES)
    assert set(RIGHT_CHOICES.values()) == set(ARCHITECTURES)
    feedback = check_architecture_choices(RIGHT_CHOICES)
    assert feedback.passed and feedback.diagnosis == ""


@pytest.mark.parametrize("answers", [None, {name: None for name in USE_CASES},
                                     {name: "..." for name in USE_CASES}])
def test_placeholder_choices_are_not_done(answers):
    assert check_architecture_choices(answers).diagnosis == NOT_DONE


def test_the_notes_labelling_is_diagnosed_as_swapped():
    answers = dict(RIGHT_CHOICES, sentiment="vector_to_sequence", captioning="sequence_to_vector")
    feedback = check_architecture_choices(answers)
    assert not feedback.passed
    assert feedback.diagnosis == "encoder_decoder_swapped"
    assert "encoder" in feedback.message and len(feedback.hints) == 2


def test_synchronous_model_for_translation_is_diagnosed():
    feedback = check_architecture_choices(dict(RIGHT_CHOICES, translation="sequence_to_sequence"))
    assert feedback.diagnosis == "same_length_assumed"
    assert "translation" in feedback.message


def test_other_wrong_choice_names_the_use_case():
    feedback = check_architecture_choices(dict(RIGHT_CHOICES, tagging="sequence_to_vector"))
    assert feedback.diagnosis == "wrong_choice"
    assert "tagging" in feedback.message and "tagging" in feedback.hints[0]


def test_missing_unknown_and_non_dict_answers():
    partial = {k: v for k, v in RIGHT_CHOICES.items() if k != "captioning"}
    assert check_architecture_choices(partial).diagnosis == "missing_use_case"
    assert check_architecture_choices(dict(RIGHT_CHOICES, tagging="seq2seq")).diagnosis == "unknown_architecture"
    assert check_architecture_choices(["sequence_to_vector"]).diagnosis == "not_a_dict"


# --- check_vector_to_sequence_model ---------------------------------------------------

def decoder(*layers, input_shape=(8,)):
    return keras.Sequential([keras.Input(shape=input_shape), *layers])


def test_a_right_decoder_passes_as_model_or_builder():
    def build():
        return decoder(L.RepeatVector(12), L.SimpleRNN(16, return_sequences=True), L.Dense(3))

    assert check_vector_to_sequence_model(build()).passed
    assert check_vector_to_sequence_model(build).passed


def test_other_sizes_are_checked():
    model = decoder(L.RepeatVector(5), L.GRU(4, return_sequences=True), L.Dense(2), input_shape=(6,))
    assert check_vector_to_sequence_model(model, n_features=6, n_steps=5, n_outputs=2).passed
    assert not check_vector_to_sequence_model(model)


def test_none_is_not_done():
    assert check_vector_to_sequence_model(None).diagnosis == NOT_DONE
    assert check_vector_to_sequence_model(lambda: None).diagnosis == NOT_DONE


def test_missing_repeat_vector_is_diagnosed_when_building_fails():
    def build():
        return decoder(L.SimpleRNN(16, return_sequences=True), L.Dense(3))

    feedback = check_vector_to_sequence_model(build)
    assert feedback.diagnosis == "missing_repeat_vector"
    assert "RepeatVector(12)" in feedback.hints[0]


def test_missing_return_sequences_is_diagnosed():
    model = decoder(L.RepeatVector(12), L.SimpleRNN(16), L.Dense(3))
    assert check_vector_to_sequence_model(model).diagnosis == "missing_return_sequences"


def test_wrong_length_and_wrong_output_size():
    too_short = decoder(L.RepeatVector(10), L.SimpleRNN(16, return_sequences=True), L.Dense(3))
    assert check_vector_to_sequence_model(too_short).diagnosis == "wrong_length"
    too_wide = decoder(L.RepeatVector(12), L.SimpleRNN(16, return_sequences=True), L.Dense(5))
    assert check_vector_to_sequence_model(too_wide).diagnosis == "wrong_output_size"


def test_a_model_that_takes_a_sequence_is_diagnosed():
    model = decoder(L.SimpleRNN(16, return_sequences=True), L.Dense(3), input_shape=(12, 8))
    assert check_vector_to_sequence_model(model).diagnosis == "takes_a_sequence"


def test_a_model_that_ignores_its_input_is_diagnosed():
    model = decoder(L.RepeatVector(12), L.SimpleRNN(16, return_sequences=True), L.Dense(3))
    for weight in model.layers[1].weights:
        weight.assign(keras.ops.zeros(weight.shape))
    assert check_vector_to_sequence_model(model).diagnosis == "ignores_input"


def test_not_a_model_and_a_failing_builder():
    assert check_vector_to_sequence_model("decoder").diagnosis == "not_a_model"

    def broken():
        raise RuntimeError("typo in my builder")

    feedback = check_vector_to_sequence_model(broken)
    assert feedback.diagnosis == "call_failed" and "typo" in feedback.message


# --- check_layer_shapes ---------------------------------------------------------------

RIGHT_SHAPES = [(None, 20, 16), (None, 8), (None, 5, 8), (None, 5, 4), (None, 5, 2)]


def test_right_shapes_pass_and_match_keras():
    assert [tuple(layer.output.shape) for layer in shape_quiz_model().layers] == RIGHT_SHAPES
    assert check_layer_shapes(RIGHT_SHAPES).passed
    assert check_layer_shapes([list(shape) for shape in RIGHT_SHAPES]).passed


def test_placeholder_shapes_are_not_done():
    assert check_layer_shapes(None).diagnosis == NOT_DONE
    assert check_layer_shapes([...] * 5).diagnosis == NOT_DONE


@pytest.mark.parametrize("index, shape, diagnosis", [
    (1, (None, 20, 8), "kept_time_axis"),
    (0, (None, 16), "dropped_time_axis"),
    (2, (None, 20, 8), "wrong_length"),
    (3, (None, 5, 8), "wrong_units"),
])
def test_each_typical_mistake_is_named(index, shape, diagnosis):
    answer = list(RIGHT_SHAPES)
    answer[index] = shape
    feedback = check_layer_shapes(answer)
    assert feedback.diagnosis == diagnosis
    assert shape_quiz_model().layers[index].name in feedback.message


def test_missing_batch_axis_count_and_non_shapes():
    assert check_layer_shapes([s[1:] for s in RIGHT_SHAPES]).diagnosis == "missing_batch_axis"
    assert check_layer_shapes(RIGHT_SHAPES[:4]).diagnosis == "wrong_count"
    assert check_layer_shapes(RIGHT_SHAPES[:4] + ["five"]).diagnosis == "not_a_shape"
    assert check_layer_shapes(42).diagnosis == "not_a_shape"
