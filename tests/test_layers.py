"""seqlab.layers: the layer-normalised RNN cell and the WaveNet pieces.

Each layer is checked against an independent NumPy implementation with copied
weights, saved to ``.keras`` and loaded back, and its argument checks are exercised.
"""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras

from seqlab.layers import (GatedActivationUnit, LastTimeStep, LayerNormSimpleRNNCell,
                           WaveNetResidualBlock, build_dilated_causal_stack,
                           dilation_rates_for, receptive_field)
from seqlab.reference import layer_norm_simple_rnn_forward

ATOL = 1e-5


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def causal_conv_numpy(x, kernel, bias, dilation):
    """Causal dilated 1-D convolution: y[t] = sum_j x[t - (k-1-j) * d] @ kernel[j] + bias."""
    m, n_steps, _ = x.shape
    k = kernel.shape[0]
    pad = (k - 1) * dilation
    padded = np.concatenate([np.zeros((m, pad, x.shape[2])), x], axis=1)
    y = np.zeros((m, n_steps, kernel.shape[2])) + bias
    for j in range(k):
        y += padded[:, j * dilation:j * dilation + n_steps] @ kernel[j]
    return y


def randomise(layer_or_model, rng, scale=0.5):
    layer_or_model.set_weights([rng.normal(scale=scale, size=w.shape).astype("float32")
                                for w in layer_or_model.get_weights()])


def save_and_reload(model, tmp_path):
    path = tmp_path / "model.keras"
    model.save(path)
    return keras.saving.load_model(path)


def small_cell_model(units=6, **cell_kwargs):
    return keras.Sequential([
        keras.Input((9, 2)),
        keras.layers.RNN(LayerNormSimpleRNNCell(units, **cell_kwargs), return_sequences=True),
        keras.layers.Dense(1),
    ])


# --- LayerNormSimpleRNNCell ------------------------------------------------------

@pytest.mark.parametrize("use_bias", [False, True])
def test_cell_matches_numpy_with_copied_weights(rng, use_bias):
    x = rng.normal(size=(4, 9, 2)).astype("float32")
    model = small_cell_model(use_bias=use_bias)
    randomise(model, rng)
    cell = model.layers[0].cell
    weights = {w.path.split("/")[-1]: to_numpy(w).astype("float64") for w in cell.weights}
    assert set(weights) == ({"kernel", "recurrent_kernel", "gamma", "beta"} | ({"bias"} if use_bias else set()))
    rnn_output = to_numpy(model.layers[0](x))
    expected = layer_norm_simple_rnn_forward(
        x, weights["kernel"], weights["recurrent_kernel"], weights["gamma"], weights["beta"],
        weights.get("bias"), return_sequences=True)
    np.testing.assert_allclose(rnn_output, expected, atol=ATOL)


def test_every_cell_weight_is_tracked_and_trained(rng):
    # The bug this guards against: a cell whose inner layers are not tracked by the
    # model, so fit() only trains the layers after it.
    model = small_cell_model(use_bias=True)
    cell_weights = model.layers[0].cell.trainable_weights
    assert len(cell_weights) == 5
    tracked = {id(w) for w in model.trainable_weights}
    assert all(id(w) in tracked for w in cell_weights)
    x = rng.normal(size=(64, 9, 2)).astype("float32")
    y = np.cumsum(x[..., :1], axis=1)
    before = [to_numpy(w).copy() for w in cell_weights]
    model.compile(keras.optimizers.SGD(0.05), "mse")
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    for weight, old in zip(cell_weights, before):
        assert np.abs(to_numpy(weight) - old).max() > 1e-6, f"{weight.path} did not change in fit"


def test_cell_inside_rnn_saves_and_loads(rng, tmp_path):
    model = small_cell_model(activation="tanh", epsilon=1e-4)
    randomise(model, rng)
    x = rng.normal(size=(3, 9, 2)).astype("float32")
    loaded = save_and_reload(model, tmp_path)
    cell = loaded.layers[0].cell
    assert isinstance(cell, LayerNormSimpleRNNCell) and cell.epsilon == 1e-4 and cell.units == 6
    np.testing.assert_allclose(to_numpy(loaded(x)), to_numpy(model(x)), atol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    ({"units": 0}, "units must be a positive integer"),
    ({"units": 2.5}, "units must be a positive integer"),
    ({"units": 4, "epsilon": 0}, "epsilon must be > 0"),
])
def test_cell_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LayerNormSimpleRNNCell(**kwargs)


