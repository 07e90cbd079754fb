"""Checkers for chapter 3, "Input and output sequences".

- :func:`check_architecture_choices`: which of the four shapes of sequence model fits each
  use case in :data:`USE_CASES`.
- :func:`check_vector_to_sequence_model`: a Keras decoder that turns one vector into a
  sequence of a given length.
- :func:`check_layer_shapes`: the output shape of every layer of :func:`shape_quiz_model`.

Each checker returns a :class:`~seqlab.exercises.Feedback` and never raises on a wrong or
unfinished answer; when the answer is wrong, the feedback names the mistake.
"""

from __future__ import annotations

import keras
import numpy as np

from seqlab.exercises.feedback import Feedback, run_answer

__all__ = [
    "ARCHITECTURES",
    "USE_CASES",
    "check_architecture_choices",
    "check_vector_to_sequence_model",
    "check_layer_shapes",
    "shape_quiz_model",
]

ARCHITECTURES = (
    "sequence_to_sequence",
    "sequence_to_vector",
    "vector_to_sequence",
    "encoder_decoder",
)
"""The four answers :func:`check_architecture_choices` accepts, one per shape of model."""

USE_CASES = {
    "sentiment": "Read a film review word by word and output one number: how positive it is.",
    "captioning": "Given one vector that describes an image, write a caption word by word.",
    "translation": "Translate an English sentence into a German sentence, which is usually "
                   "longer or shorter than the English one.",
    "tagging": "Label every word of a sentence with its part of speech (noun, verb, ...).",
    "anomaly_score": "Read a day of sensor readings and output a single anomaly score for the day.",
    "step_forecast": "At every time step of a sensor series, forecast the next reading.",
}
"""Use cases for :func:`check_architecture_choices`: name -> description."""

_RIGHT = {
    "sentiment": {"sequence_to_vector"},
    "captioning": {"vector_to_sequence"},
    "translation": {"encoder_decoder"},
    "tagging": {"sequence_to_sequence"},
    "anomaly_score": {"sequence_to_vector"},
    "step_forecast": {"sequence_to_sequence"},
}

_WHY = {
    "sentiment": "a whole review goes in and one number comes out: sequence to vector "
                 "(an encoder).",
    "captioning": "one vector goes in and a sequence of words comes out: vector to sequence "
                  "(a decoder).",
    "translation": "the output sentence has a length of its own, which varies from one "
                   "sentence to the next: an encoder reads the whole sentence and a decoder "
                   "writes the translation word by word until it writes an end token.",
    "tagging": "one label per input word, produced in step: sequence to sequence, "
               "with return_sequences=True.",
    "anomaly_score": "a whole day goes in and one score comes out: sequence to vector.",
    "step_forecast": "one forecast per input step, produced in step: sequence to sequence.",
}

_SWAPPED = {"sequence_to_vector": "vector_to_sequence", "vector_to_sequence": "sequence_to_vector"}


def _is_placeholder(value) -> bool:
    return value is None or value is Ellipsis or (isinstance(value, str) and value.strip() in {"", "..."})


def check_architecture_choices(answers) -> Feedback:
    """Check the architecture chosen for every use case of :data:`USE_CASES`.

    Args:
        answers: a dict mapping each key of :data:`USE_CASES` to one of
            :data:`ARCHITECTURES`.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"not_a_dict"``,
        ``"missing_use_case"``, ``"unknown_architecture"``, ``"encoder_decoder_swapped"``
        (sequence to vector and vector to sequence exchanged, the notes' labelling),
        ``"same_length_assumed"`` (a synchronous sequence-to-sequence model where the
        output has its own length), ``"wrong_choice"``.
    """
    if answers is None:
        return Feedback.not_done()
    if not isinstance(answers, dict):
        return Feedback.wrong("not_a_dict", f"answers must be a dict use case -> architecture, "
                              f"got {type(answers).__name__}.")
    if all(_is_placeholder(value) for value in answers.values()):
        return Feedback.not_done()
    missing = [name for name in USE_CASES if name not in answers or _is_placeholder(answers[name])]
    if missing:
        return Feedback.wrong("missing_use_case", f"No answer yet for: {', '.join(missing)}.",
                              "Give one of " + ", ".join(ARCHITECTURES) + " for every use case.")
    unknown = {name: answers[name] for name in USE_CASES if answers[name] not in ARCHITECTURES}
    if unknown:
        return Feedback.wrong("unknown_architecture",
                              f"Not one of the four architectures: {unknown}.",
                              "Spell each answer as one of: " + ", ".join(ARCHITECTURES) + ".")
    wrong = [name for name in USE_CASES if answers[name] not in _RIGHT[name]]
    if not wrong:
        return Feedback.correct("Right for every use case.")
    hints = tuple(f"{name}: you chose {answers[name]}; {_WHY[name]}" for name in wrong)
    swapped = [name for name in wrong if _SWAPPED.get(answers[name]) in _RIGHT[name]]
    if swapped:
        return Feedback.wrong(
            "encoder_decoder_swapped",
            "Sequence to vector and vector to sequence are exchanged for "
            f"{', '.join(swapped)}: a network that reads a sequence into a vector is the "
            "encoder, and one that writes a sequence from a vector is the decoder.", *hints)
    same_length = [name for name in wrong
                   if answers[name] == "sequence_to_sequence" and "encoder_decoder" in _RIGHT[name]]
    if same_length:
        return Feedback.wrong(
            "same_length_assumed",
            f"For {', '.join(same_length)} the output does not have the input's length, so a "
            "synchronous sequence-to-sequence model (one output per input step) cannot produce it.",
            *hints)
    return Feedback.wrong("wrong_choice", f"Not the best fit for: {', '.join(wrong)}.", *hints)


