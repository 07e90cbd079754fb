"""Checkers for the exercises of chapter 5, "Forecasting a time series".

- :func:`check_windows`: cut a series into one-step-ahead (input window, target) pairs.
- :func:`check_mase`: the mean absolute scaled error of Hyndman and Koehler (2006).
- :func:`check_forecaster`: beat the seasonal naive forecast on a series the chapter did
  not use (sunspots by default), scored on a held-out period that the learner never sees.
  :func:`training_part` gives the part of the series the learner may use.

Each checker returns a :class:`~seqlab.exercises.Feedback` and never raises on a wrong or
unfinished answer.
"""

from __future__ import annotations

import numpy as np

from seqlab.exercises.feedback import Feedback, run_answer

__all__ = [
    "EXERCISE_SERIES",
    "check_forecaster",
    "check_mase",
    "check_windows",
    "held_out_windows",
    "training_part",
]

EXERCISE_SERIES = {
    "sunspots": {"season": 11, "held_out": 60},
    "elec_equip": {"season": 12, "held_out": 48},
}
"""Series of the forecasting exercise: the seasonal period of the baseline and how many
final values are held out for scoring (60 years of sunspots, 48 months of elec_equip)."""


# --------------------------------------------------------------------------------------
# Exercise 1: windows
# --------------------------------------------------------------------------------------


def check_windows(make_pairs) -> Feedback:
    """Check a function ``make_pairs(series, input_length) -> (X, y)``.

    For a 1-D series of length ``N`` the expected answer has ``N - L`` windows:
    ``X[i] = series[i : i + L]`` (shape ``(N - L, L)`` or ``(N - L, L, 1)``) and
    ``y[i] = series[i + L]`` (shape ``(N - L,)`` or ``(N - L, 1)``).

    Args:
        make_pairs: the learner's function, or None when not written yet.

    Returns:
        A Feedback; its ``diagnosis`` is one of ``"not_callable"``, ``"raised"``,
        ``"not_a_pair"``, ``"wrong_input_shape"``, ``"target_inside_window"``,
        ``"target_skips_a_step"``, ``"missing_last_window"``, ``"wrong_target_shape"``,
        ``"wrong_values"`` when it fails.
    """
    series = np.arange(100.0, 120.0)  # values that are easy to read in a message
    length = 5
    result, problem = run_answer(make_pairs, series.copy(), length, what="the pair (X, y)")
    if problem is not None:
        return problem
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        return Feedback.wrong("not_a_pair", "Return a pair (X, y) of arrays.")
    X, y = (np.asarray(part, dtype=float) for part in result)
    n_expected = len(series) - length
    if X.ndim == 3 and X.shape[2] == 1:
        X = X[..., 0]
    if X.ndim != 2 or X.shape[1] != length:
        return Feedback.wrong(
            "wrong_input_shape",
            f"X should have shape (n_windows, {length}) or (n_windows, {length}, 1), got {X.shape}.",
        )
    y = y.reshape(len(y), -1) if y.ndim else y
    if y.ndim != 2 or y.shape[1] != 1 or len(y) != len(X):
        return Feedback.wrong(
            "wrong_target_shape",
            f"y should hold one target per window, shape ({len(X)},) or ({len(X)}, 1); got {np.shape(result[1])}.",
        )
    y = y[:, 0]
    count = len(X)
    expected_X = np.stack([series[i:i + length] for i in range(n_expected)])
    if count == 0 or count > n_expected or not np.allclose(X, expected_X[:count]):
        return Feedback.wrong(
            "wrong_values",
            f"Expected {n_expected} input windows X[i] = series[i:i+{length}]; your first window is "
            f"{X[0].tolist() if count else None}.",
        )

    def targets_at(offset):
        """True when y[i] == series[i + offset] for every window."""
        stop = offset + count
        return stop <= len(series) and np.allclose(y, series[offset:stop])

    if targets_at(length - 1):
        return Feedback.wrong(
            "target_inside_window",
            "Each target equals the last value of its own window: the target must be the value "
            "right after the window, series[i + input_length].",
        )
    if targets_at(length + 1):
        return Feedback.wrong(
            "target_skips_a_step",
            "Each target is two steps after its window: for a one-step forecast it is series[i + input_length].",
        )
    if not targets_at(length):
        return Feedback.wrong(
            "wrong_values",
            f"Expected targets y[i] = series[i+{length}]; your first target is {y[0]}.",
        )
    if count < n_expected:
        return Feedback.wrong(
            "missing_last_window",
            f"You made {count} windows; a series of {len(series)} values gives {n_expected} "
            f"windows of {length} with a next value (the last window ends one step before the end).",
        )
    return Feedback.correct(f"Correct: {n_expected} windows, each followed by its target.")


# --------------------------------------------------------------------------------------
# Exercise 2: MASE
# --------------------------------------------------------------------------------------


def _reference_mase(y_true, y_pred, y_train, season):
    scale = np.mean(np.abs(y_train[season:] - y_train[:-season]))
    return np.mean(np.abs(y_true - y_pred)) / scale


