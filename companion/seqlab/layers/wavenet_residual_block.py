"""One residual block of WaveNet."""

from __future__ import annotations

import keras

from seqlab.checks import positive_int
from seqlab.layers.gated_activation_unit import GatedActivationUnit


@keras.saving.register_keras_serializable(package="seqlab")
class WaveNetResidualBlock(keras.layers.Layer):
    """Dilated causal convolution, gated activation, 1x1 convolution, residual sum.

    For inputs ``x`` of shape ``(m, T, n_filters)``:

    - ``z = Conv1D(2 * n_filters, kernel_size, padding="causal", dilation_rate)(x)``
    - ``z = tanh(z_filter) * sigmoid(z_gate)`` (:class:`GatedActivationUnit`)
    - ``z = Conv1D(n_filters, 1)(z)``
    - returns ``(x + z, z)``: the residual output, fed to the next block, and the
      skip output, summed over all blocks by the network's head.

    The output at step t depends only on inputs at steps ``t - (kernel_size - 1) *
    dilation_rate, ..., t`` (causal padding), and the time length is kept.

    Args:
        n_filters: channels of the block's input and outputs.
        kernel_size: width of the dilated convolution (WaveNet uses 2).
        dilation_rate: spacing between the taps of the dilated convolution.
        **kwargs: passed to ``keras.layers.Layer``.

    Call arguments:
        inputs: shape ``(m, T, n_filters)``.

    Returns:
        ``(residual, skip)``, both of shape ``(m, T, n_filters)``.

    Raises:
        TypeError: for a non-integer ``n_filters``, ``kernel_size`` or ``dilation_rate``.
        ValueError: for an argument below 1, or inputs whose channel count is not
            ``n_filters``.

    Example:

    >>> import keras
    >>> block = WaveNetResidualBlock(n_filters=4, kernel_size=2, dilation_rate=2)
    >>> residual, skip = block(keras.ops.zeros((1, 16, 4)))
    >>> tuple(residual.shape), tuple(skip.shape)
    ((1, 16, 4), (1, 16, 4))
    """

    def __init__(self, n_filters, kernel_size=2, dilation_rate=1, **kwargs):
        super().__init__(**kwargs)
        self.n_filters = positive_int("n_filters", n_filters)
        self.kernel_size = positive_int("kernel_size", kernel_size)
        self.dilation_rate = positive_int("dilation_rate", dilation_rate)
        self.dilated_conv = keras.layers.Conv1D(2 * n_filters, kernel_size, padding="causal",
                                                dilation_rate=dilation_rate, name="dilated_conv")
        self.gate = GatedActivationUnit(name="gate")
        self.mix_conv = keras.layers.Conv1D(n_filters, 1, name="mix_conv")

    def build(self, input_shape):
        if input_shape[-1] != self.n_filters:
            raise ValueError(
                f"WaveNetResidualBlock(n_filters={self.n_filters}) needs inputs with "
                f"{self.n_filters} channels for the residual sum, got input shape {tuple(input_shape)}"
            )
        self.dilated_conv.build(input_shape)
        gated_shape = tuple(input_shape[:-1]) + (2 * self.n_filters,)
        self.gate.build(gated_shape)
        self.mix_conv.build(tuple(input_shape[:-1]) + (self.n_filters,))
        self.built = True

    def call(self, inputs):
        z = self.mix_conv(self.gate(self.dilated_conv(inputs)))
        return inputs + z, z

    def compute_output_shape(self, input_shape):
        return tuple(input_shape), tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"n_filters": self.n_filters, "kernel_size": self.kernel_size,
                       "dilation_rate": self.dilation_rate})
        return config
