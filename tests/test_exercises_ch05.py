"""The checkers of chapter 5 accept right answers and name each typical mistake."""

import numpy as np
import pytest

from seqlab import baselines, datasets, windows
from seqlab.exercises import NOT_DONE
from seqlab.exercises import ch05

# ---------------------------------------------------------------- exercise 1: windows


def right_pairs(series, input_length):
    X = np.stack([series[i:i + input_length] for i in range(len(series) - input_length)])
    return X, series[input_length:]


def test_windows_accepts_a_right_answer_and_the_library_function():
    assert ch05.check_windows(right_pairs)
    assert ch05.check_windows(lambda s, n: windows.make_windows(s, n))


@pytest.mark.parametrize("answer, diagnosis", [
    (None, NOT_DONE),
    ("not a function", "not_callable"),
    (lambda s, n: 1 / 0, "raised"),
    (lambda s, n: right_pairs(s, n)[0], "not_a_pair"),
    (lambda s, n: (right_pairs(s, n)[0].T, right_pairs(s, n)[1]), "wrong_input_shape"),
    (lambda s, n: (right_pairs(s, n)[0], s[n - 1:-1]), "target_inside_window"),
    (lambda s, n: (right_pairs(s, n)[0][:-1], s[n + 1:]), "target_skips_a_step"),
    (lambda s, n: (right_pairs(s, n)[0][:-1], s[n:-1]), "missing_last_window"),
    (lambda s, n: (right_pairs(s, n)[0], s[n:, None, None].repeat(2, 1)), "wrong_target_shape"),
    (lambda s, n: (right_pairs(s, n)[0] * 2, s[n:] * 2), "wrong_values"),
])
def test_windows_names_each_mistake(answer, diagnosis):
    feedback = ch05.check_windows(answer)
    assert not feedback
    assert feedback.diagnosis == diagnosis, feedback.message


# ---------------------------------------------------------------- exercise 2: MASE


def right_mase(y_true, y_pred, y_train, season):
    scale = np.mean(np.abs(y_train[season:] - y_train[:-season]))
    return np.mean(np.abs(y_true - y_pred)) / scale


def test_mase_accepts_a_right_answer_and_the_library_function():
    from seqlab import metrics

    assert ch05.check_mase(right_mase)
    assert ch05.check_mase(lambda t, p, tr, s: metrics.mase(t, p, tr, season=s))


@pytest.mark.parametrize("answer, diagnosis", [
    (None, NOT_DONE),
    (3.0, "not_callable"),
    (lambda t, p, tr, s: tr["x"], "raised"),
    (lambda t, p, tr, s: "big", "not_a_number"),
    (lambda t, p, tr, s: np.mean(np.abs(t - p)), "not_scaled"),
    (lambda t, p, tr, s: np.mean((t - p) ** 2) / np.mean((tr[s:] - tr[:-s]) ** 2), "squared_errors"),
    (lambda t, p, tr, s: right_mase(t, p, t, s), "scale_from_test_data"),
    (lambda t, p, tr, s: right_mase(t, p, tr, 1), "season_ignored"),
    (lambda t, p, tr, s: 2 * right_mase(t, p, tr, s), "wrong_value"),
])
def test_mase_names_each_mistake(answer, diagnosis):
    feedback = ch05.check_mase(answer)
    assert not feedback
    assert feedback.diagnosis == diagnosis, feedback.message


# ---------------------------------------------------------------- exercise 3: beat seasonal naive


def linear_forecaster(name, input_length):
    train = ch05.training_part(name).to_numpy()
    X, y = windows.make_windows(train, input_length)
    model = baselines.LinearAutoregressive().fit(X, y)
    return lambda windows_: model.predict(windows_)


@pytest.mark.parametrize("name, input_length", [("sunspots", 22), ("elec_equip", 24)])
def test_forecaster_accepts_a_linear_model_and_reports_both_scores(name, input_length):
    feedback = ch05.check_forecaster(linear_forecaster(name, input_length), input_length, name=name)
    assert feedback, feedback.message
    assert "seasonal naive: MAE" in feedback.message and "MASE" in feedback.message


def test_held_out_windows_end_before_their_targets_and_cover_the_held_out_end():
    series = datasets.load_sunspots().to_numpy()
    X, y = ch05.held_out_windows("sunspots", 11)
    n = ch05.EXERCISE_SERIES["sunspots"]["held_out"]
    assert X.shape == (n, 11, 1) and y.shape == (n,)
    np.testing.assert_allclose(y, series[-n:])
    np.testing.assert_allclose(X[0, :, 0], series[-n - 11:-n], rtol=1e-6)
    np.testing.assert_allclose(X[-1, -1, 0], series[-2], rtol=1e-6)
    assert len(ch05.training_part("sunspots")) == len(series) - n


def test_the_checker_scores_the_baseline_it_names():
    """Seasonal naive itself is not better than seasonal naive: its MASE is reported as is."""
    season = 11
    feedback = ch05.check_forecaster(lambda X: baselines.seasonal_naive_forecast(X, season), 22)
    assert feedback.diagnosis == "no_better_than_seasonal_naive"
    X, y = ch05.held_out_windows("sunspots", 22)
    expected = np.mean(np.abs(y - X[:, -season, 0]))
    assert f"yours: MAE {expected:.3g}" in feedback.message


def scaled_forecaster():
    train = ch05.training_part("sunspots").to_numpy()
    scaler = windows.Scaler().fit(train)
    X, y = windows.make_windows(scaler.transform(train), 22)
    model = baselines.LinearAutoregressive().fit(X, y)
    return lambda windows_: model.predict(scaler.transform(windows_))  # no inverse_transform


@pytest.mark.parametrize("answer, input_length, name, diagnosis", [
    (None, 22, "sunspots", NOT_DONE),
    (lambda X: X[:, -1], 22, "nile", "unknown_series"),
    (lambda X: X[:, -1], 0, "sunspots", "bad_input_length"),
    (lambda X: X[:, -1], 5, "sunspots", "bad_input_length"),
    ([1, 2, 3], 22, "sunspots", "not_callable"),
    (lambda X: X.undefined, 22, "sunspots", "raised"),
    (lambda X: X[:5, -1], 22, "sunspots", "wrong_shape"),
    (lambda X: np.full(len(X), np.nan), 22, "sunspots", "not_finite"),
    (scaled_forecaster(), 22, "sunspots", "not_in_series_units"),
    (lambda X: X[:, -1, 0], 22, "sunspots", "naive_forecast"),
    (lambda X: np.full(len(X), 50.0), 22, "sunspots", "no_better_than_seasonal_naive"),
])
def test_forecaster_names_each_mistake(answer, input_length, name, diagnosis):
    feedback = ch05.check_forecaster(answer, input_length, name=name)
    assert not feedback
    assert feedback.diagnosis == diagnosis, feedback.message


def test_helpers_reject_bad_arguments_with_clear_errors():
    with pytest.raises(ValueError, match="name must be one of"):
        ch05.training_part("nile")
    with pytest.raises(ValueError, match="input_length must be an integer"):
        ch05.held_out_windows("sunspots", 10_000)
