"""Checkers for chapter 6, "Deep RNNs and forecasting several steps ahead".

- :func:`check_recursive_forecast`: a forecaster that feeds a one-step model its own
  predictions, compared with :func:`seqlab.forecasting.recursive_forecast`.
- :func:`check_deep_rnn_builder`: a function that stacks recurrent layers.
- :func:`check_seq2seq_targets`: the sequence-to-sequence targets of one window, built
  from a series by hand.
- :func:`check_last_time_step_mse`: the evaluation metric of a sequence-to-sequence model.

Each checker runs the learner's answer on data of its own and, when the answer is wrong,
compares it with the typical mistakes to say which one was made.
"""

from __future__ import annotations

import contextlib
import logging

import keras
import numpy as np

from seqlab.exercises.feedback import Feedback, run_answer
from seqlab.forecasting import recursive_forecast
from seqlab.windows import windows_from_many

__all__ = [
    "check_recursive_forecast",
    "check_deep_rnn_builder",
    "check_last_time_step_mse",
    "check_seq2seq_targets",
    "probe_model",
    "probe_series",
]

_INPUT_WEIGHT, _RECURRENT_WEIGHT, _BIAS = 0.6, 0.5, 0.05
_INPUT_LENGTH, _HORIZON, _ORIGINS = 6, 5, (10, 17)


def probe_model() -> keras.Model:
    """The fixed one-step model the recursive-forecast checker uses.

    A ``SimpleRNN`` with one linear unit, ``h_t = 0.6 x_t + 0.5 h_{t-1} + 0.05``, whose
    last output is the forecast of the next value. It accepts windows of any length,
    shape ``(n, T, 1)``, and returns shape ``(n, 1)``.
    """
    model = keras.Sequential([
        keras.Input(shape=(None, 1)),
        keras.layers.SimpleRNN(1, activation="linear", name="linear_rnn"),
    ], name="probe_model")
    model.layers[0].set_weights([
        np.array([[_INPUT_WEIGHT]], np.float32),
        np.array([[_RECURRENT_WEIGHT]], np.float32),
        np.array([_BIAS], np.float32),
    ])
    return model


def probe_series(n_steps: int = 40) -> np.ndarray:
    """The series the recursive-forecast checker forecasts, shape ``(n_steps,)``."""
    t = np.arange(n_steps, dtype=np.float64)
    return (np.sin(0.45 * t) + 0.03 * t).astype(np.float32)


def _probe_output(window) -> float:
    """What :func:`probe_model` returns for one window, in NumPy."""
    state = 0.0
    for value in np.asarray(window, np.float64):
        state = _INPUT_WEIGHT * value + _RECURRENT_WEIGHT * state + _BIAS
    return state


def _loop(window, horizon, update) -> np.ndarray:
    window, out = list(window), []
    for _ in range(horizon):
        out.append(_probe_output(window))
        window = update(window, out[-1])
    return np.array(out)


def _mistakes(series, origin, input_length, horizon) -> dict:
    """The forecasts that the typical wrong answers produce, by diagnosis."""
    window = series[origin - input_length:origin]
    return {
        "teacher_forcing": np.array([
            _probe_output(series[origin + k - input_length:origin + k]) for k in range(horizon)
        ]),
        "predictions_not_appended": _loop(window, horizon, lambda w, p: w),
        "window_not_shifted": _loop(window, horizon, lambda w, p: w + [p]),
        "prediction_at_front": _loop(window, horizon, lambda w, p: [p] + w[:-1]),
        "window_off_by_one": _loop(series[origin - input_length + 1:origin + 1], horizon,
                                   lambda w, p: w[1:] + [p]),
    }


