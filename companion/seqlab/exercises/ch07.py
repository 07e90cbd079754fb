"""Checkers for chapter 7, "Fighting unstable gradients".

- :func:`check_layer_norm`: layer normalisation by hand, against
  :func:`seqlab.reference.layer_norm`.
- :func:`check_clip_by_global_norm`: clipping a list of gradients by their global norm,
  against :func:`seqlab.reference.clip_by_global_norm`.
- :func:`check_noise_shape`: a ``noise_shape`` for ``keras.layers.Dropout`` that keeps
  one mask per sequence, checked by the masks Keras actually draws.
- :func:`check_ln_cell_step`: one step of the layer-normalised simple RNN cell, against
  :func:`seqlab.reference.layer_norm_simple_rnn_forward`.

Each runs the learner's function with :func:`seqlab.exercises.run_answer` on data of its
own and, when the answer is wrong, compares it with the typical mistakes to name the one
that was made.
"""

from __future__ import annotations

import keras
import numpy as np

from seqlab.exercises.feedback import Feedback, run_answer
from seqlab.reference.clipping import clip_by_global_norm, clip_by_norm, clip_by_value, global_norm
from seqlab.reference.normalization import layer_norm, layer_norm_simple_rnn_forward

__all__ = ["check_layer_norm", "check_clip_by_global_norm", "check_noise_shape",
           "check_ln_cell_step"]

_TOLERANCE = dict(rtol=1e-5, atol=1e-6)


def _as_array(value):
    try:
        return np.asarray(keras.ops.convert_to_numpy(value), dtype=np.float64)
    except (TypeError, ValueError):
        try:
            return np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return None


def _close(a, b):
    return a is not None and a.shape == np.shape(b) and np.allclose(a, b, **_TOLERANCE)


def _first_match(got, candidates):
    for diagnosis, values in candidates.items():
        if _close(got, values):
            return diagnosis
    return None


# --- exercise 1: layer normalisation by hand ----------------------------------------------

def _ln_problem():
    rng = np.random.default_rng(7)
    m, n_steps, n = 3, 4, 5
    # Each row has its own offset and scale, so normalising the wrong axis shows.
    x = rng.normal(size=(m, n_steps, n)) * rng.uniform(0.5, 3.0, size=(m, n_steps, 1)) \
        + rng.normal(scale=2.0, size=(m, n_steps, 1))
    gamma = rng.uniform(0.5, 2.0, size=n)
    beta = rng.normal(size=n)
    return x, gamma, beta


def _ln_mistakes(x, gamma, beta, epsilon):
    def over(axes, ddof=0):
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True, ddof=ddof)
        return gamma * (x - mean) / np.sqrt(var + epsilon) + beta

    mean = x.mean(axis=-1, keepdims=True)
    std = x.std(axis=-1, keepdims=True)
    normalised = (x - mean) / np.sqrt(x.var(axis=-1, keepdims=True) + epsilon)
    return {
        "normalised_over_batch": over(0),
        "normalised_over_time": over(1),
        "normalised_over_time_and_features": over((1, 2)),
        "normalised_over_everything": over((0, 1, 2)),
        "sample_variance": over(-1, ddof=1),
        "epsilon_outside_sqrt": gamma * (x - mean) / (std + epsilon) + beta,
        "gamma_beta_swapped": beta * normalised + gamma,
        "gamma_beta_ignored": normalised,
    }


