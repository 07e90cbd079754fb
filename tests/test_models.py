"""seqlab.models.build_recurrent_stack, checked against the same stack built by hand."""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras

from seqlab.layers import LayerNormSimpleRNNCell
from seqlab.models import CELLS, build_recurrent_stack

KERAS_LAYER = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
               "gru": keras.layers.GRU}


def by_hand(cell, widths, n_features, n_outputs, seq2seq):
    layers = [keras.Input((None, n_features))]
    for i, units in enumerate(widths):
        returns = seq2seq or i < len(widths) - 1
        if cell == "layer_norm_rnn":
            layers.append(keras.layers.RNN(LayerNormSimpleRNNCell(units), return_sequences=returns))
        else:
            layers.append(KERAS_LAYER[cell](units, return_sequences=returns))
    layers.append(keras.layers.Dense(n_outputs))
    return keras.Sequential(layers)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("seq2seq", [False, True])
def test_layers_shapes_and_parameter_counts_match_a_hand_built_stack(cell, seq2seq):
    model = build_recurrent_stack(cell, n_layers=3, units=[6, 5, 4], n_features=2, n_outputs=3,
                                  sequence_to_sequence=seq2seq, name="stack")
    reference = by_hand(cell, [6, 5, 4], 2, 3, seq2seq)
    assert model.name == "stack"
    assert [type(layer) for layer in model.layers] == [type(layer) for layer in reference.layers]
    assert model.count_params() == reference.count_params()
    for layer, hand in zip(model.layers, reference.layers):
        assert [tuple(w.shape) for w in layer.weights] == [tuple(w.shape) for w in hand.weights]
    returns = [getattr(layer, "return_sequences", None) for layer in model.layers[:-1]]
    assert returns == [True, True, seq2seq]
    if cell == "layer_norm_rnn":
        assert all(isinstance(layer.cell, LayerNormSimpleRNNCell) for layer in model.layers[:-1])
    X = np.random.default_rng(0).normal(size=(4, 7, 2)).astype("float32")
    output = keras.ops.convert_to_numpy(model(X))
    assert output.shape == ((4, 7, 3) if seq2seq else (4, 3))


@pytest.mark.parametrize("cell", CELLS)
def test_it_computes_what_the_hand_built_stack_computes_with_the_same_weights(cell):
    model = build_recurrent_stack(cell, n_layers=2, units=4, n_outputs=2, input_length=6)
    reference = by_hand(cell, [4, 4], 1, 2, False)
    reference.set_weights(model.get_weights())
    X = np.random.default_rng(1).normal(size=(3, 6, 1)).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(X)),
                               keras.ops.convert_to_numpy(reference(X)), rtol=1e-5, atol=1e-6)


def test_parameter_count_of_a_gru_stack_follows_the_formula():
    # Keras's GRU (reset_after=True): 3 * (u * (n_in + u) + 2 u) per layer.
    model = build_recurrent_stack("gru", n_layers=2, units=20, n_outputs=5)
    gru = lambda n_in, u: 3 * (u * (n_in + u) + 2 * u)  # noqa: E731
    assert model.count_params() == gru(1, 20) + gru(20, 20) + 20 * 5 + 5


def test_input_length_fixes_the_time_axis_and_dropout_reaches_the_layers():
    model = build_recurrent_stack("lstm", n_layers=2, units=3, input_length=12, n_features=4,
                                  dropout=0.1, recurrent_dropout=0.2)
    assert model.input_shape == (None, 12, 4)
    for layer in model.layers[:-1]:
        assert layer.dropout == pytest.approx(0.1)
        assert layer.recurrent_dropout == pytest.approx(0.2)


def test_defaults_make_a_two_layer_gru_with_one_output():
    model = build_recurrent_stack()
    assert [type(layer).__name__ for layer in model.layers] == ["GRU", "GRU", "Dense"]
    assert [layer.units for layer in model.layers[:-1]] == [20, 20]
    assert model.output_shape == (None, 1)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"cell": "rnn"}, ValueError, r"cell must be one of \['simple_rnn', 'lstm', 'gru', 'layer_norm_rnn'\], got 'rnn'"),
    ({"n_layers": 0}, ValueError, "n_layers must be an integer >= 1, got 0"),
    ({"n_layers": 2.0}, TypeError, "n_layers must be an integer"),
    ({"units": 0}, ValueError, "units must be an integer >= 1, got 0"),
    ({"units": [4, 4, 4]}, ValueError, "list of n_layers=2 integers, got a list of 3"),
    ({"units": [4, -1]}, ValueError, r"units\[1\] must be an integer >= 1"),
    ({"n_features": 0}, ValueError, "n_features must be an integer >= 1"),
    ({"n_outputs": "3"}, TypeError, "n_outputs must be an integer"),
    ({"input_length": 0}, ValueError, "input_length must be an integer >= 1"),
    ({"dropout": 1.0}, ValueError, r"dropout must be a number in \[0, 1\), got 1.0"),
    ({"recurrent_dropout": -0.1}, ValueError, "recurrent_dropout must be a number in"),
    ({"cell": "layer_norm_rnn", "dropout": 0.2}, ValueError, "not available with cell='layer_norm_rnn'"),
    ({"sequence_to_sequence": "yes"}, TypeError, "sequence_to_sequence must be True or False"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        build_recurrent_stack(**kwargs)
