"""1-D convolution: the NumPy reference, output lengths and alignment, receptive fields.

Every function is checked against Keras itself: ``keras.layers.Conv1D`` with copied
weights (the reference), Keras's output shapes (the lengths), and perturbation of one
input step at a time in a built layer or stack (which input steps an output sees).
"""

import itertools

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import seqlab  # noqa: F401  (before keras)
import keras

from seqlab import plots
from seqlab.layers import (AlignToStride, build_dilated_causal_stack, conv_output_length,
                           last_input_step, receptive_field, seen_offsets)
from seqlab.reference import conv1d


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def randomise(model, rng, scale=0.5):
    model.set_weights([rng.normal(scale=scale, size=w.shape).astype("float32")
                       for w in model.get_weights()])


def dependence(model, n_steps, n_features=1, n_bases=3, seed=0):
    """``changed[t, j]``: does output j change when input step t is perturbed?

    Several random base inputs: a unit that is saturated or inactive for one input could
    hide a dependency that is there.
    """
    x = np.random.default_rng(seed).normal(size=(n_bases, n_steps, n_features))
    batch = [x]
    for t in range(n_steps):
        bumped = x.copy()
        bumped[:, t] += 1.0
        batch.append(bumped)
    out = to_numpy(model(np.concatenate(batch).astype("float32")))
    if out.ndim == 2:  # one output per sequence: a length-1 time axis
        out = out[:, None, :]
    out = out.reshape((n_steps + 1, n_bases) + out.shape[1:])
    change = np.abs(out[1:] - out[:1])  # (input step, base, output step, channel)
    return change.max(axis=(1, 3)) > 1e-6


# Valid Keras Conv1D configurations: (kernel_size, strides, dilation_rate).
CONFIGS = [(k, s, d) for k, s, d in itertools.product([1, 2, 3, 4], [1, 2, 3], [1, 2, 3])
           if s == 1 or d == 1]
PADDINGS = ["valid", "same", "causal"]


# --- reference.conv1d against keras.layers.Conv1D ------------------------------------

@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("kernel_size, strides, dilation_rate", CONFIGS)
def test_conv1d_matches_keras_with_copied_weights(rng, padding, kernel_size, strides,
                                                  dilation_rate):
    for n_steps in (10, 13):
        layer = keras.layers.Conv1D(3, kernel_size, strides=strides, padding=padding,
                                    dilation_rate=dilation_rate)
        layer.build((None, n_steps, 2))
        kernel = rng.normal(size=(kernel_size, 2, 3)).astype("float32")
        bias = rng.normal(size=3).astype("float32")
        layer.set_weights([kernel, bias])
        x = rng.normal(size=(2, n_steps, 2)).astype("float32")
        expected = to_numpy(layer(x))
        got = conv1d(x, kernel, bias, strides=strides, dilation_rate=dilation_rate,
                     padding=padding)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_conv1d_without_bias_matches_keras(rng):
    layer = keras.layers.Conv1D(2, 3, padding="causal", dilation_rate=2, use_bias=False)
    x = rng.normal(size=(3, 11, 4)).astype("float32")
    expected = to_numpy(layer(x))
    np.testing.assert_allclose(conv1d(x, layer.get_weights()[0], padding="causal",
                                      dilation_rate=2), expected, atol=1e-5)


def test_conv1d_is_a_cross_correlation_not_a_convolution(rng):
    x = rng.normal(size=12)
    taps = np.array([1.0, -2.0, 0.5])
    got = conv1d(x.reshape(1, -1, 1), taps.reshape(3, 1, 1))[0, :, 0]
    np.testing.assert_allclose(got, np.correlate(x, taps, mode="valid"))
    np.testing.assert_allclose(got, np.convolve(x, taps[::-1], mode="valid"))
    assert not np.allclose(got, np.convolve(x, taps, mode="valid"))


