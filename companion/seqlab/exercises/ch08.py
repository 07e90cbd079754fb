"""Checkers for chapter 8, "LSTM and GRU cells".

- :func:`check_parameter_count`: a function that counts the weights of a SimpleRNN,
  LSTM or GRU layer, checked against Keras's ``count_params()``.
- :func:`check_lstm_step`: one LSTM step in NumPy, checked against
  :func:`seqlab.reference.lstm_step`.
- :func:`check_adding_weights`: hand-set weights of a one-unit LSTM and its linear
  readout; the checker runs the model in Keras on the adding problem.
- :func:`check_fast_path_quiz`: which layers of :data:`FAST_PATH_QUIZ` run on cuDNN,
  checked against :func:`seqlab.layers.fast_path_report`.

Each returns a :class:`~seqlab.exercises.Feedback`, never raises on a wrong or
unfinished answer, and names the typical mistakes it recognises.
"""

from __future__ import annotations

import numpy as np

from seqlab.exercises.feedback import Feedback, run_answer
from seqlab.memory import adding_problem
from seqlab.reference import gru_parameter_count, lstm_gates, lstm_parameter_count, lstm_step

__all__ = ["FAST_PATH_QUIZ", "adding_mse", "check_adding_weights", "check_fast_path_quiz",
           "check_lstm_step", "check_parameter_count"]


def _as_array(value):
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


# --- exercise 1: parameter counts -----------------------------------------------------

_COUNT_CASES = (("LSTM", 3, 5), ("GRU", 3, 5), ("SimpleRNN", 3, 5), ("LSTM", 1, 1),
                ("GRU", 7, 2), ("SimpleRNN", 2, 8))


def _keras_count(kind, n_inputs, units):
    import keras

    layer = getattr(keras.layers, kind)(units)
    layer.build((None, 4, n_inputs))
    return layer.count_params()


def _count_mistakes(kind, n, u):
    """What each typical mistake gives; the first that matches names the mistake."""
    blocks = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
    bias_rows = 2 if kind == "GRU" else 1
    return {
        "gru_one_bias_row": 3 * (n * u + u * u + u) if kind == "GRU" else None,
        "lstm_three_blocks": 3 * (n * u + u * u + u) if kind == "LSTM" else None,
        "forgot_bias": blocks * (n * u + u * u),
        "forgot_recurrent_kernel": blocks * (n * u + bias_rows * u),
        "one_block": n * u + u * u + u if kind != "SimpleRNN" else None,
    }


_COUNT_HINTS = {
    "gru_one_bias_row": "Keras's GRU has reset_after=True by default: its bias has two "
                        "rows (input and recurrent), 6 * units numbers.",
    "lstm_three_blocks": "An LSTM has four blocks: the input, forget and output gates and "
                         "the candidate.",
    "forgot_bias": "Each block has a bias of units numbers.",
    "forgot_recurrent_kernel": "Each block also reads the previous state h: a recurrent "
                               "kernel of shape (units, units) per block.",
    "one_block": "An LSTM or GRU stacks several blocks side by side in one kernel.",
}


def check_parameter_count(parameter_count) -> Feedback:
    """Check ``parameter_count(kind, n_inputs, units)`` against ``count_params()``.

    ``kind`` is ``"SimpleRNN"``, ``"LSTM"`` or ``"GRU"`` (Keras's defaults, so
    ``reset_after=True`` for the GRU).

    Args:
        parameter_count: the learner's function, or None while not done.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"not done yet"``,
        ``"raised"``, ``"not_callable"``, ``"gru_one_bias_row"``,
        ``"lstm_three_blocks"``, ``"forgot_bias"``, ``"forgot_recurrent_kernel"``,
        ``"one_block"``, ``"wrong_count"``.
    """
    for kind, n, u in _COUNT_CASES:
        got, failure = run_answer(parameter_count, kind, n, u, what="the number of weights")
        if failure is not None:
            return failure
        expected = _keras_count(kind, n, u)
        if isinstance(got, (int, np.integer)) and not isinstance(got, bool) \
                and got == expected:
            continue
        where = f"{kind}({u}) on {n} features: Keras counts {expected}, you gave {got!r}"
        for diagnosis, value in _count_mistakes(kind, n, u).items():
            if value is not None and value != expected and got == value:
                return Feedback.wrong(diagnosis, where + ".", _COUNT_HINTS[diagnosis])
        return Feedback.wrong("wrong_count", where + ".",
                              "Count kernel (n_inputs, k * units), recurrent kernel "
                              "(units, k * units) and bias for k blocks.")
    return Feedback.correct("Your counts match count_params() for SimpleRNN, LSTM and GRU.")


# --- exercise 2: one LSTM step --------------------------------------------------------