# --- GatedActivationUnit and LastTimeStep ------------------------------------------

def test_gated_activation_unit_is_tanh_filter_times_sigmoid_gate(rng):
    x = rng.normal(size=(2, 5, 6)).astype("float32")
    out = to_numpy(GatedActivationUnit()(x))
    np.testing.assert_allclose(out, np.tanh(x[..., :3]) * sigmoid(x[..., 3:]), atol=1e-6)


def test_gated_activation_unit_rejects_an_odd_channel_count():
    with pytest.raises(ValueError, match="even number of input channels"):
        GatedActivationUnit()(keras.ops.zeros((1, 4, 5)))


def test_last_time_step(rng):
    x = rng.normal(size=(3, 7, 2)).astype("float32")
    np.testing.assert_allclose(to_numpy(LastTimeStep()(x)), x[:, -1])


# --- WaveNetResidualBlock ----------------------------------------------------------

def test_residual_block_matches_numpy(rng):
    n_filters, kernel_size, dilation = 3, 2, 4
    block = WaveNetResidualBlock(n_filters, kernel_size, dilation)
    x = rng.normal(size=(2, 20, n_filters)).astype("float32")
    block.build(x.shape)
    randomise(block, rng)
    residual, skip = (to_numpy(t) for t in block(x))
    conv_kernel, conv_bias = (to_numpy(w) for w in block.dilated_conv.weights)
    mix_kernel, mix_bias = (to_numpy(w) for w in block.mix_conv.weights)
    z = causal_conv_numpy(x, conv_kernel, conv_bias, dilation)
    z = np.tanh(z[..., :n_filters]) * sigmoid(z[..., n_filters:])
    z = z @ mix_kernel[0] + mix_bias
    np.testing.assert_allclose(skip, z, atol=ATOL)
    np.testing.assert_allclose(residual, x + z, atol=ATOL)


def test_residual_block_needs_n_filters_input_channels():
    with pytest.raises(ValueError, match="needs inputs with 4 channels"):
        WaveNetResidualBlock(4)(keras.ops.zeros((1, 8, 3)))


def test_plain_stack_matches_numpy_chain_of_causal_convolutions(rng):
    model = build_dilated_causal_stack(3, kernel_size=3, dilation_rates=[1, 2], activation="relu")
    randomise(model, rng)
    x = rng.normal(size=(2, 15, 1)).astype("float32")
    z = x.astype("float64")
    for layer in model.layers[1:-1]:
        kernel, bias = (to_numpy(w) for w in layer.weights)
        z = np.maximum(causal_conv_numpy(z, kernel, bias, layer.dilation_rate[0]), 0.0)
    kernel, bias = (to_numpy(w) for w in model.layers[-1].weights)
    np.testing.assert_allclose(to_numpy(model(x)), z @ kernel[0] + bias, atol=ATOL)


# --- receptive field -----------------------------------------------------------------

def test_receptive_field_formula():
    assert receptive_field(2, [1, 2, 4, 8]) == 16
    assert receptive_field(3, [1, 2, 4]) == 15
    assert receptive_field(2, [1, 2, 4, 8] * 2) == 31
    assert receptive_field(1, [1, 5]) == 1


@pytest.mark.parametrize("target", [1, 2, 3, 16, 17, 50, 100])
@pytest.mark.parametrize("kernel_size", [2, 3])
def test_dilation_rates_for_is_the_shortest_doubling_list(target, kernel_size):
    rates = dilation_rates_for(target, kernel_size)
    assert rates == [2 ** i for i in range(len(rates))]
    assert receptive_field(kernel_size, rates) >= target
    if len(rates) > 1:
        assert receptive_field(kernel_size, rates[:-1]) < target


def measured_receptive_field(model, n_steps, t, n_inputs=8):
    """Perturb the input at step t and return the steps whose outputs change.

    Several random inputs are tried at once and a step counts if its output changes
    for any of them: a ReLU that happens to be inactive for one input (the WaveNet
    head has two) can hide a dependency that is there.
    """
    x = np.random.default_rng(1).normal(size=(n_inputs, n_steps, 1)).astype("float32")
    bumped = x.copy()
    bumped[:, t, 0] += 1.0
    both = to_numpy(model(np.concatenate([x, bumped])))
    change = np.abs(both[n_inputs:] - both[:n_inputs])[..., 0].max(axis=0)
    return np.flatnonzero(change > 1e-6)


