"""Forecast errors: MSE, MAE, MASE, error per horizon, and a last-time-step Keras metric.

The NumPy functions score forecasts after training; :class:`LastTimeStepMSE` and
:func:`last_time_step_mse` run inside ``model.compile(metrics=...)`` on every Keras
backend (they use ``keras.ops`` only).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from seqlab.checks import as_float_array, one_of, positive_int, same_shape


def _pair(y_true, y_pred):
    y_true = as_float_array("y_true", y_true, dtype=np.float64)
    y_pred = as_float_array("y_pred", y_pred, dtype=np.float64)
    same_shape("y_true", y_true, "y_pred", y_pred)
    if y_true.size == 0:
        raise ValueError("y_true and y_pred are empty")
    return y_true, y_pred


def mse(y_true, y_pred) -> float:
    """Mean squared error over all values.

    Example:

    >>> mse([1.0, 2.0], [1.0, 4.0])
    2.0
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean((y_true - y_pred) ** 2))


def mae(y_true, y_pred) -> float:
    """Mean absolute error over all values.

    Example:

    >>> mae([1.0, 2.0], [1.0, 4.0])
    1.0
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def seasonal_naive_scale(y_train, season: int = 1) -> float:
    """In-sample MAE of the seasonal naive forecast on the training series.

    ``mean(|y_train[t] - y_train[t - season]|)`` over ``t = season ... len - 1``.
    """
    y_train = as_float_array("y_train", y_train, ndim=(1, 2), dtype=np.float64)
    if y_train.ndim == 2:
        if y_train.shape[1] != 1:
            raise ValueError(f"y_train must be 1-D or (time, 1), got shape {y_train.shape}")
        y_train = y_train[:, 0]
    season = positive_int("season", season)
    if len(y_train) <= season:
        raise ValueError(
            f"y_train must have more than season={season} values, got {len(y_train)}"
        )
    scale = float(np.mean(np.abs(y_train[season:] - y_train[:-season])))
    if scale == 0:
        raise ValueError("y_train is constant at lag season: the MASE scale is zero")
    return scale


def mase(y_true, y_pred, y_train, season: int = 1) -> float:
    """Mean absolute scaled error (Hyndman and Koehler, 2006).

    The MAE of the forecasts divided by the in-sample MAE of the seasonal naive
    forecast on the training series (season 1: the naive forecast). Below 1, the
    forecasts beat that one-step naive forecast on average; it is unit-free, so it
    compares series of different scales.

    Args:
        y_true: true values, any shape.
        y_pred: forecasts, same shape.
        y_train: the training series, ``(time,)`` or ``(time, 1)``, in the same units.
        season: seasonal period of the scaling forecast (1 for none).

    Example:

    >>> mase([3.0, 4.0], [3.0, 5.0], y_train=[0.0, 1.0, 2.0])
    0.5
    """
    return mae(y_true, y_pred) / seasonal_naive_scale(y_train, season)


_PER_HORIZON = {
    "mae": lambda error: np.abs(error),
    "mse": lambda error: error ** 2,
}


def per_horizon_error(y_true, y_pred, metric: str = "mae") -> np.ndarray:
    """Error at each lead time, averaged over windows.

    Args:
        y_true: ``(n, horizon)`` or ``(n, horizon, n_targets)``.
        y_pred: same shape.
        metric: ``"mae"``, ``"mse"`` or ``"rmse"``.

    Returns:
        A float64 array of shape ``(horizon,)``: entry ``k`` scores the forecasts
        ``k + 1`` steps ahead.

    Example:

    >>> per_horizon_error([[1.0, 2.0], [1.0, 2.0]], [[1.0, 3.0], [2.0, 4.0]]).tolist()
    [0.5, 1.5]
    """
    one_of("metric", metric, ("mae", "mse", "rmse"))
    y_true, y_pred = _pair(y_true, y_pred)
    if y_true.ndim < 2:
        raise ValueError(f"y_true must be (n, horizon) or (n, horizon, n_targets), got shape {y_true.shape}")
    error = _PER_HORIZON["mse" if metric == "rmse" else metric](y_true - y_pred)
    axes = tuple(a for a in range(error.ndim) if a != 1)
    scores = error.mean(axis=axes)
    return np.sqrt(scores) if metric == "rmse" else scores


@keras.saving.register_keras_serializable(package="seqlab")
def last_time_step_mse(y_true, y_pred):
    """MSE of the last time step only, one value per sample (``keras.ops``).

    For sequence-to-sequence forecasts of shape ``(batch, time, horizon)``, the
    targets of the last time step are the forecast that matters; the earlier steps are
    trained but not scored. Works as ``metrics=[last_time_step_mse]`` on every backend.

    Args:
        y_true: ``(batch, time, horizon)`` tensor.
        y_pred: same shape.

    Returns:
        A tensor of shape ``(batch,)``.
    """
    y_true = ops.convert_to_tensor(y_true)
    y_pred = ops.convert_to_tensor(y_pred)
    if len(y_true.shape) != 3 or len(y_pred.shape) != 3:
        raise ValueError(
            "last_time_step_mse expects y_true and y_pred of shape (batch, time, horizon), "
            f"got {tuple(y_true.shape)} and {tuple(y_pred.shape)}"
        )
    y_true = ops.cast(y_true, y_pred.dtype)
    return ops.mean(ops.square(y_true[:, -1] - y_pred[:, -1]), axis=-1)


@keras.saving.register_keras_serializable(package="seqlab")
class LastTimeStepMSE(keras.metrics.Metric):
    """Mean squared error of the last time step of sequence-to-sequence forecasts.

    A seq2seq model is trained on a forecast at every time step, but only the
    forecast made after the whole window (the last step) is comparable with a
    sequence-to-vector model. This metric averages the squared error of
    ``y_pred[:, -1]`` over the horizon, then over samples (weighted by
    ``sample_weight`` when given).

    Args:
        name: name of the metric in logs.
        dtype: dtype of the metric's variables.

    Call arguments:
        y_true: ``(batch, time, horizon)`` targets.
        y_pred: ``(batch, time, horizon)`` forecasts.
        sample_weight: optional ``(batch,)`` weights.

    Example:

    >>> metric = LastTimeStepMSE()
    >>> metric.update_state([[[0.0], [1.0]]], [[[5.0], [3.0]]])
    >>> float(metric.result())
    4.0
    """

    def __init__(self, name: str = "last_time_step_mse", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = ops.cast(last_time_step_mse(y_true, y_pred), self.dtype)
        if sample_weight is None:
            weights = ops.ones_like(values)
        else:
            weights = ops.reshape(ops.cast(sample_weight, self.dtype), (-1,))
            weights = ops.broadcast_to(weights, ops.shape(values))
        self.total.assign_add(ops.sum(values * weights))
        self.count.assign_add(ops.sum(weights))

    def result(self):
        return ops.divide_no_nan(self.total, self.count)

    def reset_state(self):
        self.total.assign(0.0)
        self.count.assign(0.0)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}
