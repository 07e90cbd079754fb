"""seqlab.backtest: folds, no leakage, scores against hand computations, Keras models per fold."""

import functools

import numpy as np
import pandas as pd
import pytest

import keras
from seqlab.backtest import BacktestResult, KerasForecaster, rolling_origin
from seqlab.baselines import LinearAutoregressive, naive_forecast, seasonal_naive_forecast


def test_naive_on_a_ramp_by_hand():
    result = rolling_origin(np.arange(30.0), naive_forecast, input_length=4, horizon=2, initial=10, step=5)
    assert isinstance(result, BacktestResult)
    assert result.folds["first_origin"].tolist() == [10, 15, 20, 25]
    assert result.folds["last_origin"].tolist() == [14, 19, 24, 28]  # the last origin leaves room for 2 targets
    assert result.folds["n_forecasts"].sum() == 19 == len(result.forecasts) / 2
    # on a ramp the naive forecast k steps ahead is off by exactly k
    assert result.per_horizon["mae"].tolist() == [1.0, 2.0]
    assert result.folds["mae"].tolist() == [1.5] * 4
    assert result.folds["mase"].tolist() == [1.5] * 4  # in-sample naive MAE of a ramp is 1


def test_expanding_and_sliding_training_ranges():
    series = np.sin(np.arange(120) / 3.0)
    expanding = rolling_origin(series, naive_forecast, input_length=5, horizon=1, initial=40, step=20)
    sliding = rolling_origin(series, naive_forecast, input_length=5, horizon=1, initial=40, step=20,
                             window="sliding")
    assert (expanding.folds["train_start"] == 0).all()
    assert (sliding.folds["train_end"] - sliding.folds["train_start"] == 40).all()
    assert (expanding.folds["train_end"] == expanding.folds["first_origin"]).all()


class Spy:
    """A forecaster that records what it was trained on and forecasts from."""

    def __init__(self):
        self.seen = []

    def fit(self, X, y):
        self.seen.append(("fit", float(np.max(X)), float(np.max(y))))
        return self

    def predict(self, X):
        self.seen.append(("predict", float(np.max(X)), None))
        return X[:, -1, :].repeat(3, axis=1)


@pytest.mark.parametrize("window", ["expanding", "sliding"])
def test_no_fold_trains_on_or_sees_its_future(window):
    positions = np.arange(100.0)  # each value is its own index
    spy = Spy()
    result = rolling_origin(positions, spy, input_length=6, horizon=3, initial=30, step=10, window=window)
    fits = [entry for entry in spy.seen if entry[0] == "fit"]
    predictions = [entry for entry in spy.seen if entry[0] == "predict"]
    for (_, max_x, max_y), (_, max_input, _), origin in zip(fits, predictions, result.folds["first_origin"]):
        assert max_y < origin and max_x < origin  # training data ends before the fold's origin
        assert max_input < origin + 10  # inputs: values before each forecast origin
    assert (result.forecasts["y_true"] >= result.forecasts["origin"]).all()
    assert (result.forecasts["y_true"] == result.forecasts["origin"] + result.forecasts["lead"] - 1).all()


def test_linear_autoregressive_on_a_sine_and_seasonal_naive_on_a_cycle():
    sine = np.sin(np.arange(300) / 5.0)
    result = rolling_origin(sine, LinearAutoregressive(horizon=4), input_length=10, horizon=4,
                            initial=100, step=50, window="sliding")
    assert result.per_horizon["mae"].max() < 1e-3
    cycle = np.tile([0.0, 1.0, 4.0, 2.0], 30)
    season = functools.partial(seasonal_naive_forecast, season=4)
    assert rolling_origin(cycle, season, input_length=8, horizon=6, initial=40, step=7).folds["mae"].max() == 0


def test_scaling_inside_folds_gives_scores_in_original_units():
    rng = np.random.default_rng(0)
    series = 500 + np.cumsum(rng.normal(size=150))
    plain = rolling_origin(series, naive_forecast, input_length=5, horizon=2, initial=60, step=30)
    scaled = rolling_origin(series, naive_forecast, input_length=5, horizon=2, initial=60, step=30, scale=True)
    np.testing.assert_allclose(scaled.folds["mae"], plain.folds["mae"], rtol=1e-3)