def _step_problem(seed):
    rng = np.random.default_rng(seed)
    m, n, u = 3, 2, 4
    return (rng.normal(size=(m, n)), rng.normal(size=(m, u)), rng.normal(size=(m, u)),
            rng.normal(size=(n, 4 * u)), rng.normal(size=(u, 4 * u)),
            rng.normal(size=4 * u))


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _step_variant(x, h, c, kernel, recurrent, bias, *, order="ifco", squash_c=True,
                  candidate=np.tanh):
    blocks = dict(zip(order, np.split(x @ kernel + h @ recurrent + bias, 4, axis=1)))
    i, f, o = _sigmoid(blocks["i"]), _sigmoid(blocks["f"]), _sigmoid(blocks["o"])
    c_new = f * c + i * candidate(blocks["c"])
    return o * (np.tanh(c_new) if squash_c else c_new), c_new


_STEP_MISTAKES = {
    "gate_order": (dict(order="icfo"), "Keras's gate order is i, f, c, o: the candidate "
                   "is the third block, not the second."),
    "gate_order_ifoc": (dict(order="ifoc"), "Keras's gate order is i, f, c, o: the "
                        "candidate is the third block and the output gate the fourth."),
    "swapped_input_forget": (dict(order="fico"), "The first block is the input gate, the "
                             "second the forget gate."),
    "no_tanh_on_c": (dict(squash_c=False), "h = o * tanh(c): squash the cell state before "
                     "the output gate."),
    "sigmoid_candidate": (dict(candidate=_sigmoid), "The candidate uses tanh (it can be "
                          "negative); only the gates use the sigmoid."),
}


def check_lstm_step(step) -> Feedback:
    """Check ``step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h, c)``.

    Args:
        step: the learner's function, or None while not done.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"not done yet"``,
        ``"raised"``, ``"not_a_pair"``, ``"wrong_shape"``, ``"returned_c_h"``,
        ``"gate_order"``, ``"gate_order_ifoc"``, ``"swapped_input_forget"``,
        ``"no_tanh_on_c"``, ``"sigmoid_candidate"``, ``"wrong_values"``.
    """
    for seed in (0, 1):
        problem = _step_problem(seed)
        result, failure = run_answer(step, *(a.copy() for a in problem), what="(h, c)")
        if failure is not None:
            return failure
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return Feedback.wrong("not_a_pair", "Return a pair (h, c): the new short-term "
                                  "and long-term states.")
        h, c = (_as_array(v) for v in result)
        h_ref, c_ref = lstm_step(*problem)
        if h is None or c is None or h.shape != h_ref.shape or c.shape != c_ref.shape:
            return Feedback.wrong("wrong_shape", f"h and c must each have shape {h_ref.shape} "
                                  "(batch, units).")
        if np.allclose(h, h_ref) and np.allclose(c, c_ref):
            continue
        if np.allclose(h, c_ref) and np.allclose(c, h_ref):
            return Feedback.wrong("returned_c_h", "You returned (c, h): return (h, c), the "
                                  "output first, as Keras's states [h, c].")
        for diagnosis, (variant, hint) in _STEP_MISTAKES.items():
            h_bad, c_bad = _step_variant(*problem, **variant)
            if np.allclose(h, h_bad) and np.allclose(c, c_bad):
                return Feedback.wrong(diagnosis, "Your step differs from Keras's LSTM.", hint)
        wrong = "c" if not np.allclose(c, c_ref) else "h"
        return Feedback.wrong("wrong_values", f"Your {wrong} differs from Keras's LSTM step.",
                              "c = f * c_prev + i * tanh(z_c); h = o * tanh(c).")
    return Feedback.correct("Your step matches Keras's LSTM (gate order i, f, c, o).")


# --- exercise 3: a one-unit LSTM that solves the adding problem ------------------------

_ADDING_LENGTHS = (50, 200)
_ADDING_SAMPLES = 500
_SOLVED_FRACTION = 0.01   # of the always-answer-1 baseline MSE


def adding_mse(weights, n_steps, *, n_samples=_ADDING_SAMPLES, seed=7):
    """Test MSE of ``LSTM(1) -> Dense(1)`` with ``weights`` on the adding problem.

    Args:
        weights: ``[kernel (2, 4), recurrent_kernel (1, 4), bias (4,), dense_kernel
            (1, 1), dense_bias (1,)]``, the order of ``model.get_weights()``.
        n_steps: the sequence length.
        n_samples: sequences to test on.
        seed: seed of :func:`seqlab.memory.adding_problem`.

    Returns:
        ``(mse, baseline)``: the model's MSE and that of always answering 1.
    """
    import keras

    X, y = adding_problem(n_samples, n_steps, seed=seed)
    model = keras.Sequential([keras.Input((n_steps, 2)), keras.layers.LSTM(1),
                              keras.layers.Dense(1)])
    model.set_weights([np.asarray(w, dtype="float32") for w in weights])
    predictions = keras.ops.convert_to_numpy(model(X))
    return float(np.mean((predictions - y) ** 2)), float(np.mean((y - 1.0) ** 2))


