"""Checkers for chapter 1, "Recurrent neurons and layers".

- :func:`check_forward_pass`: a NumPy forward pass of a simple recurrent layer,
  ``fn(X, W_x, W_y, b) -> Y_last``.
- :func:`check_parameter_count`: ``fn(n_inputs, n_neurons) -> int``, the number of
  parameters of a ``SimpleRNN`` layer.
- :func:`check_concatenated_weights`: ``fn(W_x, W_y) -> W``, the single matrix of the
  concatenated form ``[X_t  Y_{t-1}] W``.
- :func:`check_linear_neuron`: the four outputs of one linear recurrent neuron, by hand.
- :func:`check_difference_weights`: ``fn() -> (W_x, W_y, b)``, weights of a linear
  ``SimpleRNN(2)`` whose neuron 1 outputs the change of its input, ``x_t - x_{t-1}``.

Each checker returns a :class:`~seqlab.exercises.Feedback` and never raises on a wrong or
unfinished answer; when the answer is wrong, the feedback names the mistake.
"""

from __future__ import annotations

import numpy as np

from seqlab.exercises.feedback import Feedback, run_answer
from seqlab.reference.simple_rnn import simple_rnn_forward

__all__ = ["check_forward_pass", "check_parameter_count", "check_concatenated_weights",
           "check_linear_neuron", "check_difference_weights", "parameter_count"]

_ATOL = 1e-5


def _case(m, n_steps, n_inputs, n_neurons, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n_steps, n_inputs))
    W_x = rng.normal(scale=0.5, size=(n_inputs, n_neurons))
    W_y = rng.normal(scale=0.5, size=(n_neurons, n_neurons))
    b = rng.normal(scale=0.5, size=n_neurons)
    return X, W_x, W_y, b


def _forward(X, W_x, W_y, b, *, activation="tanh", initial_state=None, sequences=False):
    return simple_rnn_forward(X, W_x, W_y, b, activation=activation, initial_state=initial_state,
                              return_sequences=sequences)


def _transposed_forward(X, W_x, W_y, b):
    return _forward(X, W_x.T, W_y, b)


def _forward_mistakes(X, W_x, W_y, b):
    """The wrong outputs that typical mistakes give, each with its diagnosis and explanation."""
    m, n_steps, _ = X.shape
    n_neurons = W_y.shape[0]
    mistakes = [
        ("missing_bias", _forward(X, W_x, W_y, np.zeros_like(b)),
         "The bias b is missing: add it at every step, after the two products.",
         "b has shape (n_neurons,); NumPy broadcasts it over the m rows."),
        ("transposed_recurrent_kernel", _forward(X, W_x, W_y.T, b),
         "The recurrent weights are transposed: in mini-batch form it is Y_{t-1} @ W_y, not W_y.T.",
         "Each instance is a row, so the row vector of outputs multiplies W_y from the left."),
        ("missing_recurrence", _forward(X, W_x, np.zeros_like(W_y), b),
         "Your layer ignores its previous outputs: add Y_{t-1} @ W_y at every step.",
         "Without it the layer has no memory: every step sees only X_t."),
        ("first_output", _forward(X, W_x, W_y, b, sequences=True)[:, 0, :],
         "You returned the outputs of the first time step; return those of the last one.",),
        ("skipped_last_step", _forward(X[:, :-1], W_x, W_y, b) if n_steps > 1 else None,
         "Your loop stops one step early: it must run over all T steps (range(T)).",),
        ("nonzero_initial_state", _forward(X, W_x, W_y, b, initial_state=np.ones((m, n_neurons))),
         "The initial state is not zero: start from Y_{-1} = np.zeros((m, n_neurons)).",),
    ]
    for activation in ("linear", "relu", "sigmoid"):
        mistakes.append(("wrong_activation", _forward(X, W_x, W_y, b, activation=activation),
                         f"The activation is wrong: you used {activation}; a SimpleRNN uses tanh "
                         "by default (np.tanh).",))
    return mistakes


