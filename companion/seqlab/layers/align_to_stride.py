"""Left-pad a sequence so a strided causal convolution ends on its last step."""

from __future__ import annotations

import keras
from keras import ops

from seqlab.checks import positive_int


@keras.saving.register_keras_serializable(package="seqlab")
class AlignToStride(keras.layers.Layer):
    """Pad zeros on the left so that ``T - 1`` becomes a multiple of ``strides``.

    ``Conv1D(..., strides=s, padding="causal")`` reads its outputs' last steps at
    input steps ``0, s, 2s, ...``: on ``T`` steps its last output ends at step
    ``s * floor((T - 1) / s)``, which misses the newest ``(T - 1) % s`` steps. Placed
    in front of it, this layer adds ``(-(T - 1)) % s`` zeros on the left, so the
    strided outputs end at steps ``..., T - 1 - s, T - 1`` of the original input and
    the last output sees the last step. It works for any ``T``, known only at call time.

    Args:
        strides: the stride of the convolution that follows (>= 1; 1 pads nothing).
        **kwargs: passed to ``keras.layers.Layer``.

    Call arguments:
        inputs: shape ``(m, T, n)``.

    Returns:
        A tensor of shape ``(m, T + (-(T - 1)) % strides, n)``.

    Raises:
        TypeError, ValueError: for a ``strides`` that is not an integer >= 1.

    Example:

    >>> import keras
    >>> tuple(AlignToStride(4)(keras.ops.ones((1, 10, 2))).shape)
    (1, 13, 2)
    """

    def __init__(self, strides, **kwargs):
        super().__init__(**kwargs)
        self.strides = positive_int("strides", strides)

    def call(self, inputs):
        n_steps = ops.shape(inputs)[1]
        pad = (self.strides - (n_steps - 1) % self.strides) % self.strides
        return ops.pad(inputs, [[0, 0], [pad, 0], [0, 0]])

    def compute_output_shape(self, input_shape):
        n_steps = input_shape[1]
        if n_steps is not None:
            n_steps += (-(n_steps - 1)) % self.strides
        return (input_shape[0], n_steps) + tuple(input_shape[2:])

    def get_config(self):
        config = super().get_config()
        config.update({"strides": self.strides})
        return config
