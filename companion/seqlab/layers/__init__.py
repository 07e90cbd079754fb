"""Recurrent cells and convolutional blocks for sequences (one class per file).

Every layer is registered for saving under the package name ``"seqlab"``, so a model
using it can be saved to ``.keras`` and loaded back once ``seqlab.layers`` is imported.

- :class:`LayerNormSimpleRNNCell`: a simple RNN cell with layer normalisation, for
  ``keras.layers.RNN``.
- :class:`GatedActivationUnit`, :class:`WaveNetResidualBlock`: WaveNet's pieces.
- :class:`LastTimeStep`: keeps the last step of a sequence.
- :class:`AlignToStride`: left-pads so a strided causal Conv1D ends on the last step.
- :func:`build_dilated_causal_stack`, :func:`receptive_field`,
  :func:`dilation_rates_for`: causal dilated convolution stacks and their fields.
- :func:`seen_offsets`: the input steps one output of a stack actually depends on.
- :func:`conv_output_length`, :func:`last_input_step`: output length and time
  alignment of ``keras.layers.Conv1D`` (which input step does output j see last?).
- :func:`fast_path_report`: whether an LSTM or GRU layer runs on cuDNN, another fused
  kernel or the step loop, per backend, and which settings decide it.
"""

from seqlab.layers.align_to_stride import AlignToStride
from seqlab.layers.conv_geometry import conv_output_length, last_input_step
from seqlab.layers.dilated_stack import build_dilated_causal_stack
from seqlab.layers.fast_path import FastPathReport, fast_path_report
from seqlab.layers.gated_activation_unit import GatedActivationUnit
from seqlab.layers.last_time_step import LastTimeStep
from seqlab.layers.layer_norm_simple_rnn_cell import LayerNormSimpleRNNCell
from seqlab.layers.receptive_field import dilation_rates_for, receptive_field, seen_offsets
from seqlab.layers.wavenet_residual_block import WaveNetResidualBlock

__all__ = [
    "AlignToStride",
    "FastPathReport",
    "GatedActivationUnit",
    "LastTimeStep",
    "LayerNormSimpleRNNCell",
    "WaveNetResidualBlock",
    "build_dilated_causal_stack",
    "conv_output_length",
    "dilation_rates_for",
    "fast_path_report",
    "last_input_step",
    "receptive_field",
    "seen_offsets",
]
