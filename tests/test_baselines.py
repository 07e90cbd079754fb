"""seqlab.baselines: each forecast checked by hand and against an independent computation."""

import numpy as np
import pytest

from seqlab.baselines import (ExponentialSmoothing, LinearAutoregressive, drift_forecast,
                              naive_forecast, seasonal_naive_forecast)
from seqlab.windows import make_windows

X = np.array([[1.0, 2.0, 4.0, 7.0], [5.0, 5.0, 3.0, 1.0]])


def test_naive_repeats_the_last_value():
    assert naive_forecast(X, horizon=3).tolist() == [[7, 7, 7], [1, 1, 1]]
    assert naive_forecast(X[..., None]).shape == (2, 1)


def test_seasonal_naive_repeats_the_last_season():
    assert seasonal_naive_forecast(X, season=2, horizon=5).tolist() == [[4, 7, 4, 7, 4], [3, 1, 3, 1, 3]]
    assert seasonal_naive_forecast(X, season=1, horizon=2).tolist() == naive_forecast(X, 2).tolist()


def test_seasonal_naive_is_exact_on_a_periodic_series():
    series = np.tile([1.0, 3.0, 2.0, 0.0], 10)
    windows, targets = make_windows(series, 8, 6, target="horizon")
    np.testing.assert_array_equal(seasonal_naive_forecast(windows, season=4, horizon=6), targets)


def test_drift_extends_the_first_to_last_line():
    expected = [[7 + 2 * k for k in (1, 2)], [1 - 4 / 3 * k for k in (1, 2)]]
    np.testing.assert_allclose(drift_forecast(X, horizon=2), expected)
    line = 3.0 + 0.5 * np.arange(30)
    windows, targets = make_windows(line, 6, 4, target="horizon")
    np.testing.assert_allclose(drift_forecast(windows, horizon=4), targets, rtol=1e-6)


@pytest.mark.parametrize("call, error, message", [
    (lambda: naive_forecast(np.zeros((2, 3, 2))), ValueError, r"X must be \(n, T\) or \(n, T, 1\)"),
    (lambda: naive_forecast(np.zeros(3)), ValueError, "X must be 2-D or 3-D"),
    (lambda: naive_forecast(X, horizon=0), ValueError, "horizon must be an integer >= 1"),
    (lambda: naive_forecast([[1.0, np.nan]]), ValueError, "X contains NaN"),
    (lambda: seasonal_naive_forecast(X, season=5), ValueError, r"season \(5\) must be at most the window length \(4\)"),
    (lambda: seasonal_naive_forecast(X, season=0), ValueError, "season must be an integer >= 1"),
    (lambda: drift_forecast([[1.0], [2.0]]), ValueError, "at least 2 time steps"),
])
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_linear_autoregressive_recovers_ar2_coefficients():
    rng = np.random.default_rng(0)
    series = np.zeros(3000)
    for t in range(2, len(series)):
        series[t] = 0.6 * series[t - 1] - 0.3 * series[t - 2] + 0.2 + rng.normal(scale=0.1)
    windows, targets = make_windows(series, 2, 1)
    model = LinearAutoregressive().fit(windows, targets)
    np.testing.assert_allclose(model.weights_[:, 0], [-0.3, 0.6], atol=0.03)  # oldest value first
    assert model.bias_[0] == pytest.approx(0.2, abs=0.03)


def test_linear_autoregressive_matches_normal_equations():
    rng = np.random.default_rng(1)
    windows, targets = rng.normal(size=(80, 5, 1)), rng.normal(size=(80, 3))
    model = LinearAutoregressive(horizon=3).fit(windows, targets)
    design = np.hstack([windows[:, :, 0], np.ones((80, 1))])
    solution = np.linalg.solve(design.T @ design, design.T @ targets)
    np.testing.assert_allclose(model.predict(windows), design @ solution, rtol=1e-8, atol=1e-10)


