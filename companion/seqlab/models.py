"""Builders for the course's models, so chapters build them one way.

:func:`build_recurrent_stack` makes the deep RNNs of chapters 06-08: ``n_layers``
recurrent layers of one kind (SimpleRNN, LSTM, GRU or the layer-normalised simple RNN
cell of :class:`seqlab.layers.LayerNormSimpleRNNCell`), then a ``Dense`` head. Every
recurrent layer but the last returns its whole sequence (the next layer needs it); the
last returns only its final output, unless the model is sequence to sequence, in which
case every layer returns sequences and the ``Dense`` head, applied to a 3-D input, maps
each time step on its own (no ``TimeDistributed`` needed).
"""

from __future__ import annotations

import keras

from seqlab.checks import one_of, positive_int
from seqlab.layers import LayerNormSimpleRNNCell

__all__ = ["CELLS", "build_recurrent_stack"]

CELLS = ("simple_rnn", "lstm", "gru", "layer_norm_rnn")
"""Accepted values of ``cell`` in :func:`build_recurrent_stack`."""


def _rate(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def _widths(units, n_layers: int) -> list[int]:
    if isinstance(units, (list, tuple)):
        if len(units) != n_layers:
            raise ValueError(
                f"units must be one integer or a list of n_layers={n_layers} integers, "
                f"got a list of {len(units)}: {list(units)}"
            )
        return [positive_int(f"units[{i}]", width) for i, width in enumerate(units)]
    return [positive_int("units", units)] * n_layers


def _recurrent_layer(cell: str, units: int, returns: bool, dropout: float,
                     recurrent_dropout: float):
    if cell == "layer_norm_rnn":
        return keras.layers.RNN(LayerNormSimpleRNNCell(units), return_sequences=returns)
    layer = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
             "gru": keras.layers.GRU}[cell]
    return layer(units, return_sequences=returns, dropout=dropout,
                 recurrent_dropout=recurrent_dropout)


def build_recurrent_stack(cell: str = "gru", n_layers: int = 2, units=20, *,
                          n_features: int = 1, n_outputs: int = 1,
                          sequence_to_sequence: bool = False, input_length: int | None = None,
                          dropout: float = 0.0, recurrent_dropout: float = 0.0,
                          name: str | None = None) -> keras.Sequential:
    """A stack of ``n_layers`` recurrent layers and a ``Dense(n_outputs)`` head.

    Args:
        cell: ``"simple_rnn"``, ``"lstm"``, ``"gru"`` (Keras's layers) or
            ``"layer_norm_rnn"`` (``keras.layers.RNN(LayerNormSimpleRNNCell(units))``).
        n_layers: number of recurrent layers, at least 1.
        units: units per layer, one integer for every layer or a list of ``n_layers``.
        n_features: features per input time step.
        n_outputs: outputs of the ``Dense`` head (for a forecast, the horizon).
        sequence_to_sequence: if True every layer returns sequences and the head is
            applied at every step: output ``(batch, time, n_outputs)``; otherwise the
            output is ``(batch, n_outputs)``, read from the last step.
        input_length: time steps per window, or None to accept any length.
        dropout: dropout rate on each layer's inputs (Keras's ``dropout``), in [0, 1).
        recurrent_dropout: dropout rate on the recurrent state (Keras's
            ``recurrent_dropout``), in [0, 1). Both are active only in training.
            A non-zero ``recurrent_dropout`` makes LSTM and GRU leave their fused kernel.
        name: the model's name (used by :func:`seqlab.training.fit_and_evaluate`'s line).

    Returns:
        A built ``keras.Sequential``.

    Raises:
        ValueError: ``cell`` is not one of :data:`CELLS`, a count is below 1, ``units`` is
            a list of the wrong length, a rate is outside [0, 1), or dropout is asked of
            the ``"layer_norm_rnn"`` cell (which has none).
        TypeError: a count is not an integer.

    Example:

    >>> model = build_recurrent_stack("gru", n_layers=2, units=8, n_outputs=3)
    >>> [type(layer).__name__ for layer in model.layers]
    ['GRU', 'GRU', 'Dense']
    >>> model.output_shape
    (None, 3)
    >>> build_recurrent_stack("lstm", 1, 4, sequence_to_sequence=True).output_shape
    (None, None, 1)
    """
    one_of("cell", cell, CELLS)
    n_layers = positive_int("n_layers", n_layers)
    widths = _widths(units, n_layers)
    n_features = positive_int("n_features", n_features)
    n_outputs = positive_int("n_outputs", n_outputs)
    if input_length is not None:
        input_length = positive_int("input_length", input_length)
    dropout = _rate("dropout", dropout)
    recurrent_dropout = _rate("recurrent_dropout", recurrent_dropout)
    if cell == "layer_norm_rnn" and (dropout or recurrent_dropout):
        raise ValueError(
            "dropout and recurrent_dropout are not available with cell='layer_norm_rnn' "
            f"(LayerNormSimpleRNNCell has no dropout), got dropout={dropout}, "
            f"recurrent_dropout={recurrent_dropout}"
        )
    if not isinstance(sequence_to_sequence, bool):
        raise TypeError(f"sequence_to_sequence must be True or False, got {sequence_to_sequence!r}")
    layers = [keras.Input(shape=(input_length, n_features))]
    for i, width in enumerate(widths):
        returns = sequence_to_sequence or i < n_layers - 1
        layers.append(_recurrent_layer(cell, width, returns, dropout, recurrent_dropout))
    layers.append(keras.layers.Dense(n_outputs))
    return keras.Sequential(layers, name=name)