def check_vector_to_sequence_model(model, *, n_features: int = 8, n_steps: int = 12,
                                   n_outputs: int = 3) -> Feedback:
    """Check a decoder: a model from vectors ``(batch, n_features)`` to sequences.

    The model must map an input of shape ``(batch, n_features)`` to an output of shape
    ``(batch, n_steps, n_outputs)``, and its output must depend on its input.

    Args:
        model: a Keras model, a function without arguments that builds one (so that an
            error while building is explained too), or None while the exercise is not done.
        n_features: size of the input vector.
        n_steps: number of output time steps.
        n_outputs: number of values per output step.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"not_a_model"``,
        ``"takes_a_sequence"`` (the model's input has a time axis),
        ``"missing_repeat_vector"`` (a recurrent layer was given a 2-D tensor),
        ``"call_failed"``, ``"missing_return_sequences"`` (the last recurrent layer
        returns only its last output), ``"wrong_length"``, ``"wrong_output_size"``,
        ``"ignores_input"``.
    """
    if model is None or model is Ellipsis:
        return Feedback.not_done()
    if callable(model) and not isinstance(model, keras.Model):
        model, problem = run_answer(model, what="the model")
        if problem is not None:
            if problem.diagnosis != "raised":
                return problem
            return _diagnose_call_error(problem.message, problem.message, n_steps)
    if not isinstance(model, keras.Model):
        return Feedback.wrong("not_a_model", f"Expected a keras.Model, got {type(model).__name__}.")
    try:
        input_shape = tuple(model.inputs[0].shape)
    except (AttributeError, IndexError, TypeError, ValueError):
        input_shape = None
    if input_shape is not None and len(input_shape) == 3:
        return Feedback.wrong(
            "takes_a_sequence",
            f"The model's input has shape {input_shape}, a sequence; a decoder takes one vector "
            f"per example, shape (None, {n_features}).",
            f"Start with keras.Input(shape=({n_features},)).")
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(4, n_features)).astype("float32")
    try:
        output = keras.ops.convert_to_numpy(model(vectors))
    except Exception as error:  # the learner's model may fail in any backend-specific way
        return _diagnose_call_error(
            str(error), f"Building or calling the model failed: {type(error).__name__}: "
                        f"{str(error)[:300]}", n_steps)
    if output.ndim == 2:
        return Feedback.wrong(
            "missing_return_sequences",
            f"The output has shape {output.shape}: one vector per example, not a sequence.",
            "Set return_sequences=True on the last recurrent layer so that it passes on its "
            "output at every step.")
    if output.ndim != 3:
        return Feedback.wrong("wrong_output_size", f"Expected an output of shape (batch, "
                              f"{n_steps}, {n_outputs}), got {output.shape}.")
    if output.shape[1] != n_steps:
        return Feedback.wrong(
            "wrong_length",
            f"The output has {output.shape[1]} steps; expected {n_steps}.",
            "The number of steps comes from RepeatVector(n): repeat the vector "
            f"{n_steps} times.")
    if output.shape[2] != n_outputs:
        return Feedback.wrong(
            "wrong_output_size",
            f"Each output step has {output.shape[2]} values; expected {n_outputs}.",
            f"End with keras.layers.Dense({n_outputs}), which acts at every time step.")
    if np.allclose(output, output[:1]):
        return Feedback.wrong("ignores_input", "The output is the same for every input vector.",
                              "Check that the input vector reaches the recurrent layers.")
    return Feedback.correct(f"The model maps vectors of {n_features} values to sequences of "
                            f"shape ({n_steps}, {n_outputs}).")


