"""The chapter 6 checkers accept right answers and name each typical mistake."""

import numpy as np
import pytest

import seqlab
import seqlab.windows
import keras

from seqlab.exercises import NOT_DONE
from seqlab.exercises import ch06


# --- check_recursive_forecast -------------------------------------------------------------

def one_step(model, window):
    return float(model.predict(np.asarray(window, np.float32)[None, :, None], verbose=0)[0, 0])


def right_answer(model, series, origin, input_length, horizon):
    window = list(series[origin - input_length:origin])
    forecasts = []
    for _ in range(horizon):
        forecasts.append(one_step(model, window))
        window = window[1:] + [forecasts[-1]]
    return np.array(forecasts)


def teacher_forcing(model, series, origin, input_length, horizon):
    return np.array([one_step(model, series[origin + k - input_length:origin + k]) for k in range(horizon)])


def never_appends(model, series, origin, input_length, horizon):
    window = series[origin - input_length:origin]
    return np.array([one_step(model, window) for _ in range(horizon)])


def grows_the_window(model, series, origin, input_length, horizon):
    window, forecasts = list(series[origin - input_length:origin]), []
    for _ in range(horizon):
        forecasts.append(one_step(model, window))
        window = window + [forecasts[-1]]
    return np.array(forecasts)


def inserts_at_front(model, series, origin, input_length, horizon):
    window, forecasts = list(series[origin - input_length:origin]), []
    for _ in range(horizon):
        forecasts.append(one_step(model, window))
        window = [forecasts[-1]] + window[:-1]
    return np.array(forecasts)


def off_by_one(model, series, origin, input_length, horizon):
    return right_answer(model, series, origin + 1, input_length, horizon)


def column_vector(model, series, origin, input_length, horizon):
    return right_answer(model, series, origin, input_length, horizon)[:, None]


def raises_value_error(model, series, origin, input_length, horizon):
    raise ValueError("shapes do not match")


def placeholder(model, series, origin, input_length, horizon):
    raise NotImplementedError


def test_the_numpy_probe_agrees_with_the_keras_probe_model():
    model, series = ch06.probe_model(), ch06.probe_series()
    for window in (series[:6], series[5:16]):
        assert one_step(model, window) == pytest.approx(ch06._probe_output(window), abs=1e-5)


def test_the_typical_mistakes_give_forecasts_that_differ_from_the_right_one():
    series = ch06.probe_series()
    right = right_answer(ch06.probe_model(), series, 10, 6, 5)
    candidates = list(ch06._mistakes(series, 10, 6, 5).values())
    for i, values in enumerate(candidates):
        assert not np.allclose(values, right, atol=1e-3)
        for other in candidates[i + 1:]:
            assert not np.allclose(values, other, atol=1e-3)


def test_recursive_checker_accepts_a_right_answer():
    feedback = ch06.check_recursive_forecast(right_answer)
    assert feedback.passed, str(feedback)


def test_recursive_checker_accepts_the_reference_through_a_wrapper():
    from seqlab.forecasting import recursive_forecast

    def wrapper(model, series, origin, input_length, horizon):
        return recursive_forecast(model, series[None, origin - input_length:origin], horizon)[0]

    assert ch06.check_recursive_forecast(wrapper)


@pytest.mark.parametrize("answer, diagnosis, words", [
    (teacher_forcing, "teacher_forcing", "teacher forcing"),
    (never_appends, "predictions_not_appended", "append"),
    (grows_the_window, "window_not_shifted", "oldest"),
    (inserts_at_front, "prediction_at_front", "wrong way"),
    (off_by_one, "window_off_by_one", "series[origin"),
    (column_vector, "wrong_shape", "values are right"),
    (raises_value_error, "raised", "shapes do not match"),
])
def test_recursive_checker_names_each_mistake(answer, diagnosis, words):
    feedback = ch06.check_recursive_forecast(answer)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis
    assert words in str(feedback)


def test_recursive_checker_reports_other_wrong_values_with_the_first_wrong_step():
    def drifts(model, series, origin, input_length, horizon):
        forecasts = right_answer(model, series, origin, input_length, horizon)
        forecasts[2:] += 0.5
        return forecasts

    feedback = ch06.check_recursive_forecast(drifts)
    assert feedback.diagnosis == "wrong_values"
    assert "3 step(s) ahead" in feedback.message


@pytest.mark.parametrize("answer", [None, placeholder, lambda *args: None])
def test_recursive_checker_says_not_done_for_placeholders(answer):
    assert ch06.check_recursive_forecast(answer).diagnosis == NOT_DONE