def _shape_diagnosis(output, m, n_steps, n_neurons):
    shape = np.shape(output)
    if shape == (m, n_steps, n_neurons):
        return Feedback.wrong(
            "returned_sequences",
            f"Your output has shape {shape}: the outputs at every step. Return only the last "
            f"step's outputs, shape (m, n_neurons) = ({m}, {n_neurons}).",
            "Keep the last Y_t of the loop, or index Y[:, -1] if you collected them all.")
    if shape == (n_steps, m, n_neurons):
        return Feedback.wrong(
            "time_major",
            f"Your output has shape {shape}: time first, and every step. Keras puts the batch "
            f"first; return the last step's outputs, shape ({m}, {n_neurons}).")
    if shape == (n_neurons, m) and n_neurons != m:
        return Feedback.wrong(
            "transposed_output",
            f"Your output has shape {shape}, the transpose of (m, n_neurons) = ({m}, {n_neurons}): "
            "one row per instance, one column per neuron.")
    return Feedback.wrong(
        "wrong_shape",
        f"Your output has shape {shape}; expected (m, n_neurons) = ({m}, {n_neurons}).",
        "X has shape (m, T, n_inputs); X[:, t] has shape (m, n_inputs).")


def check_forward_pass(fn) -> Feedback:
    """Check a NumPy forward pass of a simple recurrent layer.

    The learner writes ``fn(X, W_x, W_y, b)`` that returns the last step's outputs of a
    tanh recurrent layer started from a zero state: ``Y_t = tanh(X_t W_x + Y_{t-1} W_y + b)``.

    Args:
        fn: a function taking ``X`` of shape ``(m, T, n_inputs)``, ``W_x`` of shape
            ``(n_inputs, n_neurons)``, ``W_y`` of shape ``(n_neurons, n_neurons)`` and ``b``
            of shape ``(n_neurons,)``, returning an array of shape ``(m, n_neurons)``.

    Returns:
        A Feedback. Diagnoses: ``"transposed_kernel"``, ``"transposed_recurrent_kernel"``,
        ``"missing_bias"``, ``"missing_recurrence"``, ``"wrong_activation"``,
        ``"nonzero_initial_state"``, ``"first_output"``, ``"skipped_last_step"``,
        ``"returned_sequences"``, ``"time_major"``, ``"transposed_output"``,
        ``"wrong_shape"``, ``"raised"``, ``"wrong_values"``.

    Example:

    >>> import numpy as np
    >>> def forward(X, W_x, W_y, b):
    ...     Y = np.zeros((X.shape[0], W_y.shape[0]))
    ...     for t in range(X.shape[1]):
    ...         Y = np.tanh(X[:, t] @ W_x + Y @ W_y + b)
    ...     return Y
    >>> bool(check_forward_pass(forward))
    True
    """
    # n_inputs != n_neurons and m != n_neurons, so that transposes show up as shape errors.
    X, W_x, W_y, b = _case(m=5, n_steps=4, n_inputs=2, n_neurons=3, seed=0)
    output, problem = run_answer(fn, X.copy(), W_x.copy(), W_y.copy(), b.copy(),
                                 what="the outputs of the last step")
    if problem is not None and problem.diagnosis != "raised":
        return problem
    if problem is not None:
        # A transposed input kernel only fails when n_inputs != n_neurons: try a square case.
        square = _case(m=5, n_steps=4, n_inputs=3, n_neurons=3, seed=1)
        square_output, _ = run_answer(fn, *(a.copy() for a in square))
        if square_output is not None and np.shape(square_output) == (5, 3) and np.allclose(
                np.asarray(square_output, dtype=float), _transposed_forward(*square), atol=_ATOL):
            return Feedback.wrong(
                "transposed_kernel",
                "The input weights are transposed: X_t @ W_x.T only has the right shapes when "
                "n_inputs == n_neurons. In mini-batch form it is X_t @ W_x.",
                "X_t has shape (m, n_inputs) and W_x (n_inputs, n_neurons). " + problem.message)
        return Feedback.wrong(
            "raised", problem.message,
            "Check each array's shape: X (m, T, n_inputs), W_x (n_inputs, n_neurons), "
            "W_y (n_neurons, n_neurons), b (n_neurons,).")
    try:
        output = np.asarray(output, dtype=float)
    except (TypeError, ValueError):
        return Feedback.wrong("wrong_shape", f"Your function returned a {type(output).__name__}, not an array.")
    m, n_steps, _ = X.shape
    n_neurons = W_y.shape[0]
    if output.shape != (m, n_neurons):
        return _shape_diagnosis(output, m, n_steps, n_neurons)
    if np.allclose(output, _forward(X, W_x, W_y, b), atol=_ATOL):
        return Feedback.correct(
            "Correct: your forward pass matches the reference (and keras.layers.SimpleRNN).")
    for diagnosis, expected, message, *hints in _forward_mistakes(X, W_x, W_y, b):
        if expected is not None and np.allclose(output, expected, atol=_ATOL):
            return Feedback.wrong(diagnosis, message, *hints)
    return Feedback.wrong(
        "wrong_values", "The output has the right shape but the wrong values.",
        "At every step: Y = np.tanh(X[:, t] @ W_x + Y @ W_y + b), starting from Y = 0.",
        "Return the Y of the last step.")