def check_mase(mase_function) -> Feedback:
    """Check a function ``mase_function(y_true, y_pred, y_train, season) -> float``.

    The expected value is ``mean|y_true - y_pred|`` divided by the in-sample MAE of the
    seasonal naive forecast on the training series, ``mean|y_train[t] - y_train[t - season]|``.

    Args:
        mase_function: the learner's function, or None when not written yet.

    Returns:
        A Feedback; its ``diagnosis`` is one of ``"not_callable"``, ``"raised"``,
        ``"not_a_number"``, ``"not_scaled"``, ``"squared_errors"``,
        ``"scale_from_test_data"``, ``"season_ignored"``, ``"wrong_value"`` when it fails.
    """
    if mase_function is not None and not callable(mase_function):
        return Feedback.wrong("not_callable", f"Expected a function, got a {type(mase_function).__name__}.")
    rng = np.random.default_rng(5)
    season = 4
    time = np.arange(60)
    # A seasonal training series whose lag-1 and lag-4 differences differ a lot, so each
    # typical mistake gives a clearly different number.
    y_train = 10 + 3 * np.sin(2 * np.pi * time / season) + rng.normal(0, 0.3, 60)
    y_true = 10 + 3 * np.sin(2 * np.pi * np.arange(60, 72) / season) + rng.normal(0, 0.3, 12)
    y_pred = y_true + rng.normal(0, 1.5, 12)
    value, problem = run_answer(mase_function, y_true.copy(), y_pred.copy(), y_train.copy(),
                                season, what="the MASE, one number")
    if problem is not None:
        return problem
    try:
        value = float(np.asarray(value))
    except (TypeError, ValueError):
        return Feedback.wrong("not_a_number", f"Return one number, got {type(value).__name__}.")
    expected = _reference_mase(y_true, y_pred, y_train, season)
    if np.isclose(value, expected, rtol=1e-6):
        return Feedback.correct(f"Correct: MASE = {value:.4f}.")
    mae = np.mean(np.abs(y_true - y_pred))
    mistakes = {
        "not_scaled": (mae, "You returned the MAE: divide it by the in-sample MAE of the seasonal naive forecast on y_train."),
        "squared_errors": (np.mean((y_true - y_pred) ** 2) / np.mean((y_train[season:] - y_train[:-season]) ** 2),
                           "MASE uses absolute errors, not squared ones (that would be a scaled MSE)."),
        "scale_from_test_data": (_reference_mase(y_true, y_pred, y_true, season),
                                 "The scale must come from the training series y_train, not from y_true: "
                                 "it must not depend on the period being scored."),
        "season_ignored": (_reference_mase(y_true, y_pred, y_train, 1),
                           "Your scale uses the one-step naive forecast (lag 1): use lag `season`, "
                           "y_train[t] - y_train[t - season]."),
    }
    for diagnosis, (wrong_value, message) in mistakes.items():
        if np.isclose(value, wrong_value, rtol=1e-6):
            return Feedback.wrong(diagnosis, message)
    return Feedback.wrong("wrong_value", f"Expected {expected:.4f}, got {value:.4f}.",
                          "MASE = mean|y_true - y_pred| / mean|y_train[t] - y_train[t - season]|.")


# --------------------------------------------------------------------------------------
# Exercise 3: beat the seasonal naive forecast
# --------------------------------------------------------------------------------------


def _series(name: str) -> np.ndarray:
    from seqlab import datasets

    if name not in EXERCISE_SERIES:
        raise ValueError(f"name must be one of {sorted(EXERCISE_SERIES)}, got {name!r}")
    return datasets.load(name).to_numpy(dtype=np.float64)


def training_part(name: str = "sunspots"):
    """The part of an exercise series that a learner may use: all but the held-out end.

    Args:
        name: ``"sunspots"`` or ``"elec_equip"``.

    Returns:
        A ``pd.Series`` with the series' time index.

    Raises:
        ValueError: for an unknown name.
    """
    from seqlab import datasets

    _series(name)  # checks the name
    series = datasets.load(name)
    return series.iloc[: len(series) - EXERCISE_SERIES[name]["held_out"]]


def held_out_windows(name: str, input_length: int):
    """Windows ending just before each held-out value, and the held-out values.

    Args:
        name: ``"sunspots"`` or ``"elec_equip"``.
        input_length: steps per window.

    Returns:
        ``(X, y)``: float32 ``X`` of shape ``(n_held_out, input_length, 1)`` of observed
        values (each window lies entirely before its target) and ``y`` of shape
        ``(n_held_out,)``.

    Raises:
        ValueError: for an unknown name or an ``input_length`` that is not a positive
            integer no longer than the training part.
    """
    values = _series(name)
    n_held_out = EXERCISE_SERIES[name]["held_out"]
    first = len(values) - n_held_out
    if isinstance(input_length, bool) or not isinstance(input_length, (int, np.integer)) \
            or not 1 <= input_length <= first:
        raise ValueError(f"input_length must be an integer between 1 and {first}, got {input_length!r}")
    X = np.stack([values[t - input_length:t] for t in range(first, len(values))])
    return X[..., None].astype(np.float32), values[first:]