_LN_EXPLAIN = {
    "normalised_over_batch": (
        "You took the mean and variance over the batch axis (axis=0): that is batch "
        "normalisation's statistic, not layer normalisation's.",
        "Layer normalisation uses the statistics of each instance at each step: axis=-1, keepdims=True."),
    "normalised_over_time": (
        "You took the mean and variance over the time axis (axis=1), the notes' reading: "
        "each output then depends on every step of its sequence, future steps included.",
        "Keras's LayerNormalization normalises each step's feature vector: axis=-1."),
    "normalised_over_time_and_features": (
        "You normalised over the whole sequence (time and features together): each output "
        "then depends on future steps.",
        "Normalise each step's feature vector on its own: axis=-1."),
    "normalised_over_everything": (
        "You normalised over the whole batch at once: one mean and one variance for every value.",
        "Use axis=-1 with keepdims=True, so each instance and step gets its own statistics."),
    "sample_variance": (
        "You used the sample variance (ddof=1); layer normalisation divides by n, not n - 1.",
        "np.var's default ddof=0 is right; torch.var and pandas' .var default to ddof=1."),
    "epsilon_outside_sqrt": (
        "You added epsilon to the standard deviation; it belongs under the square root, "
        "added to the variance.",
        "(x - mean) / np.sqrt(var + epsilon)."),
    "gamma_beta_swapped": (
        "gamma and beta are swapped: gamma scales, beta shifts.",
        "y = gamma * x_hat + beta."),
    "gamma_beta_ignored": (
        "Your output is normalised but gamma and beta were not applied.",
        "Finish with gamma * x_hat + beta, so the layer can learn any scale and offset back."),
}


def check_layer_norm(function, epsilon: float = 1e-3) -> Feedback:
    """Check ``function(x, gamma, beta, epsilon)``, layer normalisation over the last axis.

    Args:
        function: the learner's function; ``x`` has shape ``(m, T, n)``, ``gamma`` and
            ``beta`` shape ``(n,)``; it returns an array shaped like ``x``.
        epsilon: the epsilon passed to it.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its diagnosis is one of ``"wrong_shape"``,
        the keys of the mistakes above (``"normalised_over_batch"``,
        ``"normalised_over_time"``, ``"sample_variance"``, ``"epsilon_outside_sqrt"``...),
        ``"raised"``, ``"not done yet"`` or ``"wrong_values"``.

    Example:

    >>> import numpy as np
    >>> def ln(x, gamma, beta, epsilon):
    ...     mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    ...     return gamma * (x - mean) / np.sqrt(var + epsilon) + beta
    >>> bool(check_layer_norm(ln))
    True
    """
    x, gamma, beta = _ln_problem()
    result, problem = run_answer(function, x.copy(), gamma.copy(), beta.copy(), epsilon,
                                 what="the normalised array")
    if problem is not None:
        return problem
    got = _as_array(result)
    expected = layer_norm(x, gamma, beta, axis=-1, epsilon=epsilon)
    if got is None or got.shape != x.shape:
        shape = None if got is None else got.shape
        return Feedback.wrong("wrong_shape", f"Return an array of shape {x.shape}, like x; got {shape}.",
                              "Use keepdims=True in mean and var so they broadcast against x.")
    if _close(got, expected):
        return Feedback.correct("Correct: this is what keras.layers.LayerNormalization computes.")
    diagnosis = _first_match(got, _ln_mistakes(x, gamma, beta, epsilon))
    if diagnosis is not None:
        return Feedback.wrong(diagnosis, *_LN_EXPLAIN[diagnosis])
    return Feedback.wrong("wrong_values", "The values differ from layer normalisation over the last axis.",
                          "y = gamma * (x - mean) / sqrt(var + epsilon) + beta, with mean and var over axis=-1.")


# --- exercise 2: clip by global norm -------------------------------------------------------

def _clip_problems():
    rng = np.random.default_rng(3)
    large = [rng.normal(scale=4.0, size=(3, 2)), rng.normal(scale=0.5, size=(2,)),
             rng.normal(scale=0.05, size=(2, 2))]
    small = [0.01 * g for g in large]  # global norm below the threshold: no change
    return [(large, 1.0), (small, 1.0)]


def _clip_mistakes(grads, threshold):
    norm = global_norm(grads)
    sum_of_norms = sum(np.linalg.norm(g) for g in grads)
    return {
        "clipped_each_variable": clip_by_norm(grads, threshold),
        "clipped_values": clip_by_value(grads, threshold),
        "always_rescaled": [g * threshold / norm for g in grads],
        "sum_of_norms": [g * threshold / max(sum_of_norms, threshold) for g in grads],
        "not_clipped": [g.copy() for g in grads],
    }


