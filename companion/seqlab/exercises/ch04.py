"""Checkers for chapter 4, "Training RNNs: backpropagation through time".

- :func:`check_step_backward`: the backward pass of one tanh step of a simple RNN.
- :func:`check_spectral_scaling`: rescale a recurrent kernel to a given spectral radius.
- :func:`check_output_gradients`: the gradient of a loss that only counts the last steps.

Each compares the learner's answer with an independent reference (finite differences
or the definition) and names the typical mistake it recognises.
"""

from __future__ import annotations

import numpy as np

from seqlab.exercises.feedback import Feedback, run_answer
from seqlab.reference.gradients import numerical_gradient

GRADIENT_NAMES = ("kernel", "recurrent_kernel", "bias", "previous_state")
_READABLE = {
    "kernel": "d_kernel",
    "recurrent_kernel": "d_recurrent_kernel",
    "bias": "d_bias",
    "previous_state": "d_h_prev",
}
_TOLERANCE = dict(rtol=1e-5, atol=1e-7)


def _as_array(value):
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array


def _close(a, b):
    return a is not None and a.shape == np.shape(b) and np.allclose(a, b, **_TOLERANCE)


# --- exercise 1: one step of backpropagation through time -------------------------------------

def _step_problem(seed):
    rng = np.random.default_rng(seed)
    m, n_inputs, units = 3, 2, 4  # n_inputs != units, so a transposed kernel shows in its shape
    x_t = rng.normal(size=(m, n_inputs))
    h_prev = rng.normal(size=(m, units))
    kernel = rng.normal(size=(n_inputs, units))
    recurrent_kernel = 0.5 * rng.normal(size=(units, units))
    bias = rng.normal(size=units)
    d_h = rng.normal(size=(m, units))
    return x_t, h_prev, kernel, recurrent_kernel, bias, d_h


def _step_reference(x_t, h_prev, kernel, recurrent_kernel, bias, d_h):
    """Finite differences of loss = sum(d_h * tanh(x_t @ kernel + h_prev @ U + bias))."""
    def loss(kernel=kernel, recurrent_kernel=recurrent_kernel, bias=bias, h_prev=h_prev):
        return np.sum(d_h * np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias))

    return {
        "kernel": numerical_gradient(lambda v: loss(kernel=v), kernel),
        "recurrent_kernel": numerical_gradient(lambda v: loss(recurrent_kernel=v), recurrent_kernel),
        "bias": numerical_gradient(lambda v: loss(bias=v), bias),
        "previous_state": numerical_gradient(lambda v: loss(h_prev=v), h_prev),
    }


def _gradients_from(d_pre, x_t, h_prev, recurrent_kernel):
    return {
        "kernel": x_t.T @ d_pre,
        "recurrent_kernel": h_prev.T @ d_pre,
        "bias": d_pre.sum(axis=0),
        "previous_state": d_pre @ recurrent_kernel.T,
    }


STEP_MISTAKES = {
    "forgot_activation_derivative": (
        "you passed d_h straight through tanh: multiply it by the derivative tanh'(z) first.",
        "d_z = d_h * (1 - h_t ** 2), since tanh'(z) = 1 - tanh(z) ** 2 = 1 - h_t ** 2."),
    "used_output_not_derivative": (
        "you multiplied d_h by the output h_t = tanh(z) instead of by its derivative.",
        "tanh'(z) = 1 - h_t ** 2, not h_t."),
    "transposed_product": (
        "a matrix product is transposed (or its factors swapped).",
        "Each gradient has the shape of its variable: d_kernel is (n_inputs, units) = "
        "x_t.T @ d_z, d_recurrent_kernel is h_prev.T @ d_z, and d_h_prev = d_z @ recurrent_kernel.T."),
    "bias_not_summed": (
        "d_bias still has one row per sequence of the batch.",
        "The same bias is used by every sequence: sum d_z over the batch axis (axis=0)."),
}


