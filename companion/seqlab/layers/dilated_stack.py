"""Build a stack of causal dilated convolutions (plain or WaveNet-style)."""

from __future__ import annotations

import keras

from seqlab.layers.last_time_step import LastTimeStep
from seqlab.layers.receptive_field import dilation_rates_for
from seqlab.layers.receptive_field import receptive_field as field_of
from seqlab.layers.wavenet_residual_block import WaveNetResidualBlock, _check_conv_arguments


def build_dilated_causal_stack(n_filters, kernel_size=2, dilation_rates=None, *,
                               receptive_field=None, n_features=1, n_outputs=1,
                               block="plain", activation="relu", strides=1,
                               return_sequences=True, name=None):
    """Build a model of causal dilated 1-D convolutions over sequences.

    Two kinds of stack:

    - ``block="plain"``: one ``Conv1D(n_filters, kernel_size, padding="causal",
      dilation_rate=d, activation=activation)`` per rate ``d``, as in the WaveNet
      sketch of Géron's book.
    - ``block="wavenet"``: a 1x1 convolution to ``n_filters`` channels, then one
      :class:`WaveNetResidualBlock` per rate; the skip outputs are summed, passed
      through ReLU and a 1x1 convolution with ReLU (van den Oord et al. 2016).

    Both end with a 1x1 ``Conv1D(n_outputs)``, so the output at step t is a
    forecast made from steps up to t only. Each output sees
    ``receptive_field(kernel_size, dilation_rates)`` input steps.

    Args:
        n_filters: channels of every hidden convolution.
        kernel_size: width of every dilated convolution.
        dilation_rates: one rate per layer, e.g. ``[1, 2, 4, 8]``. Give this or
            ``receptive_field``, not both.
        receptive_field: the number of steps each output must see; the rates are
            then ``dilation_rates_for(receptive_field, kernel_size)``.
        n_features: channels of the input series.
        n_outputs: channels of the output at each step.
        block: ``"plain"`` or ``"wavenet"``.
        activation: activation of the plain convolutions.
        strides: stride of the plain convolutions; only 1 is possible with a
            dilation rate above 1 (Keras's Conv1D rejects the combination).
        return_sequences: output every step, shape ``(m, T, n_outputs)``; if False
            only the last step, shape ``(m, n_outputs)``.
        name: the model's name.

    Returns:
        A ``keras.Model`` taking inputs of shape ``(m, T, n_features)`` for any T.

    Raises:
        ValueError: for a missing or doubly given field/rates, a non-positive
            argument, strides > 1 with dilation, or an unknown ``block``.

    Example:

    >>> model = build_dilated_causal_stack(8, 2, receptive_field=16)
    >>> [layer.dilation_rate[0] for layer in model.layers[1:-1]]
    [1, 2, 4, 8]
    """
    if (dilation_rates is None) == (receptive_field is None):
        raise ValueError("give exactly one of dilation_rates and receptive_field, "
                         f"got dilation_rates={dilation_rates!r}, receptive_field={receptive_field!r}")
    if dilation_rates is None:
        dilation_rates = dilation_rates_for(receptive_field, kernel_size)
    dilation_rates = list(dilation_rates)
    field_of(kernel_size, dilation_rates)  # validates kernel_size and the rates
    if block not in ("plain", "wavenet"):
        raise ValueError(f"block must be 'plain' or 'wavenet', got {block!r}")
    if block == "wavenet" and strides != 1:
        raise ValueError(f"strides must be 1 for block='wavenet', got {strides!r}")
    for rate in dilation_rates:
        _check_conv_arguments(n_filters, kernel_size, rate, strides)
    for arg, value in (("n_features", n_features), ("n_outputs", n_outputs)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{arg} must be a positive integer, got {value!r}")

    inputs = keras.Input(shape=(None, n_features), name="series")
    if block == "plain":
        z = inputs
        for index, rate in enumerate(dilation_rates):
            z = keras.layers.Conv1D(n_filters, kernel_size, strides=strides, padding="causal",
                                    dilation_rate=rate, activation=activation,
                                    name=f"causal_conv_{index}")(z)
    else:
        z = keras.layers.Conv1D(n_filters, 1, name="input_projection")(inputs)
        skips = []
        for index, rate in enumerate(dilation_rates):
            z, skip = WaveNetResidualBlock(n_filters, kernel_size, rate,
                                           name=f"residual_block_{index}")(z)
            skips.append(skip)
        z = keras.layers.Add(name="sum_of_skips")(skips) if len(skips) > 1 else skips[0]
        z = keras.layers.Activation("relu", name="relu")(z)
        z = keras.layers.Conv1D(n_filters, 1, activation="relu", name="head")(z)
    outputs = keras.layers.Conv1D(n_outputs, 1, name="output")(z)
    if not return_sequences:
        outputs = LastTimeStep(name="last_step")(outputs)
    return keras.Model(inputs, outputs, name=name or f"dilated_causal_{block}")