def test_pandas_series_and_dataframe_with_target_column():
    sunspots = pd.Series(np.abs(np.sin(np.arange(80) / 6.0)) * 100,
                         index=pd.period_range("1900", periods=80, freq="Y"))
    result = rolling_origin(sunspots, naive_forecast, input_length=5, horizon=1, initial=40, step=20)
    assert result.folds["first_origin_time"].tolist() == [pd.Period("1940", "Y"), pd.Period("1960", "Y")]
    frame = pd.DataFrame({"x": np.arange(60.0), "y": np.arange(60.0) * 2})
    result = rolling_origin(frame, LinearAutoregressive(), input_length=3, horizon=1, initial=30,
                            step=10, target_column="y")
    assert result.folds["mae"].max() < 1e-6


@pytest.mark.parametrize("kwargs, error, message", [
    ({"initial": 5}, ValueError, r"initial \(5\) must be at least input_length \+ horizon \(6\)"),
    ({"initial": 60}, ValueError, r"initial \(60\) \+ horizon \(1\) must be at most the length"),
    ({"horizon": 0}, ValueError, "horizon must be an integer >= 1"),
    ({"step": 0}, ValueError, "step must be an integer >= 1"),
    ({"window": "rolling"}, ValueError, "window must be one of"),
    ({"forecaster": 3}, TypeError, "forecaster must be a function"),
    ({"forecaster": lambda X, horizon: np.zeros((len(X), horizon + 1))}, ValueError, "forecaster returned shape"),
    ({"series": np.zeros((50, 2))}, ValueError, "target_column must name the column"),
    ({"series": np.r_[np.zeros(20), np.nan, np.zeros(29)]}, ValueError, "series contains NaN"),
])
def test_bad_input_names_the_argument(kwargs, error, message):
    arguments = {"series": np.arange(50.0), "forecaster": naive_forecast, "input_length": 5,
                 "horizon": 1, "initial": 20, "step": 10}
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        rolling_origin(**arguments)


def build_model():
    return keras.Sequential([keras.Input((8, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])


@pytest.mark.parametrize("refit", [True, False])
def test_keras_model_per_fold(refit, backend):
    series = np.sin(np.arange(160) / 4.0).astype("float32")
    forecaster = KerasForecaster(build_model, epochs=3, refit=refit, finetune_epochs=1, batch_size=16)
    models = []
    original_fit = forecaster.fit

    def fit_and_remember(X, y):
        original_fit(X, y)
        models.append(forecaster.model)
        return forecaster

    forecaster.fit = fit_and_remember
    result = rolling_origin(series, forecaster, input_length=8, horizon=2, initial=80, step=30, scale=True)
    assert len(result.folds) == 3 and forecaster.fits == 3
    distinct = len({id(model) for model in models})
    assert distinct == (3 if refit else 1), backend
    assert np.isfinite(result.per_horizon["mae"]).all() and result.per_horizon.shape[0] == 2
    # a fitted linear map is in the right ballpark on a sine (values in [-1, 1])
    assert result.folds["mae"].max() < 1.0


def test_keras_forecaster_bad_use():
    with pytest.raises(TypeError, match="build_model must be a function"):
        KerasForecaster("model")
    with pytest.raises(RuntimeError, match="not fitted"):
        KerasForecaster(build_model).predict(np.zeros((1, 8, 1)))
    with pytest.raises(TypeError, match="build_model must return a keras.Model"):
        KerasForecaster(lambda: None).fit(np.zeros((4, 8, 1)), np.zeros((4, 2)))


def test_verdict_names_the_lower_error_or_calls_a_tie():
    from seqlab.backtest import verdict

    assert verdict("A", 0.5, "B", 0.4).endswith("B is ahead (MAE 0.500 vs 0.400)")
    assert verdict("A", 0.3, "B", 0.4, unit="MASE") == "A vs B: A is ahead (MASE 0.300 vs 0.400)"
    assert "too close to call" in verdict("A", 0.42, "B", 0.40)          # 5 % of 0.40
    assert "too close to call" not in verdict("A", 0.43, "B", 0.40)
    assert "A is ahead" in verdict("A", 0.39, "B", 0.40, margin=0.0)
    for bad in [dict(error_a=-1.0), dict(error_b=float("nan")), dict(margin=-0.1)]:
        kwargs = dict(name_a="A", error_a=0.3, name_b="B", error_b=0.4) | bad
        with pytest.raises(ValueError, match=next(iter(bad))):
            verdict(**kwargs)