def parameter_count(n_inputs: int, n_neurons: int) -> int:
    """The number of parameters of ``keras.layers.SimpleRNN(n_neurons)`` on ``n_inputs`` features."""
    return n_neurons * (n_inputs + n_neurons + 1)


_COUNT_SIZES = ((1, 1), (1, 20), (3, 5), (10, 4), (7, 32))


def check_parameter_count(fn) -> Feedback:
    """Check ``fn(n_inputs, n_neurons)``: the number of parameters of a SimpleRNN layer.

    Args:
        fn: a function of ``n_inputs`` and ``n_neurons`` returning an integer.

    Returns:
        A Feedback. Diagnoses: ``"missing_bias"``, ``"missing_recurrent_weights"``,
        ``"recurrent_weights_per_neuron"``, ``"missing_input_weights"``, ``"raised"``,
        ``"wrong_count"``.

    Example:

    >>> bool(check_parameter_count(lambda n_inputs, n_neurons: n_neurons * (n_inputs + n_neurons + 1)))
    True
    """
    mistakes = {
        "missing_bias": (lambda i, n: n * (i + n),
                         "You left out the bias: one per neuron."),
        "missing_recurrent_weights": (lambda i, n: n * (i + 1),
                                      "You counted a dense layer: the recurrent weights W_y "
                                      "(n_neurons x n_neurons) are missing."),
        "recurrent_weights_per_neuron": (lambda i, n: n * (i + 2),
                                         "Each neuron gets the outputs of all n_neurons neurons of "
                                         "the previous step, not only its own: W_y is n_neurons x n_neurons."),
        "missing_input_weights": (lambda i, n: n * (n + 1),
                                  "The input weights W_x (n_inputs x n_neurons) are missing."),
    }
    answers = []
    for n_inputs, n_neurons in _COUNT_SIZES:
        answer, problem = run_answer(fn, n_inputs, n_neurons, what="the number of parameters")
        if problem is not None:
            return problem
        answers.append(answer)
    try:
        answers = [float(a) for a in answers]
    except (TypeError, ValueError):
        return Feedback.wrong("wrong_count", "Return a number (an int), not "
                              f"a {type(answers[0]).__name__}.")
    right = [parameter_count(i, n) for i, n in _COUNT_SIZES]
    if answers == right:
        return Feedback.correct("Correct: n_neurons * (n_inputs + n_neurons + 1), "
                                "as model.count_params() reports.")
    for diagnosis, (formula, message) in mistakes.items():
        if answers == [formula(i, n) for i, n in _COUNT_SIZES]:
            return Feedback.wrong(diagnosis, message)
    wrong = next((size, a, r) for size, a, r in zip(_COUNT_SIZES, answers, right) if a != r)
    (n_inputs, n_neurons), got, expected = wrong
    return Feedback.wrong(
        "wrong_count",
        f"For n_inputs={n_inputs}, n_neurons={n_neurons} your function gives {got:g}; "
        f"the layer has {expected}.",
        "Count W_x, W_y and b separately and add them up.")