def _weight_shapes_feedback(weights):
    expected = [(2, 4), (1, 4), (4,), (1, 1), (1,)]
    names = ["kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias"]
    if not isinstance(weights, (list, tuple)) or len(weights) != 5:
        return Feedback.wrong("wrong_shapes", "Return a list of 5 arrays: " + ", ".join(
            f"{n} {s}" for n, s in zip(names, expected)) + ".")
    for name, shape, value in zip(names, expected, weights):
        array = _as_array(value)
        if array is None or array.shape != shape or not np.all(np.isfinite(array)):
            got = None if array is None else array.shape
            return Feedback.wrong("wrong_shapes", f"{name} must be a finite array of shape "
                                  f"{shape}, got {got}.",
                                  "Keras's LSTM(1) on 2 features: kernel (2, 4), "
                                  "recurrent_kernel (1, 4), bias (4,), gates i, f, c, o.")
    return None


def _gate_feedback(weights):
    """Diagnose with the NumPy gates on a short adding problem."""
    X, _ = adding_problem(64, 40, seed=3)
    gates = lstm_gates(X, *weights[:3])
    marked = X[..., 1] == 1
    input_marked = gates["input"][..., 0][marked].mean()
    input_unmarked = gates["input"][..., 0][~marked].mean()
    forget = gates["forget"][..., 0].min()
    if forget < 0.99:
        return Feedback.wrong("forget_gate_closes", f"Your forget gate drops to {forget:.3f}: "
                              "the first value fades before the end of the sequence.",
                              "Keep the forget gate (2nd block) near 1 at every step: a "
                              "large positive bias.")
    if input_marked < 0.9:
        return Feedback.wrong("input_gate_shut", f"Your input gate is {input_marked:.2f} on "
                              "marked steps on average: the values never enter the cell.",
                              "Open the input gate (1st block) with the marker channel "
                              "(kernel row 1).")
    if input_unmarked > 0.01:
        return Feedback.wrong("input_gate_leaks", f"Your input gate is {input_unmarked:.3f} "
                              "on unmarked steps: the cell adds up values that are not marked.",
                              "Give the 1st block a negative bias that the marker overcomes.")
    candidate = np.abs(gates["candidate"][..., 0][marked]).max()
    if candidate > 0.5:
        return Feedback.wrong("candidate_saturates", f"The candidate reaches {candidate:.2f}: "
                              "tanh squashes large values, so the sum is not linear.",
                              "Scale the value down in the candidate (3rd block) and up again "
                              "in the Dense readout.")
    return None


def check_adding_weights(make_weights) -> Feedback:
    """Run the learner's hand-set one-unit LSTM on the adding problem.

    ``make_weights()`` returns the weights of ``Sequential([LSTM(1), Dense(1)])`` on
    inputs with 2 features (value, marker), in the order of ``model.get_weights()``.
    Solved means an MSE below 1 % of the always-answer-1 baseline at 50 and 200 steps.

    Args:
        make_weights: the learner's function, or None while not done.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"not done yet"``,
        ``"raised"``, ``"wrong_shapes"``, ``"swapped_candidate_output"``,
        ``"forget_gate_closes"``, ``"input_gate_shut"``, ``"input_gate_leaks"``,
        ``"candidate_saturates"``, ``"inaccurate"``.
    """
    weights, failure = run_answer(make_weights, what="the list of five weight arrays")
    if failure is not None:
        return failure
    shapes = _weight_shapes_feedback(weights)
    if shapes is not None:
        return shapes
    weights = [_as_array(w) for w in weights]
    results = [adding_mse(weights, n) for n in _ADDING_LENGTHS]
    if all(mse < _SOLVED_FRACTION * base for mse, base in results):
        shown = ", ".join(f"{mse:.2g} at {n} steps" for (mse, _), n in
                          zip(results, _ADDING_LENGTHS))
        return Feedback.correct(f"Solved: MSE {shown} (always answering 1: "
                                f"{results[0][1]:.3f}).")
    swapped = [w.copy() for w in weights]
    for index in range(3):
        blocks = np.split(swapped[index], 4, axis=-1)
        swapped[index] = np.concatenate([blocks[0], blocks[1], blocks[3], blocks[2]], axis=-1)
    if all(mse < _SOLVED_FRACTION * base for mse, base in
           (adding_mse(swapped, n) for n in _ADDING_LENGTHS)):
        return Feedback.wrong("swapped_candidate_output", "Your weights would work with the "
                              "candidate and the output gate swapped.",
                              "Keras's gate order is i, f, c, o: the candidate is the 3rd "
                              "block, the output gate the 4th.")
    gates = _gate_feedback(weights)
    if gates is not None:
        return gates
    shown = ", ".join(f"{mse:.3g} at {n} steps" for (mse, _), n in zip(results, _ADDING_LENGTHS))
    return Feedback.wrong("inaccurate", f"MSE {shown}; solved means below "
                          f"{_SOLVED_FRACTION * results[0][1]:.4f}.",
                          "Check the Dense readout: it must undo the scale of the candidate.")


