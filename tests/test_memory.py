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


# --- the measurement plumbing of chapter 2 ---------------------------------------------

import keras  # noqa: E402

import seqlab  # noqa: E402
from seqlab.memory import (  # noqa: E402
    MEMORY_MODELS,
    accuracy_by_lag,
    adding_model,
    compare_horizons,
    describe_horizon,
    finished,
    memory_horizon,
    recall_all_lags,
    recall_model,
    train_memory_model,
)
from seqlab.training import FitResult  # noqa: E402


@pytest.mark.parametrize("max_lag", [0, 3, 9])
def test_recall_all_lags_columns_are_recall_task_targets(max_lag):
    X, Y = recall_all_lags(40, 10, max_lag, n_symbols=5, seed=7)
    assert X.shape == (40, 10, 5) and X.dtype == np.float32
    assert Y.shape == (40, max_lag + 1) and Y.dtype == np.int32
    for lag in range(max_lag + 1):
        X_lag, y_lag = recall_task(40, 10, lag, n_symbols=5, seed=7)
        np.testing.assert_array_equal(X, X_lag)
        np.testing.assert_array_equal(Y[:, lag], y_lag)


@pytest.mark.parametrize("kind", list(MEMORY_MODELS))
def test_memory_models_have_the_layers_their_name_says(kind):
    model = recall_model(kind, n_steps=7, max_lag=4, n_symbols=3, units=5)
    assert model.output_shape == (None, 5, 3)
    recurrent = [layer for layer in model.layers
                 if isinstance(layer, keras.layers.RNN)]
    cell, n_layers = MEMORY_MODELS[kind]
    assert len(recurrent) == n_layers
    assert all(layer.units == 5 for layer in recurrent)
    X, _ = recall_all_lags(6, 7, 4, n_symbols=3)
    probabilities = keras.ops.convert_to_numpy(model(X))
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-5)
    assert adding_model(kind, 9, units=3).output_shape == (None, 1)


class _Perfect(keras.layers.Layer):
    """Answers lags 0..remembered right (one-hot of the input k steps back), symbol 0
    beyond: a model whose memory horizon is known."""

    def __init__(self, n_lags, remembered, **kwargs):
        super().__init__(**kwargs)
        self.n_lags, self.remembered = n_lags, remembered

    def call(self, x):
        rows = []
        for lag in range(self.n_lags):
            if lag <= self.remembered:
                rows.append(x[:, -1 - lag])
            else:
                rows.append(keras.ops.one_hot(keras.ops.zeros_like(x[:, 0, 0], "int32"),
                                              x.shape[-1]))
        return keras.ops.stack(rows, axis=1)


def test_accuracy_by_lag_and_horizon_of_a_model_with_known_memory():
    X, Y = recall_all_lags(400, 12, 8, seed=1)
    model = keras.Sequential([keras.Input((12, 4)), _Perfect(9, remembered=5)])
    scores = accuracy_by_lag(model, X, Y)
    np.testing.assert_array_equal(scores[:6], 1.0)
    np.testing.assert_allclose(scores[6:], 0.25, atol=0.07)   # symbol 0 by chance
    assert memory_horizon(np.arange(9), scores, 0.9) == 5


def test_memory_horizon_stops_at_the_first_failure_and_sorts():
    assert memory_horizon([0, 1, 2, 3], [1.0, 0.95, 0.6, 0.97], 0.9) == 1
    assert memory_horizon([3, 0, 2, 1], [0.97, 1.0, 0.6, 0.95], 0.9) == 1
    assert memory_horizon([0, 1], [0.5, 1.0], 0.9) is None
    assert memory_horizon([0, 1], [0.9, 0.9], 0.9) == 1
    errors = [0.001, 0.002, 0.2]
    assert memory_horizon([10, 20, 40], errors, 0.05, higher_is_better=False) == 20
    assert memory_horizon([10, 20], [0.05, 0.0], 0.05, higher_is_better=False) is None


def _fit(stopped_early, diverged=False):
    return FitResult(history={}, best_epoch=3, best_score=0.9, epochs_run=8,
                     seconds=1.0, stopped_early=stopped_early, diverged=diverged,
                     diverged_at=4 if diverged else None)


def test_finished_means_stopped_early_and_not_diverged():
    assert finished(_fit(True))
    assert not finished(_fit(False))
    assert not finished(_fit(True, diverged=True))