_CLIP_EXPLAIN = {
    "clipped_each_variable": (
        "You clipped each variable's gradient to the norm separately: that is Keras's "
        "clipnorm, not global_clipnorm, and it changes the gradient's direction.",
        "Compute one norm over all gradients, sqrt(sum of every squared entry), and one factor for all."),
    "clipped_values": (
        "You clipped each entry to [-threshold, threshold]: that is clipvalue.",
        "Rescale all gradients by threshold / max(global_norm, threshold)."),
    "always_rescaled": (
        "You rescaled the gradients even when their global norm was already below the "
        "threshold: clipping must leave small gradients unchanged.",
        "The factor is threshold / max(global_norm, threshold), never above 1."),
    "sum_of_norms": (
        "You added the variables' norms; the global norm is the norm of all gradients "
        "concatenated, sqrt of the sum of the squared norms.",
        "global_norm = sqrt(sum(np.sum(g ** 2) for g in grads))."),
    "not_clipped": (
        "Your gradients come back unchanged although their global norm is above the threshold.",
        "Multiply every gradient by threshold / max(global_norm, threshold)."),
}


def check_clip_by_global_norm(function) -> Feedback:
    """Check ``function(grads, threshold)``, clipping a list of gradients by global norm.

    Args:
        function: the learner's function; ``grads`` is a list of NumPy arrays and
            ``threshold`` a positive float; it returns a list of arrays shaped like
            ``grads``.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its diagnosis is one of ``"wrong_shape"``,
        ``"clipped_each_variable"``, ``"clipped_values"``, ``"always_rescaled"``,
        ``"sum_of_norms"``, ``"not_clipped"``, ``"raised"``, ``"not done yet"`` or
        ``"wrong_values"``.

    Example:

    >>> import numpy as np
    >>> def clip(grads, threshold):
    ...     norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    ...     return [g * threshold / max(norm, threshold) for g in grads]
    >>> bool(check_clip_by_global_norm(clip))
    True
    """
    for grads, threshold in _clip_problems():
        result, problem = run_answer(function, [g.copy() for g in grads], threshold,
                                     what="the list of clipped gradients")
        if problem is not None:
            return problem
        expected = clip_by_global_norm(grads, threshold)
        if not isinstance(result, (list, tuple)) or len(result) != len(grads):
            return Feedback.wrong(
                "wrong_shape",
                f"Return a list of {len(grads)} arrays, one per variable; got {type(result).__name__}"
                + (f" of length {len(result)}" if isinstance(result, (list, tuple)) else "") + ".",
                "Keep the gradients separate: the optimizer needs one per variable.")
        got = [_as_array(r) for r in result]
        if any(g is None or g.shape != e.shape for g, e in zip(got, expected)):
            return Feedback.wrong("wrong_shape", "Each returned array must have its gradient's shape.",
                                  "Multiply each gradient by the common factor; do not reshape it.")
        if all(_close(g, e) for g, e in zip(got, expected)):
            continue
        for diagnosis, values in _clip_mistakes(grads, threshold).items():
            if all(_close(g, v) for g, v in zip(got, values)):
                return Feedback.wrong(diagnosis, *_CLIP_EXPLAIN[diagnosis])
        return Feedback.wrong("wrong_values", "The clipped gradients differ from clipping by global norm.",
                              "Multiply every gradient by threshold / max(global_norm, threshold).")
    return Feedback.correct("Correct: this is what Keras's global_clipnorm applies.")


# --- exercise 3: a noise_shape with one mask per sequence ----------------------------------

_BATCH, _STEPS, _FEATURES = 6, 7, 8


def _masks(noise_shape, seed=0):
    """The masks keras.layers.Dropout(0.5, noise_shape) draws on ones((6, 7, 8))."""
    layer = keras.layers.Dropout(0.5, noise_shape=noise_shape, seed=seed)
    ones = np.ones((_BATCH, _STEPS, _FEATURES), "float32")
    return keras.ops.convert_to_numpy(layer(ones, training=True)) > 0


