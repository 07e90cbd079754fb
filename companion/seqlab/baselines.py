"""Forecasts that every neural network in the course must beat.

Each function takes a batch of input windows ``X`` of shape ``(n, T)`` or ``(n, T, 1)``
(as made by :func:`seqlab.windows.make_windows`) and returns forecasts of shape
``(n, horizon)`` for the ``horizon`` steps after each window. All NumPy, so they run the
same under every Keras backend.
"""

from __future__ import annotations

import warnings

import numpy as np

from seqlab.checks import as_float_array, one_of, positive_int


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
    ``y = X_flat @ W + b``, with ``W`` of shape
    ``(T * n_features, horizon * n_outputs)``, fitted by ordinary least squares on
    training windows (``numpy.linalg.lstsq``, which gives the minimum-norm solution
    when there are fewer windows than weights). ``horizon`` counts the steps ahead and
    ``n_outputs`` the variables forecast at each step: with ``n_outputs > 1`` and
    ``horizon=1`` this is a vector autoregression.

    Args:
        horizon: number of steps forecast at once.
        n_outputs: number of variables forecast at each of those steps.

    Raises:
        ValueError: if ``horizon`` or ``n_outputs`` is not an integer >= 1, or if
            ``fit`` gets targets of another shape (see :meth:`fit`).

    Example:

    >>> import numpy as np
    >>> from seqlab.windows import make_windows
    >>> X, y = make_windows(np.arange(50.0), 5, 2, target="horizon")
    >>> model = LinearAutoregressive(horizon=2).fit(X, y)
    >>> np.round(model.predict(X[:1]), 6).tolist()
    [[5.0, 6.0]]
    """

    def __init__(self, horizon: int = 1, n_outputs: int = 1):
        self.horizon = positive_int("horizon", horizon)
        self.n_outputs = positive_int("n_outputs", n_outputs)
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

    def _targets(self, y) -> np.ndarray:
        """Return targets as ``(n, horizon * n_outputs)``, or raise naming the shape."""
        h, k = self.horizon, self.n_outputs
        if k == 1:
            allowed = [(h,), (h, 1)] + ([()] if h == 1 else [])
            layout = f"(n, {h}) or (n, {h}, 1)" + (" or (n,)" if h == 1 else "")
        else:
            allowed = [(h, k)] + ([(k,)] if h == 1 else [])
            layout = f"(n, {h}, {k})" + (f" or (n, {k})" if h == 1 else "")
        y = as_float_array("y", y, ndim=(1, 2, 3), dtype=np.float64)
        if y.shape[1:] not in allowed:
            raise ValueError(
                f"y must have shape {layout} for horizon={h} and n_outputs={k}, "
                f"got {y.shape}"
            )
        return y.reshape(len(y), h * k)

    def fit(self, X, y) -> "LinearAutoregressive":
        """Fit by least squares.

        Args:
            X: training windows ``(n, T)`` or ``(n, T, n_features)``.
            y: targets ``(n, horizon)`` for one variable (``(n,)`` when
                ``horizon=1``), ``(n, horizon, n_outputs)`` for several
                (``(n, n_outputs)`` when ``horizon=1``).

        Returns:
            The fitted forecaster.
        """
        X = as_float_array("X", X, ndim=(2, 3), dtype=np.float64)
        y = self._targets(y)
        if len(y) != len(X):
            raise ValueError(f"X and y must have the same number of windows, got {len(X)} and {len(y)}")
        self.input_shape_ = None
        design = self._design(X)
        design = np.hstack([design, np.ones((len(design), 1))])
        solution, *_ = np.linalg.lstsq(design, y, rcond=None)
        self.weights_, self.bias_ = solution[:-1], solution[-1]
        self.input_shape_ = X.shape[1:]
        return self

    def predict(self, X) -> np.ndarray:
        """Forecast windows shaped like the training ones.

        Returns:
            ``(n, horizon)`` forecasts for one variable, ``(n, horizon, n_outputs)``
            for several.
        """
        if self.weights_ is None:
            raise RuntimeError("this LinearAutoregressive is not fitted yet; call fit(X, y) first")
        forecasts = self._design(X) @ self.weights_ + self.bias_
        if self.n_outputs == 1:
            return forecasts
        return forecasts.reshape(len(forecasts), self.horizon, self.n_outputs)

    def get_config(self) -> dict:
        """Return the constructor arguments."""
        return {"horizon": self.horizon, "n_outputs": self.n_outputs}


def _series_1d(name: str, series) -> np.ndarray:
    values = np.asarray(series, dtype=np.float64)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    return as_float_array(name, values, ndim=1, dtype=np.float64)


class ExponentialSmoothing:
    """Holt-Winters exponential smoothing from ``statsmodels``, quiet and leak-free.

    The classical forecaster for a seasonal series (Hyndman and Athanasopoulos, 2021,
    ch. 8): a level (and optionally a damped additive trend) plus an additive
    seasonal profile, each updated by exponential smoothing. :meth:`fit` estimates
    the smoothing parameters and initial states on a training series;
    :meth:`forecast` runs the same model, parameters fixed, over a longer series and
    returns the forecasts made at each origin from the values before it only.
    ``statsmodels`` warnings raised while fitting are kept in ``fit_warnings_`` instead
    of being printed, and ``converged_`` says whether the optimiser converged.

    Args:
        season: length of the seasonal cycle in steps (12 for monthly data with a
            yearly cycle), at least 2.
        trend: None (no trend) or ``"add"`` (an additive, damped trend).

    Raises:
        ValueError: if ``season`` is not an integer >= 2 or ``trend`` is not one of
            None, ``"add"``.

    Example:

    >>> import numpy as np
    >>> series = np.tile([1.0, 3.0, 2.0, 0.0], 10)
    >>> model = ExponentialSmoothing(season=4).fit(series[:24])
    >>> np.round(model.forecast(series, start=24)[:4, 0], 3).tolist()
    [1.0, 3.0, 2.0, 0.0]
    """

    def __init__(self, season: int, trend: str | None = None):
        self.season = positive_int("season", season, minimum=2)
        self.trend = one_of("trend", trend, (None, "add"))
        self.params_ = None
        self.converged_ = None
        self.fit_warnings_ = []

    def _model(self, values, **initial):
        from statsmodels.tsa.holtwinters import ExponentialSmoothing as HoltWinters

        return HoltWinters(values, trend=self.trend, damped_trend=self.trend is not None,
                           seasonal="add", seasonal_periods=self.season, **initial)

    def fit(self, series) -> "ExponentialSmoothing":
        """Estimate the parameters on a training series.

        Args:
            series: 1-D array or pandas Series with no NaN, at least two seasons long.

        Returns:
            The fitted forecaster.
        """
        values = _series_1d("series", series)
        if len(values) < 2 * self.season:
            raise ValueError(
                f"series must hold at least two seasons ({2 * self.season} values) to fit "
                f"a seasonal profile, got {len(values)}"
            )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = self._model(values, initialization_method="estimated").fit()
        self.fit_warnings_ = [f"{w.category.__name__}: {w.message}" for w in caught]
        self.converged_ = bool(getattr(result.mle_retvals, "success", True))
        self.params_ = {key: value for key, value in result.params.items()
                        if key.startswith(("smoothing", "damping", "initial"))
                        and not np.all(np.isnan(value))}
        return self

    def _fixed(self, values):
        """The fitted model run over ``values`` with every parameter held fixed."""
        params = self.params_
        initial = {"initial_level": params["initial_level"],
                   "initial_seasonal": params["initial_seasons"]}
        smoothing = {"smoothing_level": params["smoothing_level"],
                     "smoothing_seasonal": params["smoothing_seasonal"]}
        if self.trend is not None:
            initial["initial_trend"] = params["initial_trend"]
            smoothing["smoothing_trend"] = params["smoothing_trend"]
            smoothing["damping_trend"] = params["damping_trend"]
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            return self._model(values, initialization_method="known", **initial).fit(
                optimized=False, **smoothing)

    def forecast(self, series, start: int, horizon: int = 1) -> np.ndarray:
        """Forecast from every origin ``start, ..., len(series) - horizon``.

        The series must continue the training series (same first value): the model's
        states start where the training fit started them. Origin ``o`` forecasts
        ``series[o : o + horizon]`` from ``series[:o]`` only.

        Args:
            series: 1-D array or pandas Series with no NaN.
            start: the first forecast origin, at least 1.
            horizon: steps forecast from each origin.

        Returns:
            Float64 forecasts of shape ``(len(series) - horizon - start + 1, horizon)``.
        """
        if self.params_ is None:
            raise RuntimeError("this ExponentialSmoothing is not fitted yet; call fit(series) first")
        values = _series_1d("series", series)
        horizon = positive_int("horizon", horizon)
        start = positive_int("start", start)
        if start > len(values) - horizon:
            raise ValueError(
                f"start ({start}) + horizon ({horizon}) must be at most the length of the "
                f"series ({len(values)})"
            )
        if horizon == 1:
            return np.asarray(self._fixed(values).fittedvalues[start:], np.float64)[:, None]
        return np.stack([np.asarray(self._fixed(values[:origin]).forecast(horizon), np.float64)
                         for origin in range(start, len(values) - horizon + 1)])

    def get_config(self) -> dict:
        """Return the constructor arguments."""
        return {"season": self.season, "trend": self.trend}
