"""Forecasting several steps ahead with a model trained for fewer.

Three ways to get ``horizon`` values out of a sequence model:

- :func:`recursive_forecast`: a model trained to predict *one* step is run ``horizon``
  times; after each step its prediction is appended to the input window and the oldest
  value dropped, so later steps are predicted from earlier predictions (errors feed back).
- :func:`multi_output_forecast` with a model that has ``horizon`` outputs: one call gives
  all of them (the "multiple-input multiple-output" strategy of Ben Taieb et al., 2012).
- :func:`multi_output_forecast` with a sequence-to-sequence model, whose output has shape
  ``(n, T, horizon)``: the forecast is its last time step.

Every function returns an array of shape ``(n_windows, horizon)``, the layout of the
targets made by ``seqlab.windows.make_windows(..., target="horizon")``, so the three can
be scored with the same metric.
"""

from __future__ import annotations

import logging
import warnings

import keras
import numpy as np

from seqlab.checks import as_float_array, positive_int

__all__ = ["recursive_forecast", "multi_output_forecast", "predict_numpy", "predict_on_batch"]


_SMALLEST_BUCKET = 64


def predict_on_batch(model, batch) -> np.ndarray:
    """``model.predict_on_batch(batch)`` as a NumPy array, without log lines or warnings.

    The model's compiled predict function is traced once per model and input shape.
    TensorFlow counts these traces across *all* models (its counter is keyed by Keras's
    predict code, shared by every model), so a cell that builds and evaluates several
    models gets a "triggered tf.function retracing" log line although no model retraces
    more than once per shape. This function lowers TensorFlow's logger to errors for
    the duration of the call, and ignores the NumPy 2 DeprecationWarning that Keras's
    torch backend raises when it converts the output (``np.array(tensor)``).

    Args:
        model: a ``keras.Model``.
        batch: the inputs of one batch.

    Returns:
        The model's output as a NumPy array.

    Example:

    >>> import numpy as np, keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones")])
    >>> predict_on_batch(model, np.ones((1, 2))).tolist()
    [[2.0]]
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="__array__ implementation doesn't accept",
                                    category=DeprecationWarning)
            return np.asarray(model.predict_on_batch(batch))
    finally:
        logger.setLevel(level)


def _bucket(n: int, batch_size: int) -> int:
    """The padded batch size for ``n`` windows: a power of two from 64 up to ``batch_size``."""
    size = _SMALLEST_BUCKET
    while size < n:
        size *= 2
    return min(size, batch_size)


def predict_numpy(model, X, *, batch_size: int = 1024) -> np.ndarray:
    """Run ``model`` on ``X`` and return a NumPy array, without a progress bar.

    A Keras model runs its compiled predict function (``model.predict_on_batch``) on
    batches padded with zeros to a few fixed sizes: ``batch_size``, or for fewer windows
    the power of two from 64 up that holds them. Each size is traced (compiled) once per
    model, so a feed-back loop or a backtest that calls this many times on inputs of
    changing lengths neither retraces nor pays JAX's compilation again, and a call costs
    about what a warmed ``model.predict`` costs. The padded rows are dropped from the
    result. Calls go through :func:`predict_on_batch`, so no log line or warning appears.

    Args:
        model: a ``keras.Model``, or any callable mapping an array of windows to an array
            of predictions (for example a function from ``seqlab.baselines``).
        X: the input windows, an array whose first axis counts them.
        batch_size: the largest batch given to a Keras model at once.

    Returns:
        The predictions as a NumPy array (float32 for a Keras model).

    Raises:
        TypeError: ``model`` is neither a ``keras.Model`` nor a callable.

    Example:

    >>> import numpy as np, keras
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, kernel_initializer="ones")])
    >>> predict_numpy(model, np.ones((2, 3))).tolist()
    [[3.0], [3.0]]
    """
    if isinstance(model, keras.Model):
        batch_size = positive_int("batch_size", batch_size)
        X = np.asarray(X, dtype=np.float32)
        if X.ndim == 0:
            raise ValueError("X must have a first axis that counts the windows, got a scalar")
        parts = []
        for start in range(0, len(X), batch_size):
            chunk = X[start:start + batch_size]
            size = _bucket(len(chunk), batch_size)
            if len(chunk) < size:
                padding = np.zeros((size - len(chunk), *chunk.shape[1:]), np.float32)
                chunk_in = np.concatenate([chunk, padding])
            else:
                chunk_in = chunk
            parts.append(predict_on_batch(model, chunk_in)[:len(chunk)])
        if not parts:
            return np.zeros((0,), np.float32)
        return np.concatenate(parts)
    if callable(model):
        return np.asarray(keras.ops.convert_to_numpy(model(X)))
    raise TypeError(
        f"model must be a keras.Model or a callable taking windows, got {type(model).__name__}"
    )


def _check_windows(X) -> np.ndarray:
    X = as_float_array("X", X, ndim=(2, 3))
    if X.ndim == 2:
        X = X[:, :, None]
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must hold at least one window of at least one step, got shape {X.shape}")
    return X


def _one_step(model, window: np.ndarray, batch_size: int) -> np.ndarray:
    """The model's next value for each window, shape ``(n, n_features)``."""
    n, _, n_features = window.shape
    prediction = predict_numpy(model, window, batch_size=batch_size)
    if prediction.ndim == 1:
        prediction = prediction[:, None]
    if prediction.ndim != 2 or prediction.shape != (n, n_features):
        raise ValueError(
            "recursive_forecast needs a one-step model: for windows of shape "
            f"{window.shape} its output must have shape ({n}, {n_features}) (one value per "
            f"feature, to be fed back), got {prediction.shape}. A model with several outputs "
            "is a multi-output model: use multi_output_forecast."
        )
    return prediction.astype(np.float32)