@pytest.mark.parametrize("call, error, message", [
    (lambda: conv1d(np.zeros((5, 1)), np.zeros((2, 1, 1))), ValueError, "inputs must be 3-D"),
    (lambda: conv1d(np.zeros((1, 5, 1)), np.zeros((2, 1))), ValueError, "kernel must be 3-D"),
    (lambda: conv1d(np.zeros((1, 5, 2)), np.zeros((2, 1, 1))), ValueError,
     r"kernel must have shape \(k, 2, n_out\)"),
    (lambda: conv1d(np.zeros((1, 5, 1)), np.zeros((2, 1, 3)), np.zeros(2)), ValueError,
     r"bias must have shape \(3,\)"),
    (lambda: conv1d(np.zeros((1, 5, 1)), np.zeros((2, 1, 1)), padding="full"), ValueError,
     "padding must be one of"),
    (lambda: conv1d(np.zeros((1, 5, 1)), np.zeros((2, 1, 1)), strides=0), ValueError,
     "strides must be an integer >= 1"),
    (lambda: conv1d(np.zeros((1, 5, 1)), np.zeros((2, 1, 1)), dilation_rate=1.5), TypeError,
     "dilation_rate must be an integer"),
    (lambda: conv1d(np.zeros((1, 3, 1)), np.zeros((4, 1, 1))), ValueError, "too short"),
    (lambda: conv1d("abc", np.zeros((2, 1, 1))), TypeError, "inputs must be array-like"),
])
def test_conv1d_rejects_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- conv_output_length and last_input_step --------------------------------------------

@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("kernel_size, strides, dilation_rate", CONFIGS)
def test_output_length_and_last_input_step_match_keras(padding, kernel_size, strides,
                                                       dilation_rate):
    for n_steps in (9, 12):
        if padding == "valid" and n_steps <= (kernel_size - 1) * dilation_rate:
            continue
        layer = keras.layers.Conv1D(1, kernel_size, strides=strides, padding=padding,
                                    dilation_rate=dilation_rate, use_bias=False,
                                    kernel_initializer="ones")
        model = keras.Sequential([keras.Input((n_steps, 1)), layer])
        kwargs = dict(strides=strides, dilation_rate=dilation_rate, padding=padding)
        length = conv_output_length(n_steps, kernel_size, **kwargs)
        assert model.output_shape[1] == length
        changed = dependence(model, n_steps)  # (input step, output)
        assert changed.shape == (n_steps, length)
        measured = np.array([np.flatnonzero(changed[:, j]).max() for j in range(length)])
        np.testing.assert_array_equal(last_input_step(n_steps, kernel_size, **kwargs),
                                      measured)


def test_last_input_step_examples():
    # kernel 4, stride 2, valid: targets from step 3 every 2 steps
    np.testing.assert_array_equal(last_input_step(20, 4, strides=2), np.arange(3, 20, 2))
    # causal: output j ends at step j * s, never later
    np.testing.assert_array_equal(last_input_step(10, 3, strides=3, padding="causal"),
                                  [0, 3, 6, 9])
    # same: the future (step j + 1 for kernel 3)
    assert (last_input_step(10, 3, padding="same")[:-1] == np.arange(1, 10)).all()


@pytest.mark.parametrize("function", [conv_output_length, last_input_step])
@pytest.mark.parametrize("args, kwargs, error, message", [
    ((0, 2), {}, ValueError, "n_steps must be an integer >= 1"),
    ((10, 2.5), {}, TypeError, "kernel_size must be an integer"),
    ((10, 2), {"strides": 0}, ValueError, "strides must be an integer >= 1"),
    ((10, 2), {"dilation_rate": -1}, ValueError, "dilation_rate must be an integer >= 1"),
    ((10, 2), {"padding": "full"}, ValueError, "padding must be one of"),
    ((3, 4), {}, ValueError, "too short for padding='valid'"),
])
def test_geometry_rejects_bad_input(function, args, kwargs, error, message):
    with pytest.raises(error, match=message):
        function(*args, **kwargs)


# --- receptive_field and seen_offsets ------------------------------------------------------

def test_receptive_field_is_the_span_and_seen_offsets_have_holes():
    assert receptive_field(2, [2, 4, 8, 16]) == 31
    offsets = seen_offsets(2, [2, 4, 8, 16])
    assert offsets.size == 16 and offsets.max() == 30
    np.testing.assert_array_equal(offsets, np.arange(0, 31, 2))
    np.testing.assert_array_equal(seen_offsets(2, [1, 2, 4, 8]), np.arange(16))


def test_receptive_field_accepts_numpy_integers_and_a_single_rate():
    assert receptive_field(2, 4) == 5
    assert receptive_field(np.int64(3), np.arange(3) + 1) == 13
    assert receptive_field(2, [np.int32(1), np.int64(2)], strides=np.int64(1)) == 4
    np.testing.assert_array_equal(seen_offsets(3, 2), [0, 2, 4])


def test_receptive_field_with_strides_uses_the_spacing_below_each_layer():
    # layer 1: k=4, s=2 covers 4 steps; layer 2 reads layer-1 outputs 2 steps apart
    assert receptive_field(4, [1, 1], strides=2) == 1 + 3 + 3 * 2
    assert receptive_field([4, 2], [1, 3], strides=[3, 1]) == 1 + 3 + 1 * 3 * 3
    np.testing.assert_array_equal(seen_offsets(2, [1, 1], strides=[2, 1]), [0, 1, 2, 3])
    np.testing.assert_array_equal(seen_offsets(2, [1, 1], strides=[3, 1]), [0, 1, 3, 4])


