"""Keep only the last time step of a sequence."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="seqlab")
class LastTimeStep(keras.layers.Layer):
    """Return the last time step of a sequence: ``inputs[:, -1]``.

    Turns a sequence-to-sequence model (a causal convolution stack, an RNN with
    ``return_sequences=True``) into a sequence-to-vector one, serialisably (a
    ``Lambda`` layer would not reload safely).

    Args:
        **kwargs: passed to ``keras.layers.Layer``.

    Call arguments:
        inputs: shape ``(m, T, n)`` (or ``(m, T, ...)``: every axis after the time axis
            is kept).

    Returns:
        A tensor of shape ``(m, n)``.

    Raises:
        ValueError: if the inputs have fewer than 3 dimensions: a 2-D ``(m, n)`` tensor has
            no time axis (the layer before returned only its last step), and its last
            *feature* is not a time step.

    Example:

    >>> import keras
    >>> tuple(LastTimeStep()(keras.ops.zeros((2, 7, 3))).shape)
    (2, 3)
    """

    def build(self, input_shape):
        _check_sequence_shape(input_shape)
        super().build(input_shape)

    def call(self, inputs):
        _check_sequence_shape(inputs.shape)
        return inputs[:, -1]

    def compute_output_shape(self, input_shape):
        _check_sequence_shape(input_shape)
        return (input_shape[0],) + tuple(input_shape[2:])


def _check_sequence_shape(shape):
    shape = tuple(shape)
    if len(shape) < 3:
        raise ValueError(
            f"LastTimeStep expects inputs of shape (m, T, n), a batch of sequences; got "
            f"shape {shape}, which has no time axis (did the layer before it return only "
            "its last step? set return_sequences=True there)"
        )