def _classify_step(name, answer, expected, candidates, transposed):
    """Name what is wrong with one gradient, or return None when it is right."""
    if answer is None:
        return "wrong_shape"
    if _close(answer, expected):
        return None
    if name == "bias" and answer.shape == (3, 4):
        return "bias_not_summed"
    if answer.shape == np.shape(expected)[::-1] and answer.ndim == 2 and answer.shape != np.shape(expected):
        return "transposed_product"
    if answer.shape != np.shape(expected):
        return "wrong_shape"
    for label, values in candidates.items():
        if _close(answer, values[name]):
            return label
    if _close(answer, transposed.get(name)):
        return "transposed_product"
    return "wrong_value"


def check_step_backward(step_backward) -> Feedback:
    """Check a learner's backward pass through one tanh step of a simple RNN.

    The learner writes ``step_backward(x_t, h_prev, h_t, kernel, recurrent_kernel, d_h)``
    for the step ``h_t = tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)``, where
    ``d_h`` is the gradient of the loss with respect to ``h_t``. It returns the tuple
    ``(d_kernel, d_recurrent_kernel, d_bias, d_h_prev)``. The checker compares each
    with finite differences and recognises the usual mistakes.

    Args:
        step_backward: the learner's function.

    Returns:
        A :class:`~seqlab.exercises.Feedback` whose ``diagnosis`` is one of
        ``"forgot_activation_derivative"``, ``"used_output_not_derivative"``,
        ``"transposed_product"``, ``"bias_not_summed"``, ``"wrong_kernel"``,
        ``"wrong_recurrent_kernel"``, ``"wrong_bias"``, ``"wrong_previous_state"``,
        ``"wrong_shape"``, ``"wrong_return"``, ``"raised"``, or not done.

    Example:

    >>> def step_backward(x_t, h_prev, h_t, kernel, recurrent_kernel, d_h):
    ...     d_z = d_h * (1 - h_t ** 2)
    ...     return x_t.T @ d_z, h_prev.T @ d_z, d_z.sum(axis=0), d_z @ recurrent_kernel.T
    >>> bool(check_step_backward(step_backward))
    True
    """
    x_t, h_prev, kernel, recurrent_kernel, bias, d_h = _step_problem(seed=4)
    h_t = np.tanh(x_t @ kernel + h_prev @ recurrent_kernel + bias)
    result, problem = run_answer(step_backward, x_t.copy(), h_prev.copy(), h_t.copy(),
                                 kernel.copy(), recurrent_kernel.copy(), d_h.copy(),
                                 what="the tuple of four gradients")
    if problem is not None:
        return problem
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        return Feedback.wrong(
            "wrong_return",
            "Return a tuple of four arrays: (d_kernel, d_recurrent_kernel, d_bias, d_h_prev).")
    expected = _step_reference(x_t, h_prev, kernel, recurrent_kernel, bias, d_h)
    candidates = {
        "forgot_activation_derivative": _gradients_from(d_h, x_t, h_prev, recurrent_kernel),
        "used_output_not_derivative": _gradients_from(d_h * h_t, x_t, h_prev, recurrent_kernel),
    }
    d_pre = d_h * (1 - h_t ** 2)
    transposed = {"recurrent_kernel": d_pre.T @ h_prev, "previous_state": d_pre @ recurrent_kernel}
    verdicts = {}
    for name, answer in zip(GRADIENT_NAMES, result):
        verdicts[name] = _classify_step(name, _as_array(answer), expected[name], candidates, transposed)
    wrong = [name for name in GRADIENT_NAMES if verdicts[name] is not None]
    if not wrong:
        return Feedback.correct(
            "Correct: all four gradients match finite differences.")
    listed = ", ".join(_READABLE[name] for name in wrong)
    right = [_READABLE[name] for name in GRADIENT_NAMES if verdicts[name] is None]
    right_note = f" ({', '.join(right)} {'is' if len(right) == 1 else 'are'} right)" if right else ""
    for label in STEP_MISTAKES:
        if label in verdicts.values():
            explanation, hint = STEP_MISTAKES[label]
            affected = ", ".join(_READABLE[n] for n in wrong if verdicts[n] == label)
            return Feedback.wrong(label, f"Wrong {affected}{right_note}: {explanation}", hint)
    first = wrong[0]
    if verdicts[first] == "wrong_shape":
        shape = np.shape(_as_array(result[GRADIENT_NAMES.index(first)]))
        return Feedback.wrong(
            "wrong_shape",
            f"{_READABLE[first]} has shape {shape}; it must have the shape of its variable, "
            f"{np.shape(expected[first])}.")
    return Feedback.wrong(
        f"wrong_{first}",
        f"Wrong {listed}{right_note}: it differs from the finite-difference gradient.",
        "Write d_z = d_h * (1 - h_t ** 2) first; every gradient is a product with d_z.")