_EXPLAIN = {
    "teacher_forcing": (
        "Your forecasts use the true values after the origin: this is teacher forcing at "
        "test time, and those values are not known when you forecast.",
        "After step k, the window must end with your own k predictions, not with series[origin:origin + k].",
    ),
    "predictions_not_appended": (
        "Every step gives the same value: the window never changes, so the model is asked "
        "the same question each time.",
        "After each prediction, append it to the window (and drop the oldest value).",
    ),
    "window_not_shifted": (
        "You append each prediction but never drop the oldest value, so the window grows "
        "by one step per forecast.",
        "Keep the window at input_length values: window = concatenate([window[1:], [prediction]]).",
    ),
    "prediction_at_front": (
        "You put each prediction at the start of the window and drop the newest value: "
        "time runs the wrong way.",
        "The newest value belongs at the end of the window: concatenate([window[1:], [prediction]]).",
    ),
    "window_off_by_one": (
        "Your first window ends at series[origin], the value you are asked to forecast: "
        "the window is shifted one step too far.",
        "The first window is series[origin - input_length:origin] (the end index is excluded).",
    ),
}


def check_recursive_forecast(forecast) -> Feedback:
    """Check a feed-back (recursive) forecaster.

    Args:
        forecast: the learner's function
            ``forecast(model, series, origin, input_length, horizon)`` returning the
            ``horizon`` values after ``series[origin - 1]``, shape ``(horizon,)``, predicted by
            the one-step ``model`` from the window ``series[origin - input_length:origin]``
            and its own predictions. ``series`` is 1-D and holds the true future too.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its ``diagnosis`` names the mistake:
        ``"wrong_shape"``, ``"teacher_forcing"``, ``"predictions_not_appended"``,
        ``"window_not_shifted"``, ``"prediction_at_front"``, ``"window_off_by_one"``,
        ``"raised"`` or ``"wrong_values"``.
    """
    with _without_tensorflow_warnings():
        return _check_recursive_forecast(forecast)


@contextlib.contextmanager
def _without_tensorflow_warnings():
    """Silence TensorFlow's warnings (not its errors) while a checker runs.

    Each check builds its probe model afresh and a learner's loop calls
    ``model.predict`` on it; after a chapter has built a few models of its own,
    TensorFlow warns that its predict function "triggered tf.function retracing". The
    warning says nothing about the answer and would land in the chapter page.
    """
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _check_recursive_forecast(forecast) -> Feedback:
    model, series = probe_model(), probe_series()
    for origin in _ORIGINS:
        result, problem = run_answer(forecast, model, series.copy(), origin, _INPUT_LENGTH,
                                     _HORIZON, what="the forecasts")
        if problem is not None:
            return problem
        window = series[origin - _INPUT_LENGTH:origin]
        expected = recursive_forecast(model, window[None, :, None], _HORIZON)[0]
        try:
            got = np.asarray(keras.ops.convert_to_numpy(result), dtype=np.float64)
        except (TypeError, ValueError):
            return Feedback.wrong("wrong_shape", f"Return an array of numbers, got {type(result).__name__}.")
        if got.shape != (_HORIZON,):
            same = got.size == _HORIZON and np.allclose(got.reshape(-1), expected, atol=1e-4)
            return Feedback.wrong(
                "wrong_shape",
                f"Return shape (horizon,) = ({_HORIZON},), got {got.shape}"
                + (" (the values are right: flatten them)." if same else "."),
                "model.predict returns shape (1, 1) for one window: take [0, 0] of each prediction.",
            )
        if np.allclose(got, expected, atol=1e-4):
            continue
        for diagnosis, values in _mistakes(series, origin, _INPUT_LENGTH, _HORIZON).items():
            if np.allclose(got, values, atol=1e-4):
                return Feedback.wrong(diagnosis, *_EXPLAIN[diagnosis])
        first = int(np.argmax(~np.isclose(got, expected, atol=1e-4)))
        return Feedback.wrong(
            "wrong_values",
            f"For origin={origin}, the forecast {first + 1} step(s) ahead is {got[first]:.4f}, "
            f"expected {expected[first]:.4f}.",
            "Step 1 uses only the true window; each later step uses the window shifted by one, "
            "ending with your previous predictions.",
        )
    return Feedback.correct(
        "Correct: your forecaster matches seqlab.forecasting.recursive_forecast at every step."
    )