def check_noise_shape(function) -> Feedback:
    """Check ``function(batch_size, n_steps, n_features)``: a ``noise_shape`` for
    ``keras.layers.Dropout`` applied to ``(batch, time, features)`` inputs that draws one
    mask per sequence, the same at every time step, different from sequence to sequence
    and from feature to feature.

    The answer is judged by the masks Keras draws with it on ``(6, 7, 8)`` inputs.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its diagnosis is one of ``"wrong_rank"``,
        ``"new_mask_each_step"``, ``"same_mask_for_every_sequence"``,
        ``"whole_step_dropped"``, ``"raised"``, ``"not done yet"`` or ``"wrong_values"``.

    Example:

    >>> bool(check_noise_shape(lambda batch_size, n_steps, n_features: (None, 1, n_features)))
    True
    """
    result, problem = run_answer(function, _BATCH, _STEPS, _FEATURES, what="the noise_shape tuple")
    if problem is not None:
        return problem
    try:
        shape = tuple(None if s is None else int(s) for s in result)
    except (TypeError, ValueError):
        return Feedback.wrong("wrong_rank", f"Return a tuple of 3 entries (None or integers), got {result!r}.",
                              "noise_shape has one entry per axis of the input: (batch, time, features).")
    if len(shape) != 3:
        return Feedback.wrong("wrong_rank", f"noise_shape must have 3 entries, one per input axis; got {shape}.",
                              "The input is (batch, time, features).")
    try:
        masks = _masks(shape)
    except Exception as error:  # Keras refuses shapes that do not broadcast
        return Feedback.wrong("raised", f"Dropout refused noise_shape={shape}: {str(error)[:200]}",
                              "Each entry must be None, 1 or the size of that axis.")
    constant_in_time = bool((masks == masks[:, :1]).all())
    same_for_batch = bool((masks == masks[:1]).all())
    same_for_features = bool((masks == masks[:, :, :1]).all())
    if not constant_in_time:
        return Feedback.wrong("new_mask_each_step",
                              f"With noise_shape={shape} Dropout draws a new mask at every time step.",
                              "Put 1 on the time axis, so one mask is broadcast over all steps.")
    if same_for_batch:
        return Feedback.wrong("same_mask_for_every_sequence",
                              f"With noise_shape={shape} every sequence of the batch gets the same mask.",
                              "Leave the batch axis as None (or batch_size): one mask per sequence.")
    if same_for_features:
        return Feedback.wrong("whole_step_dropped",
                              f"With noise_shape={shape} a sequence keeps or drops all its features together.",
                              "Keep the feature axis at n_features (or None): one decision per feature.")
    return Feedback.correct(
        f"Correct: noise_shape={shape} keeps one mask per sequence and feature over all time "
        "steps, as SpatialDropout1D does.")


# --- exercise 4: one step of the layer-normalised cell -------------------------------------

def _cell_problem():
    rng = np.random.default_rng(11)
    m, n_inputs, units = 3, 2, 5
    return (rng.normal(size=(m, n_inputs)), rng.normal(size=(m, units)),
            rng.normal(size=(n_inputs, units)), 0.6 * rng.normal(size=(units, units)),
            rng.uniform(0.5, 1.5, size=units), rng.normal(scale=0.3, size=units))


def _cell_mistakes(x_t, h_prev, kernel, recurrent_kernel, gamma, beta, epsilon):
    a = x_t @ kernel + h_prev @ recurrent_kernel
    a_t = x_t @ kernel + h_prev @ recurrent_kernel.T

    def ln(v, axis=-1):
        mean, var = v.mean(axis=axis, keepdims=True), v.var(axis=axis, keepdims=True)
        return gamma * (v - mean) / np.sqrt(var + epsilon) + beta

    return {
        "normalised_over_batch": np.tanh(ln(a, axis=0)),
        "activation_before_norm": ln(np.tanh(a)),
        "not_normalised": np.tanh(a),
        "no_activation": ln(a),
        "state_not_used": np.tanh(ln(x_t @ kernel)),
        "transposed_recurrent_kernel": np.tanh(ln(a_t)),
        "beta_after_activation": np.tanh(ln(a) - beta) + beta,
    }