# --- exercise 2: a recurrent kernel with a chosen spectral radius -----------------------------

def _spectral_radius(matrix):
    return float(np.max(np.abs(np.linalg.eigvals(matrix))))


def check_spectral_scaling(scale_to_spectral_radius) -> Feedback:
    """Check ``scale_to_spectral_radius(matrix, radius)``, which must return
    ``matrix`` multiplied by a positive number so that the largest absolute value of
    its eigenvalues equals ``radius``.

    Tried on non-symmetric random matrices, whose spectral radius differs from their
    largest singular value (the spectral norm) and from their Frobenius norm.

    Args:
        scale_to_spectral_radius: the learner's function.

    Returns:
        A :class:`~seqlab.exercises.Feedback` whose ``diagnosis`` is one of
        ``"used_spectral_norm"``, ``"used_frobenius_norm"``, ``"used_largest_entry"``,
        ``"complex_result"``, ``"not_a_rescaling"``, ``"wrong_radius"``,
        ``"wrong_shape"``, ``"raised"``, or not done.

    Example:

    >>> import numpy as np
    >>> def scale(matrix, radius):
    ...     return matrix * radius / np.max(np.abs(np.linalg.eigvals(matrix)))
    >>> bool(check_spectral_scaling(scale))
    True
    """
    rng = np.random.default_rng(7)
    for radius in (0.8, 1.3):
        matrix = rng.normal(size=(6, 6)) / np.sqrt(6)
        result, problem = run_answer(scale_to_spectral_radius, matrix.copy(), radius,
                                     what="the rescaled matrix")
        if problem is not None:
            return problem
        if np.iscomplexobj(result):
            return Feedback.wrong(
                "complex_result",
                "Your matrix is complex: you divided by an eigenvalue, not by its absolute value.",
                "Eigenvalues of a real matrix can be complex; the spectral radius is max |lambda|.")
        answer = _as_array(result)
        if answer is None or answer.shape != matrix.shape:
            return Feedback.wrong(
                "wrong_shape",
                f"Return a matrix of the same shape as the input, {matrix.shape}.")
        if np.isclose(_spectral_radius(answer), radius, rtol=1e-6):
            if not np.allclose(answer / matrix, answer.flat[0] / matrix.flat[0], rtol=1e-6):
                return Feedback.wrong(
                    "not_a_rescaling",
                    "The spectral radius is right, but the matrix is not the input times one number.",
                    "Multiply the given matrix by radius / (its current spectral radius).")
            continue
        scales = {
            "used_spectral_norm": np.linalg.norm(matrix, 2),
            "used_frobenius_norm": np.linalg.norm(matrix),
            "used_largest_entry": np.abs(matrix).max(),
        }
        for label, norm in scales.items():
            if np.allclose(answer, matrix * radius / norm, rtol=1e-6):
                what = {"used_spectral_norm": "the largest singular value (spectral norm)",
                        "used_frobenius_norm": "the Frobenius norm",
                        "used_largest_entry": "the largest absolute entry"}[label]
                return Feedback.wrong(
                    label,
                    f"You divided by {what}, not by the spectral radius: your matrix's spectral "
                    f"radius is {_spectral_radius(answer):.3f}, not {radius}.",
                    "The spectral radius is the largest |eigenvalue|: np.abs(np.linalg.eigvals(m)).max(). "
                    "For a non-symmetric matrix it is smaller than the spectral norm.")
        ratios = answer / matrix
        if not np.allclose(ratios, ratios.flat[0], rtol=1e-6):
            return Feedback.wrong(
                "not_a_rescaling",
                "Your matrix is not the input multiplied by one number.",
                "Multiply the given matrix by radius / (its current spectral radius).")
        return Feedback.wrong(
            "wrong_radius",
            f"Your matrix has spectral radius {_spectral_radius(answer):.3f}; {radius} was asked.",
            "Divide by the current spectral radius, then multiply by the one asked for.")
    return Feedback.correct("Correct: the matrix is rescaled to exactly the spectral radius asked for.")