@pytest.mark.parametrize("function", [receptive_field, seen_offsets])
@pytest.mark.parametrize("args, kwargs, error, message", [
    ((0, [1]), {}, ValueError, "kernel_size must be an integer >= 1"),
    ((2, []), {}, ValueError, "dilation_rates must hold at least one integer"),
    ((2, [1, 0]), {}, ValueError, r"dilation_rates\[1\] must be an integer >= 1"),
    ((2, [1, 2.0]), {}, TypeError, r"dilation_rates\[1\] must be an integer"),
    ((2, None), {}, TypeError, "dilation_rates must be an integer or a sequence"),
    (([2, 3], [1, 2, 4]), {}, ValueError, r"kernel_size must hold one integer per layer \(3\)"),
    ((2, [1, 2]), {"strides": [1]}, ValueError, r"strides must hold one integer per layer"),
    ((2, [1, 2]), {"strides": 0}, ValueError, "strides must be an integer >= 1"),
])
def test_receptive_field_rejects_bad_input(function, args, kwargs, error, message):
    with pytest.raises(error, match=message):
        function(*args, **kwargs)


# --- build_dilated_causal_stack: every accepted configuration ends on the last step ---

def offsets_seen_by_last_output(model, n_steps, n_features=1):
    changed = dependence(model, n_steps, n_features)[:, -1]
    return np.sort(n_steps - 1 - np.flatnonzero(changed))


