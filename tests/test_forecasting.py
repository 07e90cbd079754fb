"""seqlab.forecasting, checked against loops written out in NumPy."""

import logging
import warnings

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras

from seqlab.forecasting import (multi_output_forecast, predict_numpy, predict_on_batch,
                                recursive_forecast)

WINDOW = 5


def linear_one_step_model(weights, bias):
    """A Keras model computing ``window @ weights + bias``: its output is known exactly."""
    model = keras.Sequential([
        keras.Input(shape=(WINDOW, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(1),
    ])
    model.layers[-1].set_weights([np.asarray(weights, np.float32)[:, None], np.array([bias], np.float32)])
    return model


def numpy_recursive_forecast(windows, weights, bias, horizon):
    """The same forecast, one window and one step at a time, in float64."""
    forecasts = []
    for window in windows:
        values = list(window.astype(np.float64))
        out = []
        for _ in range(horizon):
            next_value = float(np.dot(values[-WINDOW:], weights) + bias)
            out.append(next_value)
            values.append(next_value)
        forecasts.append(out)
    return np.array(forecasts)


@pytest.fixture
def linear_case(rng):
    weights = rng.normal(scale=0.4, size=WINDOW)
    bias = 0.1
    windows = rng.normal(size=(7, WINDOW)).astype(np.float32)
    return linear_one_step_model(weights, bias), weights, bias, windows


@pytest.mark.parametrize("horizon", [1, 4, 9])
def test_recursive_forecast_matches_a_numpy_loop(linear_case, horizon):
    model, weights, bias, windows = linear_case
    expected = numpy_recursive_forecast(windows, weights, bias, horizon)
    got = recursive_forecast(model, windows[:, :, None], horizon)
    assert got.shape == (7, horizon)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_recursive_forecast_feeds_predictions_back_not_the_first_one_again(linear_case):
    model, weights, bias, windows = linear_case
    got = recursive_forecast(model, windows, horizon=3)  # 2-D windows are accepted too
    first_step_only = windows @ weights + bias
    np.testing.assert_allclose(got[:, 0], first_step_only, rtol=1e-4, atol=1e-5)
    assert not np.allclose(got[:, 1], got[:, 0])


def test_recursive_forecast_of_a_perfect_model_continues_a_line():
    # x_{t+1} = 2 x_t - x_{t-1} extrapolates a straight line exactly.
    weights = np.zeros(WINDOW)
    weights[-1], weights[-2] = 2.0, -1.0
    model = linear_one_step_model(weights, 0.0)
    starts = np.array([0.0, 3.0])
    windows = starts[:, None] + 0.5 * np.arange(WINDOW)[None, :]
    got = recursive_forecast(model, windows, horizon=4)
    expected = starts[:, None] + 0.5 * np.arange(WINDOW, WINDOW + 4)[None, :]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_recursive_forecast_with_several_features_feeds_back_every_feature(rng):
    mixing = rng.normal(scale=0.3, size=(2, 2)).astype(np.float32)
    one_step = lambda windows: windows[:, -1, :] @ mixing  # noqa: E731
    windows = rng.normal(size=(3, 4, 2)).astype(np.float32)
    got = recursive_forecast(one_step, windows, horizon=3)
    assert got.shape == (3, 3, 2)
    state = windows[:, -1, :]
    for k in range(3):
        state = state @ mixing
        np.testing.assert_allclose(got[:, k, :], state, rtol=1e-5)


def test_recursive_forecast_with_a_recurrent_model_matches_its_own_predict(rng):
    model = keras.Sequential([keras.Input(shape=(WINDOW, 1)), keras.layers.SimpleRNN(3), keras.layers.Dense(1)])
    windows = rng.normal(size=(4, WINDOW, 1)).astype(np.float32)
    got = recursive_forecast(model, windows, horizon=2)
    first = model.predict(windows, verbose=0)
    shifted = np.concatenate([windows[:, 1:], first[:, None, :]], axis=1)
    second = model.predict(shifted, verbose=0)
    np.testing.assert_allclose(got, np.concatenate([first, second], axis=1), rtol=1e-4, atol=1e-5)


def test_multi_output_forecast_takes_the_last_step_of_a_seq2seq_model(rng):
    windows = rng.normal(size=(4, 6, 1)).astype(np.float32)
    seq2seq = lambda w: np.concatenate([w + k for k in range(3)], axis=2)  # (n, T, 3)  # noqa: E731
    got = multi_output_forecast(seq2seq, windows, horizon=3)
    expected = windows[:, -1, 0][:, None] + np.arange(3)[None, :]
    np.testing.assert_allclose(got, expected)


def test_multi_output_forecast_with_a_keras_dense_head(rng):
    model = keras.Sequential([keras.Input(shape=(6, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    windows = rng.normal(size=(4, 6, 1)).astype(np.float32)
    kernel, bias = model.layers[-1].get_weights()
    np.testing.assert_allclose(multi_output_forecast(model, windows, 3), windows[:, :, 0] @ kernel + bias,
                               rtol=1e-4, atol=1e-5)


def test_predict_numpy_accepts_plain_callables_and_rejects_other_objects():
    assert predict_numpy(lambda x: x * 2, np.ones((2, 3))).tolist() == [[2, 2, 2], [2, 2, 2]]
    with pytest.raises(TypeError, match="model must be a keras.Model or a callable"):
        predict_numpy("not a model", np.ones((2, 3)))


@pytest.mark.parametrize("horizon, error, match", [
    (0, ValueError, "horizon must be an integer >= 1"),
    (2.5, TypeError, "horizon must be an integer"),
])
def test_bad_horizon_is_named(linear_case, horizon, error, match):
    model, *_, windows = linear_case
    with pytest.raises(error, match=match):
        recursive_forecast(model, windows, horizon)
    with pytest.raises(error, match=match):
        multi_output_forecast(model, windows, horizon)


def test_bad_windows_are_named(linear_case):
    model, *_ , windows = linear_case
    with pytest.raises(ValueError, match=r"X must be 2-D or 3-D, got shape \(5,\)"):
        recursive_forecast(model, np.ones(5), 2)
    broken = windows.copy()
    broken[1, 2] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        recursive_forecast(model, broken, 2)
    with pytest.raises(ValueError, match="at least one window"):
        recursive_forecast(model, np.ones((0, 5)), 2)


def test_a_multi_output_model_is_refused_by_recursive_forecast(rng):
    three_outputs = lambda w: np.repeat(w[:, -1, :], 3, axis=1)  # noqa: E731
    with pytest.raises(ValueError, match=r"one-step model.*got \(2, 3\).*multi_output_forecast"):
        recursive_forecast(three_outputs, rng.normal(size=(2, 4, 1)), horizon=3)


def test_a_model_with_the_wrong_number_of_outputs_is_refused_by_multi_output_forecast(rng):
    with pytest.raises(ValueError, match=r"must have shape \(2, 3\).*or \(2, 4, 3\).*got \(2, 1\)"):
        multi_output_forecast(lambda w: w[:, -1, :], rng.normal(size=(2, 4, 1)), horizon=3)


def small_recurrent_model(seq2seq=False):
    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.Input(shape=(WINDOW, 1)),
                             keras.layers.SimpleRNN(4, return_sequences=seq2seq),
                             keras.layers.Dense(2)])


@pytest.mark.parametrize("seq2seq", [False, True])
@pytest.mark.parametrize("n", [1, 63, 64, 65, 300])
def test_predict_numpy_equals_model_predict(rng, n, seq2seq):
    model = small_recurrent_model(seq2seq)
    windows = rng.normal(size=(n, WINDOW, 1)).astype(np.float32)
    got = predict_numpy(model, windows, batch_size=128)
    expected = model.predict(windows, verbose=0)
    assert got.shape == expected.shape == ((n, WINDOW, 2) if seq2seq else (n, 2))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_predict_numpy_pads_to_a_few_fixed_batch_sizes(rng):
    model = small_recurrent_model()
    shapes = []
    original = model.predict_on_batch

    def recording(batch):
        shapes.append(batch.shape[0])
        return original(batch)

    model.predict_on_batch = recording
    windows = rng.normal(size=(700, WINDOW, 1)).astype(np.float32)
    for n in [1, 5, 64, 65, 130, 255, 256, 257, 700]:
        np.testing.assert_allclose(predict_numpy(model, windows[:n], batch_size=256),
                                   model.predict(windows[:n], verbose=0), rtol=1e-5, atol=1e-6)
    assert set(shapes) == {64, 128, 256}, "every call is padded to 64, 128 or batch_size"


def test_predict_numpy_emits_no_warning_over_many_calls_of_changing_length(rng):
    model = small_recurrent_model()
    windows = rng.normal(size=(200, WINDOW, 1)).astype(np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in range(1, 200, 13):
            predict_numpy(model, windows[:n])
        one_step = keras.Sequential([keras.Input(shape=(WINDOW, 1)), keras.layers.SimpleRNN(4),
                                     keras.layers.Dense(1)])
        recursive_forecast(one_step, windows[:30], horizon=12)
    assert [str(warning.message) for warning in caught] == []


def test_predict_numpy_rejects_a_bad_batch_size_and_a_scalar(rng):
    model = small_recurrent_model()
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        predict_numpy(model, rng.normal(size=(3, WINDOW, 1)), batch_size=0)
    with pytest.raises(ValueError, match="X must have a first axis"):
        predict_numpy(model, 1.0)


class Records(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_predicting_with_many_new_models_logs_no_retracing_line(rng):
    # Every new model traces its predict function once; TensorFlow counts these traces
    # across models and logs "triggered tf.function retracing" after five of them.
    handler = Records()
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.addHandler(handler)
    try:
        windows = rng.normal(size=(20, WINDOW, 1)).astype(np.float32)
        for n in range(1, 9):
            predict_numpy(small_recurrent_model(), windows[:n])
    finally:
        logger.removeHandler(handler)
    assert [m for m in handler.messages if "retracing" in m] == []
    assert logger.level == level, "the logger's level is restored"


def test_predict_on_batch_equals_the_models_own_and_names_a_bad_model(rng):
    model = small_recurrent_model()
    batch = rng.normal(size=(3, WINDOW, 1)).astype(np.float32)
    np.testing.assert_allclose(predict_on_batch(model, batch), model.predict(batch, verbose=0),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="model must be a keras.Model, got function"):
        predict_on_batch(lambda x: x, batch)