# --- exercise 3: the gradient of a loss on the last steps only ---------------------------------

def check_output_gradients(output_gradients) -> Feedback:
    """Check ``output_gradients(outputs, targets, n_last)``: the gradient, with respect
    to ``outputs`` of shape ``(m, T, units)``, of the mean squared error over the last
    ``n_last`` steps only,
    ``mean((outputs[:, -n_last:] - targets[:, -n_last:]) ** 2)``.

    Args:
        output_gradients: the learner's function.

    Returns:
        A :class:`~seqlab.exercises.Feedback` whose ``diagnosis`` is one of
        ``"gradient_on_ignored_steps"``, ``"missing_factor_2"``, ``"wrong_sign"``,
        ``"wrong_normalisation"``, ``"wrong_value"``, ``"wrong_shape"``, ``"raised"``,
        or not done.

    Example:

    >>> def output_gradients(outputs, targets, n_last):
    ...     grads = 2 * (outputs - targets) / outputs[:, -n_last:].size
    ...     grads[:, :-n_last] = 0.0
    ...     return grads
    >>> bool(check_output_gradients(output_gradients))
    True
    """
    rng = np.random.default_rng(11)
    outputs = rng.normal(size=(4, 7, 3))
    targets = rng.normal(size=(4, 7, 3))
    n_last = 3

    def loss(values):
        return np.mean((values[:, -n_last:] - targets[:, -n_last:]) ** 2)

    expected = numerical_gradient(loss, outputs)
    result, problem = run_answer(output_gradients, outputs.copy(), targets.copy(), n_last,
                                 what="the gradient")
    if problem is not None:
        return problem
    answer = _as_array(result)
    if answer is None or answer.shape != outputs.shape:
        shape = None if answer is None else answer.shape
        return Feedback.wrong(
            "wrong_shape",
            f"Return an array shaped like outputs, {outputs.shape}; got {shape}.",
            "The steps the loss ignores are still outputs: their gradient is zero, not missing.")
    if _close(answer, expected):
        return Feedback.correct("Correct: zero at the ignored steps, 2 (y - target) / N at the others.")
    if np.abs(answer[:, :-n_last]).max() > 1e-12:
        return Feedback.wrong(
            "gradient_on_ignored_steps",
            f"Your gradient is not zero at the first {outputs.shape[1] - n_last} steps, which the loss ignores.",
            "An output that does not enter the loss gets a zero gradient from it (it may still "
            "receive gradient through later steps during BPTT, but not here).")
    counted, reference = answer[:, -n_last:], expected[:, -n_last:]
    if np.allclose(counted, reference / 2, **_TOLERANCE):
        return Feedback.wrong("missing_factor_2", "You are off by a factor of 2.",
                              "d/dy (y - t) ** 2 = 2 (y - t).")
    if np.allclose(counted, -reference, **_TOLERANCE):
        return Feedback.wrong("wrong_sign", "Your gradient has the wrong sign.",
                              "It is 2 (outputs - targets) / N, not 2 (targets - outputs) / N.")
    ratio = counted / reference
    if np.allclose(ratio, ratio.flat[0], rtol=1e-6):
        return Feedback.wrong(
            "wrong_normalisation",
            f"Your gradient is {ratio.flat[0]:.4g} times the right one: the mean divides by the "
            "wrong number.",
            f"The mean runs over the m * n_last * units = {counted.size} values that the loss counts.")
    return Feedback.wrong("wrong_value", "Your gradient differs from the finite-difference gradient.",
                          "Start from 2 * (outputs - targets) / N at the counted steps, zero elsewhere.")
