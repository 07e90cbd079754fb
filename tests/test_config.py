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


@pytest.mark.parametrize("bad, error, message", [
    (-1, ValueError, "seed must be an integer from 0 to 4294967295, got -1"),
    (2 ** 32, ValueError, "seed must be an integer from 0 to 4294967295, got 4294967296"),
    (1.5, TypeError, "seed must be an integer from 0 to 4294967295, got 1.5"),
    ("3", TypeError, "seed must be an integer from 0 to 4294967295, got '3'"),
    (True, TypeError, "seed must be an integer from 0 to 4294967295, got True"),
])
def test_seed_everything_rejects_bad_seeds(bad, error, message):
    with pytest.raises(error, match=message):
        seqlab.seed_everything(bad)


def test_seed_everything_accepts_numpy_integers():
    import numpy as np

    seqlab.seed_everything(np.int64(7))
    first = np.random.rand()
    seqlab.seed_everything(np.arange(10)[7])
    assert np.random.rand() == first