_CELL_EXPLAIN = {
    "normalised_over_batch": (
        "You normalised over the batch axis: the cell normalises each sequence's pre-activation "
        "over its units.", "Use mean and var over axis=-1, keepdims=True."),
    "activation_before_norm": (
        "You applied tanh first and normalised its output; the cell normalises the "
        "pre-activation, then applies tanh.", "h_t = tanh(layer_norm(a_t))."),
    "not_normalised": (
        "Your step is a plain SimpleRNN step: the layer normalisation is missing.",
        "Normalise a_t = x_t @ kernel + h_prev @ recurrent_kernel before tanh."),
    "no_activation": (
        "You returned the normalised pre-activation: tanh is missing.", "h_t = tanh(layer_norm(a_t))."),
    "state_not_used": (
        "Your step ignores the previous state h_prev.",
        "a_t = x_t @ kernel + h_prev @ recurrent_kernel."),
    "transposed_recurrent_kernel": (
        "You used recurrent_kernel.T: Keras stores it so that h_prev @ recurrent_kernel is the product.",
        "Rows of the recurrent kernel are indexed by the previous state's units."),
    "beta_after_activation": (
        "You added beta after tanh; gamma and beta belong to the normalisation, inside tanh.",
        "h_t = tanh(gamma * a_hat + beta)."),
}


def check_ln_cell_step(function, epsilon: float = 1e-3) -> Feedback:
    """Check ``function(x_t, h_prev, kernel, recurrent_kernel, gamma, beta, epsilon)``,
    one step of :class:`seqlab.layers.LayerNormSimpleRNNCell` (tanh, no bias).

    Args:
        function: the learner's function; ``x_t`` has shape ``(m, n_inputs)``, ``h_prev``
            ``(m, units)``, ``kernel`` ``(n_inputs, units)``, ``recurrent_kernel``
            ``(units, units)``, ``gamma`` and ``beta`` ``(units,)``; it returns ``h_t``,
            shape ``(m, units)``.
        epsilon: the epsilon passed to it.

    Returns:
        A :class:`~seqlab.exercises.Feedback`; its diagnosis is one of ``"wrong_shape"``,
        ``"normalised_over_batch"``, ``"activation_before_norm"``, ``"not_normalised"``,
        ``"no_activation"``, ``"state_not_used"``, ``"transposed_recurrent_kernel"``,
        ``"beta_after_activation"``, ``"raised"``, ``"not done yet"`` or ``"wrong_values"``.

    Example:

    >>> import numpy as np
    >>> def step(x_t, h_prev, kernel, recurrent_kernel, gamma, beta, epsilon):
    ...     a = x_t @ kernel + h_prev @ recurrent_kernel
    ...     a_hat = (a - a.mean(-1, keepdims=True)) / np.sqrt(a.var(-1, keepdims=True) + epsilon)
    ...     return np.tanh(gamma * a_hat + beta)
    >>> bool(check_ln_cell_step(step))
    True
    """
    problem_arrays = _cell_problem()
    x_t, h_prev, kernel, recurrent_kernel, gamma, beta = problem_arrays
    result, problem = run_answer(function, *(a.copy() for a in problem_arrays), epsilon,
                                 what="the new state h_t")
    if problem is not None:
        return problem
    got = _as_array(result)
    expected = layer_norm_simple_rnn_forward(x_t[:, None, :], kernel, recurrent_kernel, gamma, beta,
                                             initial_state=h_prev, epsilon=epsilon)
    if got is None or got.shape != expected.shape:
        shape = None if got is None else got.shape
        return Feedback.wrong("wrong_shape", f"Return h_t of shape (m, units) = {expected.shape}, got {shape}.",
                              "x_t @ kernel has shape (m, units); keep keepdims=True in the statistics.")
    if _close(got, expected):
        return Feedback.correct("Correct: this is one step of LayerNormSimpleRNNCell.")
    diagnosis = _first_match(got, _cell_mistakes(*problem_arrays, epsilon))
    if diagnosis is not None:
        return Feedback.wrong(diagnosis, *_CELL_EXPLAIN[diagnosis])
    return Feedback.wrong("wrong_values", "The new state differs from the cell's.",
                          "h_t = tanh(gamma * (a - mean) / sqrt(var + epsilon) + beta), "
                          "a = x_t @ kernel + h_prev @ recurrent_kernel, statistics over axis=-1.")
