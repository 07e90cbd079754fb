"""Turn a series into (inputs, targets) windows; split it in time; scale it.

Windows are NumPy views of the series wherever no copy is needed
(``numpy.lib.stride_tricks.sliding_window_view``), so a long series costs no extra
memory. Everything here is plain NumPy and works with every Keras backend.

Index conventions, for a window that starts at position ``s`` with ``L = input_length``
and ``h = horizon``:

- inputs ``X[i] = series[s : s + L]``, the last input at ``s + L - 1``;
- ``target="next"``: ``y[i] = series[s + L + h - 1]`` (``h = 1``: the next value);
- ``target="horizon"``: ``y[i] = series[s + L : s + L + h]``;
- ``target="seq2seq"``: ``y[i, t] = series[s + t + 1 : s + t + 1 + h]`` for every
  input step ``t``: at each step, the next ``h`` values after that step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from seqlab.checks import as_float_array, one_of, positive_int

TARGETS = ("next", "horizon", "seq2seq")


def series_values(series, *, allow_nan: bool = False) -> tuple[np.ndarray, list]:
    """Return ``series`` as a float32 2-D array ``(time, features)`` and its column names.

    The one reading of a series shared by :func:`make_windows`, :class:`Scaler`,
    :func:`prepare` and :mod:`seqlab.backtest`. A float32 NumPy input is not copied:
    the result is a view of it.

    Args:
        series: 1-D array ``(time,)``, 2-D array ``(time, features)``, a pandas Series or
            DataFrame.
        allow_nan: accept missing values (NaN); by default they raise.

    Returns:
        ``(values, columns)``: the 2-D float32 array and the column names (a DataFrame's
        columns, a Series' name or 0, else the positions ``0 .. features - 1``).

    Raises:
        TypeError: if ``series`` is not array-like of numbers.
        ValueError: if ``series`` is not 1-D or 2-D, or holds NaN (unless allowed) or inf.

    Example:

    >>> values, columns = series_values(np.arange(3.0))
    >>> values.shape, columns
    ((3, 1), [0])
    """
    if isinstance(series, pd.Series):
        columns = [series.name if series.name is not None else 0]
        values = series.to_numpy()
    elif isinstance(series, pd.DataFrame):
        columns = list(series.columns)
        values = series.to_numpy()
    else:
        values = series
        columns = None
    array = as_float_array("series", values, ndim=(1, 2), allow_nan=allow_nan)
    if array.ndim == 1:
        array = array[:, None]
    if columns is None:
        columns = list(range(array.shape[1]))
    return array, columns


def _column_indices(target_columns, columns: list) -> tuple[list[int], bool]:
    """Resolve ``target_columns`` to positions; also say whether y keeps a trailing axis."""
    if target_columns is None:
        return list(range(len(columns))), len(columns) > 1
    several = isinstance(target_columns, (list, tuple, np.ndarray, pd.Index))
    requested = list(target_columns) if several else [target_columns]
    if not requested:
        raise ValueError("target_columns must name at least one column, got an empty list")
    indices = []
    for column in requested:
        if column in columns:
            indices.append(columns.index(column))
        elif isinstance(column, (int, np.integer)) and not isinstance(column, bool) \
                and -len(columns) <= column < len(columns):
            indices.append(int(column) % len(columns))
        else:
            raise ValueError(
                f"target_columns: {column!r} is not a column of the series; "
                f"columns are {columns}"
            )
    return indices, several


def n_windows(n_steps: int, input_length: int, horizon: int = 1, stride: int = 1) -> int:
    """Number of windows :func:`make_windows` makes from ``n_steps`` values.

    A window and its targets span ``input_length + horizon`` steps and starts every
    ``stride`` steps, from position 0 to the last position where it still fits.

    Args:
        n_steps: length of the series (>= 0).
        input_length: steps per input window (>= 1).
        horizon: how far ahead the targets go (>= 1).
        stride: step between the starts of consecutive windows (>= 1).

    Returns:
        The count; 0 when ``input_length + horizon > n_steps`` (no window fits; for such
        a series :func:`make_windows` raises instead of returning empty arrays).

    Raises:
        TypeError: if an argument is not an integer.
        ValueError: if ``n_steps`` is negative or another argument is below 1.

    Example:

    >>> n_windows(10, 3, horizon=2), n_windows(10, 3, horizon=2, stride=2), n_windows(4, 3, 2)
    (6, 3, 0)
    """
    n_steps = positive_int("n_steps", n_steps, minimum=0)
    input_length = positive_int("input_length", input_length)
    horizon = positive_int("horizon", horizon)
    stride = positive_int("stride", stride)
    usable = n_steps - input_length - horizon + 1
    return 0 if usable <= 0 else (usable - 1) // stride + 1


def make_windows(series, input_length: int, horizon: int = 1, *, stride: int = 1,
                 target: str = "next", target_columns=None, allow_nan: bool = False):
    """Cut a series into input windows and their targets.

    Args:
        series: 1-D array ``(time,)``, 2-D array ``(time, features)``, a pandas
            Series or DataFrame.
        input_length: number of time steps ``L`` in each input window.
        horizon: how far ahead the targets go (``h >= 1``).
        stride: step between the starts of consecutive windows.
        target: ``"next"`` (the single value ``h`` steps after the window; ``h = 1``
            is the next value), ``"horizon"`` (the ``h`` values after the window) or
            ``"seq2seq"`` (at every input step, the ``h`` values after that step).
        target_columns: the columns to predict: None for all of them, a column name or
            position, or a list of them. A list, or None on a series with several
            columns, adds a trailing axis to ``y``; a single name or position does not.
        allow_nan: accept missing values (NaN) in the series; by default they raise.

    Returns:
        ``(X, y)``: ``X`` float32 of shape ``(n_windows, L, n_features)``; ``y`` of
        shape ``(n_windows, 1)`` for ``"next"``, ``(n_windows, h)`` for ``"horizon"``,
        ``(n_windows, L, h)`` for ``"seq2seq"``, each with a trailing axis of length
        ``n_targets`` when several target columns are asked for. With a float32 NumPy
        input both are read-only views of the series (no copy).

    Raises:
        ValueError: wrong rank, NaN, ``horizon`` or ``input_length`` below 1, or a
            series too short for one window.

    Example:

    >>> import numpy as np
    >>> X, y = make_windows(np.arange(10.0), input_length=3, horizon=2, target="horizon")
    >>> X.shape, y.shape
    ((6, 3, 1), (6, 2))
    >>> X[0, :, 0].tolist(), y[0].tolist()
    ([0.0, 1.0, 2.0], [3.0, 4.0])
    """
    input_length = positive_int("input_length", input_length)
    horizon = positive_int("horizon", horizon)
    stride = positive_int("stride", stride)
    one_of("target", target, TARGETS)
    values, columns = series_values(series, allow_nan=allow_nan)
    n_steps = len(values)
    if input_length + horizon > n_steps:
        raise ValueError(
            f"input_length ({input_length}) + horizon ({horizon}) must be at most the "
            f"length of the series ({n_steps}); the window is longer than the series"
        )
    count = n_windows(n_steps, input_length, horizon, stride)
    indices, keep_axis = _column_indices(target_columns, columns)

    inputs = sliding_window_view(values, input_length, axis=0)  # (n, features, L)
    X = inputs[: count * stride : stride].transpose(0, 2, 1)

    if len(indices) == 1:
        column = values[:, indices[0]: indices[0] + 1]  # a 2-D view, no copy
    else:
        column = values[:, indices]  # fancy indexing copies the target columns only
    if target == "next":
        start = input_length + horizon - 1
        y = column[start: start + (count - 1) * stride + 1: stride][:, None, :]  # (n, 1, k)
    elif target == "horizon":
        ahead = sliding_window_view(column[input_length:], horizon, axis=0)  # (.., k, h)
        y = ahead[: count * stride: stride].transpose(0, 2, 1)  # (n, h, k)
    else:
        ahead = sliding_window_view(column[1:], horizon, axis=0)  # (T-1-h+1, k, h)
        per_step = sliding_window_view(ahead, input_length, axis=0)  # (.., k, h, L)
        y = per_step[: count * stride: stride].transpose(0, 3, 2, 1)  # (n, L, h, k)
    if not keep_axis:
        y = y[..., 0]
    return X, y


def _split_sizes(n_steps: int, train, valid) -> tuple[int, int, int]:
    for name, value in (("train", train), ("valid", valid)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a fraction in (0, 1) or a count, got {value!r}")
    fractions = isinstance(train, (float, np.floating)) or isinstance(valid, (float, np.floating))
    if fractions:
        if not 0 < train < 1 or not 0 <= valid < 1 or train + valid >= 1:
            raise ValueError(
                "train and valid must be fractions with 0 < train, 0 <= valid and "
                f"train + valid < 1 (the rest is the test part), got train={train}, valid={valid}"
            )
        n_train = int(round(n_steps * train))
        n_valid = int(round(n_steps * valid))
    else:
        n_train, n_valid = int(train), int(valid)
    n_test = n_steps - n_train - n_valid
    if n_train < 1 or n_valid < 0 or n_test < 1 or (valid and n_valid < 1):
        raise ValueError(
            f"series of length {n_steps} is too short for the split train={train}, "
            f"valid={valid}: parts of {n_train}, {n_valid} and {n_test} values"
        )
    return n_train, n_valid, n_test


def split_series(series, train=0.7, valid=0.15):
    """Split a series in time order into training, validation and test parts.

    The parts follow each other without overlap or gap: first ``train``, then
    ``valid``, then the rest. Nothing is shuffled, so no future value can leak into
    training.

    Args:
        series: array ``(time, ...)``, pandas Series or DataFrame.
        train: fraction of the values for training (float in (0, 1)) or a count (int).
        valid: fraction or count for validation; the test part gets the rest.

    Returns:
        ``(train_part, valid_part, test_part)``, slices of the same type as ``series``.

    Example:

    >>> import numpy as np
    >>> a, b, c = split_series(np.arange(10), train=0.6, valid=0.2)
    >>> a.tolist(), b.tolist(), c.tolist()
    ([0, 1, 2, 3, 4, 5], [6, 7], [8, 9])
    """
    if isinstance(series, (pd.Series, pd.DataFrame)):
        take = series.iloc.__getitem__
    else:
        series = np.asarray(series)
        if series.ndim == 0:
            raise ValueError("series must have a time axis, got a scalar")
        take = series.__getitem__
    n_train, n_valid, _ = _split_sizes(len(series), train, valid)
    return (take(slice(0, n_train)), take(slice(n_train, n_train + n_valid)),
            take(slice(n_train + n_valid, None)))


class Scaler:
    """Standardise each feature with a mean and standard deviation fitted on training data.

    Fit it on the training part only: statistics computed on the whole series would
    carry information about the validation and test values into training.
    Missing values (NaN) are ignored when fitting and stay NaN when transforming. A
    constant feature gets a standard deviation of 1, so it is only centred.

    Example:

    >>> import numpy as np
    >>> scaler = Scaler().fit(np.array([1.0, 2.0, 3.0]))
    >>> [round(float(v), 3) for v in scaler.transform(np.array([2.0, 4.0]))]
    [0.0, 2.449]
    """

    def __init__(self):
        self.mean_ = None
        self.std_ = None

    def fit(self, series) -> "Scaler":
        """Learn one mean and standard deviation per feature (last axis of a 2-D series).

        Args:
            series: ``(time,)`` or ``(time, features)``, NaN allowed.

        Returns:
            The scaler itself.

        Raises:
            TypeError: if ``series`` is not array-like of numbers.
            ValueError: if ``series`` is not 1-D or 2-D, or a feature has no value that is
                not NaN.
        """
        values, _ = series_values(series, allow_nan=True)
        if np.isnan(values).all(axis=0).any():
            raise ValueError("series has a feature with no value that is not NaN; cannot fit")
        # Statistics in float64: in float32 the mean of a constant feature can miss its
        # value by one rounding step, and that step then became the "standard deviation"
        # (transform gave +-1 instead of 0). A spread within a few float32 rounding steps
        # of the mean is no spread: such a feature is only centred.
        values = values.astype(np.float64)
        mean = np.nanmean(values, axis=0)
        std = np.nanstd(values, axis=0)
        constant = std <= 4 * np.finfo(np.float32).eps * np.abs(mean)
        self.mean_ = mean.astype(np.float32)
        self.std_ = np.where(constant | (std == 0), 1.0, std).astype(np.float32)
        return self

    def _stats(self, values: np.ndarray, columns):
        if self.mean_ is None:
            raise RuntimeError("this Scaler is not fitted yet; call fit(train_part) first")
        if columns is not None:
            several = isinstance(columns, (list, tuple, np.ndarray))
            picked = list(columns) if several else [columns]
            for column in picked:
                if isinstance(column, bool) or not isinstance(column, (int, np.integer)):
                    raise TypeError(
                        "columns must be a feature position (an integer) or a list of them, "
                        f"got {columns!r}"
                    )
                if not -len(self.mean_) <= int(column) < len(self.mean_):
                    raise ValueError(
                        f"columns: {column} is not a feature position (the scaler has "
                        f"{len(self.mean_)} features)"
                    )
            mean, std = self.mean_[picked], self.std_[picked]
            return (mean, std) if several else (mean[0], std[0])
        if len(self.mean_) == 1:
            return self.mean_[0], self.std_[0]
        if values.ndim == 0 or values.shape[-1] != len(self.mean_):
            raise ValueError(
                f"values must have {len(self.mean_)} features on the last axis, got shape "
                f"{values.shape}; pass columns=... to scale target values"
            )
        return self.mean_, self.std_

    def transform(self, values, columns=None) -> np.ndarray:
        """Return ``(values - mean) / std`` as float32.

        Args:
            values: any array whose last axis holds the features, or any shape when the
                scaler has one feature or ``columns`` names one.
            columns: None for all features, a feature position, or a list of positions
                (the last axis of ``values`` then follows the list).

        Raises:
            RuntimeError: if the scaler is not fitted.
            TypeError: if ``values`` is not array-like of numbers or ``columns`` not
                positions.
            ValueError: if ``values`` does not have one value per feature on its last axis,
                or a position in ``columns`` is out of range.
        """
        values = as_float_array("values", _unwrap(values), allow_nan=True)
        mean, std = self._stats(values, columns)
        return ((values - mean) / std).astype(np.float32)

    def inverse_transform(self, values, columns=None) -> np.ndarray:
        """Undo :meth:`transform`: return ``values * std + mean`` as float32.

        Takes the same arguments, and raises the same errors, as :meth:`transform`.
        """
        values = as_float_array("values", _unwrap(values), allow_nan=True)
        mean, std = self._stats(values, columns)
        return (values * std + mean).astype(np.float32)

    def get_config(self) -> dict:
        """Return the fitted statistics as plain lists."""
        return {"mean": None if self.mean_ is None else self.mean_.tolist(),
                "std": None if self.std_ is None else self.std_.tolist()}


def _unwrap(values):
    if isinstance(values, (pd.Series, pd.DataFrame)):
        return values.to_numpy()
    return values


@dataclass
class ForecastData:
    """Windows of the three parts of a series, ready for ``model.fit``.

    Attributes:
        train: ``(X, y)`` windows of the training part.
        valid: ``(X, y)`` windows of the validation part.
        test: ``(X, y)`` windows of the test part.
        scaler: the :class:`Scaler` fitted on the training part (None without scaling).
        split_series: the raw ``(train, valid, test)`` parts of the series.
        target_columns: positions of the predicted columns in the series.
    """

    train: tuple
    valid: tuple
    test: tuple
    scaler: Scaler | None
    split_series: tuple
    target_columns: list = field(default_factory=lambda: [0])

    def inverse_target(self, y) -> np.ndarray:
        """Bring targets or predictions back to the units of the series."""
        if self.scaler is None:
            return np.asarray(y, dtype=np.float32)
        columns = self.target_columns[0] if len(self.target_columns) == 1 else self.target_columns
        return self.scaler.inverse_transform(y, columns=columns)


def prepare(series, input_length: int, horizon: int = 1, *, target: str = "next",
            split=(0.7, 0.15), scale: bool = True, target_columns=None,
            stride: int = 1) -> ForecastData:
    """Split, scale and window a series in one call, without leakage.

    The scaler is fitted on the training part only. Training windows come from the
    training part; the windows of the validation and test parts come from the part
    itself preceded by its ``input_length`` previous values as context, so the first
    validation target is the first validation value. The targets of ``"next"`` and
    ``"horizon"`` windows (and the last-step targets of ``"seq2seq"`` windows) never
    fall in another part. The earlier steps of a ``"seq2seq"`` window predict values
    that are inputs of the same window, and for the first windows of a part these
    inputs are context from the previous part.

    Args:
        series: 1-D or 2-D array, pandas Series or DataFrame.
        input_length: steps per input window.
        horizon: how far ahead to predict.
        target: ``"next"``, ``"horizon"`` or ``"seq2seq"`` (see :func:`make_windows`).
        split: ``(train, valid)`` fractions or counts; the test part gets the rest.
        scale: standardise with a :class:`Scaler` fitted on the training part.
        target_columns: columns to predict (see :func:`make_windows`).
        stride: step between window starts.

    Returns:
        A :class:`ForecastData`.

    Example:

    >>> import numpy as np
    >>> data = prepare(np.sin(np.arange(200) / 5), input_length=20, horizon=3, target="horizon")
    >>> data.train[0].shape, data.valid[1].shape
    ((118, 20, 1), (28, 3))
    """
    input_length = positive_int("input_length", input_length)
    horizon = positive_int("horizon", horizon)
    if not isinstance(split, (tuple, list)) or len(split) != 2:
        raise ValueError(f"split must be a pair (train, valid), got {split!r}")
    values, columns = series_values(series)
    n_train, n_valid, _ = _split_sizes(len(values), *split)
    indices, _ = _column_indices(target_columns, columns)
    parts = split_series(series, n_train, n_valid)
    scaler = Scaler().fit(values[:n_train]) if scale else None
    scaled = scaler.transform(values) if scale else values
    bounds = {"train": (0, n_train), "valid": (n_train, n_train + n_valid),
              "test": (n_train + n_valid, len(values))}
    windows = {}
    for name, (start, stop) in bounds.items():
        context = 0 if name == "train" else input_length
        segment = scaled[max(start - context, 0): stop]
        if len(segment) < input_length + horizon or stop - start < 1:
            raise ValueError(
                f"the {name} part has {stop - start} values, too few for windows of "
                f"input_length={input_length} and horizon={horizon}; use a longer series, "
                "a larger split or shorter windows"
            )
        windows[name] = make_windows(segment, input_length, horizon, stride=stride,
                                     target=target, target_columns=_as_positions(target_columns, indices))
    return ForecastData(windows["train"], windows["valid"], windows["test"], scaler, parts, indices)


def _as_positions(target_columns, indices):
    if target_columns is None:
        return None
    several = isinstance(target_columns, (list, tuple, np.ndarray, pd.Index))
    return list(indices) if several else indices[0]


def windows_from_many(series, input_length: int, horizon: int = 1, *, target: str = "next",
                      stride: int = 1):
    """Cut many series of the same length into windows at once, as :func:`make_windows` would.

    The result equals calling ``make_windows(series[i], input_length, horizon,
    target=target, stride=stride)`` for every series ``i`` and concatenating the results
    (all windows of series 0, then those of series 1, ...), without a Python loop over
    the series: a data set of 10,000 short series is cut in one vectorised call.

    Args:
        series: array ``(n_series, n_steps)`` for one feature, or
            ``(n_series, n_steps, n_features)``.
        input_length: number of time steps ``L`` in each input window.
        horizon: how far ahead the targets go (``h >= 1``).
        target: ``"next"``, ``"horizon"`` or ``"seq2seq"`` (see :func:`make_windows`).
        stride: step between the starts of consecutive windows of one series.

    Returns:
        ``(X, y)`` with ``n_series * n_windows(n_steps, L, h, stride)`` windows: ``X``
        float32 ``(n, L, n_features)``; ``y`` as :func:`make_windows` shapes it (for one
        feature ``(n, 1)``, ``(n, h)`` or ``(n, L, h)``; with several features a trailing
        axis of ``n_features``). Both are new arrays, not views.

    Raises:
        ValueError: ``series`` is not 2-D or 3-D, holds NaN or inf, has no series, or is
            too short for one window; ``input_length``, ``horizon`` or ``stride`` below 1.

    Example:

    >>> import numpy as np
    >>> X, y = windows_from_many(np.arange(12.0).reshape(2, 6), input_length=4)
    >>> X.shape, y[:, 0].tolist()
    ((4, 4, 1), [4.0, 5.0, 10.0, 11.0])
    """
    input_length = positive_int("input_length", input_length)
    horizon = positive_int("horizon", horizon)
    stride = positive_int("stride", stride)
    one_of("target", target, TARGETS)
    values = as_float_array("series", series, ndim=(2, 3))
    if values.ndim == 2:
        values = values[:, :, None]
    n_series, n_steps, n_features = values.shape
    if n_series == 0:
        raise ValueError(f"series must hold at least one series, got shape {values.shape}")
    if input_length + horizon > n_steps:
        raise ValueError(
            f"input_length ({input_length}) + horizon ({horizon}) must be at most the "
            f"number of steps of each series ({n_steps}, the second axis of series)"
        )
    count = n_windows(n_steps, input_length, horizon, stride)
    picks = slice(0, count * stride, stride)
    # sliding_window_view on the time axis appends the window axis last.
    X = sliding_window_view(values, input_length, axis=1)[:, picks].transpose(0, 1, 3, 2)
    if target == "next":
        start = input_length + horizon - 1
        y = values[:, start:start + (count - 1) * stride + 1:stride][:, :, None, :]
    elif target == "horizon":
        ahead = sliding_window_view(values[:, input_length:], horizon, axis=1)
        y = ahead[:, picks].transpose(0, 1, 3, 2)  # (n_series, count, h, F)
    else:
        ahead = sliding_window_view(values[:, 1:], horizon, axis=1)  # (n, T-h, F, h)
        per_step = sliding_window_view(ahead, input_length, axis=1)  # (n, ., F, h, L)
        y = per_step[:, picks].transpose(0, 1, 4, 3, 2)  # (n_series, count, L, h, F)
    X = X.reshape(n_series * count, input_length, n_features)
    y = y.reshape(n_series * count, *y.shape[2:])
    if n_features == 1:
        y = y[..., 0]
    return np.ascontiguousarray(X), np.ascontiguousarray(y)