def _on_another_scale(forecasts, y, train) -> bool:
    """True when forecasts follow the truth but much smaller (e.g. still standardised)."""
    if forecasts.std() == 0:
        return False
    follows = np.corrcoef(forecasts, y)[0, 1] > 0.5
    smaller = forecasts.std() < 0.5 * y.std() and abs(forecasts.mean() - y.mean()) > 0.5 * train.std()
    return bool(follows and smaller)


def check_forecaster(forecaster, input_length, name: str = "sunspots") -> Feedback:
    """Score one-step forecasts on the held-out end of a series against seasonal naive.

    The checker cuts a window of the ``input_length`` true values before each held-out
    value, calls ``forecaster(X)`` once on all of them (``X`` of shape
    ``(n, input_length, 1)``, in the units of the series) and compares the forecasts
    with the truth. MASE uses the training part's in-sample seasonal naive MAE as scale.

    Args:
        forecaster: a callable mapping windows to ``n`` forecasts (shape ``(n,)`` or
            ``(n, 1)``), in the units of the series; None when not written yet.
        input_length: the window length the forecaster expects.
        name: ``"sunspots"`` (season 11 years) or ``"elec_equip"`` (season 12 months).

    Returns:
        A Feedback whose message gives MAE and MASE of the forecaster and of the
        seasonal naive baseline. ``diagnosis`` when it fails: ``"unknown_series"``,
        ``"bad_input_length"``, ``"not_callable"``, ``"raised"``, ``"wrong_shape"``,
        ``"not_finite"``, ``"not_in_series_units"``, ``"naive_forecast"``,
        ``"no_better_than_seasonal_naive"``.
    """
    from seqlab import baselines, metrics

    if forecaster is None:
        return Feedback.not_done()
    if name not in EXERCISE_SERIES:
        return Feedback.wrong("unknown_series", f"name must be one of {sorted(EXERCISE_SERIES)}, got {name!r}.")
    season = EXERCISE_SERIES[name]["season"]
    try:
        X, y = held_out_windows(name, input_length)
    except ValueError as error:
        return Feedback.wrong("bad_input_length", str(error))
    if input_length < season:
        return Feedback.wrong("bad_input_length",
                              f"input_length must be at least one season ({season}) so that the "
                              "seasonal naive baseline can be computed from the same windows.")
    if not callable(forecaster):
        return Feedback.wrong("not_callable", f"Expected a function of windows, got a {type(forecaster).__name__}.")
    forecasts, problem = run_answer(forecaster, X.copy(), what="the forecasts")
    if problem is not None and problem.diagnosis == "raised":
        return Feedback.wrong("raised", f"{problem.message} (on windows of shape {X.shape}).",
                              *problem.hints)
    if problem is not None:
        return problem
    try:
        forecasts = np.asarray(forecasts, dtype=np.float64)
    except (TypeError, ValueError):
        return Feedback.wrong("wrong_shape", "Return an array of forecasts.")
    if forecasts.shape not in {(len(y),), (len(y), 1)}:
        return Feedback.wrong("wrong_shape",
                              f"Return one forecast per window, shape ({len(y)},) or ({len(y)}, 1); "
                              f"got {forecasts.shape}.")
    forecasts = forecasts.reshape(-1)
    if not np.isfinite(forecasts).all():
        return Feedback.wrong("not_finite", "Some forecasts are NaN or infinite.")
    train = training_part(name).to_numpy(dtype=np.float64)
    baseline = baselines.seasonal_naive_forecast(X, season)[:, 0]
    scores = {
        "yours": (metrics.mae(y, forecasts), metrics.mase(y, forecasts, train, season)),
        "seasonal naive": (metrics.mae(y, baseline), metrics.mase(y, baseline, train, season)),
    }
    table = "; ".join(f"{who}: MAE {m:.3g}, MASE {s:.3f}" for who, (m, s) in scores.items())
    if _on_another_scale(forecasts, y, train):
        return Feedback.wrong("not_in_series_units",
                              f"Your forecasts follow the series but on another scale ({table}).",
                              "Did you forget to undo the scaling (scaler.inverse_transform) of the model's outputs?")
    if np.allclose(forecasts, X[:, -1, 0]):
        return Feedback.wrong("naive_forecast",
                              f"Your forecasts are the last value of each window: the naive forecast ({table}).")
    if scores["yours"][0] >= scores["seasonal naive"][0]:
        return Feedback.wrong("no_better_than_seasonal_naive",
                              f"Not better than seasonal naive yet ({table}).",
                              "A linear model of the last few seasons (seqlab.baselines.LinearAutoregressive) "
                              "is a strong start.")
    return Feedback.correct(f"You beat seasonal naive on the held-out {name} values ({table}).")