def check_concatenated_weights(fn) -> Feedback:
    """Check ``fn(W_x, W_y) -> W`` such that ``[X_t  Y_{t-1}] W == X_t W_x + Y_{t-1} W_y``.

    Args:
        fn: a function of ``W_x`` ``(n_inputs, n_neurons)`` and ``W_y`` ``(n_neurons, n_neurons)``
            returning ``W`` of shape ``(n_inputs + n_neurons, n_neurons)``.

    Returns:
        A Feedback. Diagnoses: ``"stacked_horizontally"``, ``"wrong_order"``,
        ``"transposed"``, ``"wrong_shape"``, ``"raised"``, ``"wrong_values"``.

    Example:

    >>> import numpy as np
    >>> bool(check_concatenated_weights(lambda W_x, W_y: np.vstack([W_x, W_y])))
    True
    """
    _, W_x, W_y, _ = _case(m=1, n_steps=1, n_inputs=2, n_neurons=3, seed=2)
    answer, problem = run_answer(fn, W_x.copy(), W_y.copy(), what="the matrix W")
    if problem is not None and problem.diagnosis != "raised":
        return problem
    if problem is not None:
        # Side by side only works when n_inputs == n_neurons: try a square case.
        _, square_x, square_y, _ = _case(m=1, n_steps=1, n_inputs=3, n_neurons=3, seed=3)
        square, _ = run_answer(fn, square_x.copy(), square_y.copy())
        if square is not None and np.shape(square) == (3, 6) and np.allclose(
                np.asarray(square, dtype=float), np.hstack([square_x, square_y])):
            return Feedback.wrong(
                "stacked_horizontally",
                "You put W_x and W_y side by side (axis 1); they must be stacked vertically "
                "(axis 0): W = [W_x; W_y] has shape (n_inputs + n_neurons, n_neurons).",
                "Side by side only fits when n_inputs == n_neurons. " + problem.message)
        return Feedback.wrong(
            "raised", problem.message,
            "W_x has n_neurons columns and so does W_y: they can be stacked one above the other.")
    try:
        W = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return Feedback.wrong("wrong_shape", f"Your function returned a {type(answer).__name__}, not an array.")
    n_inputs, n_neurons = W_x.shape
    expected_shape = (n_inputs + n_neurons, n_neurons)
    if W.shape == expected_shape:
        if np.allclose(W, np.vstack([W_x, W_y])):
            return Feedback.correct(
                "Correct: W = [W_x; W_y], stacked vertically, so [X_t  Y_{t-1}] W = X_t W_x + Y_{t-1} W_y.")
        if np.allclose(W, np.vstack([W_y, W_x])):
            return Feedback.wrong(
                "wrong_order", "The blocks are in the wrong order: [X_t  Y_{t-1}] puts the inputs first, "
                "so W_x goes on top and W_y below.")
        return Feedback.wrong("wrong_values", "W has the right shape but not the right values.",
                              "Use np.vstack (or np.concatenate along axis 0) on W_x and W_y.")
    if W.shape == (n_neurons, n_inputs + n_neurons):
        return Feedback.wrong(
            "transposed", f"W has shape {W.shape}, the transpose of {expected_shape}: "
            "stack W_x and W_y vertically, not their transposes side by side.")
    return Feedback.wrong(
        "wrong_shape",
        f"W has shape {W.shape}; [X_t  Y_{{t-1}}] has n_inputs + n_neurons = {n_inputs + n_neurons} "
        f"columns, so W must have shape {expected_shape}.",
        "Stack vertically (axis 0), not side by side.")


LINEAR_NEURON = {"w_x": 0.5, "w_y": 1.0, "b": 0.0, "inputs": (1.0, 1.0, 1.0, 1.0)}
"""The neuron of :func:`check_linear_neuron`: weights, bias and input sequence."""


def _linear_neuron_outputs(w_x, w_y, b, inputs, *, activation=lambda z: z, state=0.0):
    outputs = []
    for x in inputs:
        state = activation(w_x * x + w_y * state + b)
        outputs.append(state)
    return outputs


