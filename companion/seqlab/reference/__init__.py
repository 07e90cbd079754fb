"""NumPy implementations of recurrent layers, used to check Keras and to teach.

Every function takes weights in Keras's layout (``kernel`` of shape
``(n_inputs, units)``, ``recurrent_kernel`` of shape ``(units, units)``, ``bias`` of
shape ``(units,)``), so weights copied from a Keras layer with ``layer.get_weights()``
can be passed straight in.
"""

from seqlab.reference.clipping import (
    clip_by_global_norm,
    clip_by_norm,
    clip_by_value,
    global_norm,
)
from seqlab.reference.conv1d import conv1d
from seqlab.reference.gradients import numerical_gradient
from seqlab.reference.gru import (
    GRU_GATES,
    gru_forward,
    gru_gates,
    gru_parameter_count,
    gru_step,
)
from seqlab.reference.lstm import (
    LSTM_GATES,
    lstm_forward,
    lstm_gates,
    lstm_parameter_count,
    lstm_step,
)
from seqlab.reference.normalization import layer_norm, layer_norm_simple_rnn_forward
from seqlab.reference.simple_rnn import (
    simple_rnn_backward,
    simple_rnn_forward,
    simple_rnn_state_gradients,
)
from seqlab.reference.wavenet import (
    gated_activation,
    wavenet_residual_block,
    wavenet_stack_forward,
)

__all__ = ["clip_by_global_norm", "clip_by_norm", "clip_by_value", "global_norm",
           "layer_norm", "layer_norm_simple_rnn_forward",
           "gru_forward", "gru_step", "lstm_forward", "lstm_step", "numerical_gradient",
           "simple_rnn_backward", "simple_rnn_forward", "simple_rnn_state_gradients",
           "GRU_GATES", "LSTM_GATES", "gru_gates", "gru_parameter_count",
           "lstm_gates", "lstm_parameter_count", "conv1d",
           "gated_activation", "wavenet_residual_block", "wavenet_stack_forward"]