def _recurrent_layers(model) -> list:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]


def _explain_build_error(text, message) -> Feedback:
    """The feedback on an error while building or running the model: ``text`` is the
    error's message, ``message`` what the learner is told when no mistake is recognised."""
    if "ndim=3" in text and "ndim=2" in text:
        return Feedback.wrong(
            "missing_return_sequences",
            "A recurrent layer received a 2-D input (batch, units): the layer before it "
            "returned only its last output.",
            "Give every recurrent layer but the last return_sequences=True.",
        )
    return Feedback.wrong("raised", message)


def check_deep_rnn_builder(build, n_layers: int = 3, units: int = 4, horizon: int = 5) -> Feedback:
    """Check a function that stacks recurrent layers into a multi-output forecaster.

    Args:
        build: the learner's ``build(n_layers, units, horizon)`` returning a Keras model
            with ``n_layers`` recurrent layers of ``units`` units that maps windows of shape
            ``(batch, T, 1)``, for any ``T``, to forecasts of shape ``(batch, horizon)``.
        n_layers: the number of recurrent layers asked for.
        units: the number of units of each recurrent layer.
        horizon: the number of outputs.

    Returns:
        A :class:`~seqlab.exercises.Feedback` with diagnosis ``"missing_return_sequences"``,
        ``"last_layer_returns_sequences"``, ``"wrong_depth"``, ``"wrong_units"``,
        ``"wrong_output_shape"``, ``"not_a_model"``, ``"not_callable"`` or ``"raised"``
        when wrong.
    """
    windows = np.random.default_rng(0).normal(size=(2, 7, 1)).astype(np.float32)
    model, problem = run_answer(build, n_layers, units, horizon, what="the model")
    if problem is not None:
        if problem.diagnosis != "raised":
            return problem
        return _explain_build_error(problem.message, problem.message)
    if not isinstance(model, keras.Model):
        return Feedback.wrong("not_a_model",
                              f"build must return a keras.Model, got {type(model).__name__}.")
    try:
        output = keras.ops.convert_to_numpy(model(windows))
    except Exception as error:  # the learner's model: report, never raise
        return _explain_build_error(
            str(error), f"Running your model on windows of shape {windows.shape} raised "
                        f"{type(error).__name__}: {str(error)[:300]}")
    recurrent = _recurrent_layers(model)
    if len(recurrent) != n_layers:
        return Feedback.wrong("wrong_depth", f"Asked for {n_layers} recurrent layers, found {len(recurrent)}.")
    if output.ndim == 3:
        return Feedback.wrong(
            "last_layer_returns_sequences",
            f"The model returns shape {output.shape}, one forecast per time step: the last "
            "recurrent layer returns sequences.",
            "Set return_sequences=False (the default) on the last recurrent layer only.",
        )
    if output.shape != (windows.shape[0], horizon):
        return Feedback.wrong("wrong_output_shape", f"Expected output shape ({windows.shape[0]}, {horizon}), "
                                                    f"got {output.shape}.",
                              "End with a Dense layer of `horizon` units.")
    wrong_units = [layer.name for layer in recurrent if getattr(layer.cell, "units", units) != units]
    if wrong_units:
        return Feedback.wrong("wrong_units", f"Layers {wrong_units} do not have {units} units.")
    return Feedback.correct(
        f"Correct: {n_layers} recurrent layers, each but the last returning sequences, "
        f"and {horizon} outputs."
    )


def _probe_targets():
    rng = np.random.default_rng(6)
    y_true = rng.normal(size=(8, 5, 3))
    y_pred = y_true + rng.normal(scale=[[0.1], [0.2], [0.3], [0.5], [0.9]], size=(8, 5, 3))
    return y_true, y_pred