# --- check_deep_rnn_builder ---------------------------------------------------------------

def deep_rnn(n_layers, units, horizon, *, last_returns_sequences=False, all_return_sequences=True,
             units_of_last=None, depth=None):
    layers = [keras.Input(shape=(None, 1))]
    depth = n_layers if depth is None else depth
    for i in range(depth):
        last = i == depth - 1
        returns = last_returns_sequences if last else all_return_sequences
        layer_units = units_of_last if (last and units_of_last) else units
        layers.append(keras.layers.SimpleRNN(layer_units, return_sequences=returns))
    layers.append(keras.layers.Dense(horizon))
    return keras.Sequential(layers)


def test_builder_checker_accepts_a_right_answer():
    assert ch06.check_deep_rnn_builder(deep_rnn)


def test_builder_checker_accepts_a_gru_stack_too():
    def gru_stack(n_layers, units, horizon):
        layers = [keras.layers.GRU(units, return_sequences=i < n_layers - 1) for i in range(n_layers)]
        return keras.Sequential([keras.Input(shape=(None, 1)), *layers, keras.layers.Dense(horizon)])

    assert ch06.check_deep_rnn_builder(gru_stack, n_layers=2)


@pytest.mark.parametrize("answer, diagnosis", [
    (lambda n, u, h: deep_rnn(n, u, h, all_return_sequences=False), "missing_return_sequences"),
    (lambda n, u, h: deep_rnn(n, u, h, last_returns_sequences=True), "last_layer_returns_sequences"),
    (lambda n, u, h: deep_rnn(n, u, h, depth=n - 1), "wrong_depth"),
    (lambda n, u, h: deep_rnn(n, u, 1), "wrong_output_shape"),
    (lambda n, u, h: deep_rnn(n, u, h, units_of_last=u + 1), "wrong_units"),
    (lambda n, u, h: "a model", "not_a_model"),
])
def test_builder_checker_names_each_mistake(answer, diagnosis):
    feedback = ch06.check_deep_rnn_builder(answer)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis, str(feedback)


def test_builder_checker_finds_missing_return_sequences_without_an_input_layer_too():
    def no_input(n_layers, units, horizon):
        return keras.Sequential([keras.layers.SimpleRNN(units) for _ in range(n_layers)]
                                + [keras.layers.Dense(horizon)])

    assert ch06.check_deep_rnn_builder(no_input).diagnosis == "missing_return_sequences"


def test_builder_checker_says_not_done_for_placeholders():
    assert ch06.check_deep_rnn_builder(None).diagnosis == NOT_DONE
    assert ch06.check_deep_rnn_builder(lambda *args: None).diagnosis == NOT_DONE


# --- check_last_time_step_mse -------------------------------------------------------------

def test_last_step_checker_accepts_numpy_and_keras_ops_answers():
    assert ch06.check_last_time_step_mse(lambda t, p: np.mean((t[:, -1] - p[:, -1]) ** 2))
    assert ch06.check_last_time_step_mse(
        lambda t, p: keras.ops.mean(keras.ops.square(keras.ops.convert_to_tensor(t[:, -1] - p[:, -1]))))


def test_last_step_checker_agrees_with_seqlab_metrics():
    from seqlab import metrics

    def per_sample_then_mean(y_true, y_pred):
        return np.mean(keras.ops.convert_to_numpy(metrics.last_time_step_mse(y_true, y_pred)))

    def keras_metric(y_true, y_pred):
        metric = metrics.LastTimeStepMSE()
        metric.update_state(y_true, y_pred)
        return metric.result()

    assert ch06.check_last_time_step_mse(per_sample_then_mean)
    assert ch06.check_last_time_step_mse(keras_metric)


@pytest.mark.parametrize("answer, diagnosis", [
    (lambda t, p: np.mean((t - p) ** 2), "all_time_steps"),
    (lambda t, p: np.mean((t[:, 0] - p[:, 0]) ** 2), "first_time_step"),
    (lambda t, p: np.mean((t[:, -1] - p[:, -1]) ** 2, axis=1), "not_a_number"),
    (lambda t, p: np.sqrt(np.mean((t[:, -1] - p[:, -1]) ** 2)), "root_mean_squared"),
    (lambda t, p: np.mean(np.abs(t[:, -1] - p[:, -1])), "absolute_error"),
    (lambda t, p: np.mean((t[:, -1] - p[:, -1]) ** 2) + 1.0, "wrong_values"),
    (lambda t, p: "zero", "not_a_number"),
])
def test_last_step_checker_names_each_mistake(answer, diagnosis):
    feedback = ch06.check_last_time_step_mse(answer)
    assert not feedback.passed
    assert feedback.diagnosis == diagnosis, str(feedback)


