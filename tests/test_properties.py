"""Hypothesis properties of the data plumbing: what must hold for every input, not only
for the examples the other tests pick.

- the Scaler's inverse undoes its transform, and the training part comes out with mean 0
  and standard deviation 1;
- the parts of split_series rebuild the series, in order, without overlap or gap;
- rolling_origin never lets a forecaster see a value at or after a fold's origin
  (checked with a forecaster that records what it is given, on a series whose values are
  their own positions).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from seqlab.backtest import rolling_origin
from seqlab.windows import Scaler, split_series

FEW = settings(max_examples=25, deadline=None)


# ----------------------------------------------------------------------------- Scaler


@st.composite
def feature_tables(draw):
    n_steps = draw(st.integers(2, 40))
    n_features = draw(st.integers(1, 4))
    values = draw(arrays(np.float64, (n_steps, n_features),
                         elements=st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)))
    offset = draw(st.floats(-1e4, 1e4))
    return values + offset


@FEW
@given(train=feature_tables(), shift=st.floats(-100, 100))
def test_scaler_inverse_undoes_the_transform(train, shift):
    scaler = Scaler().fit(train)
    other = train[::-1] + shift  # values it was not fitted on
    for values in (train, other):
        back = scaler.inverse_transform(scaler.transform(values))
        scale = np.abs(values).max() + np.abs(scaler.mean_).max() + 1.0
        np.testing.assert_allclose(back, values, rtol=0, atol=1e-5 * scale)


@FEW
@given(train=feature_tables())
def test_the_training_part_is_standardised(train):
    scaled = Scaler().fit(train).transform(train).astype(np.float64)
    varies = train.std(axis=0) > 1e-3 * (np.abs(train).max(axis=0) + 1.0)  # well above rounding
    np.testing.assert_allclose(scaled.mean(axis=0)[varies], 0.0, atol=1e-3)
    np.testing.assert_allclose(scaled.std(axis=0)[varies], 1.0, atol=1e-3)
    constant = np.ptp(train.astype(np.float32), axis=0) == 0
    assert (scaled[:, constant] == 0).all()  # a constant feature is centred, never divided


def test_a_constant_feature_is_centred_even_when_its_float32_mean_rounds():
    """Found by the property above: three copies of 2.67503221 had a float32 mean one
    rounding step off, which became the standard deviation and scaled them to -1."""
    train = np.full((3, 1), 2.67503221)
    assert (Scaler().fit(train).transform(train) == 0).all()


@FEW
@given(train=feature_tables(), column=st.integers(0, 3))
def test_one_column_round_trips_on_its_own(train, column):
    column = column % train.shape[1]
    scaler = Scaler().fit(train)
    target = train[:, column]
    back = scaler.inverse_transform(scaler.transform(target, columns=column), columns=column)
    np.testing.assert_allclose(back, target, rtol=0, atol=1e-5 * (np.abs(train).max() + 1.0))


# ----------------------------------------------------------------------------- split_series


@st.composite
def split_counts(draw):
    n_steps = draw(st.integers(2, 200))
    n_train = draw(st.integers(1, n_steps - 1))
    n_valid = draw(st.integers(0, n_steps - n_train - 1))
    return n_steps, n_train, n_valid


@FEW
@given(sizes=split_counts(), as_pandas=st.booleans())
def test_split_parts_rebuild_the_series_from_counts(sizes, as_pandas):
    n_steps, n_train, n_valid = sizes
    series = np.random.default_rng(n_steps).normal(size=n_steps)
    if as_pandas:
        series = pd.Series(series, index=pd.date_range("2000", periods=n_steps, freq="D"))
    parts = split_series(series, train=n_train, valid=n_valid)
    assert [len(part) for part in parts] == [n_train, n_valid, n_steps - n_train - n_valid]
    if as_pandas:
        pd.testing.assert_series_equal(pd.concat(parts), series)
    else:
        np.testing.assert_array_equal(np.concatenate(parts), series)


@FEW
@given(n_steps=st.integers(10, 300), train=st.floats(0.05, 0.9), valid=st.floats(0.0, 0.5))
def test_split_parts_rebuild_the_series_from_fractions(n_steps, train, valid):
    series = np.arange(n_steps)
    try:
        parts = split_series(series, train=train, valid=valid)
    except ValueError as error:  # refused: the fractions leave no test part, or a part is empty
        assert train + valid >= 1 or "too short" in str(error)
        return
    np.testing.assert_array_equal(np.concatenate(parts), series)
    assert len(parts[0]) == int(round(n_steps * train))
    assert len(parts[2]) >= 1


# ----------------------------------------------------------------------------- rolling_origin


class RecordingForecaster:
    """Fits and predicts nothing useful; records every array it is given."""

    def __init__(self):
        self.fits, self.predictions = [], []

    def fit(self, X, y):
        self.fits.append((np.array(X), np.array(y)))

    def predict(self, X):
        self.predictions.append(np.array(X))
        return np.zeros((len(X), self.horizon))


@st.composite
def backtest_settings(draw):
    input_length = draw(st.integers(1, 6))
    horizon = draw(st.integers(1, 4))
    n_steps = draw(st.integers(input_length + 2 * horizon + 2, 70))
    initial = draw(st.integers(input_length + horizon, n_steps - horizon))
    step = draw(st.integers(1, 10))
    window = draw(st.sampled_from(["expanding", "sliding"]))
    return n_steps, input_length, horizon, initial, step, window


@FEW
@given(setting=backtest_settings())
def test_rolling_origin_never_trains_or_predicts_from_after_its_origin(setting):
    n_steps, input_length, horizon, initial, step, window = setting
    positions = np.arange(n_steps, dtype=np.float32)  # each value is its own time index
    forecaster = RecordingForecaster()
    forecaster.horizon = horizon
    result = rolling_origin(positions, forecaster, input_length=input_length, horizon=horizon,
                            initial=initial, step=step, window=window)
    origins = list(range(initial, n_steps - horizon + 1, step))
    assert len(forecaster.fits) == len(forecaster.predictions) == len(origins)
    assert result.folds["train_end"].tolist() == origins
    for origin, (X, y), X_test in zip(origins, forecaster.fits, forecaster.predictions):
        # training: inputs and targets all before the origin (the sliding window, within it)
        assert max(X.max(), y.max()) < origin
        if window == "sliding":
            assert min(X.min(), y.min()) >= origin - initial
        # forecasting: each window is the input_length values just before its own origin,
        # and the first of those origins is the fold's origin
        fold_origins = X_test[:, -1, 0] + 1
        assert fold_origins[0] == origin
        np.testing.assert_array_equal(
            X_test[:, :, 0], fold_origins[:, None] - input_length + np.arange(input_length))
    # the truths scored are the horizon values after each origin, in order
    truth = result.forecasts
    np.testing.assert_array_equal(truth["y_true"], truth["origin"] + truth["lead"] - 1)


def test_the_recording_forecaster_would_catch_a_leak():
    """The property above can fail: a window that reaches the origin is seen."""
    forecaster = RecordingForecaster()
    forecaster.horizon = 1
    forecaster.fit(np.arange(5.0)[None, :, None], np.array([[5.0]]))
    X, y = forecaster.fits[0]
    with pytest.raises(AssertionError):
        assert max(X.max(), y.max()) < 5
