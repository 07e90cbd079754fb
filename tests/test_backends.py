"""Backend behaviour the course depends on, asserted as observed on each backend.

These tests pin down facts, so that a Keras upgrade that changes one of them fails
here first and not silently in a chapter.

Stateful RNNs (``stateful=True``) on Keras 3.15: calling the model directly
(``model(x)``) carries the final state of one call into the next on every backend.
``model.predict`` and ``model.fit`` carry it from batch to batch on TensorFlow and
PyTorch, but NOT on JAX: JAX's trainer runs a pure function of the variables and does
not write the RNN's state variables back, so with JAX every batch in ``predict`` and
``fit`` starts from the zero state, and the layer's state stays at zero afterwards.
A chapter that trains a stateful RNN must therefore either use TensorFlow/PyTorch or
write its own loop of direct calls. The test asserts, per backend, what was observed.
"""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras

from seqlab.reference import simple_rnn_forward

#: Whether fit/predict carry a stateful RNN's state across batches (observed, Keras 3.15).
CARRIES_STATE_IN_FIT_AND_PREDICT = {"tensorflow": True, "torch": True, "jax": False}


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


@pytest.fixture
def stateful_model(rng):
    """A stateful SimpleRNN on batches of 2 sequences, and 4 sequences = 2 batches.

    Sequence i of the second batch continues sequence i of the first, so with state
    carried, the second batch's output is the NumPy RNN run over both halves joined in
    time; without, it is the RNN run over the second half alone from zeros.
    """
    x = rng.normal(size=(4, 3, 1)).astype("float32")
    inputs = keras.Input(batch_shape=(2, 3, 1))
    layer = keras.layers.SimpleRNN(4, stateful=True)
    model = keras.Model(inputs, layer(inputs))
    weights = layer.get_weights()
    expected = {
        "carried": simple_rnn_forward(np.concatenate([x[:2], x[2:]], axis=1), *weights),
        "fresh": simple_rnn_forward(x[2:], *weights),
    }
    return model, layer, x, expected


def state_of(layer):
    return to_numpy(layer.states[0])


def test_direct_calls_carry_the_state_on_every_backend(stateful_model):
    model, layer, x, expected = stateful_model
    model(x[:2])
    np.testing.assert_allclose(to_numpy(model(x[2:])), expected["carried"], atol=1e-5)
    layer.reset_states()
    assert np.allclose(state_of(layer), 0.0)
    np.testing.assert_allclose(to_numpy(model(x[2:])), expected["fresh"], atol=1e-5)


def test_predict_carries_the_state_across_batches_except_on_jax(stateful_model, backend):
    model, layer, x, expected = stateful_model
    second_batch = model.predict(x, batch_size=2, verbose=0)[2:]
    if CARRIES_STATE_IN_FIT_AND_PREDICT[backend]:
        np.testing.assert_allclose(second_batch, expected["carried"], atol=1e-5)
        np.testing.assert_allclose(state_of(layer), expected["carried"], atol=1e-5)
    else:
        np.testing.assert_allclose(second_batch, expected["fresh"], atol=1e-5)
        assert np.allclose(state_of(layer), 0.0), "JAX's predict left a non-zero state"


def test_fit_carries_the_state_across_batches_except_on_jax(stateful_model, backend):
    model, layer, x, expected = stateful_model
    # A learning rate of 0 keeps the weights, so the state can be predicted exactly.
    model.compile(keras.optimizers.SGD(0.0), "mse")
    model.fit(x, np.zeros((4, 4), "float32"), batch_size=2, shuffle=False, epochs=1, verbose=0)
    if CARRIES_STATE_IN_FIT_AND_PREDICT[backend]:
        np.testing.assert_allclose(state_of(layer), expected["carried"], atol=1e-5)
    else:
        assert np.allclose(state_of(layer), 0.0), "JAX's fit left a non-zero state"


def test_dense_on_a_sequence_equals_time_distributed_dense(rng):
    # Dense applies to the last axis, so TimeDistributed(Dense) is not needed for
    # sequence-to-sequence outputs (the course notes say it is).
    x = rng.normal(size=(3, 7, 5)).astype("float32")
    dense = keras.layers.Dense(2)
    wrapped = keras.layers.TimeDistributed(keras.layers.Dense(2))
    dense.build((None, 7, 5))
    wrapped.build((None, 7, 5))
    weights = [rng.normal(size=w.shape).astype("float32") for w in dense.get_weights()]
    dense.set_weights(weights)
    wrapped.set_weights(weights)
    out = to_numpy(dense(x))
    assert out.shape == (3, 7, 2)
    np.testing.assert_allclose(out, to_numpy(wrapped(x)), atol=1e-5)
    np.testing.assert_allclose(out, x @ weights[0] + weights[1], atol=1e-5)


def test_layer_normalization_epsilon_default_is_1e_3():
    # PyTorch's LayerNorm uses 1e-5; the course's NumPy checks must use Keras's value.
    assert keras.layers.LayerNormalization().epsilon == pytest.approx(1e-3)


def test_gru_default_is_reset_after_with_a_two_row_bias():
    layer = keras.layers.GRU(3)
    layer.build((None, 4, 2))
    assert layer.cell.reset_after
    assert layer.get_weights()[2].shape == (2, 9)


def test_conv1d_rejects_strides_with_dilation():
    # Why build_dilated_causal_stack checks this combination itself, with a clearer message.
    with pytest.raises(ValueError, match="not supported in conjunction with"):
        keras.layers.Conv1D(2, 2, strides=2, dilation_rate=2)


class CellWithInnerLayers(keras.layers.Layer):
    """The widely copied layer-normalised cell: inner layers made in ``__init__``."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.state_size = units
        self.output_size = units
        self.simple_rnn_cell = keras.layers.SimpleRNNCell(units, activation=None)
        self.layer_norm = keras.layers.LayerNormalization()

    def call(self, inputs, states):
        outputs, _ = self.simple_rnn_cell(inputs, states)
        normalised = keras.activations.tanh(self.layer_norm(outputs))
        return normalised, [normalised]


def test_cell_with_inner_layers_hides_its_weights_until_fit_then_trains_them(rng):
    """Observed with Keras 3.15 on all three backends.

    Right after the model is built, the inner layers' weights do not exist yet:
    ``model.weights`` and ``count_params()`` show only the Dense layer. ``fit`` creates
    them before training starts and does train them. Keras warns at build time that the
    layer "does not have a build() method" and has unbuilt state. (The claim that "only the output
    layer trains" does not hold for this Keras; the missing weights in ``summary()`` and
    ``count_params()`` before the first call do.) ``seqlab.layers.LayerNormSimpleRNNCell``
    creates its weights in ``build`` and has neither problem.
    """
    with pytest.warns(UserWarning, match="does not have a `build\\(\\)` method"):
        model = keras.Sequential([keras.Input((6, 1)), keras.layers.RNN(CellWithInnerLayers(4)),
                                  keras.layers.Dense(1)])
    assert len(model.weights) == 2 and model.count_params() == 5
    snapshots = {}

    class AfterFirstBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                snapshots.update({w.path: to_numpy(w).copy() for w in self.model.weights})

    x = rng.normal(size=(64, 6, 1)).astype("float32")
    model.compile(keras.optimizers.SGD(0.1), "mse")
    model.fit(x, x[:, -1], batch_size=16, epochs=1, verbose=0, callbacks=[AfterFirstBatch()])
    assert len(model.weights) == 7
    for weight in model.weights:
        assert np.abs(to_numpy(weight) - snapshots[weight.path]).max() > 0, f"{weight.path} not trained"
