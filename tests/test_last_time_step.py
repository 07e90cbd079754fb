"""seqlab.layers.LastTimeStep: the last step of a sequence, and a clear error without one."""

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras

from seqlab.layers import LastTimeStep

NO_TIME_AXIS = r"LastTimeStep expects inputs of shape \(m, T, n\), a batch of sequences; got shape"


def test_keeps_every_axis_after_the_time_axis(rng):
    x = rng.normal(size=(2, 5, 3, 4)).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(LastTimeStep()(x)), x[:, -1])
    assert LastTimeStep().compute_output_shape((None, 5, 3, 4)) == (None, 3, 4)


def test_a_model_ending_with_it_reloads_and_matches_the_last_step(rng, tmp_path):
    model = keras.Sequential([keras.Input((6, 2)), keras.layers.SimpleRNN(3, return_sequences=True),
                              LastTimeStep()])
    x = rng.normal(size=(4, 6, 2)).astype("float32")
    sequences = keras.Model(model.inputs, model.layers[0].output)
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               sequences.predict(x, verbose=0)[:, -1], rtol=1e-6)
    path = tmp_path / "model.keras"
    model.save(path)
    np.testing.assert_allclose(keras.saving.load_model(path).predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)


def test_a_2d_tensor_is_refused_not_cut_to_its_last_feature():
    with pytest.raises(ValueError, match=NO_TIME_AXIS + r" \(2, 7\)"):
        LastTimeStep()(keras.ops.zeros((2, 7)))


def test_a_2d_symbolic_input_is_refused_when_the_model_is_built():
    with pytest.raises(ValueError, match=NO_TIME_AXIS + r" \(None, 4\).*return_sequences=True"):
        keras.Sequential([keras.Input((5, 3)), keras.layers.SimpleRNN(4), LastTimeStep()])


def test_compute_output_shape_refuses_a_2d_shape():
    with pytest.raises(ValueError, match=NO_TIME_AXIS + r" \(None, 7\)"):
        LastTimeStep().compute_output_shape((None, 7))