def check_linear_neuron(outputs) -> Feedback:
    """Check the outputs ``y_0 .. y_3`` of the neuron :data:`LINEAR_NEURON` (linear activation).

    Args:
        outputs: four numbers.

    Returns:
        A Feedback. Diagnoses: ``"used_tanh"``, ``"missing_recurrence"``,
        ``"shifted_by_one_step"``, ``"wrong_length"``, ``"wrong_values"``.

    Example:

    >>> bool(check_linear_neuron([0.5, 1.0, 1.5, 2.0]))
    True
    """
    if outputs is None or outputs is Ellipsis:
        return Feedback.not_done()
    try:
        values = np.asarray(outputs, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return Feedback.wrong("wrong_values", f"Give four numbers, not a {type(outputs).__name__}.")
    n_steps = len(LINEAR_NEURON["inputs"])
    if values.size != n_steps:
        return Feedback.wrong("wrong_length", f"Give one output per step: {n_steps} numbers, got {values.size}.")
    weights = LINEAR_NEURON["w_x"], LINEAR_NEURON["w_y"], LINEAR_NEURON["b"], LINEAR_NEURON["inputs"]
    right = _linear_neuron_outputs(*weights)
    if np.allclose(values, right, atol=1e-3):
        return Feedback.correct("Correct: with w_y = 1 and no activation the neuron adds up "
                                "0.5 x_t, a running sum.")
    if np.allclose(values, _linear_neuron_outputs(*weights, activation=np.tanh), atol=1e-3):
        return Feedback.wrong("used_tanh", "You applied tanh; this neuron is linear: phi(z) = z.")
    if np.allclose(values, [LINEAR_NEURON["w_x"] * x for x in LINEAR_NEURON["inputs"]], atol=1e-3):
        return Feedback.wrong("missing_recurrence",
                              "You left out w_y * y_{t-1}: each output adds the previous output.")
    if np.allclose(values, [0.0] + right[:-1], atol=1e-3) or np.allclose(values, right[1:] + [right[-1] + 0.5], atol=1e-3):
        return Feedback.wrong("shifted_by_one_step",
                              "Your outputs are shifted by one step: y_0 already includes x_0, "
                              "and the state before it, y_{-1}, is 0.")
    return Feedback.wrong("wrong_values", "Not quite: compute y_t = 0.5 * x_t + 1 * y_{t-1} + 0, "
                          "step by step from y_{-1} = 0.")


_DIFFERENCE_SHAPES = {"W_x": (1, 2), "W_y": (2, 2), "b": (2,)}


def _linear_outputs(x, W_x, W_y, b):
    """Outputs ``(T, 2)`` of a linear SimpleRNN on the 1-D sequence ``x``."""
    X = np.asarray(x, dtype=float).reshape(1, -1, 1)
    return simple_rnn_forward(X, W_x, W_y, b, activation="linear",
                              return_sequences=True)[0]


def check_difference_weights(fn) -> Feedback:
    """Check weights that make neuron 1 of a linear SimpleRNN(2) output ``x_t - x_{t-1}``.

    The layer reads one feature and has two neurons, no activation, and starts from a
    zero state (so ``x_{-1} = 0``). A neuron never receives ``x_{t-1}``: only the
    layer's previous outputs. So one neuron must hold a copy of the input for one step
    and the other subtract it.

    Args:
        fn: a function without arguments returning ``(W_x, W_y, b)`` in Keras's layout,
            shapes ``(1, 2)``, ``(2, 2)`` and ``(2,)``.

    Returns:
        A Feedback. Diagnoses: ``"wrong_shape"``, ``"transposed_recurrent_kernel"``,
        ``"wrong_neuron"``, ``"wrong_sign"``, ``"copy_accumulates"``,
        ``"missing_recurrence"``, ``"missing_current_input"``, ``"raised"``,
        ``"wrong_values"``.

    Example:

    >>> import numpy as np
    >>> def weights():
    ...     return np.array([[1.0, 1.0]]), np.array([[0.0, -1.0], [0.0, 0.0]]), np.zeros(2)
    >>> bool(check_difference_weights(weights))
    True
    """
    answer, problem = run_answer(fn, what="the three arrays (W_x, W_y, b)")
    if problem is not None:
        return problem
    try:
        W_x, W_y, b = (np.asarray(a, dtype=float) for a in answer)
    except (TypeError, ValueError):
        return Feedback.wrong(
            "wrong_shape", "Return three arrays, (W_x, W_y, b).",
            "W_x (1, 2): one input, two neurons; W_y (2, 2); b (2,).")
    for name, array in zip(_DIFFERENCE_SHAPES, (W_x, W_y, b)):
        if array.shape != _DIFFERENCE_SHAPES[name]:
            return Feedback.wrong(
                "wrong_shape",
                f"{name} has shape {array.shape}; expected {_DIFFERENCE_SHAPES[name]}.",
                "Keras's layout: W_x is (n_inputs, n_neurons), W_y is "
                "(n_neurons, n_neurons), b is (n_neurons,).")
    rng = np.random.default_rng(0)
    x = rng.normal(size=12)
    change = x - np.concatenate([[0.0], x[:-1]])

    def neuron(index, kernel=W_x, recurrent=W_y):
        return _linear_outputs(x, kernel, recurrent, b)[:, index]

    if np.allclose(neuron(1), change, atol=1e-6):
        return Feedback.correct(
            "Correct: neuron 1 outputs x_t - x_{t-1}. It gets x_{t-1} only through "
            "the previous output of the neuron that copies the input.")
    if np.allclose(neuron(1, recurrent=W_y.T), change, atol=1e-6):
        return Feedback.wrong(
            "transposed_recurrent_kernel",
            "W_y is transposed: in Keras's layout W_y[i, j] is the weight from "
            "neuron i's previous output to neuron j (rows: from, columns: to).",
            "y_t = x_t W_x + y_{t-1} W_y, with y_{t-1} a row.")
    if np.allclose(neuron(0), change, atol=1e-6):
        return Feedback.wrong(
            "wrong_neuron",
            "Neuron 0 outputs the change; the exercise asks for neuron 1 "
            "(the second column of W_x, W_y and b).")
    if np.allclose(neuron(1), x + np.concatenate([[0.0], x[:-1]]), atol=1e-6):
        return Feedback.wrong(
            "wrong_sign", "Neuron 1 outputs x_t + x_{t-1}: the weight from the copy "
            "must be -1, not +1.")
    if np.allclose(neuron(1), x, atol=1e-6):
        return Feedback.wrong(
            "missing_recurrence",
            "Neuron 1 outputs x_t: it receives nothing from the previous step.",
            "x_{t-1} reaches step t only through a previous output: W_y[0, 1].")
    if np.allclose(neuron(1), change - x, atol=1e-6):
        return Feedback.wrong(
            "missing_current_input",
            "Neuron 1 outputs -x_{t-1}: it also needs x_t itself, W_x[0, 1] = 1.")
    if np.abs(W_y[:, 0]).max() > 1e-9 and not np.allclose(neuron(0), x, atol=1e-6):
        return Feedback.wrong(
            "copy_accumulates",
            "Neuron 0 does not output x_t alone: column 0 of W_y feeds past outputs "
            "back into it, so neuron 1 subtracts more than x_{t-1}.",
            "A neuron that copies the input has W_x[0, 0] = 1 and no recurrent "
            "weights into it (column 0 of W_y is zero).")
    steps = np.array([1.0, 2.0, 4.0, 7.0])
    got = _linear_outputs(steps, W_x, W_y, b)[:, 1]
    return Feedback.wrong(
        "wrong_values",
        f"On x = {steps.tolist()} neuron 1 outputs {np.round(got, 3).tolist()}; "
        "x_t - x_{t-1} is [1.0, 1.0, 2.0, 3.0].",
        "Let neuron 0 copy x_t; give neuron 1 the input x_t and neuron 0's "
        "previous output with weight -1.")
