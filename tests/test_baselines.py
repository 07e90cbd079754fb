"""seqlab.baselines: each forecast checked by hand and against an independent computation."""

import numpy as np
import pytest

from seqlab.baselines import (LinearAutoregressive, drift_forecast, naive_forecast,
                              seasonal_naive_forecast)
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
    with pytest.raises(ValueError, match="horizon=2 columns"):
        LinearAutoregressive(horizon=2).fit(X, np.zeros((2, 1)))
    with pytest.raises(ValueError, match="same number of windows"):
        LinearAutoregressive().fit(X, np.zeros(3))
    model = LinearAutoregressive().fit(X, np.zeros(2))
    with pytest.raises(ValueError, match=r"windows of shape \(4,\)"):
        model.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="horizon"):
        LinearAutoregressive(horizon=0)
