"""seqlab.metrics: NumPy metrics by hand; the Keras metric against NumPy, in fit/evaluate, saved and loaded."""

import numpy as np
import pytest

import keras
from seqlab.metrics import (LastTimeStepMSE, last_time_step_mse, mae, mase, mse,
                            per_horizon_error, seasonal_naive_scale)


def test_mse_and_mae_by_hand():
    y_true, y_pred = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[2.0, 2.0], [3.0, 1.0]])
    assert mse(y_true, y_pred) == pytest.approx((1 + 0 + 0 + 9) / 4)
    assert mae(y_true, y_pred) == pytest.approx((1 + 0 + 0 + 3) / 4)


def test_mase_scales_by_the_in_sample_seasonal_naive_mae():
    y_train = np.array([1.0, 3.0, 2.0, 5.0, 4.0])
    assert seasonal_naive_scale(y_train) == pytest.approx((2 + 1 + 3 + 1) / 4)
    assert seasonal_naive_scale(y_train, season=2) == pytest.approx((1 + 2 + 2) / 3)
    assert mase([1.0, 2.0], [2.0, 4.0], y_train) == pytest.approx(1.5 / 1.75)
    assert mase([1.0, 2.0], [2.0, 4.0], y_train[:, None], season=2) == pytest.approx(1.5 / (5 / 3))


def test_naive_forecast_of_a_random_walk_has_mase_near_one():
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=20_000))
    train, test = walk[:10_000], walk[10_000:]
    assert mase(test[1:], test[:-1], train) == pytest.approx(1.0, abs=0.05)


def test_per_horizon_error_against_loops():
    rng = np.random.default_rng(2)
    y_true, y_pred = rng.normal(size=(50, 4, 2)), rng.normal(size=(50, 4, 2))
    for metric, reduce in [("mae", lambda e: np.abs(e).mean()), ("mse", lambda e: (e ** 2).mean()),
                           ("rmse", lambda e: np.sqrt((e ** 2).mean()))]:
        expected = [reduce(y_true[:, k] - y_pred[:, k]) for k in range(4)]
        np.testing.assert_allclose(per_horizon_error(y_true, y_pred, metric), expected)
    assert per_horizon_error(y_true[..., 0], y_pred[..., 0]).shape == (4,)


@pytest.mark.parametrize("call, message", [
    (lambda: mse([1.0, 2.0], [1.0]), r"y_true and y_pred must have the same shape, got \(2,\) and \(1,\)"),
    (lambda: mae([1.0, np.nan], [1.0, 2.0]), "y_true contains NaN"),
    (lambda: mae([1.0, 2.0], [1.0, np.nan]), "y_pred contains NaN"),
    (lambda: mse([], []), "empty"),
    (lambda: mase([1.0], [1.0], [2.0, 2.0, 2.0]), "y_train is constant"),
    (lambda: mase([1.0], [1.0], [2.0, 3.0], season=2), "y_train must have more than season=2 values"),
    (lambda: mase([1.0], [1.0], np.zeros((3, 2))), "y_train must be 1-D or"),
    (lambda: per_horizon_error([[1.0]], [[1.0]], metric="mape"), "metric must be one of"),
    (lambda: per_horizon_error([1.0], [1.0]), r"y_true must be \(n, horizon\)"),
])
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ----------------------------------------------------------------------------- Keras metric


def numpy_last_step_mse(y_true, y_pred):
    return float(np.mean((y_true[:, -1] - y_pred[:, -1]) ** 2))


def test_last_time_step_metric_against_numpy():
    rng = np.random.default_rng(3)
    y_true, y_pred = rng.normal(size=(16, 7, 3)).astype("float32"), rng.normal(size=(16, 7, 3)).astype("float32")
    metric = LastTimeStepMSE()
    metric.update_state(y_true[:10], y_pred[:10])
    metric.update_state(y_true[10:], y_pred[10:])
    assert float(metric.result()) == pytest.approx(numpy_last_step_mse(y_true, y_pred), rel=1e-5)
    # the function form gives one value per sample
    per_sample = keras.ops.convert_to_numpy(last_time_step_mse(y_true, y_pred))
    np.testing.assert_allclose(per_sample, ((y_true[:, -1] - y_pred[:, -1]) ** 2).mean(axis=1), rtol=1e-5)
    # earlier steps do not count
    y_other = y_pred.copy()
    y_other[:, :-1] += 100
    metric.reset_state()
    assert float(metric.result()) == 0.0
    metric.update_state(y_true, y_other)
    assert float(metric.result()) == pytest.approx(numpy_last_step_mse(y_true, y_pred), rel=1e-5)


def test_last_time_step_metric_with_sample_weights():
    rng = np.random.default_rng(4)
    y_true, y_pred = rng.normal(size=(6, 3, 2)).astype("float32"), rng.normal(size=(6, 3, 2)).astype("float32")
    weights = np.array([1, 0, 2, 0, 1, 1], dtype="float32")
    metric = LastTimeStepMSE()
    metric.update_state(y_true, y_pred, sample_weight=weights)
    per_sample = ((y_true[:, -1] - y_pred[:, -1]) ** 2).mean(axis=1)
    assert float(metric.result()) == pytest.approx((per_sample * weights).sum() / weights.sum(), rel=1e-5)


def test_last_time_step_metric_rejects_vector_targets():
    with pytest.raises(ValueError, match=r"\(batch, time, horizon\)"):
        last_time_step_mse(np.zeros((4, 3)), np.zeros((4, 3)))


def seq2seq_model(n_steps=6, horizon=3):
    return keras.Sequential([keras.Input((n_steps, 2)), keras.layers.Dense(horizon)])


def test_metric_in_compile_fit_evaluate_matches_numpy(backend):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(64, 6, 2)).astype("float32")
    y = rng.normal(size=(64, 6, 3)).astype("float32")
    model = seq2seq_model()
    model.compile(optimizer="adam", loss="mse", metrics=[LastTimeStepMSE(), last_time_step_mse])
    history = model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    assert "last_time_step_mse" in history.history
    scores = model.evaluate(X, y, batch_size=16, verbose=0, return_dict=True)
    expected = numpy_last_step_mse(y, model.predict(X, verbose=0))
    assert scores["last_time_step_mse"] == pytest.approx(expected, rel=1e-4), backend
    # the function form, averaged by Keras over batches of equal size, agrees
    function_scores = [v for k, v in scores.items() if k not in ("loss", "last_time_step_mse")]
    assert function_scores and function_scores[0] == pytest.approx(expected, rel=1e-4)


def test_metric_is_serialisable(tmp_path):
    metric = LastTimeStepMSE(name="last_mse")
    clone = LastTimeStepMSE.from_config(metric.get_config())
    assert clone.name == "last_mse"
    restored = keras.metrics.deserialize(keras.metrics.serialize(metric))
    assert isinstance(restored, LastTimeStepMSE)

    model = seq2seq_model()
    model.compile(optimizer="adam", loss="mse", metrics=[LastTimeStepMSE()])
    X = np.ones((8, 6, 2), "float32")
    y = np.zeros((8, 6, 3), "float32")
    model.fit(X, y, epochs=1, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    before = model.evaluate(X, y, verbose=0, return_dict=True)["last_time_step_mse"]
    after = loaded.evaluate(X, y, verbose=0, return_dict=True)["last_time_step_mse"]
    assert after == pytest.approx(before, rel=1e-5)