def test_verdicts_and_descriptions():
    assert compare_horizons(12, 8, margin=2) == "longer"
    assert compare_horizons(5, 8, margin=2) == "shorter"
    assert compare_horizons(10, 8, margin=2) == "too close to call"
    assert compare_horizons(8, 8) == "too close to call"
    assert compare_horizons(9, 8) == "longer"
    assert compare_horizons(None, 0) == "shorter"
    assert describe_horizon(24, 24) == "at least 24"
    assert describe_horizon(7, 24) == "7"
    assert describe_horizon(None, 24) == "none"


def test_a_trained_gru_remembers_short_lags():
    seqlab.seed_everything(0)
    train = recall_all_lags(768, 8, 2, seed=0)
    test = recall_all_lags(256, 8, 2, seed=1)
    model = recall_model("GRU", 8, 2, units=16)
    fit = train_memory_model(model, train, test, task="recall", epochs=8,
                             display=None)
    assert fit.monitor == "val_accuracy" and not fit.diverged
    scores = accuracy_by_lag(model, *test)
    assert scores[0] > 0.9 and memory_horizon([0, 1, 2], scores, 0.5) is not None


def test_train_memory_model_adding_watches_the_mse():
    seqlab.seed_everything(0)
    data = adding_problem(64, 6, seed=0)
    fit = train_memory_model(adding_model("SimpleRNN", 6, units=4), data, data,
                             task="adding", epochs=2, display=None)
    assert fit.monitor == "val_mse" and fit.epochs_run == 2


def test_train_memory_model_uses_its_optimizer_and_the_course_speed_rule(monkeypatch):
    import seqlab.training as training

    asked = []

    def recording_speed_settings(model, n_train, **kwargs):
        asked.append((n_train, kwargs["epochs"], kwargs["batch_size"]))
        return {"jit_compile": "auto", "steps_per_execution": 1}

    monkeypatch.setattr(training, "speed_settings", recording_speed_settings)
    data = adding_problem(48, 5, seed=0)
    model = adding_model("GRU", 5, units=3)
    train_memory_model(model, data, data, task="adding", epochs=2, batch_size=16,
                       learning_rate=0.02, clipnorm=0.5, display=None)
    assert asked == [(48, 2, 16)]
    optimizer = model.optimizer
    assert isinstance(optimizer, keras.optimizers.Adam) and optimizer.clipnorm == 0.5
    assert float(keras.ops.convert_to_numpy(optimizer.learning_rate)) == pytest.approx(0.02)


@pytest.mark.parametrize("call, error, message", [
    (lambda: recall_all_lags(10, 5, 5), ValueError, "max_lag must be smaller"),
    (lambda: recall_all_lags(10, 5, -1), ValueError, "max_lag must be an integer >= 0"),
    (lambda: recall_all_lags(0, 5, 1), ValueError, "n_samples must be"),
    (lambda: recall_model("RNN", 5, 2), ValueError, "kind must be one of"),
    (lambda: recall_model("GRU", 5, -1), ValueError, "max_lag must be"),
    (lambda: recall_model("GRU", 5, 2, n_symbols=1), ValueError, "n_symbols must be"),
    (lambda: adding_model("LSTM", 5, units=0), ValueError, "units must be"),
    (lambda: train_memory_model(adding_model("GRU", 4), adding_problem(4, 4),
                                adding_problem(4, 4), task="add", epochs=1),
     ValueError, "task must be one of"),
    (lambda: accuracy_by_lag(recall_model("GRU", 5, 2), *recall_all_lags(4, 5, 3)),
     ValueError, "one answer per lag"),
    (lambda: accuracy_by_lag(recall_model("GRU", 5, 2), np.zeros((4, 5, 4)),
                             np.zeros(4)), ValueError, "Y must be 2-D"),
    (lambda: memory_horizon([0, 1], [1.0], 0.9), ValueError, "same length"),
    (lambda: memory_horizon([], [], 0.9), ValueError, "non-empty"),
    (lambda: finished({"stopped_early": True}), TypeError, "FitResult"),
    (lambda: compare_horizons(3, 2, margin=-1), ValueError, "margin must be"),
])
def test_chapter_helpers_reject_bad_input_clearly(call, error, message):
    with pytest.raises(error, match=message):
        call()
