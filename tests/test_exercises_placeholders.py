"""One placeholder convention for the whole course (seqlab.exercises.run_answer).

An exercise cell starts as ``def answer(...): raise NotImplementedError``; every checker
that takes the learner's function must say "not done yet" for it, never "your function
raised". The checkers of every chapter that take a function are listed here by hand
(the others take arrays, models or dicts); a new checker that takes a function is added
to the list.
"""

import numpy as np
import pytest

from seqlab.exercises import NOT_DONE, Feedback, run_answer
from seqlab.exercises import ch01, ch02, ch03, ch04, ch05, ch06
from seqlab.exercises import ch07, ch08, ch09, ch10, ch11


def placeholder(*args):
    raise NotImplementedError


FUNCTION_CHECKERS = {
    "ch01.check_forward_pass": ch01.check_forward_pass,
    "ch01.check_parameter_count": ch01.check_parameter_count,
    "ch01.check_concatenated_weights": ch01.check_concatenated_weights,
    "ch01.check_difference_weights": ch01.check_difference_weights,
    "ch02.check_recall_target": ch02.check_recall_target,
    "ch02.check_first_symbol_task": ch02.check_first_symbol_task,
    "ch02.check_recall_horizon": ch02.check_recall_horizon,
    # a builder without arguments is accepted in place of a model
    "ch03.check_vector_to_sequence_model": ch03.check_vector_to_sequence_model,
    "ch04.check_step_backward": ch04.check_step_backward,
    "ch04.check_spectral_scaling": ch04.check_spectral_scaling,
    "ch04.check_output_gradients": ch04.check_output_gradients,
    "ch05.check_windows": ch05.check_windows,
    "ch05.check_mase": ch05.check_mase,
    "ch05.check_forecaster": lambda answer: ch05.check_forecaster(answer, 22),
    "ch06.check_recursive_forecast": ch06.check_recursive_forecast,
    "ch06.check_deep_rnn_builder": ch06.check_deep_rnn_builder,
    "ch06.check_last_time_step_mse": ch06.check_last_time_step_mse,
    "ch07.check_layer_norm": ch07.check_layer_norm,
    "ch07.check_clip_by_global_norm": ch07.check_clip_by_global_norm,
    "ch07.check_noise_shape": ch07.check_noise_shape,
    "ch07.check_ln_cell_step": ch07.check_ln_cell_step,
    "ch08.check_adding_weights": ch08.check_adding_weights,
    "ch08.check_lstm_step": ch08.check_lstm_step,
    "ch08.check_parameter_count": ch08.check_parameter_count,
    "ch09.check_conv1d": ch09.check_conv1d,
    "ch09.check_output_length": ch09.check_output_length,
    "ch09.check_aligned_targets": ch09.check_aligned_targets,
    "ch09.check_receptive_field": ch09.check_receptive_field,
    "ch10.check_dilation_schedule": ch10.check_dilation_schedule,
    "ch10.check_gated_activation": ch10.check_gated_activation,
    "ch10.check_residual_block_parameters": ch10.check_residual_block_parameters,
    "ch10.check_seen_offsets": ch10.check_seen_offsets,
    "ch11.check_last_batch": ch11.check_last_batch,
    "ch11.check_trim": ch11.check_trim,
    "ch11.check_combined_gradient": ch11.check_combined_gradient,
}


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKERS))
def test_a_placeholder_that_raises_not_implemented_is_not_done(name):
    feedback = FUNCTION_CHECKERS[name](placeholder)
    assert isinstance(feedback, Feedback) and not feedback
    assert feedback.diagnosis == NOT_DONE, str(feedback)


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKERS))
def test_a_function_that_fails_otherwise_is_reported_not_raised(name):
    def broken(*args):
        raise KeyError("my typo")

    feedback = FUNCTION_CHECKERS[name](broken)
    assert not feedback and feedback.diagnosis not in ("", NOT_DONE)
    assert "my typo" in feedback.message, str(feedback)


def test_the_checker_modules_have_no_runner_of_their_own():
    for module in (ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09, ch10,
                   ch11):
        assert not hasattr(module, "_call"), module.__name__


def test_run_answer_returns_the_result_or_the_feedback():
    assert run_answer(lambda x, y: x * y, 3, 4) == (12, None)
    for not_done in (None, ..., placeholder, lambda: None, lambda: ...):
        result, feedback = run_answer(not_done)
        assert result is None and feedback.diagnosis == NOT_DONE
    result, feedback = run_answer(lambda: None, what="the forecasts")
    assert "return the forecasts" in feedback.message
    result, feedback = run_answer(lambda: 1 / 0)
    assert result is None and feedback.diagnosis == "raised"
    assert feedback.message.startswith("Your function raised ZeroDivisionError: division by zero")


def test_run_answer_passes_its_arguments_as_given():
    array = np.arange(3.0)
    result, _ = run_answer(lambda a: a, array)
    assert result is array


@pytest.mark.parametrize("value", [42, "answer", [1, 2]])
def test_run_answer_names_an_answer_that_is_not_a_function(value):
    result, feedback = run_answer(value)
    assert result is None and feedback.diagnosis == "not_callable"
    assert feedback.message == f"Expected a function, got a {type(value).__name__}."
