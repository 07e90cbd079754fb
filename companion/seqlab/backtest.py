"""Rolling-origin evaluation: refit at successive forecast origins, score what follows.

A single train/test split scores a model on one stretch of the series. Rolling-origin
evaluation (Tashman, 2000) moves the forecast origin forward in steps of ``step``:
at each origin ``o`` the forecaster is fitted on the values before ``o`` only (all of
them, ``window="expanding"``, or the last ``initial``, ``window="sliding"``), then
forecasts ``horizon`` values from every origin in ``[o, o + step)``. Targets are
always at or after the fold's origin, so no forecast ever sees its own future.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from seqlab.checks import one_of, positive_int
from seqlab.forecasting import predict_numpy
from seqlab.metrics import seasonal_naive_scale
from seqlab.windows import Scaler, make_windows, series_values


@dataclass
class BacktestResult:
    """Scores of a rolling-origin evaluation.

    Attributes:
        folds: one row per fold: its training range ``[train_start, train_end)``,
            its first and last forecast origin, the number of forecasts, and the MAE,
            RMSE and MASE (scaled on the fold's own training values) over all its leads.
        per_horizon: one row per lead time (1 ... horizon): MAE and RMSE over all folds.
        forecasts: one row per forecast value: fold, origin, lead, y_true, y_pred.
    """

    folds: pd.DataFrame
    per_horizon: pd.DataFrame
    forecasts: pd.DataFrame


def _forecast(forecaster, X_train, y_train, X_test, horizon: int) -> np.ndarray:
    if hasattr(forecaster, "fit") and hasattr(forecaster, "predict"):
        forecaster.fit(X_train, y_train)
        predictions = forecaster.predict(X_test)
    elif callable(forecaster):
        predictions = forecaster(X_test, horizon=horizon)
    else:
        raise TypeError(
            "forecaster must be a function forecaster(X, horizon=...) or an object with "
            f"fit(X, y) and predict(X), got {type(forecaster).__name__}"
        )
    predictions = np.asarray(predictions, dtype=np.float64)
    if predictions.size != len(X_test) * horizon:
        raise ValueError(
            f"forecaster returned shape {predictions.shape}, expected ({len(X_test)}, {horizon})"
        )
    return predictions.reshape(len(X_test), horizon)


def rolling_origin(series, forecaster, *, input_length: int, horizon: int, initial: int,
                   step: int, window: str = "expanding", target_column=None,
                   scale: bool = False, season: int = 1, max_folds: int | None = None
                   ) -> BacktestResult:
    """Evaluate a forecaster at successive forecast origins.

    Fold ``k`` has origin ``o = initial + k * step``. The forecaster is fitted on the
    training windows (``target="horizon"``) of ``series[:o]`` (expanding) or
    ``series[o - initial:o]`` (sliding), then forecasts the ``horizon`` values after
    every origin in ``[o, o + step)``, each from the ``input_length`` values before it.

    Args:
        series: 1-D or 2-D array, pandas Series or DataFrame (inputs use every column).
        forecaster: a function ``f(X, horizon=...) -> (n, horizon)`` (the baselines of
            :mod:`seqlab.baselines`; use ``functools.partial`` for extra arguments) or
            an object with ``fit(X, y)`` and ``predict(X)`` (such as
            :class:`~seqlab.baselines.LinearAutoregressive` or :class:`KerasForecaster`),
            fitted again at every fold.
        input_length: steps per input window.
        horizon: steps forecast from each origin.
        initial: length of the first training part (and of every sliding window).
        step: distance between fold origins; every origin in between is forecast too.
        window: ``"expanding"`` or ``"sliding"``.
        target_column: the column forecast (name or position); None for a single column.
        scale: standardise with a :class:`~seqlab.windows.Scaler` fitted on each fold's
            training part; forecasts are scored in the original units.
        season: season of the MASE scale (1: naive).
        max_folds: keep only the first ``max_folds`` folds.

    Returns:
        A :class:`BacktestResult`.

    Example:

    >>> import numpy as np
    >>> from seqlab.baselines import naive_forecast
    >>> result = rolling_origin(np.arange(30.0), naive_forecast, input_length=4,
    ...                         horizon=2, initial=10, step=5)
    >>> len(result.folds), result.per_horizon["mae"].tolist()
    (4, [1.0, 2.0])
    """
    input_length = positive_int("input_length", input_length)
    horizon = positive_int("horizon", horizon)
    initial = positive_int("initial", initial)
    step = positive_int("step", step)
    one_of("window", window, ("expanding", "sliding"))
    values, columns = series_values(series)
    if target_column is None:
        if values.shape[1] != 1:
            raise ValueError(
                f"target_column must name the column to forecast: the series has {values.shape[1]} columns"
            )
        target = 0
    elif target_column in columns:
        target = columns.index(target_column)
    elif isinstance(target_column, (int, np.integer)) and 0 <= target_column < len(columns):
        target = int(target_column)
    else:
        raise ValueError(f"target_column: {target_column!r} is not a column; columns are {columns}")
    n_steps = len(values)
    if initial < input_length + horizon:
        raise ValueError(
            f"initial ({initial}) must be at least input_length + horizon "
            f"({input_length + horizon}) so that the first fold has a training window"
        )
    if initial + horizon > n_steps:
        raise ValueError(
            f"initial ({initial}) + horizon ({horizon}) must be at most the length of the "
            f"series ({n_steps}): no forecast origin is left"
        )
    last_origin = n_steps - horizon
    origins = np.arange(initial, last_origin + 1, step)
    if max_folds is not None:
        origins = origins[: positive_int("max_folds", max_folds)]
    index = series.index if isinstance(series, (pd.Series, pd.DataFrame)) else None

    fold_rows, forecast_rows = [], []
    for fold, origin in enumerate(origins):
        train_start = 0 if window == "expanding" else origin - initial
        train = values[train_start:origin]
        fold_origins = np.arange(origin, min(origin + step, last_origin + 1))
        scaler = Scaler().fit(train) if scale else None
        scaled = scaler.transform(values) if scale else values
        X_train, y_train = make_windows(scaled[train_start:origin], input_length, horizon,
                                        target="horizon", target_columns=target)
        X_test = np.stack([scaled[o - input_length:o] for o in fold_origins])
        predictions = _forecast(forecaster, X_train, y_train, X_test, horizon)
        if scale:
            predictions = scaler.inverse_transform(predictions, columns=target).astype(np.float64)
        truth = np.stack([values[o:o + horizon, target] for o in fold_origins]).astype(np.float64)
        error = truth - predictions
        mae = float(np.mean(np.abs(error)))
        try:
            mase = mae / seasonal_naive_scale(train[:, target], season)
        except ValueError:
            mase = np.nan
        row = {"fold": fold, "train_start": int(train_start), "train_end": int(origin),
               "first_origin": int(fold_origins[0]), "last_origin": int(fold_origins[-1]),
               "n_forecasts": len(fold_origins), "mae": mae,
               "rmse": float(np.sqrt(np.mean(error ** 2))), "mase": mase}
        if index is not None:
            row["first_origin_time"] = index[int(fold_origins[0])]
        fold_rows.append(row)
        for i, o in enumerate(fold_origins):
            for lead in range(horizon):
                forecast_rows.append((fold, int(o), lead + 1, truth[i, lead], predictions[i, lead]))

    folds = pd.DataFrame(fold_rows).set_index("fold")
    forecasts = pd.DataFrame(forecast_rows, columns=["fold", "origin", "lead", "y_true", "y_pred"])
    error = forecasts["y_true"] - forecasts["y_pred"]
    per_horizon = pd.DataFrame({
        "mae": error.abs().groupby(forecasts["lead"]).mean(),
        "rmse": np.sqrt((error ** 2).groupby(forecasts["lead"]).mean()),
        "n_forecasts": forecasts.groupby("lead").size(),
    })
    per_horizon.index.name = "lead"
    return BacktestResult(folds, per_horizon, forecasts)


class KerasForecaster:
    """Wrap a Keras model so that :func:`rolling_origin` can fit and use it per fold.

    Args:
        build_model: a function with no argument that returns a new Keras model
            mapping ``(batch, input_length, n_features)`` to ``(batch, horizon)``. An
            uncompiled model is compiled with Adam and the MSE loss.
        epochs: training epochs at every fit (the first fit of a fine-tuned model too).
        refit: ``True`` builds and trains a new model at every fold; ``False`` builds
            it once and fine-tunes it on each later fold for ``finetune_epochs`` epochs.
        finetune_epochs: epochs of the later fits when ``refit=False``.
        batch_size: mini-batch size.
        learning_rate: Adam's learning rate when compiling here.
        seed: seeds Keras before each build, so folds repeat.

    Example:

    >>> import keras
    >>> def build():
    ...     return keras.Sequential([keras.Input((8, 1)), keras.layers.Flatten(),
    ...                              keras.layers.Dense(2)])
    >>> forecaster = KerasForecaster(build, epochs=1)
    """

    def __init__(self, build_model, *, epochs: int = 10, refit: bool = True,
                 finetune_epochs: int = 2, batch_size: int = 32,
                 learning_rate: float = 1e-3, seed: int = 42):
        if not callable(build_model):
            raise TypeError(f"build_model must be a function returning a Keras model, got {build_model!r}")
        self.build_model = build_model
        self.epochs = positive_int("epochs", epochs)
        self.refit = bool(refit)
        self.finetune_epochs = positive_int("finetune_epochs", finetune_epochs)
        self.batch_size = positive_int("batch_size", batch_size)
        self.learning_rate = float(learning_rate)
        self.seed = int(seed)
        self.model = None
        self.fits = 0

    def _new_model(self):
        import keras

        keras.utils.set_random_seed(self.seed)
        model = self.build_model()
        if not isinstance(model, keras.Model):
            raise TypeError(f"build_model must return a keras.Model, got {type(model).__name__}")
        if not model.compiled:
            model.compile(optimizer=keras.optimizers.Adam(self.learning_rate), loss="mse")
        return model

    def fit(self, X, y) -> "KerasForecaster":
        """Train on the fold's windows (a new model, or the previous one fine-tuned)."""
        first = self.model is None or self.refit
        if first:
            self.model = self._new_model()
        epochs = self.epochs if first else self.finetune_epochs
        self.model.fit(np.asarray(X, np.float32), np.asarray(y, np.float32), epochs=epochs,
                       batch_size=self.batch_size, shuffle=True, verbose=0)
        self.fits += 1
        return self

    def predict(self, X) -> np.ndarray:
        """Forecast ``(n, horizon)`` values."""
        if self.model is None:
            raise RuntimeError("this KerasForecaster is not fitted yet; call fit(X, y) first")
        return predict_numpy(self.model, X).reshape(len(X), -1)


def verdict(name_a: str, error_a: float, name_b: str, error_b: float, *,
            margin: float = 0.05, unit: str = "MAE") -> str:
    """Say which of two errors is lower, or that they are too close to call.

    A comparison that depends on the run (the seed, the number of epochs) is printed
    as a verdict instead of being typed into the text: the lower error wins unless the
    two differ by at most ``margin`` times the lower one.

    Args:
        name_a, name_b: the forecasters' names.
        error_a, error_b: their errors (lower is better), finite and >= 0.
        margin: relative gap below which the verdict is "too close to call".
        unit: the error's name in the sentence.

    Returns:
        One sentence, such as ``"A vs B: A is ahead (MAE 0.300 vs 0.400)"``.

    Raises:
        ValueError: if an error is negative or not finite, or ``margin`` is negative.

    Example:

    >>> verdict("A", 0.30, "B", 0.40)
    'A vs B: A is ahead (MAE 0.300 vs 0.400)'
    >>> verdict("A", 0.41, "B", 0.40)
    'A vs B: too close to call (MAE 0.410 vs 0.400)'
    """
    errors = []
    for name, value in (("error_a", error_a), ("error_b", error_b)):
        value = float(value)
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite error >= 0, got {value}")
        errors.append(value)
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, got {margin}")
    a, b = errors
    scores = f"({unit} {a:.3f} vs {b:.3f})"
    if abs(a - b) <= margin * min(a, b):
        return f"{name_a} vs {name_b}: too close to call {scores}"
    best = name_a if a < b else name_b
    return f"{name_a} vs {name_b}: {best} is ahead {scores}"