def test_linear_autoregressive_multi_step_on_a_sine_is_nearly_exact():
    series = np.sin(np.arange(400) / 7.0)
    windows, targets = make_windows(series, 10, 5, target="horizon")
    model = LinearAutoregressive(horizon=5).fit(windows[:300], targets[:300])
    assert np.abs(model.predict(windows[300:]) - targets[300:]).max() < 1e-3


def test_linear_autoregressive_bad_use():
    with pytest.raises(RuntimeError, match="not fitted"):
        LinearAutoregressive().predict(X)
    with pytest.raises(ValueError, match=r"y must have shape \(n, 2\) or \(n, 2, 1\)"):
        LinearAutoregressive(horizon=2).fit(X, np.zeros((2, 1)))
    with pytest.raises(ValueError, match="same number of windows"):
        LinearAutoregressive().fit(X, np.zeros(3))
    model = LinearAutoregressive().fit(X, np.zeros(2))
    with pytest.raises(ValueError, match=r"windows of shape \(4,\)"):
        model.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="horizon"):
        LinearAutoregressive(horizon=0)


def test_linear_autoregressive_several_outputs_matches_least_squares():
    rng = np.random.default_rng(2)
    windows = rng.normal(size=(90, 4, 3))
    targets = rng.normal(size=(90, 2, 3))          # 2 steps ahead, 3 variables
    model = LinearAutoregressive(horizon=2, n_outputs=3).fit(windows, targets)
    forecasts = model.predict(windows)
    assert forecasts.shape == (90, 2, 3)
    design = np.hstack([windows.reshape(90, -1), np.ones((90, 1))])
    for step in range(2):
        for variable in range(3):      # one independent regression per output
            coef, *_ = np.linalg.lstsq(design, targets[:, step, variable], rcond=None)
            np.testing.assert_allclose(forecasts[:, step, variable], design @ coef,
                                       rtol=1e-8, atol=1e-10)


def test_linear_autoregressive_var1_recovers_its_matrix():
    rng = np.random.default_rng(3)
    A = np.array([[0.5, 0.2], [-0.3, 0.4]])
    series = np.zeros((4000, 2))
    for t in range(1, len(series)):
        series[t] = A @ series[t - 1] + rng.normal(scale=0.1, size=2)
    windows, targets = make_windows(series, 1)              # targets (n, 1, 2)
    assert targets.shape[1:] == (1, 2)
    model = LinearAutoregressive(n_outputs=2).fit(windows, targets)
    np.testing.assert_allclose(model.weights_.T, A, atol=0.03)
    flat = LinearAutoregressive(n_outputs=2).fit(windows, targets[:, 0])   # (n, 2)
    np.testing.assert_allclose(flat.predict(windows), model.predict(windows))
    assert model.predict(windows).shape == (len(windows), 1, 2)
    assert model.get_config() == {"horizon": 1, "n_outputs": 2}


@pytest.mark.parametrize("model, y, message", [
    (LinearAutoregressive(n_outputs=3), np.zeros((2, 1)), r"\(n, 1, 3\) or \(n, 3\)"),
    (LinearAutoregressive(horizon=2, n_outputs=3), np.zeros((2, 3)), r"\(n, 2, 3\) for horizon=2"),
    (LinearAutoregressive(horizon=2, n_outputs=3), np.zeros((2, 3, 2)), r"got \(2, 3, 2\)"),
    (LinearAutoregressive(horizon=3), np.zeros((2, 3, 2)), r"\(n, 3\) or \(n, 3, 1\)"),
])
def test_linear_autoregressive_rejects_targets_of_another_layout(model, y, message):
    with pytest.raises(ValueError, match=message):
        model.fit(X, y)


def test_linear_autoregressive_rejects_bad_n_outputs():
    with pytest.raises(ValueError, match="n_outputs must be an integer >= 1"):
        LinearAutoregressive(n_outputs=0)
    with pytest.raises(TypeError, match="n_outputs"):
        LinearAutoregressive(n_outputs=2.0)


