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
        inputs: shape ``(m, T, n)``.

    Returns:
        A tensor of shape ``(m, n)``.

    Example:

    >>> import keras
    >>> tuple(LastTimeStep()(keras.ops.zeros((2, 7, 3))).shape)
    (2, 3)
    """

    def call(self, inputs):
        return inputs[:, -1]

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[2:])