def _diagnose_call_error(text: str, message: str, n_steps: int) -> Feedback:
    """The feedback on an error while building or calling the model: ``text`` is the
    error's message, ``message`` what the learner is told when no mistake is recognised."""
    if "expected ndim=3, found ndim=2" in text:
        return Feedback.wrong(
            "missing_repeat_vector",
            "A recurrent layer received a 2-D tensor (batch, features); it needs a sequence "
            "(batch, time, features).",
            f"Put keras.layers.RepeatVector({n_steps}) before the first recurrent layer: it "
            "repeats the vector once per output step.")
    return Feedback.wrong("call_failed", message)


def shape_quiz_model() -> keras.Model:
    """The model whose layer output shapes :func:`check_layer_shapes` asks for.

    An encoder-decoder: input ``(None, 20, 3)``, two stacked ``SimpleRNN`` layers (16
    units returning sequences, then 8 units), ``RepeatVector(5)``, ``SimpleRNN(4,
    return_sequences=True)`` and ``Dense(2)``.
    """
    return keras.Sequential([
        keras.Input(shape=(20, 3)),
        keras.layers.SimpleRNN(16, return_sequences=True, name="encoder_1"),
        keras.layers.SimpleRNN(8, name="encoder_2"),
        keras.layers.RepeatVector(5, name="repeat"),
        keras.layers.SimpleRNN(4, return_sequences=True, name="decoder"),
        keras.layers.Dense(2, name="output"),
    ], name="shape_quiz")


def _as_shape(value):
    try:
        return tuple(None if d is None else int(d) for d in value)
    except (TypeError, ValueError):
        return None


def check_layer_shapes(shapes) -> Feedback:
    """Check the output shape given for every layer of :func:`shape_quiz_model`.

    Args:
        shapes: a list with one tuple per layer, batch axis first as ``None``, for example
            ``[(None, 20, 16), ...]``.

    Returns:
        A :class:`~seqlab.exercises.Feedback`. Diagnoses: ``"wrong_count"``,
        ``"not_a_shape"``, ``"missing_batch_axis"``, ``"kept_time_axis"`` (a layer without
        ``return_sequences`` given a time axis), ``"dropped_time_axis"``,
        ``"wrong_length"``, ``"wrong_units"``.
    """
    if shapes is None or shapes is Ellipsis:
        return Feedback.not_done()
    model = shape_quiz_model()
    truth = [tuple(layer.output.shape) for layer in model.layers]
    names = [layer.name for layer in model.layers]
    try:
        shapes = list(shapes)
    except TypeError:
        return Feedback.wrong("not_a_shape", "Give a list with one shape tuple per layer.")
    if any(_is_placeholder(shape) for shape in shapes):
        return Feedback.not_done()
    if len(shapes) != len(truth):
        return Feedback.wrong("wrong_count", f"The model has {len(truth)} layers ({', '.join(names)}); "
                              f"you gave {len(shapes)} shapes.")
    given = [_as_shape(shape) for shape in shapes]
    if any(shape is None for shape in given):
        return Feedback.wrong("not_a_shape", "Every entry must be a tuple of integers, with None "
                              "for the batch axis, such as (None, 20, 16).")
    if all(len(g) == len(t) - 1 for g, t in zip(given, truth)) or \
            all(g == t[1:] for g, t in zip(given, truth)):
        return Feedback.wrong("missing_batch_axis", "Every Keras shape starts with the batch axis.",
                              "Write None first, as in (None, 20, 16).")
    for name, g, t in zip(names, given, truth):
        if g == t:
            continue
        if len(g) == 3 and len(t) == 2:
            return Feedback.wrong(
                "kept_time_axis",
                f"{name}: {g} has a time axis, but this layer returns only its last output, {t}.",
                "A recurrent layer passes on the whole sequence only with return_sequences=True.")
        if len(g) == 2 and len(t) == 3:
            return Feedback.wrong(
                "dropped_time_axis",
                f"{name}: {g} has no time axis, but this layer outputs a sequence, {t}.",
                "return_sequences=True and RepeatVector output sequences; Dense acts at every step.")
        if len(g) == len(t) and g[1:-1] != t[1:-1]:
            return Feedback.wrong("wrong_length", f"{name}: the number of steps is wrong in {g}.",
                                  "The encoder keeps the input's 20 steps; after RepeatVector(5) "
                                  "there are 5.")
        return Feedback.wrong("wrong_units", f"{name}: {g} is not its output shape.",
                              "The last axis is the layer's number of units.")
    return Feedback.correct("Every shape is right.")