def recursive_forecast(model, X, horizon: int, *, batch_size: int = 1024) -> np.ndarray:
    """Forecast ``horizon`` steps by feeding a one-step model its own predictions.

    For each window ``x_1..x_T``, the model predicts ``x̂_{T+1}``; the window becomes
    ``x_2..x_T, x̂_{T+1}`` and the model predicts ``x̂_{T+2}``, and so on. The window keeps
    its length ``T``, so a model built for a fixed input length can be used. From the
    second step on the model sees its own earlier errors, which is why the error grows
    with the step ahead.

    Args:
        model: a one-step model (a ``keras.Model`` or a callable on windows) whose output
            for ``n`` windows of ``n_features`` features has shape ``(n, n_features)``
            or, for one feature, ``(n,)``.
        X: input windows, shape ``(n, T, n_features)``, or ``(n, T)`` for one feature.
        horizon: number of steps to forecast, at least 1.
        batch_size: batch size used with a Keras model.

    Returns:
        float32 array of shape ``(n, horizon)`` for one feature, ``(n, horizon, n_features)``
        for several; column ``k`` is the forecast ``k + 1`` steps after each window.

    Raises:
        ValueError: if ``X`` is not 2-D or 3-D, holds NaN, or the model's output does not
            have one value per feature; if ``horizon`` is below 1.

    Example:

    >>> import numpy as np
    >>> last_value = lambda windows: windows[:, -1, :]
    >>> recursive_forecast(last_value, np.arange(6.0).reshape(2, 3), horizon=2)
    array([[2., 2.],
           [5., 5.]], dtype=float32)
    """
    window = _check_windows(X)
    horizon = positive_int("horizon", horizon)
    batch_size = positive_int("batch_size", batch_size)
    steps = []
    for _ in range(horizon):
        prediction = _one_step(model, window, batch_size)
        steps.append(prediction)
        window = np.concatenate([window[:, 1:, :], prediction[:, None, :]], axis=1)
    forecast = np.stack(steps, axis=1)
    return forecast[:, :, 0] if forecast.shape[2] == 1 else forecast


def multi_output_forecast(model, X, horizon: int, *, batch_size: int = 1024) -> np.ndarray:
    """Forecast ``horizon`` steps with one call of a model that has ``horizon`` outputs.

    Two kinds of model are accepted:

    - a multi-output model, output shape ``(n, horizon)`` (or ``(n, horizon, 1)``);
    - a sequence-to-sequence model, output shape ``(n, T, horizon)``: at every time step it
      forecasts the next ``horizon`` values; the forecast after the whole window is the
      one at the last time step.

    Args:
        model: a ``keras.Model`` or a callable on windows.
        X: input windows, shape ``(n, T, n_features)``, or ``(n, T)`` for one feature.
        horizon: the number of outputs the model must have per window.
        batch_size: batch size used with a Keras model.

    Returns:
        float32 array of shape ``(n, horizon)``.

    Raises:
        ValueError: if the model's output has neither shape.

    Example:

    >>> import numpy as np
    >>> repeat_last = lambda windows: np.repeat(windows[:, -1, :], 3, axis=1)
    >>> multi_output_forecast(repeat_last, np.arange(6.0).reshape(2, 3), horizon=3)
    array([[2., 2., 2.],
           [5., 5., 5.]], dtype=float32)
    """
    window = _check_windows(X)
    horizon = positive_int("horizon", horizon)
    batch_size = positive_int("batch_size", batch_size)
    n, n_steps, _ = window.shape
    prediction = predict_numpy(model, window, batch_size=batch_size)
    if prediction.shape == (n, horizon, 1):
        prediction = prediction[:, :, 0]
    elif prediction.shape == (n, n_steps, horizon):
        prediction = prediction[:, -1, :]
    if prediction.shape != (n, horizon):
        raise ValueError(
            f"for {n} windows of {n_steps} steps and horizon={horizon}, the model's output "
            f"must have shape ({n}, {horizon}) (multi-output) or ({n}, {n_steps}, {horizon}) "
            f"(sequence to sequence), got {prediction.shape}"
        )
    return prediction.astype(np.float32)
