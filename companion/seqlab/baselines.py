"""Forecasts that every neural network in the course must beat.

Each function takes a batch of input windows ``X`` of shape ``(n, T)`` or ``(n, T, 1)``
(as made by :func:`seqlab.windows.make_windows`) and returns forecasts of shape
``(n, horizon)`` for the ``horizon`` steps after each window. All NumPy, so they run the
same under every Keras backend.
"""

from __future__ import annotations

import numpy as np

from seqlab.checks import as_float_array, positive_int


def _windows(X, name: str = "X") -> np.ndarray:
    """Return windows as a float64 ``(n, T)`` array; accept ``(n, T, 1)`` too."""
    X = as_float_array(name, X, ndim=(2, 3), dtype=np.float64)
    if X.ndim == 3:
        if X.shape[2] != 1:
            raise ValueError(
                f"{name} must be (n, T) or (n, T, 1) (one feature), got shape {X.shape}; "
                "select the target feature first, e.g. X[..., :1]"
            )
        X = X[..., 0]
    if X.shape[1] < 1:
        raise ValueError(f"{name} must have at least one time step, got shape {X.shape}")
    return X


def naive_forecast(X, horizon: int = 1) -> np.ndarray:
    """Repeat the last value of each window: ``y[:, k] = X[:, -1]``.

    Args:
        X: windows ``(n, T)`` or ``(n, T, 1)``.
        horizon: number of steps to forecast.

    Returns:
        Float64 forecasts of shape ``(n, horizon)``.

    Example:

    >>> naive_forecast([[1.0, 2.0, 3.0]], horizon=2).tolist()
    [[3.0, 3.0]]
    """
    X = _windows(X)
    horizon = positive_int("horizon", horizon)
    return np.repeat(X[:, -1:], horizon, axis=1)


def seasonal_naive_forecast(X, season: int, horizon: int = 1) -> np.ndarray:
    """Repeat the last full season: ``y[:, k] = X[:, T - season + (k mod season)]``.

    Args:
        X: windows ``(n, T)`` or ``(n, T, 1)`` with ``T >= season``.
        season: the period in steps (12 for monthly data with a yearly cycle).
        horizon: number of steps to forecast.

    Returns:
        Float64 forecasts of shape ``(n, horizon)``.

    Example:

    >>> seasonal_naive_forecast([[1.0, 2.0, 3.0, 4.0]], season=2, horizon=3).tolist()
    [[3.0, 4.0, 3.0]]
    """
    X = _windows(X)
    season = positive_int("season", season)
    horizon = positive_int("horizon", horizon)
    n_steps = X.shape[1]
    if season > n_steps:
        raise ValueError(
            f"season ({season}) must be at most the window length ({n_steps}): "
            "the window must hold one full season"
        )
    positions = n_steps - season + np.arange(horizon) % season
    return X[:, positions]


def drift_forecast(X, horizon: int = 1) -> np.ndarray:
    """Extend the line through the first and last value of each window.

    ``y[:, k] = X[:, -1] + (k + 1) * (X[:, -1] - X[:, 0]) / (T - 1)``

    Args:
        X: windows ``(n, T)`` or ``(n, T, 1)`` with ``T >= 2``.
        horizon: number of steps to forecast.

    Returns:
        Float64 forecasts of shape ``(n, horizon)``.

    Example:

    >>> drift_forecast([[1.0, 2.0, 3.0]], horizon=2).tolist()
    [[4.0, 5.0]]
    """
    X = _windows(X)
    horizon = positive_int("horizon", horizon)
    if X.shape[1] < 2:
        raise ValueError(f"X must have at least 2 time steps for a drift, got shape {X.shape}")
    slope = (X[:, -1] - X[:, 0]) / (X.shape[1] - 1)
    steps = np.arange(1, horizon + 1)
    return X[:, -1:] + slope[:, None] * steps[None, :]


class LinearAutoregressive:
    """A linear autoregressive forecaster fitted by least squares (NumPy).

    Each forecast is an affine function of the window's values,
    ``y = X_flat @ W + b``, with ``W`` of shape ``(T * n_features, horizon)``, fitted
    by ordinary least squares on training windows (``numpy.linalg.lstsq``, which gives
    the minimum-norm solution when there are fewer windows than weights).

    Args:
        horizon: number of steps forecast at once (the width of ``y``).

    Example:

    >>> import numpy as np
    >>> from seqlab.windows import make_windows
    >>> X, y = make_windows(np.arange(50.0), 5, 2, target="horizon")
    >>> model = LinearAutoregressive(horizon=2).fit(X, y)
    >>> np.round(model.predict(X[:1]), 6).tolist()
    [[5.0, 6.0]]
    """

    def __init__(self, horizon: int = 1):
        self.horizon = positive_int("horizon", horizon)
        self.weights_ = None
        self.bias_ = None
        self.input_shape_ = None

    def _design(self, X) -> np.ndarray:
        X = as_float_array("X", X, ndim=(2, 3), dtype=np.float64)
        if self.input_shape_ is not None and X.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X must have windows of shape {self.input_shape_} as in fit, got {X.shape[1:]}"
            )
        return X.reshape(len(X), -1)

    def fit(self, X, y) -> "LinearAutoregressive":
        """Fit by least squares.

        Args:
            X: training windows ``(n, T)`` or ``(n, T, n_features)``.
            y: targets ``(n,)`` or ``(n, horizon)``.

        Returns:
            The fitted forecaster.
        """
        X = as_float_array("X", X, ndim=(2, 3), dtype=np.float64)
        y = as_float_array("y", y, ndim=(1, 2), dtype=np.float64)
        y = y.reshape(len(y), -1)
        if len(y) != len(X):
            raise ValueError(f"X and y must have the same number of windows, got {len(X)} and {len(y)}")
        if y.shape[1] != self.horizon:
            raise ValueError(f"y must have horizon={self.horizon} columns, got shape {y.shape}")
        self.input_shape_ = None
        design = self._design(X)
        design = np.hstack([design, np.ones((len(design), 1))])
        solution, *_ = np.linalg.lstsq(design, y, rcond=None)
        self.weights_, self.bias_ = solution[:-1], solution[-1]
        self.input_shape_ = X.shape[1:]
        return self

    def predict(self, X) -> np.ndarray:
        """Forecast ``(n, horizon)`` values for windows shaped like the training ones."""
        if self.weights_ is None:
            raise RuntimeError("this LinearAutoregressive is not fitted yet; call fit(X, y) first")
        return self._design(X) @ self.weights_ + self.bias_

    def get_config(self) -> dict:
        """Return the constructor arguments."""
        return {"horizon": self.horizon}
