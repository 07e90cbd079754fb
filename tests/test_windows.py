"""seqlab.windows: windows are the slices they claim, views where possible, splits leak nothing."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from seqlab.windows import (ForecastData, Scaler, make_windows, n_windows, prepare, series_values,
                            split_series)

# ----------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("target, y_shape", [("next", (7, 1)), ("horizon", (7, 3)), ("seq2seq", (7, 5, 3))])
def test_shapes_for_one_target_column(target, y_shape):
    X, y = make_windows(np.arange(20.0), input_length=5, horizon=3, stride=2, target=target)
    assert X.shape == (7, 5, 1) and X.dtype == np.float32
    assert y.shape == y_shape


@pytest.mark.parametrize("target, y_shape", [("next", (14, 1, 2)), ("horizon", (14, 2, 2)),
                                             ("seq2seq", (14, 5, 2, 2))])
def test_several_target_columns_add_a_trailing_axis(target, y_shape):
    series = np.stack([np.arange(20.0), 100 + np.arange(20.0)], axis=1)
    X, y = make_windows(series, 5, 2, target=target)
    assert X.shape == (14, 5, 2)
    assert y.shape == y_shape
    _, y_one = make_windows(series, 5, 2, target=target, target_columns=1)
    assert y_one.shape == y_shape[:-1]
    np.testing.assert_array_equal(y_one, y[..., 1])
    _, y_list = make_windows(series, 5, 2, target=target, target_columns=[1])
    assert y_list.shape == y_shape[:-1] + (1,)


def test_small_example_by_hand():
    series = np.arange(10.0)
    X, y = make_windows(series, 3, 2, target="horizon")
    assert X[0, :, 0].tolist() == [0, 1, 2] and y[0].tolist() == [3, 4]
    assert X[-1, :, 0].tolist() == [5, 6, 7] and y[-1].tolist() == [8, 9]
    _, y_next = make_windows(series, 3, 2, target="next")
    assert y_next[:, 0].tolist() == [4, 5, 6, 7, 8, 9]  # two steps after each window
    _, y_seq = make_windows(series, 3, 2, target="seq2seq")
    assert y_seq[0].tolist() == [[1, 2], [2, 3], [3, 4]]


def count_window_starts(n_steps, input_length, horizon, stride):
    """The oracle: walk the start positions one by one and count the windows that fit."""
    count, start = 0, 0
    while start + input_length + horizon <= n_steps:
        count += 1
        start += stride
    return count


@settings(max_examples=50, deadline=None)
@given(n_steps=st.integers(0, 60), input_length=st.integers(1, 12), horizon=st.integers(1, 6),
       stride=st.integers(1, 9))
def test_n_windows_counts_the_start_positions(n_steps, input_length, horizon, stride):
    expected = count_window_starts(n_steps, input_length, horizon, stride)
    assert n_windows(n_steps, input_length, horizon, stride) == expected
    if input_length + horizon <= n_steps:
        # make_windows too: its first input of each window is the window's start position
        X, _ = make_windows(np.arange(n_steps, dtype=np.float32), input_length, horizon,
                            stride=stride, target="horizon")
        assert X[:, 0, 0].tolist() == list(range(0, expected * stride, stride))


@pytest.mark.parametrize("args, error, message", [
    ((10, 3, 1, 0), ValueError, "stride must be an integer >= 1, got 0"),
    ((10, 3, 1, -1), ValueError, "stride must be an integer >= 1, got -1"),
    ((10, 3, 1, 1.5), TypeError, "stride must be an integer >= 1, got 1.5"),
    ((-1, 3), ValueError, "n_steps must be an integer >= 0, got -1"),
    ((10, 0), ValueError, "input_length must be an integer >= 1, got 0"),
    ((10, 3, 0), ValueError, "horizon must be an integer >= 1, got 0"),
    ((10.0, 3), TypeError, "n_steps must be an integer >= 0, got 10.0"),
])
def test_n_windows_bad_input_names_the_argument(args, error, message):
    with pytest.raises(error, match=message):
        n_windows(*args)


def test_n_windows_is_zero_when_no_window_fits_and_accepts_numpy_integers():
    assert n_windows(4, 3, 2) == 0 and n_windows(0, 1) == 0
    assert n_windows(np.int64(10), np.arange(5)[3], np.int32(2), np.uint8(2)) == 3


def test_pandas_input_and_target_column_by_name():
    frame = pd.DataFrame({"a": np.arange(12.0), "b": np.arange(12.0) * 10},
                         index=pd.period_range("2000-01", periods=12, freq="M"))
    X, y = make_windows(frame, 4, 1, target_columns="b")
    assert X.shape == (8, 4, 2) and y[:, 0].tolist() == [40.0 + 10 * i for i in range(8)]
    X, y = make_windows(frame["a"], 4, 1)
    assert X.shape == (8, 4, 1) and y[0, 0] == 4.0


# ----------------------------------------------------------------------------- zero copy


def test_windows_are_views_of_a_float32_series():
    series = np.arange(100, dtype=np.float32)
    for target in ("next", "horizon", "seq2seq"):
        X, y = make_windows(series, 10, 3, stride=2, target=target)
        assert np.shares_memory(X, series), target
        assert np.shares_memory(y, series), target
        assert not X.flags.writeable  # a view must not let a model corrupt the series


def test_windows_of_a_2d_float32_series_are_views():
    series = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)
    X, y = make_windows(series, 8, 2, target="horizon", target_columns=2)
    assert np.shares_memory(X, series) and np.shares_memory(y, series)
    np.testing.assert_array_equal(y[3], series[3 + 8: 3 + 10, 2])


def test_float64_series_is_converted_once_and_still_correct():
    series = np.linspace(0, 1, 30)
    X, y = make_windows(series, 5, 1)
    assert X.dtype == np.float32 and not np.shares_memory(X, series)
    np.testing.assert_allclose(X[4, :, 0], series[4:9].astype(np.float32))


# ----------------------------------------------------------------------------- Keras agreement


def test_agrees_with_keras_timeseries_dataset_from_array():
    pytest.importorskip("tensorflow", reason="keras.utils.timeseries_dataset_from_array needs TensorFlow")
    import keras

    series = np.random.default_rng(1).normal(size=(97, 2)).astype(np.float32)
    for length, horizon, stride in [(10, 1, 1), (7, 3, 2), (12, 5, 4)]:
        X, y = make_windows(series, length, horizon, stride=stride, target="next", target_columns=0)
        dataset = keras.utils.timeseries_dataset_from_array(
            series[:-horizon], series[length + horizon - 1:, 0], sequence_length=length,
            sequence_stride=stride, batch_size=1000, shuffle=False)
        keras_X, keras_y = (np.concatenate(part) for part in zip(*[(a.numpy(), b.numpy()) for a, b in dataset]))
        np.testing.assert_array_equal(X, keras_X)
        np.testing.assert_array_equal(y[:, 0], keras_y)

        X, y = make_windows(series, length, horizon, stride=stride, target="horizon")
        windows = keras.utils.timeseries_dataset_from_array(
            series, None, sequence_length=length + horizon, sequence_stride=stride,
            batch_size=1000, shuffle=False)
        whole = np.concatenate([w.numpy() for w in windows])
        np.testing.assert_array_equal(X, whole[:, :length])
        np.testing.assert_array_equal(y, whole[:, length:])


# ----------------------------------------------------------------------------- properties

window_cases = st.tuples(
    st.integers(2, 120),  # n_steps
    st.integers(1, 30),  # input_length
    st.integers(1, 10),  # horizon
    st.integers(1, 7),  # stride
    st.sampled_from(["next", "horizon", "seq2seq"]),
    st.integers(1, 3),  # n_features
).filter(lambda c: c[1] + c[2] <= c[0])


@settings(max_examples=150, deadline=None)
@given(window_cases, st.integers(0, 2**16))
def test_every_window_is_the_slice_it_claims(case, seed):
    n_steps, length, horizon, stride, target, n_features = case
    series = np.random.default_rng(seed).normal(size=(n_steps, n_features)).astype(np.float32)
    X, y = make_windows(series, length, horizon, stride=stride, target=target, target_columns=0)
    assert len(X) == len(y) == n_windows(n_steps, length, horizon, stride) >= 1
    for i in range(len(X)):
        start = i * stride
        np.testing.assert_array_equal(X[i], series[start:start + length])
        if target == "next":
            assert y[i, 0] == series[start + length + horizon - 1, 0]
        elif target == "horizon":
            np.testing.assert_array_equal(y[i], series[start + length:start + length + horizon, 0])
        else:
            for t in range(length):
                np.testing.assert_array_equal(y[i, t], series[start + t + 1:start + t + 1 + horizon, 0])
    last_start = (len(X) - 1) * stride
    assert last_start + length + horizon <= n_steps  # no window runs off the end
    assert last_start + stride + length + horizon > n_steps  # and none is left out


@settings(max_examples=150, deadline=None)
@given(window_cases)
def test_no_target_comes_at_or_before_its_inputs(case):
    n_steps, length, horizon, stride, target, _ = case
    positions = np.arange(n_steps, dtype=np.float32)  # each value is its own index
    X, y = make_windows(positions, length, horizon, stride=stride, target=target)
    last_input = X[:, -1, 0]
    if target == "seq2seq":
        # at every step t, the targets come after input step t
        assert (y > X[:, :, 0][:, :, None]).all()
        assert (y[:, -1, :] > last_input[:, None]).all()
    else:
        assert (y.reshape(len(y), -1) > last_input[:, None]).all()


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kwargs, message", [
    ({"series": np.zeros((3, 4, 5))}, r"series must be 1-D or 2-D, got shape \(3, 4, 5\)"),
    ({"series": np.array([1.0, np.nan, 3.0, 4.0, 5.0])}, r"series contains NaN"),
    ({"input_length": 10}, r"input_length \(10\) \+ horizon \(1\) must be at most the length of the series \(6\)"),
    ({"horizon": 0}, r"horizon must be an integer >= 1, got 0"),
    ({"input_length": 0}, r"input_length must be an integer >= 1"),
    ({"stride": 0}, r"stride must be an integer >= 1"),
    ({"target": "future"}, r"target must be one of"),
    ({"target_columns": 3}, r"target_columns: 3 is not a column"),
    ({"target_columns": []}, r"target_columns must name at least one column"),
])
def test_bad_input_names_the_argument(kwargs, message):
    arguments = {"series": np.arange(6.0), "input_length": 3, "horizon": 1}
    arguments.update(kwargs)
    series = arguments.pop("series")
    with pytest.raises(ValueError, match=message):
        make_windows(series, **arguments)


def test_non_integer_length_is_a_type_error():
    with pytest.raises(TypeError, match="input_length"):
        make_windows(np.arange(6.0), 2.5)


def test_series_values_reads_arrays_and_pandas():
    values, columns = series_values(pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}))
    assert values.shape == (2, 2) and values.dtype == np.float32 and columns == ["a", "b"]
    assert series_values(pd.Series([1.0], name="x"))[1] == ["x"]
    assert series_values(np.zeros((3, 2)))[1] == [0, 1]


@pytest.mark.parametrize("series, kwargs, error, message", [
    (np.zeros((2, 2, 2)), {}, ValueError, r"series must be 1-D or 2-D, got shape \(2, 2, 2\)"),
    ("abc", {}, TypeError, "series must be array-like of numbers, got str"),
    ([1.0, np.nan], {}, ValueError, r"series contains NaN \(first at index \[1\]\)"),
    ([1.0, np.inf], {"allow_nan": True}, ValueError, "series contains inf"),
])
def test_series_values_bad_input_names_the_argument(series, kwargs, error, message):
    with pytest.raises(error, match=message):
        series_values(series, **kwargs)


def test_nan_is_allowed_when_asked():
    series = np.array([1.0, np.nan, 3.0, 4.0, 5.0])
    X, _ = make_windows(series, 2, allow_nan=True)
    assert np.isnan(X[0, 1, 0])


# ----------------------------------------------------------------------------- split and scaler


def test_split_is_time_ordered_without_overlap_or_gap():
    series = np.arange(100)
    train, valid, test = split_series(series, train=0.7, valid=0.15)
    assert np.concatenate([train, valid, test]).tolist() == series.tolist()
    assert train.max() < valid.min() and valid.max() < test.min()
    assert (len(train), len(valid), len(test)) == (70, 15, 15)


def test_split_keeps_pandas_objects_and_accepts_counts():
    series = pd.Series(np.arange(20.0), index=pd.date_range("2020", periods=20, freq="D"))
    train, valid, test = split_series(series, train=10, valid=5)
    assert isinstance(train, pd.Series) and train.index[-1] < valid.index[0] < test.index[0]
    assert (len(train), len(valid), len(test)) == (10, 5, 5)


@pytest.mark.parametrize("train, valid, message", [
    (0.9, 0.2, "train \\+ valid < 1"), (0.0, 0.1, "0 < train"), (1.2, 0.0, "train"),
    ("half", 0.1, "train must be a fraction"),
])
def test_bad_split_names_the_argument(train, valid, message):
    with pytest.raises((ValueError, TypeError), match=message):
        split_series(np.arange(10), train=train, valid=valid)


def test_split_of_a_too_short_series():
    with pytest.raises(ValueError, match="too short"):
        split_series(np.arange(3), train=0.5, valid=0.1)


def test_scaler_uses_training_statistics_only():
    train, rest = np.arange(10.0), 1000 + np.arange(5.0)
    scaler = Scaler().fit(train)
    assert scaler.mean_[0] == pytest.approx(train.mean())
    assert scaler.std_[0] == pytest.approx(train.std())
    scaled = scaler.transform(rest)
    np.testing.assert_allclose(scaled, (rest - train.mean()) / train.std(), rtol=1e-6)
    np.testing.assert_allclose(scaler.inverse_transform(scaled), rest, rtol=1e-6)


def test_scaler_per_feature_and_columns():
    values = np.stack([np.arange(10.0), 50 + 2 * np.arange(10.0), np.full(10, 3.0)], axis=1)
    scaler = Scaler().fit(values)
    scaled = scaler.transform(values)
    np.testing.assert_allclose(scaled[:, :2].mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(scaled[:, :2].std(axis=0), 1, atol=1e-6)
    assert (scaled[:, 2] == 0).all()  # a constant feature is centred, not divided by zero
    target = values[:, 1]
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(target, columns=1), columns=1),
                               target, rtol=1e-6)
    with pytest.raises(ValueError, match="3 features on the last axis"):
        scaler.transform(np.zeros((4, 2)))


def test_unfitted_scaler_says_so():
    with pytest.raises(RuntimeError, match="not fitted"):
        Scaler().transform([1.0])


@pytest.mark.parametrize("call, error, message", [
    (lambda s: s.fit(np.zeros((2, 2, 2))), ValueError, r"series must be 1-D or 2-D, got shape \(2, 2, 2\)"),
    (lambda s: s.fit(np.array([[1.0, np.nan], [2.0, np.nan]])), ValueError,
     "series has a feature with no value that is not NaN"),
    (lambda s: s.fit(np.zeros((4, 2))).transform("abc"), TypeError,
     "values must be array-like of numbers, got str"),
    (lambda s: s.fit(np.zeros((4, 2))).transform(np.zeros(3)), ValueError,
     r"values must have 2 features on the last axis, got shape \(3,\)"),
    (lambda s: s.fit(np.zeros((4, 2))).transform(np.zeros(3), columns=2), ValueError,
     "columns: 2 is not a feature position"),
    (lambda s: s.fit(np.zeros((4, 2))).transform(np.zeros(3), columns="b"), TypeError,
     "columns must be a feature position .an integer. or a list of them, got 'b'"),
    (lambda s: s.fit(np.zeros((4, 2))).inverse_transform(np.zeros(3), columns=[0, 1.0]), TypeError,
     r"columns must be a feature position .an integer. or a list of them, got \[0, 1.0\]"),
])
def test_scaler_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call(Scaler())


# ----------------------------------------------------------------------------- prepare


@pytest.mark.parametrize("target", ["next", "horizon", "seq2seq"])
def test_prepare_keeps_every_target_inside_its_part(target):
    positions = np.arange(300, dtype=np.float32)
    data = prepare(positions, input_length=12, horizon=4, target=target, scale=False)
    assert isinstance(data, ForecastData)
    bounds = {"train": (0, 210), "valid": (210, 255), "test": (255, 300)}
    for name, (start, stop) in bounds.items():
        X, y = getattr(data, name)
        scored = y[:, -1] if target == "seq2seq" else y
        assert scored.min() >= start and scored.max() < stop, name
        assert X.min() >= max(start - 12, 0)  # inputs reach back only input_length steps
    first_valid_target = data.valid[1][0].reshape(-1)[0] if target != "seq2seq" else data.valid[1][0, -1, 0]
    assert first_valid_target == 210 + (3 if target == "next" else 0)


def test_prepare_scales_with_training_statistics():
    series = np.concatenate([np.zeros(70), 100 * np.ones(30)]) + np.arange(100) * 0.01
    data = prepare(series, 5, split=(0.7, 0.15))
    train_part = series[:70]
    assert data.scaler.mean_[0] == pytest.approx(train_part.mean(), rel=1e-6)
    np.testing.assert_allclose(data.inverse_target(data.test[1]).reshape(-1)[:3], series[85:88], rtol=1e-5)
    assert [len(part) for part in data.split_series] == [70, 15, 15]


def test_prepare_with_a_too_small_part_explains():
    with pytest.raises(ValueError, match="the train part has 7 values"):
        prepare(np.arange(10.0), 8, split=(0.7, 0.15))


@pytest.mark.parametrize("kwargs, error, message", [
    ({"split": 0.7}, ValueError, r"split must be a pair \(train, valid\), got 0.7"),
    ({"split": (0.9, 0.2)}, ValueError, "train \\+ valid < 1 .*got train=0.9, valid=0.2"),
    ({"input_length": 0}, ValueError, "input_length must be an integer >= 1, got 0"),
    ({"input_length": 2.0}, TypeError, "input_length must be an integer >= 1, got 2.0"),
    ({"horizon": 0}, ValueError, "horizon must be an integer >= 1, got 0"),
    ({"stride": 0}, ValueError, "stride must be an integer >= 1, got 0"),
    ({"target": "x"}, ValueError, r"target must be one of \['next', 'horizon', 'seq2seq'\], got 'x'"),
    ({"target_columns": "zz"}, ValueError, r"target_columns: 'zz' is not a column of the series"),
])
def test_prepare_bad_input_names_the_argument(kwargs, error, message):
    arguments = {"input_length": 5}
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        prepare(np.arange(100.0), **arguments)


def test_inverse_target_names_bad_values():
    data = prepare(np.arange(100.0), 5)
    with pytest.raises(TypeError, match="values must be array-like of numbers, got str"):
        data.inverse_target("abc")


# ----------------------------------------------------------------------------- many series

from seqlab.windows import windows_from_many  # noqa: E402


@pytest.mark.parametrize("target", ["next", "horizon", "seq2seq"])
@pytest.mark.parametrize("n_features, horizon, stride", [(1, 1, 1), (1, 3, 2), (2, 2, 1), (3, 1, 3)])
def test_windows_from_many_equals_a_loop_over_make_windows(target, n_features, horizon, stride):
    rng = np.random.default_rng(5)
    many = rng.normal(size=(4, 13, n_features)).astype(np.float32)
    X, y = windows_from_many(many if n_features > 1 else many[:, :, 0], 5, horizon,
                             target=target, stride=stride)
    pairs = [make_windows(one, 5, horizon, target=target, stride=stride) for one in many]
    np.testing.assert_array_equal(X, np.concatenate([X_i for X_i, _ in pairs]))
    np.testing.assert_array_equal(y, np.concatenate([y_i for _, y_i in pairs]))
    assert X.dtype == np.float32 and X.flags.writeable


def test_windows_from_many_orders_windows_series_by_series():
    many = np.arange(2 * 6, dtype=np.float64).reshape(2, 6)  # series 0: 0..5, series 1: 6..11
    X, y = windows_from_many(many, 3, 2, target="horizon")
    assert X[:, :, 0].tolist() == [[0, 1, 2], [1, 2, 3], [6, 7, 8], [7, 8, 9]]
    assert y.tolist() == [[3, 4], [4, 5], [9, 10], [10, 11]]


@pytest.mark.parametrize("series, kwargs, error, message", [
    (np.zeros(10), {}, ValueError, r"series must be 2-D or 3-D, got shape \(10,\)"),
    (np.zeros((0, 10)), {}, ValueError, "at least one series"),
    (np.zeros((3, 5)), {"input_length": 5}, ValueError, r"input_length \(5\) \+ horizon \(1\) must be at most"),
    (np.full((2, 10), np.nan), {}, ValueError, "series contains NaN"),
    (np.zeros((2, 10)), {"input_length": 0}, ValueError, "input_length must be an integer >= 1, got 0"),
    (np.zeros((2, 10)), {"horizon": 1.5}, TypeError, "horizon must be an integer"),
    (np.zeros((2, 10)), {"stride": 0}, ValueError, "stride must be an integer >= 1"),
    (np.zeros((2, 10)), {"target": "last"}, ValueError, "target must be one of"),
])
def test_windows_from_many_bad_input_names_the_argument(series, kwargs, error, message):
    arguments = {"input_length": 3, **kwargs}
    with pytest.raises(error, match=message):
        windows_from_many(series, **arguments)
