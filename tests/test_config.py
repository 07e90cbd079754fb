import pytest

import seqlab
from seqlab.config import budget, is_quick


def test_budget_follows_the_quick_switch(monkeypatch):
    monkeypatch.setenv("SEQLAB_QUICK", "1")
    assert is_quick()
    assert budget(full=50, quick=3) == 3
    monkeypatch.setenv("SEQLAB_QUICK", "0")
    assert not is_quick()
    assert budget(full=50, quick=3) == 50
    monkeypatch.delenv("SEQLAB_QUICK")
    assert budget(full=50, quick=3) == 50


def test_budget_rejects_values_of_different_types():
    with pytest.raises(TypeError, match="full=int and quick=float"):
        budget(full=50, quick=0.5)


def test_unknown_quick_value_is_named(monkeypatch):
    monkeypatch.setenv("SEQLAB_QUICK", "maybe")
    with pytest.raises(ValueError, match="SEQLAB_QUICK"):
        is_quick()


def test_seed_everything_repeats_keras_randomness():
    import keras
    import numpy as np

    seqlab.seed_everything(7)
    first = keras.ops.convert_to_numpy(keras.random.normal((3,)))
    first_np = np.random.rand()
    seqlab.seed_everything(7)
    np.testing.assert_array_equal(first, keras.ops.convert_to_numpy(keras.random.normal((3,))))
    assert first_np == np.random.rand()


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed"):
        seqlab.seed_everything(bad)
