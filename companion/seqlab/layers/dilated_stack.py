"""Build a stack of causal dilated convolutions (plain or WaveNet-style)."""

from __future__ import annotations

import keras

from seqlab.checks import one_of, positive_int, positive_ints
from seqlab.layers.align_to_stride import AlignToStride
from seqlab.layers.last_time_step import LastTimeStep
from seqlab.layers.receptive_field import dilation_rates_for, receptive_field as field_of
from seqlab.layers.wavenet_residual_block import WaveNetResidualBlock


def build_dilated_causal_stack(n_filters, kernel_size=2, dilation_rates=None, *,
                               receptive_field=None, n_features=1, n_outputs=1,
                               block="plain", activation="relu", strides=1,
                               return_sequences=True, name=None):
    """Build a model of causal dilated 1-D convolutions over sequences.

    Two kinds of stack:

    - ``block="plain"``: one ``Conv1D(n_filters, kernel_size, padding="causal",
      dilation_rate=d, strides=s, activation=activation)`` per layer, as in the
      WaveNet sketch of Géron's book. A layer with a stride ``s > 1`` is preceded by
      :class:`AlignToStride`, which pads zeros on the left so that its last output
      ends on its last input step (Keras alone would stride from step 0 and drop the
      newest ``(T - 1) % s`` steps).
    - ``block="wavenet"``: a 1x1 convolution to ``n_filters`` channels, then one
      :class:`WaveNetResidualBlock` per rate; the skip outputs are summed, passed
      through ReLU and a 1x1 convolution with ReLU (van den Oord et al. 2016).
      Strides are refused (the residual and skip sums need equal lengths).

    Both end with a 1x1 ``Conv1D(n_outputs)``. Every output is causal: the last
    output depends on the last input step, and with strides ``s_l`` the outputs
    (``1 + ceil((T - 1) / S)`` of them, ``S = s_1 * ... * s_L``) end at input steps
    ``..., T - 1 - S, T - 1`` (the first may end in the left padding). One output depends on input steps spread over a span
    of ``receptive_field(kernel_size, dilation_rates, strides)`` steps
    (``1 + sum_l (kernel_size - 1) * d_l * s_1 * ... * s_(l-1)``) ending at its
    last step; :func:`seen_offsets` lists the ones inside the span it actually sees.

    Args:
        n_filters: channels of every hidden convolution.
        kernel_size: width of every dilated convolution.
        dilation_rates: one rate per layer, e.g. ``[1, 2, 4, 8]``. Give this or
            ``receptive_field``, not both.
        receptive_field: the span each output must cover; the rates are then
            ``dilation_rates_for(receptive_field, kernel_size)``.
        n_features: channels of the input series.
        n_outputs: channels of the output at each step.
        block: ``"plain"`` or ``"wavenet"``.
        activation: activation of the plain convolutions.
        strides: stride of every plain convolution (an int) or one per layer; a
            layer with a stride above 1 must have dilation rate 1
            (``keras.layers.Conv1D`` rejects the combination).
        return_sequences: output every (strided) step, shape
            ``(m, 1 + ceil((T - 1) / S), n_outputs)``; if False only the last one, shape
            ``(m, n_outputs)``.
        name: the model's name.

    Returns:
        A ``keras.Model`` taking inputs of shape ``(m, T, n_features)`` for any T.

    Raises:
        TypeError: for a non-integer size, rate or stride.
        ValueError: for a missing or doubly given field/rates, an argument below 1,
            a layer with both a stride and a dilation rate above 1, strides with
            ``block="wavenet"``, or an unknown ``block``.

    Example:

    >>> model = build_dilated_causal_stack(8, 2, receptive_field=16)
    >>> [layer.dilation_rate[0] for layer in model.layers[1:-1]]
    [1, 2, 4, 8]
    >>> model = build_dilated_causal_stack(8, 4, [1, 1], strides=2)
    >>> tuple(model(keras.ops.zeros((1, 17, 1))).shape)
    (1, 5, 1)
    """
    if (dilation_rates is None) == (receptive_field is None):
        raise ValueError("give exactly one of dilation_rates and receptive_field, "
                         f"got dilation_rates={dilation_rates!r}, "
                         f"receptive_field={receptive_field!r}")
    n_filters = positive_int("n_filters", n_filters)
    kernel_size = positive_int("kernel_size", kernel_size)
    if dilation_rates is None:
        dilation_rates = dilation_rates_for(receptive_field, kernel_size)
    rates = positive_ints("dilation_rates", dilation_rates)
    layer_strides = positive_ints("strides", strides, length=len(rates))
    field_of(kernel_size, rates, layer_strides)
    one_of("block", block, ("plain", "wavenet"))
    n_features = positive_int("n_features", n_features)
    n_outputs = positive_int("n_outputs", n_outputs)
    if block == "wavenet" and max(layer_strides) > 1:
        raise ValueError(f"strides must be 1 for block='wavenet', got {strides!r}")
    for index, (rate, stride) in enumerate(zip(rates, layer_strides)):
        if rate > 1 and stride > 1:
            raise ValueError(
                f"layer {index} has strides={stride} and dilation_rate={rate}: "
                "keras.layers.Conv1D rejects strides > 1 together with dilation_rate > 1")

    inputs = keras.Input(shape=(None, n_features), name="series")
    if block == "plain":
        z = inputs
        for index, (rate, stride) in enumerate(zip(rates, layer_strides)):
            if stride > 1:
                z = AlignToStride(stride, name=f"align_{index}")(z)
            z = keras.layers.Conv1D(n_filters, kernel_size, strides=stride, padding="causal",
                                    dilation_rate=rate, activation=activation,
                                    name=f"causal_conv_{index}")(z)
    else:
        z = keras.layers.Conv1D(n_filters, 1, name="input_projection")(inputs)
        skips = []
        for index, rate in enumerate(rates):
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
