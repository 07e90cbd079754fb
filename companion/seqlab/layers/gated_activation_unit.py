"""WaveNet's gated activation unit."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="seqlab")
class GatedActivationUnit(keras.layers.Layer):
    """Gated activation ``tanh(filter) * sigmoid(gate)`` (van den Oord et al. 2016).

    The input's last axis holds ``2 * n`` channels: the first ``n`` are the filter,
    the last ``n`` the gate. The sigmoid gate, between 0 and 1, decides how much of
    each ``tanh`` feature passes. The layer has no weights: the convolution before
    it produces both halves. ``tanh`` is applied once, to the filter half (a version
    widely copied in public code applies it twice); ``tests/test_wavenet.py`` checks
    the layer against :func:`seqlab.reference.gated_activation`.

    Args:
        **kwargs: passed to ``keras.layers.Layer``.

    Call arguments:
        inputs: tensor of shape ``(..., 2 * n)``.

    Returns:
        A tensor of shape ``(..., n)``.

    Raises:
        ValueError: if the last axis has an odd or unknown size.

    Example:

    >>> import keras
    >>> tuple(GatedActivationUnit()(keras.ops.zeros((2, 10, 8))).shape)
    (2, 10, 4)
    """

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None or channels % 2:
            raise ValueError(
                "GatedActivationUnit needs an even number of input channels "
                f"(filter half and gate half), got input shape {tuple(input_shape)}"
            )
        self.built = True

    def call(self, inputs):
        n = ops.shape(inputs)[-1] // 2
        return ops.tanh(inputs[..., :n]) * ops.sigmoid(inputs[..., n:])

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] // 2,)