def _holt_winters_reference(series, params, season):
    """Additive Holt-Winters, no trend, in NumPy (Hyndman and Athanasopoulos, 8.3)."""
    alpha, gamma = params["smoothing_level"], params["smoothing_seasonal"]
    level, seasonal = params["initial_level"], list(params["initial_seasons"])
    forecasts = []
    for t, value in enumerate(series):
        forecasts.append(level + seasonal[t])
        new_level = alpha * (value - seasonal[t]) + (1 - alpha) * level
        seasonal.append(gamma * (value - level) + (1 - gamma) * seasonal[t])
        level = new_level
    return np.array(forecasts)


def _seasonal_series(n=240, season=12, seed=0):
    rng = np.random.default_rng(seed)
    profile = 2 * np.sin(2 * np.pi * np.arange(season) / season)
    walk = np.cumsum(rng.normal(scale=0.3, size=n))
    return 10 + walk + np.tile(profile, n // season + 1)[:n] + rng.normal(scale=0.3, size=n)


def test_exponential_smoothing_matches_a_numpy_recursion_with_its_parameters():
    series = _seasonal_series()
    model = ExponentialSmoothing(season=12).fit(series[:160])
    assert model.converged_
    assert 0.05 < model.params_["smoothing_level"] < 1     # an interior estimate
    expected = _holt_winters_reference(series, model.params_, 12)
    forecasts = model.forecast(series, start=160)
    assert forecasts.shape == (80, 1)
    np.testing.assert_allclose(forecasts[:, 0], expected[160:], rtol=1e-9, atol=1e-9)


def test_exponential_smoothing_uses_only_the_past_and_fixed_parameters():
    series = _seasonal_series(seed=1)
    model = ExponentialSmoothing(season=12, trend="add").fit(series[:160])
    before = model.forecast(series, start=100, horizon=3)
    changed = series.copy()
    changed[150:] += 100.0                    # a change after origin 150 ...
    after = model.forecast(changed, start=100, horizon=3)
    assert before.shape == (240 - 3 - 100 + 1, 3)
    # ... leaves every forecast made from origins up to 150 unchanged
    np.testing.assert_allclose(after[:51], before[:51])
    assert np.abs(after[51:] - before[51:]).min() > 1.0
    one_step = model.forecast(series, start=100)
    np.testing.assert_allclose(one_step[:, 0], model.forecast(series, 100, 2)[:, 0].tolist()
                               + [one_step[-1, 0]])


def test_exponential_smoothing_is_exact_on_a_fixed_seasonal_pattern():
    series = np.tile([1.0, 3.0, 2.0, 0.0], 12)
    model = ExponentialSmoothing(season=4).fit(series[:32])
    np.testing.assert_allclose(model.forecast(series, start=32), series[32:, None], atol=1e-6)


def test_exponential_smoothing_keeps_statsmodels_warnings_off_stderr(recwarn):
    rng = np.random.default_rng(4)
    ExponentialSmoothing(season=12, trend="add").fit(rng.normal(size=30).cumsum())
    assert len(recwarn) == 0


@pytest.mark.parametrize("call, error, message", [
    (lambda: ExponentialSmoothing(season=1), ValueError, "season must be an integer >= 2"),
    (lambda: ExponentialSmoothing(12, trend="mul"), ValueError, "trend"),
    (lambda: ExponentialSmoothing(12).fit(np.ones(20)), ValueError, r"at least two seasons \(24"),
    (lambda: ExponentialSmoothing(4).fit([1.0, np.nan] * 6), ValueError, "series contains NaN"),
    (lambda: ExponentialSmoothing(4).fit(np.ones((12, 2))), ValueError, "series must be 1-D"),
    (lambda: ExponentialSmoothing(4).forecast(np.ones(12), 4), RuntimeError, "not fitted"),
    (lambda: ExponentialSmoothing(2).fit(np.arange(8.0)).forecast(np.ones(8), 0), ValueError,
     "start must be an integer >= 1"),
    (lambda: ExponentialSmoothing(2).fit(np.arange(8.0)).forecast(np.ones(8), 7, 2), ValueError,
     r"start \(7\) \+ horizon \(2\)"),
])
def test_exponential_smoothing_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