def test_last_step_checker_says_not_done_for_placeholders():
    assert ch06.check_last_time_step_mse(None).diagnosis == NOT_DONE


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="a TensorFlow log message")
def test_recursive_checker_adds_no_tensorflow_warning_to_the_page(caplog):
    """Three models traced before it (as a chapter's earlier cells do), then the checker's
    probe model and a learner's model.predict loop: TensorFlow's retracing warning came
    out of the checker into chapter 6's page."""
    import logging

    for units in range(1, 4):
        model = keras.Sequential([keras.Input((3, 1)), keras.layers.Dense(units)])
        model.predict(np.zeros((1, 3, 1)), verbose=0)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        assert ch06.check_recursive_forecast(right_answer)
        assert logging.getLogger("tensorflow").level == logging.WARNING  # restored after it
    assert not [record for record in caplog.records if record.name == "tensorflow"]


# --- check_seq2seq_targets ----------------------------------------------------------------

def targets_right(series, input_length, horizon):
    return np.stack([series[t + 1:t + 1 + horizon] for t in range(input_length)])


def targets_strided(series, input_length, horizon):
    view = np.lib.stride_tricks.sliding_window_view(series[1:], horizon)
    return view[:input_length]


def targets_including_current(series, input_length, horizon):
    return np.stack([series[t:t + horizon] for t in range(input_length)])


def targets_repeated(series, input_length, horizon):
    return np.tile(series[input_length:input_length + horizon], (input_length, 1))


def targets_inside_window(series, input_length, horizon):
    return np.stack([series[t + 1:t + 1 + horizon]
                     for t in range(input_length - horizon)])


def targets_one_short(series, input_length, horizon):
    return np.stack([series[t + 1:t + horizon] for t in range(input_length)])


def targets_transposed(series, input_length, horizon):
    return targets_right(series, input_length, horizon).T


def targets_with_feature_axis(series, input_length, horizon):
    return targets_right(series, input_length, horizon)[:, :, None]


def targets_one_wrong(series, input_length, horizon):
    result = targets_right(series, input_length, horizon).copy()
    result[2, 1] = 0.0
    return result


@pytest.mark.parametrize("answer", [targets_right, targets_strided])
def test_seq2seq_targets_checker_accepts_right_answers(answer):
    feedback = ch06.check_seq2seq_targets(answer)
    assert feedback, feedback.message


def test_seq2seq_targets_checker_agrees_with_the_windows_of_the_package():
    series = np.arange(30.0, dtype=np.float32)
    _, Y = seqlab.windows.windows_from_many(series[None, :13, None], 10, 3,
                                            target="seq2seq")
    np.testing.assert_array_equal(targets_right(series[:13], 10, 3), Y[0])


@pytest.mark.parametrize("answer, diagnosis, words", [
    (targets_including_current, "includes_current_value", "one step too early"),
    (targets_repeated, "same_target_every_step", "ordinary horizon target"),
    (targets_inside_window, "only_steps_inside_the_window", "input_length rows"),
    (targets_one_short, "slice_one_short", "horizon - 1 values"),
    (targets_transposed, "transposed", "axes are swapped"),
    (targets_with_feature_axis, "wrong_shape", "values are right"),
    (targets_one_wrong, "wrong_values", "step 2, 2 step(s) ahead"),
    (lambda s, T, h: "targets", "not_an_array", "array of numbers"),
    (lambda s, T, h: s[T + 5], "raised", "IndexError"),
])
def test_seq2seq_targets_checker_names_each_mistake(answer, diagnosis, words):
    feedback = ch06.check_seq2seq_targets(answer)
    assert not feedback
    assert feedback.diagnosis == diagnosis
    assert words in feedback.message + " " + " ".join(feedback.hints)


def test_seq2seq_targets_checker_says_not_done_for_placeholders():
    def placeholder(series, input_length, horizon):
        raise NotImplementedError

    assert ch06.check_seq2seq_targets(placeholder).diagnosis == NOT_DONE
    assert ch06.check_seq2seq_targets(None).diagnosis == NOT_DONE
    assert ch06.check_seq2seq_targets(lambda *args: None).diagnosis == NOT_DONE