STACKS = [
    # (block, kernel_size, rates, strides)
    ("plain", 2, [1, 2, 4], 1),
    ("plain", 3, [1, 3], 1),
    ("plain", 2, [1, 1], 2),
    ("plain", 4, [1, 1], 2),
    ("plain", 3, [1, 1, 1], 3),
    ("plain", 2, [1, 2, 1], [2, 1, 3]),
    ("plain", 3, [1, 1, 2], [3, 2, 1]),
    ("wavenet", 2, [1, 2, 4], 1),
    ("wavenet", 3, [2, 1], 1),
]


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("n_steps", [16, 17, 19])
@pytest.mark.parametrize("block, kernel_size, rates, strides", STACKS)
def test_stack_last_output_sees_the_last_input_and_the_formula(
        rng, block, kernel_size, rates, strides, n_steps, return_sequences):
    model = build_dilated_causal_stack(4, kernel_size, rates, block=block, strides=strides,
                                       activation="tanh", return_sequences=return_sequences)
    randomise(model, rng)
    total_stride = int(np.prod(np.broadcast_to(strides, len(rates))))
    out = model(np.zeros((1, n_steps, 1), "float32"))
    if return_sequences:
        assert tuple(out.shape) == (1, 1 + -(-(n_steps - 1) // total_stride), 1)
    else:
        assert tuple(out.shape) == (1, 1)
    span = receptive_field(kernel_size, rates, strides)
    # A span longer than the input would be cut by the padding: the offsets past the
    # first step cannot be measured, so compare only those that fit.
    offsets = offsets_seen_by_last_output(model, n_steps)
    assert offsets[0] == 0, "the last output does not see the last input step"
    expected = seen_offsets(kernel_size, rates, strides)
    np.testing.assert_array_equal(offsets, expected[expected < n_steps])
    if span <= n_steps:
        assert offsets.max() + 1 == span


def test_every_output_of_a_strided_stack_is_causal_and_ends_stride_apart(rng):
    model = build_dilated_causal_stack(4, 3, [1, 1], strides=2, activation="tanh")
    randomise(model, rng)
    n_steps = 18
    changed = dependence(model, n_steps)
    n_out = changed.shape[1]
    assert n_out == 1 + -(-(n_steps - 1) // 4)
    # output j ends at step T - 1 - 4 * (n_out - 1 - j); the first ends in the padding
    ends = n_steps - 1 - 4 * np.arange(n_out)[::-1]
    for j in range(n_out):
        seen = np.flatnonzero(changed[:, j])
        if ends[j] >= 0:
            assert seen.max() == ends[j]
        else:
            assert seen.size == 0


@settings(max_examples=12, deadline=None)
@given(kernel_size=st.integers(1, 4),
       layers=st.lists(st.tuples(st.integers(1, 4), st.integers(1, 3)), min_size=1, max_size=3))
def test_measured_receptive_field_equals_the_formula(kernel_size, layers):
    # each layer has a dilation rate or a stride (Keras refuses both above 1)
    rates = [d if i % 2 == 0 or s == 1 else 1 for i, (d, s) in enumerate(layers)]
    strides = [1 if r > 1 else s for r, (_, s) in zip(rates, layers)]
    span = receptive_field(kernel_size, rates, strides)
    model = build_dilated_causal_stack(3, kernel_size, rates, strides=strides,
                                       activation="tanh", return_sequences=False)
    randomise(model, np.random.default_rng(0))
    n_steps = span + int(np.prod(strides))
    offsets = offsets_seen_by_last_output(model, n_steps)
    np.testing.assert_array_equal(offsets, seen_offsets(kernel_size, rates, strides))
    assert offsets.max() + 1 == span


def test_strided_stack_saves_and_loads(rng, tmp_path):
    model = build_dilated_causal_stack(4, 2, [1, 2, 1], strides=[2, 1, 3])
    randomise(model, rng)
    path = tmp_path / "strided.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = rng.normal(size=(2, 23, 1)).astype("float32")
    np.testing.assert_allclose(to_numpy(loaded(x)), to_numpy(model(x)), atol=1e-6)


@pytest.mark.parametrize("n_steps, strides, padded", [(10, 4, 13), (9, 4, 9), (5, 1, 5),
                                                      (2, 3, 4)])
def test_align_to_stride_pads_zeros_on_the_left(rng, n_steps, strides, padded):
    x = rng.normal(size=(2, n_steps, 3)).astype("float32")
    out = to_numpy(AlignToStride(strides)(x))
    assert out.shape == (2, padded, 3) and (padded - 1) % strides == 0
    np.testing.assert_array_equal(out[:, padded - n_steps:], x)
    assert not out[:, :padded - n_steps].any()


@pytest.mark.parametrize("call, error, message", [
    (lambda: AlignToStride(0), ValueError, "strides must be an integer >= 1"),
    (lambda: AlignToStride(1.5), TypeError, "strides must be an integer"),
    (lambda: build_dilated_causal_stack(4, 2, [1, 2], strides=2), ValueError,
     "layer 1 has strides=2 and dilation_rate=2"),
    (lambda: build_dilated_causal_stack(4, 2, [1, 2], strides=[2, 1, 1]), ValueError,
     r"strides must hold one integer per layer \(2\)"),
    (lambda: build_dilated_causal_stack(4, 2, [1, 1], strides=2, block="wavenet"), ValueError,
     "strides must be 1 for block='wavenet'"),
    (lambda: build_dilated_causal_stack(4, 2, np.array([1, 0])), ValueError,
     r"dilation_rates\[1\] must be an integer >= 1"),
    (lambda: build_dilated_causal_stack(4, 2.0, [1]), TypeError,
     "kernel_size must be an integer"),
    (lambda: build_dilated_causal_stack(4, 2, [1], n_features=0), ValueError,
     "n_features must be an integer >= 1"),
])
def test_stack_rejects_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_stack_accepts_numpy_rates():
    model = build_dilated_causal_stack(4, 2, np.array([1, 2, 4]))
    assert [layer.dilation_rate[0] for layer in model.layers[1:-1]] == [1, 2, 4]


# --- the figure draws what is seen ----------------------------------------------------

def test_plot_receptive_field_fills_only_the_seen_inputs():
    fig = plots.plot_receptive_field(2, [2, 4, 8, 16])
    ax = fig.axes[0]
    inputs = [p for p in ax.patches if p.center[1] == 0]
    white = matplotlib.colors.to_rgba("white")
    filled = sorted(p.center[0] for p in inputs if not np.allclose(p.get_facecolor(), white))
    assert len(inputs) == 31
    np.testing.assert_array_equal(filled, 30 - seen_offsets(2, [2, 4, 8, 16])[::-1])
    assert "31 steps (span), 16 of them seen" in ax.get_title()
    assert ax.get_xlabel() == "Time step"


def test_strided_stack_trains_and_predicts_on_any_length(rng):
    # fit traces the model with an unknown time length (a graph on TensorFlow, jit on JAX):
    # AlignToStride must compute its padding from the runtime length there too.
    model = build_dilated_causal_stack(4, 3, [1, 1], strides=2, return_sequences=False)
    model.compile(keras.optimizers.Adam(1e-2), "mse")
    x = rng.normal(size=(32, 17, 1)).astype("float32")
    history = model.fit(x, x[:, -1], epochs=3, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    for n_steps in (16, 23):
        assert model.predict(rng.normal(size=(4, n_steps, 1)).astype("float32"),
                             verbose=0).shape == (4, 1)