def check_last_time_step_mse(metric) -> Feedback:
    """Check a hand-written last-time-step MSE for sequence-to-sequence outputs.

    Args:
        metric: the learner's ``metric(y_true, y_pred)`` for arrays of shape
            ``(n, T, horizon)``, returning one number: the mean squared error over the
            windows and the horizon at the last time step only.

    Returns:
        A :class:`~seqlab.exercises.Feedback` with diagnosis ``"all_time_steps"``,
        ``"first_time_step"``, ``"not_a_number"``, ``"root_mean_squared"``,
        ``"absolute_error"``, ``"raised"`` or ``"wrong_values"`` when wrong.
    """
    y_true, y_pred = _probe_targets()
    result, problem = run_answer(metric, y_true.copy(), y_pred.copy(), what="one number")
    if problem is not None:
        return problem
    try:
        value = np.asarray(keras.ops.convert_to_numpy(result), dtype=np.float64)
    except (TypeError, ValueError):
        return Feedback.wrong("not_a_number", f"Return a number, got {type(result).__name__}.")
    if value.size != 1:
        return Feedback.wrong("not_a_number", f"Return one number, got an array of shape {value.shape}.",
                              "Average over the windows and the horizon too.")
    value = float(value.reshape(()))
    error = y_true - y_pred
    expected = np.mean(error[:, -1, :] ** 2)
    if np.isclose(value, expected, rtol=1e-5):
        return Feedback.correct("Correct: only the last time step is scored.")
    mistakes = {
        "all_time_steps": (np.mean(error ** 2),
                           "This is the MSE over every time step, the training loss, not the last step's.",
                           "Select the last time step first: y[:, -1]."),
        "first_time_step": (np.mean(error[:, 0, :] ** 2), "You scored the first time step, not the last.",
                            "Index -1 is the last time step; the time axis is axis 1."),
        "root_mean_squared": (np.sqrt(expected), "This is the root of the right MSE.",
                              "Do not take the square root."),
        "absolute_error": (np.mean(np.abs(error[:, -1, :])), "This is the mean absolute error of the last step.",
                           "Square the errors."),
    }
    for diagnosis, (wrong_value, message, hint) in mistakes.items():
        if np.isclose(value, wrong_value, rtol=1e-5):
            return Feedback.wrong(diagnosis, message, hint)
    return Feedback.wrong("wrong_values", f"Got {value:.5f}, expected {expected:.5f}.",
                          "Mean of (y_true[:, -1] - y_pred[:, -1]) ** 2 over every element.")


def _target_series(length: int) -> np.ndarray:
    """A series whose values all differ, so every wrong index shows."""
    return (10.0 + np.arange(length) + 0.1 * np.sin(np.arange(length))).astype(np.float32)


def _seq2seq_mistakes(series, input_length, horizon) -> dict:
    """The targets that the typical wrong answers produce, by diagnosis."""
    steps = range(input_length)
    return {
        "includes_current_value": np.stack([series[t:t + horizon] for t in steps]),
        "same_target_every_step": np.stack(
            [series[input_length:input_length + horizon] for _ in steps]),
        "only_steps_inside_the_window": np.stack(
            [series[t + 1:t + 1 + horizon] for t in range(input_length - horizon)]),
        "slice_one_short": np.stack([series[t + 1:t + horizon] for t in steps]),
    }


_SEQ2SEQ_EXPLAIN = {
    "includes_current_value": (
        "Row t starts with series[t], the value the model has just read at step t: "
        "the targets are shifted one step too early.",
        "The targets at step t are the h values after t: series[t + 1:t + 1 + horizon].",
    ),
    "same_target_every_step": (
        "Every row holds the values after the whole window: that is the ordinary "
        "horizon target repeated, so step t is asked to forecast values far beyond "
        "t + horizon.",
        "Each step has its own targets, the h values after that step.",
    ),
    "only_steps_inside_the_window": (
        "You kept only the steps whose targets lie inside the window; the last "
        "steps' targets run past the window's end, into the values after it, and "
        "the last step's targets are the ones the model is scored on.",
        "Return one row per input step: input_length rows.",
    ),
    "slice_one_short": (
        "Each row holds horizon - 1 values: the slice's end index is excluded, so "
        "series[t + 1:t + horizon] stops one value short.",
        "End the slice at t + 1 + horizon.",
    ),
}