@pytest.mark.parametrize("block, kernel_size, rates", [
    ("plain", 2, [1, 2, 4, 8]),
    ("plain", 3, [1, 3]),
    ("wavenet", 2, [1, 2, 4, 1, 2, 4]),
])
def test_measured_receptive_field_equals_formula_and_is_causal(rng, block, kernel_size, rates):
    # tanh in the plain stack: a dead ReLU unit could hide a dependency.
    model = build_dilated_causal_stack(8, kernel_size, rates, block=block, activation="tanh")
    randomise(model, rng)
    n_steps, t = 40, 10
    changed = measured_receptive_field(model, n_steps, t)
    field = receptive_field(kernel_size, rates)
    assert changed.min() == t, "an output before the perturbed step changed: not causal"
    # The output at step s sees steps s - field + 1 .. s, so step t reaches t .. t + field - 1.
    np.testing.assert_array_equal(changed, np.arange(t, t + field))


def test_stack_from_receptive_field_argument():
    model = build_dilated_causal_stack(4, 2, receptive_field=20)
    assert [layer.dilation_rate[0] for layer in model.layers[1:-1]] == [1, 2, 4, 8, 16]


@pytest.mark.parametrize("block, return_sequences", [("plain", False), ("wavenet", True)])
def test_stacks_save_and_load(rng, tmp_path, block, return_sequences):
    model = build_dilated_causal_stack(4, 2, [1, 2, 4], block=block,
                                       return_sequences=return_sequences, n_outputs=2)
    randomise(model, rng)
    x = rng.normal(size=(2, 12, 1)).astype("float32")
    expected_shape = (2, 12, 2) if return_sequences else (2, 2)
    assert tuple(model(x).shape) == expected_shape
    loaded = save_and_reload(model, tmp_path)
    np.testing.assert_allclose(to_numpy(loaded(x)), to_numpy(model(x)), atol=1e-6)


def test_gated_unit_alone_saves_and_loads(rng, tmp_path):
    model = keras.Sequential([keras.Input((5, 4)), GatedActivationUnit(), LastTimeStep()])
    x = rng.normal(size=(2, 5, 4)).astype("float32")
    np.testing.assert_allclose(to_numpy(save_and_reload(model, tmp_path)(x)), to_numpy(model(x)))


@pytest.mark.parametrize("call, message", [
    (lambda: receptive_field(0, [1]), "kernel_size must be an integer >= 1"),
    (lambda: receptive_field(2, []), "dilation_rates must hold at least one integer"),
    (lambda: receptive_field(2, [1, 0]), r"dilation_rates\[1\] must be an integer >= 1"),
    (lambda: dilation_rates_for(0), "target_field must be an integer >= 1"),
    (lambda: dilation_rates_for(10, kernel_size=1), "kernel_size must be an integer >= 2"),
    (lambda: build_dilated_causal_stack(4, 2), "exactly one of dilation_rates and receptive_field"),
    (lambda: build_dilated_causal_stack(4, 2, [1, 2], receptive_field=4), "exactly one of"),
    (lambda: build_dilated_causal_stack(4, 2, [1, 2], strides=2), "keras.layers.Conv1D rejects strides"),
    (lambda: build_dilated_causal_stack(4, 2, [1, 2], block="lstm"),
     r"block must be one of \['plain', 'wavenet'\], got 'lstm'"),
    (lambda: build_dilated_causal_stack(0, 2, [1, 2]), "n_filters must be an integer >= 1"),
    (lambda: build_dilated_causal_stack(4, 2, [1], n_outputs=0), "n_outputs must be an integer >= 1"),
    (lambda: WaveNetResidualBlock(4, kernel_size=0), "kernel_size must be an integer >= 1"),
])
def test_bad_arguments_get_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_strides_without_dilation_are_allowed():
    # aligned on the last step: outputs end at steps 15, 11, 7, 3 and -1 (padding)
    model = build_dilated_causal_stack(4, 2, [1, 1], strides=2)
    assert tuple(model(np.zeros((1, 16, 1), "float32")).shape) == (1, 5, 1)