# --- exercise 4: which layers keep the fast path ----------------------------------------

FAST_PATH_QUIZ = {
    "a": "keras.layers.LSTM(64)",
    "b": "keras.layers.LSTM(64, dropout=0.2)",
    "c": "keras.layers.LSTM(64, recurrent_dropout=0.2)",
    "d": "keras.layers.RNN(keras.layers.LSTMCell(64))",
    "e": "keras.layers.GRU(64, reset_after=False)",
    "f": "keras.layers.GRU(64, activation='relu')",
    "g": "keras.layers.LSTM(64, return_sequences=True, go_backwards=True)",
}
"""The layers :func:`check_fast_path_quiz` asks about (TensorFlow, with a GPU)."""

_QUIZ_HINTS = {
    "b": "Input dropout is applied to the inputs before the fused kernel runs: it keeps "
         "the fast path.",
    "c": "recurrent_dropout drops units of the state inside the loop: the fused kernels "
         "cannot do that.",
    "d": "RNN(LSTMCell) runs the generic step loop: only the LSTM and GRU layers call the "
         "fused kernel.",
    "e": "cuDNN computes the reset_after=True form of the GRU.",
    "f": "cuDNN's GRU and LSTM use tanh and the sigmoid only.",
    "g": "return_sequences and go_backwards are handled by the fused kernel.",
}


def _quiz_truth():
    import keras

    from seqlab.layers import fast_path_report

    L = keras.layers
    layers = {
        "a": lambda: L.LSTM(64),
        "b": lambda: L.LSTM(64, dropout=0.2),
        "c": lambda: L.LSTM(64, recurrent_dropout=0.2),
        "d": lambda: L.RNN(L.LSTMCell(64)),
        "e": lambda: L.GRU(64, reset_after=False),
        "f": lambda: L.GRU(64, activation="relu"),
        "g": lambda: L.LSTM(64, return_sequences=True, go_backwards=True),
    }
    assert set(layers) == set(FAST_PATH_QUIZ)
    return {key: fast_path_report(make(), backend="tensorflow", device="gpu").uses_cudnn
            for key, make in layers.items()}


def check_fast_path_quiz(answer) -> Feedback:
    """Check which layers of :data:`FAST_PATH_QUIZ` run on cuDNN (TensorFlow, a GPU).

    Args:
        answer: a dict ``{"a": True, "b": False, ...}``, True for "uses cuDNN"; None or a
            dict with None values while not done.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"not done yet"``,
        ``"not_a_dict"``, ``"missing_keys"``, and for the first wrong answer one of
        ``"dropout_keeps_it"``, ``"recurrent_dropout"``, ``"rnn_wrapper"``,
        ``"reset_after"``, ``"activation"``, ``"sequences_keep_it"``, ``"default_lstm"``.
    """
    if answer is None or answer is Ellipsis:
        return Feedback.not_done()
    if not isinstance(answer, dict):
        return Feedback.wrong("not_a_dict", 'Give a dict {"a": True, "b": False, ...}.')
    if all(value is None for value in answer.values()):
        return Feedback.not_done()
    missing = sorted(set(FAST_PATH_QUIZ) - set(answer))
    if missing or any(answer[key] is None for key in FAST_PATH_QUIZ):
        missing = missing or [k for k in FAST_PATH_QUIZ if answer[k] is None]
        return Feedback.wrong("missing_keys", f"Answer every layer; missing: {missing}.")
    truth = _quiz_truth()
    diagnoses = {"a": "default_lstm", "b": "dropout_keeps_it", "c": "recurrent_dropout",
                 "d": "rnn_wrapper", "e": "reset_after", "f": "activation",
                 "g": "sequences_keep_it"}
    for key, code in FAST_PATH_QUIZ.items():
        if bool(answer[key]) != truth[key]:
            said = "uses" if answer[key] else "does not use"
            hint = _QUIZ_HINTS.get(key, "The default LSTM is the one cuDNN was built for.")
            return Feedback.wrong(diagnoses[key], f"({key}) {code}: you said it {said} "
                                  "cuDNN.", hint)
    return Feedback.correct("Right for every layer: " + ", ".join(
        f"{k} {'cuDNN' if v else 'loop'}" for k, v in truth.items()) + ".")