def check_seq2seq_targets(targets) -> Feedback:
    """Check sequence-to-sequence targets built from a series by hand.

    Args:
        targets: the learner's ``targets(series, input_length, horizon)`` for a 1-D
            ``series`` of ``input_length + horizon`` values, returning an array of shape
            ``(input_length, horizon)`` whose row ``t`` holds the ``horizon`` values after
            step ``t``: ``series[t + 1:t + 1 + horizon]``.

    Returns:
        A :class:`~seqlab.exercises.Feedback` with diagnosis ``"includes_current_value"``,
        ``"same_target_every_step"``, ``"only_steps_inside_the_window"``,
        ``"slice_one_short"``, ``"transposed"``, ``"wrong_shape"``, ``"not_an_array"``,
        ``"raised"`` or ``"wrong_values"`` when wrong.

    Example:

    >>> import numpy as np
    >>> def targets(series, input_length, horizon):
    ...     return np.stack([series[t + 1:t + 1 + horizon]
    ...                      for t in range(input_length)])
    >>> bool(check_seq2seq_targets(targets))
    True
    """
    for input_length, horizon in ((8, 3), (6, 4)):
        series = _target_series(input_length + horizon)
        result, problem = run_answer(targets, series.copy(), input_length, horizon,
                                     what="the targets")
        if problem is not None:
            return problem
        expected = windows_from_many(series[None, :, None], input_length, horizon,
                                     target="seq2seq")[1][0, :, :]
        try:
            got = np.asarray(keras.ops.convert_to_numpy(result), dtype=np.float64)
        except (TypeError, ValueError):
            return Feedback.wrong("not_an_array",
                                  f"Return an array of numbers, got {type(result).__name__}.")
        if got.shape == expected.shape and np.allclose(got, expected):
            continue
        if got.shape == expected.T.shape and np.allclose(got, expected.T):
            return Feedback.wrong(
                "transposed",
                f"The values are right but the axes are swapped: shape {got.shape}, "
                f"expected (input_length, horizon) = {expected.shape}.",
                "One row per input step, one column per step ahead.")
        for diagnosis, values in _seq2seq_mistakes(series, input_length, horizon).items():
            if got.shape == values.shape and np.allclose(got, values):
                return Feedback.wrong(diagnosis, *_SEQ2SEQ_EXPLAIN[diagnosis])
        if got.size == expected.size and np.allclose(got.reshape(expected.shape), expected):
            return Feedback.wrong(
                "wrong_shape",
                f"The values are right but the shape is {got.shape}, expected "
                f"{expected.shape}.", "Return a 2-D array (input_length, horizon).")
        if got.shape != expected.shape:
            return Feedback.wrong(
                "wrong_shape", f"Expected shape (input_length, horizon) = "
                               f"{expected.shape}, got {got.shape}.")
        row, col = np.argwhere(~np.isclose(got, expected))[0]
        return Feedback.wrong(
            "wrong_values",
            f"For input_length={input_length}, horizon={horizon}: the target at step "
            f"{row}, {col + 1} step(s) ahead, is {got[row, col]:.4g}; expected "
            f"series[{row + col + 1}] = {expected[row, col]:.4g}.",
            "Row t, column j is series[t + 1 + j].")
    return Feedback.correct(
        "Correct: at every step t your targets are the h values after t, as "
        "seqlab.windows.windows_from_many(..., target='seq2seq') builds them.")
