"""WaveNet: the NumPy reference (seqlab.reference.wavenet) and the Keras layers.

The reference is checked against a step-by-step loop written here; the layers
(GatedActivationUnit, WaveNetResidualBlock, the "wavenet" stack) against the
reference with copied weights; causality and receptive fields by perturbation; and the
gated activation against the widely copied version that applies tanh twice.
"""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras

from seqlab.layers import (GatedActivationUnit, WaveNetResidualBlock,
                           build_dilated_causal_stack, receptive_field)
from seqlab.reference import gated_activation, wavenet_residual_block, wavenet_stack_forward

ATOL = 1e-5


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def randomise(layer_or_model, rng, scale=0.5):
    layer_or_model.set_weights([rng.normal(scale=scale, size=w.shape).astype("float32")
                                for w in layer_or_model.get_weights()])


def block_by_loops(x, conv_kernel, conv_bias, mix_kernel, mix_bias, dilation, *,
                   double_tanh=False):
    """The residual block one output step at a time, no convolution helper.

    ``double_tanh=True`` gives the widely copied version, tanh(tanh(filter)) * sigmoid(gate).
    """
    m, n_steps, c = x.shape
    k = conv_kernel.shape[0]
    skip = np.zeros((m, n_steps, c))
    for t in range(n_steps):
        z = conv_bias.astype(np.float64).copy()
        for j in range(k):  # tap j meets step t - (k - 1 - j) * d (Keras does not flip)
            source = t - (k - 1 - j) * dilation
            if source >= 0:
                z = z + x[:, source] @ conv_kernel[j]
        filtered = np.tanh(np.tanh(z[:, :c])) if double_tanh else np.tanh(z[:, :c])
        gated = filtered * sigmoid(z[:, c:])
        skip[:, t] = gated @ mix_kernel[0] + mix_bias
    return x + skip, skip


def block_weights(rng, c, k):
    return (rng.normal(size=(k, c, 2 * c)), rng.normal(size=2 * c),
            rng.normal(size=(1, c, c)), rng.normal(size=c))


# --- the reference itself -------------------------------------------------------------

def test_gated_activation_reference_is_tanh_times_sigmoid(rng):
    z = rng.normal(size=(3, 4, 10))
    np.testing.assert_allclose(gated_activation(z), np.tanh(z[..., :5]) * sigmoid(z[..., 5:]))


@pytest.mark.parametrize("k, dilation", [(2, 1), (2, 4), (3, 2)])
def test_reference_block_matches_a_step_by_step_loop(rng, k, dilation):
    x = rng.normal(size=(2, 13, 3))
    weights = block_weights(rng, 3, k)
    residual, skip = wavenet_residual_block(x, *weights, dilation_rate=dilation)
    loop_residual, loop_skip = block_by_loops(x, *weights, dilation)
    np.testing.assert_allclose(skip, loop_skip, atol=1e-10)
    np.testing.assert_allclose(residual, loop_residual, atol=1e-10)


@pytest.mark.parametrize("call, error, message", [
    (lambda: gated_activation(np.zeros((2, 5))), ValueError, "even number of channels"),
    (lambda: wavenet_residual_block(np.zeros((4, 3)), *block_weights(np.random.default_rng(0), 3, 2)),
     ValueError, "x must be 3-D"),
    (lambda: wavenet_residual_block(np.zeros((1, 4, 2)), *block_weights(np.random.default_rng(0), 3, 2)),
     ValueError, r"conv kernel must have shape \('kernel_size', 2, 4\)"),
    (lambda: wavenet_residual_block(np.zeros((1, 4, 3)), np.zeros((2, 3, 6)), np.zeros(5),
                                    np.zeros((1, 3, 3)), np.zeros(3)),
     ValueError, r"conv bias must have shape \(6,\)"),
    (lambda: wavenet_residual_block(np.zeros((1, 4, 3)), np.zeros((2, 3, 6)), np.zeros(6),
                                    np.zeros((2, 3, 3)), np.zeros(3)),
     ValueError, r"mix kernel must have shape \(1, 3, 3\)"),
    (lambda: wavenet_residual_block(np.zeros((1, 4, 3)), *block_weights(np.random.default_rng(0), 3, 2),
                                    dilation_rate=0), ValueError, "dilation_rate must be an integer >= 1"),
    (lambda: wavenet_stack_forward(np.zeros((1, 4, 1)), [np.zeros(1)] * 5, [1]),
     ValueError, "weights must hold 10 arrays for 1 blocks"),
    (lambda: wavenet_stack_forward(np.zeros((1, 4, 1)), [], []), ValueError, "at least one rate"),
])
def test_reference_bad_input_gets_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- the layers against the reference, on every backend ----------------------------------

