"""Recurrent cells and convolutional blocks for sequences (one class per file).

Every layer is registered for saving under the package name ``"seqlab"``, so a model
using it can be saved to ``.keras`` and loaded back once ``seqlab.layers`` is imported.

- :class:`LayerNormSimpleRNNCell`: a simple RNN cell with layer normalisation, for
  ``keras.layers.RNN``.
- :class:`GatedActivationUnit`, :class:`WaveNetResidualBlock`: WaveNet's pieces.
- :class:`LastTimeStep`: keeps the last step of a sequence.
- :func:`build_dilated_causal_stack`, :func:`receptive_field`,
  :func:`dilation_rates_for`: causal dilated convolution stacks and their fields.
"""

from seqlab.layers.dilated_stack import build_dilated_causal_stack
from seqlab.layers.gated_activation_unit import GatedActivationUnit
from seqlab.layers.last_time_step import LastTimeStep
from seqlab.layers.layer_norm_simple_rnn_cell import LayerNormSimpleRNNCell
from seqlab.layers.receptive_field import dilation_rates_for, receptive_field
from seqlab.layers.wavenet_residual_block import WaveNetResidualBlock

__all__ = [
    "GatedActivationUnit",
    "LastTimeStep",
    "LayerNormSimpleRNNCell",
    "WaveNetResidualBlock",
    "build_dilated_causal_stack",
    "dilation_rates_for",
    "receptive_field",
]
