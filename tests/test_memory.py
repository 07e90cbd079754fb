"""seqlab.memory: the targets follow from the inputs, shapes, dtypes, seeding, errors."""

import numpy as np
import pytest

from seqlab.memory import adding_problem, copy_memory_problem, recall_task


@pytest.mark.parametrize("lag", [0, 1, 7, 19])
def test_recall_target_is_the_symbol_lag_steps_before_the_end(lag):
    X, y = recall_task(50, n_steps=20, lag=lag, n_symbols=5, seed=3)
    assert X.shape == (50, 20, 5) and X.dtype == np.float32
    assert y.shape == (50,) and y.dtype == np.int32
    assert set(np.unique(X)) == {0.0, 1.0} and (X.sum(axis=2) == 1).all()
    symbols = X.argmax(axis=2)
    for row in range(50):
        assert y[row] == symbols[row][::-1][lag]


def test_recall_ids_and_one_hot_describe_the_same_sequences():
    ids, y_ids = recall_task(30, 12, 4, one_hot=False, seed=1)
    X, y = recall_task(30, 12, 4, seed=1)
    assert ids.shape == (30, 12) and ids.dtype == np.int32
    np.testing.assert_array_equal(ids, X.argmax(axis=2))
    np.testing.assert_array_equal(y_ids, y)


def test_recall_symbols_are_roughly_uniform_so_chance_is_one_over_n():
    _, y = recall_task(4000, 5, 2, n_symbols=4, seed=0)
    assert np.allclose(np.bincount(y, minlength=4) / 4000, 0.25, atol=0.03)


def test_adding_problem_target_is_the_sum_of_the_two_marked_values():
    X, y = adding_problem(40, 30, seed=5)
    assert X.shape == (40, 30, 2) and X.dtype == np.float32
    assert y.shape == (40, 1) and y.dtype == np.float32
    values, markers = X[..., 0], X[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    for row in range(40):
        marked = np.flatnonzero(markers[row])
        assert len(marked) == 2 and marked[0] < 15 <= marked[1]
        assert y[row, 0] == pytest.approx(values[row, marked].sum(), abs=1e-6)


def test_adding_problem_smallest_length():
    X, y = adding_problem(3, 2)
    np.testing.assert_array_equal(X[..., 1], np.ones((3, 2)))
    np.testing.assert_allclose(y[:, 0], X[..., 0].sum(axis=1), rtol=1e-6)


@pytest.mark.parametrize("delay, length", [(1, 1), (5, 3), (30, 10)])
def test_copy_memory_layout_and_target(delay, length):
    n_symbols = 8
    X, y = copy_memory_problem(20, delay, n_symbols, sequence_length=length, seed=2)
    n_steps = delay + 2 * length
    assert X.shape == (20, n_steps, n_symbols + 2) and X.dtype == np.float32
    assert y.shape == (20, n_steps) and y.dtype == np.int32
    ids = X.argmax(axis=2)
    assert (X.sum(axis=2) == 1).all()
    for row in range(20):
        to_copy = ids[row, :length]
        assert ((to_copy >= 1) & (to_copy <= n_symbols)).all()
        rest = ids[row, length:]
        delimiter_at = length + delay - 1
        assert ids[row, delimiter_at] == n_symbols + 1
        assert (np.delete(rest, delimiter_at - length) == 0).all()
        np.testing.assert_array_equal(y[row, :delay + length], 0)
        np.testing.assert_array_equal(y[row, delay + length:], to_copy)


def test_copy_memory_ids_match_one_hot():
    ids, y_ids = copy_memory_problem(10, 4, 3, sequence_length=2, one_hot=False, seed=9)
    X, y = copy_memory_problem(10, 4, 3, sequence_length=2, seed=9)
    assert ids.dtype == np.int32 and ids.shape == (10, 8)
    np.testing.assert_array_equal(ids, X.argmax(axis=2))
    np.testing.assert_array_equal(y_ids, y)


@pytest.mark.parametrize("make", [
    lambda seed: recall_task(10, 8, 3, seed=seed),
    lambda seed: adding_problem(10, 8, seed=seed),
    lambda seed: copy_memory_problem(10, 8, seed=seed),
])
def test_generators_repeat_with_a_seed_and_vary_without(make):
    first, again, other = make(0), make(0), make(1)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("call, error, message", [
    (lambda: recall_task(10, 5, 5), ValueError, "lag must be smaller than n_steps"),
    (lambda: recall_task(10, 5, -1), ValueError, "lag must be an integer >= 0"),
    (lambda: recall_task(0, 5, 1), ValueError, "n_samples must be an integer >= 1"),
    (lambda: recall_task(10, 5, 1, n_symbols=1), ValueError, "n_symbols must be an integer >= 2"),
    (lambda: recall_task(10, 5.0, 1), TypeError, "n_steps must be an integer"),
    (lambda: adding_problem(10, 1), ValueError, "n_steps must be an integer >= 2"),
    (lambda: copy_memory_problem(10, 0), ValueError, "delay must be an integer >= 1"),
    (lambda: copy_memory_problem(10, 3, 0), ValueError, "n_symbols must be an integer >= 1"),
    (lambda: copy_memory_problem(10, 3, sequence_length=0), ValueError, "sequence_length"),
])
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_an_lstm_learns_the_recall_task_at_a_small_lag_in_a_few_epochs():
    # The memory curve of the course starts from a task that is learnable at all:
    # at lag 1 a small LSTM beats chance (0.25) by far on fresh sequences.
    import seqlab
    import keras

    seqlab.seed_everything(0)
    X, y = recall_task(768, 8, 1, seed=0)
    X_test, y_test = recall_task(256, 8, 1, seed=1)
    model = keras.Sequential([keras.Input(X.shape[1:]), keras.layers.LSTM(16),
                              keras.layers.Dense(4, activation="softmax")])
    model.compile(keras.optimizers.Adam(2e-2), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(X, y, epochs=5, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(X_test, y_test, verbose=0)
    assert accuracy > 0.9