def test_gated_activation_unit_matches_reference_and_applies_tanh_once(rng):
    z = rng.normal(scale=2.0, size=(2, 6, 8)).astype("float32")
    out = to_numpy(GatedActivationUnit()(z))
    np.testing.assert_allclose(out, gated_activation(z), atol=1e-6)
    double_tanh = np.tanh(np.tanh(z[..., :4])) * sigmoid(z[..., 4:])
    assert np.abs(double_tanh - gated_activation(z)).max() > 0.05  # the two really differ
    assert not np.allclose(out, double_tanh, atol=1e-3)


@pytest.mark.parametrize("k, dilation", [(2, 4), (3, 1)])
def test_residual_block_matches_reference_with_copied_weights(rng, k, dilation):
    c = 4
    block = WaveNetResidualBlock(c, k, dilation)
    x = rng.normal(size=(3, 21, c)).astype("float32")
    block.build(x.shape)
    randomise(block, rng)
    residual, skip = (to_numpy(t) for t in block(x))
    ref_residual, ref_skip = wavenet_residual_block(x, *block.get_weights(), dilation_rate=dilation)
    np.testing.assert_allclose(skip, ref_skip, atol=ATOL)
    np.testing.assert_allclose(residual, ref_residual, atol=ATOL)
    # With the same weights, the double-tanh block gives other numbers.
    double = block_by_loops(x.astype(np.float64), *block.get_weights(), dilation,
                            double_tanh=True)[1]
    assert np.abs(double - ref_skip).max() > 1e-2
    assert not np.allclose(skip, double, atol=1e-3)


def test_wavenet_stack_matches_reference(rng):
    rates = [1, 2, 4, 1]
    model = build_dilated_causal_stack(5, 2, rates, block="wavenet", n_features=2, n_outputs=3)
    randomise(model, rng)
    x = rng.normal(size=(3, 17, 2)).astype("float32")
    expected = wavenet_stack_forward(x, model.get_weights(), rates)
    np.testing.assert_allclose(to_numpy(model(x)), expected, atol=1e-4)
    last = build_dilated_causal_stack(5, 2, rates, block="wavenet", n_features=2, n_outputs=3,
                                      return_sequences=False)
    last.set_weights(model.get_weights())
    np.testing.assert_allclose(to_numpy(last(x)),
                               wavenet_stack_forward(x, model.get_weights(), rates,
                                                     return_sequences=False), atol=1e-4)


# --- causality and receptive field by perturbation -------------------------------------

def changed_steps(function, x, t):
    """Output steps that change (for any row of x) when input step t is perturbed."""
    bumped = x.copy()
    bumped[:, t] += 1.0
    change = np.abs(np.asarray(function(bumped)) - np.asarray(function(x)))
    return np.flatnonzero(change.reshape(change.shape[0], change.shape[1], -1).max(axis=(0, 2)) > 1e-6)


@pytest.mark.parametrize("k, dilation", [(2, 4), (3, 2)])
def test_residual_block_is_causal_and_sees_its_taps(rng, k, dilation):
    c = 3
    block = WaveNetResidualBlock(c, k, dilation)
    x = rng.normal(size=(4, 30, c)).astype("float32")
    block.build(x.shape)
    randomise(block, rng)
    t = 10
    for index in (0, 1):  # residual, skip
        changed = changed_steps(lambda v: to_numpy(block(v)[index]), x, t)
        np.testing.assert_array_equal(changed, t + dilation * np.arange(k))


def test_wavenet_stack_receptive_field_by_perturbation(rng):
    rates = [1, 2, 4, 8]
    model = build_dilated_causal_stack(6, 2, rates, block="wavenet")
    randomise(model, rng)
    x = rng.normal(size=(8, 40, 1)).astype("float32")
    t = 5
    changed = changed_steps(lambda v: to_numpy(model(v)), x, t)
    field = receptive_field(2, rates)
    np.testing.assert_array_equal(changed, np.arange(t, t + field))
