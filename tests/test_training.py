"""seqlab.training: early stopping, best weights restored, repeatable runs, clear errors."""

import numpy as np
import pytest

import seqlab
import keras
import inspect

from seqlab.training import DEFAULTS, FitResult, evaluate, fit_and_evaluate


def small_model(n_steps=6, seed=0, name="small"):
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [keras.Input((n_steps, 1)), keras.layers.SimpleRNN(4), keras.layers.Dense(1)], name=name
    )


def linear_data(n=96, n_steps=6, sign=1.0, seed=0):
    """y is the last value of each window (times ``sign``): learnable in a few epochs."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_steps, 1)).astype("float32")
    return X, sign * X[:, -1, :]


def test_returns_a_fit_result_with_one_value_per_epoch_and_prints_one_line(capsys):
    result = fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1), epochs=3)
    assert isinstance(result, FitResult)
    assert result.epochs_run == 3
    assert set(result.history) >= {"loss", "mae", "val_loss", "val_mae"}
    assert all(len(values) == 3 for values in result.history.values())
    assert result.best_score == min(result.history["val_mae"])
    assert result.best_epoch == 1 + int(np.argmin(result.history["val_mae"]))
    assert result.seconds > 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [result.summary()]
    assert lines[0].startswith("small: 3 epochs (best ") and "val_mae" in lines[0]
    assert repr(result) == f"FitResult({result.summary()})"


def test_epoch_seconds_has_one_time_per_epoch_and_the_median_skips_the_first():
    class SlowSecondEpoch(keras.callbacks.Callback):
        # Runs after fit_and_evaluate's own on_epoch_begin, so inside the timed epoch.
        def on_epoch_begin(self, epoch, logs=None):
            import time
            if epoch == 1:
                time.sleep(0.3)

    result = fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1),
                              epochs=4, patience=10, display=None,
                              callbacks=[SlowSecondEpoch()])
    assert len(result.epoch_seconds) == result.epochs_run == 4
    assert all(seconds > 0 for seconds in result.epoch_seconds)
    assert sum(result.epoch_seconds) <= result.seconds
    assert result.epoch_seconds[1] >= 0.3
    assert result.seconds_per_epoch == float(np.median(result.epoch_seconds[1:]))
    one = FitResult({}, 1, 0.0, 1, 1.0, epoch_seconds=(2.5,))
    assert one.seconds_per_epoch == 2.5
    assert np.isnan(FitResult({}, 0, 0.0, 0, 0.0).seconds_per_epoch)


def test_display_none_is_silent_and_progress_prints_a_few_lines(capsys):
    fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1), epochs=8, display=None)
    assert capsys.readouterr().out == ""
    fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1), epochs=8, display="progress")
    lines = capsys.readouterr().out.strip().splitlines()
    assert 3 <= len(lines) <= 6
    assert lines[0].strip().startswith("epoch 1/8:")
    assert lines[-1].startswith("small: 8 epochs")


def test_learning_reduces_the_validation_error():
    result = fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1), epochs=15,
                              learning_rate=0.01, display=None)
    assert result.history["val_mae"][-1] < result.history["val_mae"][0]


def test_best_weights_are_restored_when_validation_gets_worse():
    # The validation targets are the negated training targets: learning the training task
    # from zero weights makes the validation error grow at every epoch, so the best epoch
    # is the first and training goes on to the end.
    model = keras.Sequential([keras.Input((6, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1, kernel_initializer="zeros")])
    result = fit_and_evaluate(model, linear_data(), linear_data(seed=1, sign=-1.0), epochs=6,
                              learning_rate=0.02, patience=50, display=None)
    history = result.history["val_mae"]
    assert result.epochs_run == 6
    assert result.best_epoch == 1
    assert history[-1] > history[0] + 1e-3, "the setup should make validation worse"
    restored = evaluate(model, linear_data(seed=1, sign=-1.0))["mae"]
    assert restored == pytest.approx(result.best_score, rel=1e-4, abs=1e-6)
    assert restored != pytest.approx(history[-1], rel=1e-3)


def test_early_stopping_stops_after_patience_epochs_without_improvement():
    # With a learning rate of 0 the weights never change: the first epoch is the best
    # and nothing improves after it.
    result = fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1), epochs=50,
                              learning_rate=0.0, patience=3, display=None)
    assert result.epochs_run == 4
    assert result.best_epoch == 1
    assert result.stopped_early
    assert "stopped early" in result.summary()


def test_same_seed_gives_the_same_result_and_another_seed_a_different_one():
    def run(seed):
        model = small_model(seed=0)
        result = fit_and_evaluate(model, linear_data(), linear_data(seed=1), epochs=3,
                                  learning_rate=0.01, seed=seed, display=None)
        return result.history["loss"], model.get_weights()

    loss_a, weights_a = run(7)
    loss_b, weights_b = run(7)
    loss_c, _ = run(8)
    assert loss_a == loss_b
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)
    assert loss_a != loss_c, "a different seed shuffles the batches differently"


def test_monitor_on_val_loss_and_max_mode():
    result = fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1), epochs=2,
                              monitor="val_loss", display=None)
    assert result.best_score == min(result.history["val_loss"])
    result = fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1), epochs=3,
                              monitor="val_mae", mode="max", display=None)
    assert result.best_score == max(result.history["val_mae"])


def test_default_epochs_follow_the_quick_switch(monkeypatch):
    monkeypatch.setenv("SEQLAB_QUICK", "1")
    result = fit_and_evaluate(small_model(), linear_data(n=32), linear_data(n=32, seed=1),
                              patience=100, display=None)
    assert result.epochs_run == 5


def test_compile_false_keeps_the_models_own_compile():
    model = small_model()
    model.compile(optimizer="sgd", loss="mae", metrics=["mse"])
    result = fit_and_evaluate(model, linear_data(), linear_data(seed=1), epochs=2,
                              monitor="val_mse", compile=False, display=None)
    assert "val_mse" in result.history and "val_mae" not in result.history
    with pytest.raises(ValueError, match="monitor='val_mae' is not something the model reports"):
        fit_and_evaluate(model, linear_data(), linear_data(seed=1), epochs=2, compile=False,
                         monitor="val_mae", display=None)
    # Without a monitor, a model compiled elsewhere is watched on its validation loss.
    result = fit_and_evaluate(model, linear_data(), linear_data(seed=1), epochs=2, compile=False,
                              display=None)
    assert result.monitor == "val_loss"


@pytest.mark.parametrize(
    "train, valid, kwargs, error, message",
    [
        (np.zeros((4, 6, 1)), None, {}, TypeError, r"train must be an \(X, y\) tuple"),
        ((np.zeros((4, 6, 1)),), None, {}, TypeError, r"train must be an \(X, y\) tuple.*length 1"),
        ((np.zeros((4, 6, 1)), np.zeros((3, 1))), None, {}, ValueError, "same number of instances"),
        (None, (np.zeros((4, 6, 1)), np.zeros((5, 1))), {}, ValueError, "valid: X and y"),
        ((np.full((4, 6, 1), np.nan), np.zeros((4, 1))), None, {}, ValueError, r"train\[0\] \(X\) contains NaN"),
        (None, (np.zeros((4, 6, 1)), np.array([[0.0], [np.nan], [0.0], [0.0]])), {}, ValueError,
         r"valid\[1\] \(y\) contains NaN"),
        (None, None, {"monitor": "val_accuracy"}, ValueError, "monitor must be one of"),
        (None, None, {"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
        (None, None, {"patience": 2.5}, TypeError, "patience must be an integer"),
        (None, None, {"display": "bars"}, ValueError, "display must be one of"),
        (None, None, {"learning_rate": -1.0}, ValueError, "learning_rate must be a number >= 0"),
        (None, None, {"clipnorm": 1.0, "global_clipnorm": 1.0}, ValueError,
         "clipnorm and global_clipnorm: set at most one of them.*clipnorm=1.0 and global_clipnorm=1.0"),
        (None, None, {"clipnorm": 0.0}, ValueError, r"clipnorm must be a finite number > 0, got 0.0"),
        (None, None, {"global_clipnorm": "1"}, TypeError, "global_clipnorm must be a number > 0, got '1'"),
        (None, None, {"clipnorm": 1.0, "compile": False}, ValueError, "used only with compile=True"),
        (None, None, {"callbacks": [object()]}, TypeError,
         r"callbacks\[0\] must be a keras.callbacks.Callback, got object"),
        (None, None, {"callbacks": 3}, TypeError, "callbacks must be a list of keras.callbacks.Callback"),
    ],
)
def test_bad_inputs_raise_clear_errors(train, valid, kwargs, error, message):
    train = linear_data() if train is None else train
    valid = linear_data(seed=1) if valid is None else valid
    with pytest.raises(error, match=message):
        fit_and_evaluate(small_model(), train, valid, **{"epochs": 1, "display": None, **kwargs})


def test_evaluate_returns_floats_for_loss_and_metrics():
    model = small_model()
    model.compile(loss="mse", metrics=["mae"])
    scores = evaluate(model, linear_data())
    assert set(scores) == {"loss", "mae"}
    assert all(isinstance(value, float) for value in scores.values())
    X, y = linear_data()
    predictions = model.predict(X, verbose=0)
    assert scores["mae"] == pytest.approx(float(np.mean(np.abs(predictions - y))), rel=1e-5)


def test_signature_defaults_are_the_documented_course_defaults():
    parameters = inspect.signature(fit_and_evaluate).parameters
    for name in ("learning_rate", "clipnorm", "global_clipnorm", "batch_size",
                 "loss", "metrics", "seed"):
        assert parameters[name].default == DEFAULTS[name], name
    assert DEFAULTS["optimizer"] == "adam"
    assert parameters["patience"].default is None
    assert DEFAULTS["patience"] == "max(10, epochs // 4)"


@pytest.mark.parametrize("epochs, patience", [(20, 10), (60, 15)])
def test_the_default_patience_is_a_quarter_of_the_budget_and_at_least_10(epochs, patience):
    # With a learning rate of 0 nothing improves after the first epoch: training stops
    # after exactly `patience` more epochs.
    result = fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1),
                              epochs=epochs, learning_rate=0.0, display=None)
    assert result.stopped_early and result.best_epoch == 1
    assert result.epochs_run == 1 + patience


def test_monitor_follows_the_loss_unless_mae_is_a_metric():
    default = fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1), epochs=2,
                               display=None)
    assert default.monitor == "val_mae"
    assert default.best_score == min(default.history["val_mae"])
    no_mae = fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1), epochs=2,
                              metrics=("mse",), display=None)
    assert no_mae.monitor == "val_loss"
    assert no_mae.best_score == min(no_mae.history["val_loss"])


@pytest.mark.parametrize("setting", ["clipnorm", "global_clipnorm"])
def test_clipping_settings_reach_the_optimizer(setting):
    model = small_model()
    fit_and_evaluate(model, linear_data(), linear_data(seed=1), epochs=1, display=None,
                     **{setting: 0.5})
    other = "global_clipnorm" if setting == "clipnorm" else "clipnorm"
    assert getattr(model.optimizer, setting) == 0.5
    assert getattr(model.optimizer, other) is None
    assert isinstance(model.optimizer, keras.optimizers.Adam)


class CountBatches(keras.callbacks.Callback):
    """Counts the training batches run in each epoch (a callback passed by the caller)."""

    def __init__(self):
        super().__init__()
        self.per_epoch = []

    def on_epoch_begin(self, epoch, logs=None):
        self.per_epoch.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.per_epoch[-1] += 1


class BlowUp(keras.callbacks.Callback):
    """Sets every weight to 1e30 before batch ``batch`` of epoch ``epoch`` (counted from 0):
    the squared error then overflows float32, so the loss becomes inf or NaN there."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_begin(self, batch, logs=None):
        if self.current == self.epoch and batch == self.batch:
            self.model.set_weights([np.full_like(w, 1e30) for w in self.model.get_weights()])


@pytest.mark.parametrize("xla_min_steps", [10**9, 1], ids=["short run", "XLA run"])
def test_extra_callbacks_run_and_see_every_batch(monkeypatch, xla_min_steps):
    # An XLA run on TensorFlow would run several steps per call; not with callbacks.
    monkeypatch.setattr(training, "XLA_MIN_STEPS", xla_min_steps)
    counter = CountBatches()
    fit_and_evaluate(small_model(), linear_data(n=96), linear_data(seed=1), epochs=2,
                     batch_size=32, callbacks=[counter], display=None)
    assert counter.per_epoch == [3, 3]


def test_a_run_that_diverges_mid_epoch_stops_there_and_keeps_the_best_weights(capsys):
    model = small_model()
    counter = CountBatches()
    kept = {}

    class KeepWeights(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            kept[epoch + 1] = [w.copy() for w in self.model.get_weights()]

    result = fit_and_evaluate(model, linear_data(n=320), linear_data(seed=1), epochs=10,
                              batch_size=32, learning_rate=0.01,
                              callbacks=[BlowUp(epoch=2, batch=4), counter, KeepWeights()])
    assert result.diverged and result.diverged_at == 3
    assert counter.per_epoch == [10, 10, 5], "training stops at the batch whose loss is not finite"
    assert result.epochs_run == 3
    assert not np.isfinite(result.history["loss"][-1])
    assert result.best_epoch in (1, 2)
    assert result.best_score == min(result.history["val_mae"][:2])
    for restored, best in zip(model.get_weights(), kept[result.best_epoch]):
        np.testing.assert_array_equal(restored, best)
    assert evaluate(model, linear_data(seed=1))["mae"] == pytest.approx(result.best_score, rel=1e-4)
    line = capsys.readouterr().out.strip()
    assert line == result.summary()
    assert line.endswith(", diverged at epoch 3")
    assert "FitResult(" in repr(result) and "diverged at epoch 3" in repr(result)


def test_a_hand_set_huge_weight_diverges_in_the_first_epoch_and_keeps_the_initial_weights():
    model = keras.Sequential([keras.Input((6, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(1e30))],
                             name="huge")
    initial = [w.copy() for w in model.get_weights()]
    result = fit_and_evaluate(model, linear_data(), linear_data(seed=1), epochs=5, display=None)
    assert result.diverged and result.diverged_at == 1
    assert result.epochs_run == 1 and result.best_epoch == 0
    assert np.isnan(result.best_score)
    for restored, start in zip(model.get_weights(), initial):
        np.testing.assert_array_equal(restored, start)
    assert result.summary().startswith("huge: 1 epochs (best 0), no finite val_mae")
    assert result.summary().endswith("diverged at epoch 1")


def test_a_run_that_does_not_diverge_says_so():
    result = fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1), epochs=2,
                              display=None)
    assert result.diverged is False and result.diverged_at is None
    assert "diverged" not in result.summary()


# ----------------------------------------------------------------------------- gradients_of

from seqlab.reference import numerical_gradient, simple_rnn_forward  # noqa: E402
from seqlab.training import gradients_of, time_forward  # noqa: E402


def rnn_and_data(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((5, 2)), keras.layers.SimpleRNN(3), keras.layers.Dense(2)])
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(6, 5, 2)).astype("float32")
    y = rng.normal(size=(6, 2)).astype("float32")
    return model, X, y


def numpy_loss(weights, X, y):
    """The same model's MSE, in float64 NumPy (seqlab.reference's forward pass)."""
    kernel, recurrent_kernel, bias, dense_kernel, dense_bias = weights
    last = simple_rnn_forward(X.astype(np.float64), kernel, recurrent_kernel, bias)
    return float(np.mean((last @ dense_kernel + dense_bias - y) ** 2))


def test_gradients_of_a_model_match_finite_differences():
    model, X, y = rnn_and_data()
    before = [w.copy() for w in model.get_weights()]
    grads = gradients_of(model, X, y)
    weights = [w.astype(np.float64) for w in before]
    assert len(grads) == len(model.trainable_weights) == 5
    for i, grad in enumerate(grads):
        def loss_at(value, i=i):
            return numpy_loss([value if j == i else w for j, w in enumerate(weights)], X, y)
        expected = numerical_gradient(loss_at, weights[i])
        assert isinstance(grad, np.ndarray) and grad.shape == weights[i].shape
        np.testing.assert_allclose(grad, expected, rtol=1e-3, atol=1e-5)
    for after, start in zip(model.get_weights(), before):
        np.testing.assert_array_equal(after, start)


def test_gradients_of_uses_the_loss_it_is_given():
    model, X, y = rnn_and_data(1)
    mse = gradients_of(model, X, y, loss="mse")
    mae = gradients_of(model, X, y, loss="mae")
    # The loss is the mean over the 6 instances and the 2 outputs, so the Dense bias
    # gradient is the mean over instances of sign(error) / 2 (MAE) or 2 error / 2 (MSE).
    predictions = keras.ops.convert_to_numpy(model(X))
    np.testing.assert_allclose(mae[-1], np.mean(np.sign(predictions - y), axis=0) / 2, atol=1e-6)
    np.testing.assert_allclose(mse[-1], np.mean(predictions - y, axis=0), rtol=1e-4, atol=1e-6)


def test_gradients_of_a_function_of_arrays_match_finite_differences():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(3, 4)).astype("float32")
    b = rng.normal(size=(4,)).astype("float32")
    unused = np.ones(2, "float32")

    def function(a, b, unused):
        return keras.ops.sum(keras.ops.tanh(keras.ops.matmul(a, b)) ** 2)

    grad_a, grad_b, grad_unused = gradients_of(function, [a, b, unused])
    f64 = lambda a_, b_: float(np.sum(np.tanh(a_ @ b_) ** 2))  # noqa: E731
    np.testing.assert_allclose(grad_a, numerical_gradient(lambda v: f64(v, b.astype(float)), a),
                               rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(grad_b, numerical_gradient(lambda v: f64(a.astype(float), v), b),
                               rtol=1e-3, atol=1e-5)
    np.testing.assert_array_equal(grad_unused, np.zeros(2))


@pytest.mark.parametrize("call, error, match", [
    (lambda m, X, y: gradients_of(m, X), TypeError, "y, the targets, is missing"),
    (lambda m, X, y: gradients_of(m, X, y[:3]), ValueError, "same number of instances"),
    (lambda m, X, y: gradients_of(m, np.full_like(X, np.nan), y), ValueError, "X contains NaN"),
    (lambda m, X, y: gradients_of(keras.ops.sum, [X], y), TypeError, "takes no y"),
    (lambda m, X, y: gradients_of(keras.ops.sum, X), TypeError, "arrays must be a list of arrays"),
    (lambda m, X, y: gradients_of("model", X, y), TypeError, "needs a Keras model or a function"),
])
def test_gradients_of_bad_input(call, error, match):
    model, X, y = rnn_and_data()
    with pytest.raises(error, match=match):
        call(model, X, y)


# ----------------------------------------------------------------------------- time_forward

def test_time_forward_warms_up_once_per_shape_then_times_every_batch():
    model, X, _ = rnn_and_data()
    calls = []
    original = model.predict_on_batch

    def recording(batch):
        calls.append(len(batch))
        return original(batch)

    model.predict_on_batch = recording
    seconds = time_forward(model, np.concatenate([X, X[:4]]), repeats=3, batch_size=4)  # 10 rows
    assert calls[:2] == [4, 2], "one warm-up call per batch shape, before timing"
    assert calls[2:] == [4, 4, 2] * 3
    assert isinstance(seconds, float) and seconds > 0
    calls.clear()
    time_forward(model, X, repeats=2)
    assert calls == [6, 6, 6]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"repeats": 0}, ValueError, "repeats must be an integer >= 1"),
    ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1"),
    ({"inputs": np.zeros((0, 5, 2))}, ValueError, "at least one instance"),
    ({"model": "rnn"}, TypeError, "model must be a keras.Model"),
])
def test_time_forward_bad_input(kwargs, error, match):
    model, X, _ = rnn_and_data()
    arguments = {"model": model, "inputs": X, **kwargs}
    with pytest.raises(error, match=match):
        time_forward(arguments.pop("model"), arguments.pop("inputs"), **arguments)


# ----------------------------------------------------------------------------- speed settings

import warnings  # noqa: E402

from seqlab import training  # noqa: E402
from seqlab.config import is_fast  # noqa: E402
from seqlab.training import XLA_MIN_STEPS, speed_settings  # noqa: E402

ON_TENSORFLOW = keras.backend.backend() == "tensorflow"


class RecordJit(keras.callbacks.Callback):
    """Records the model's jit_compile setting while it trains."""

    def on_train_begin(self, logs=None):
        self.jit = self.model.jit_compile


def gru_model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((6, 1)), keras.layers.GRU(4), keras.layers.Dense(1)],
                            name="gru")


def train_with(fast, build=gru_model, epochs=4):
    model = build()
    record = RecordJit()
    result = fit_and_evaluate(model, linear_data(), linear_data(seed=1), epochs=epochs,
                              learning_rate=0.01, display=None, fast=fast,
                              callbacks=[record])
    return model, result, record.jit


def assert_same_run(a, b):
    (model_a, result_a, _), (model_b, result_b, _) = a, b
    assert result_a.epochs_run == result_b.epochs_run
    assert result_a.best_epoch == result_b.best_epoch
    for key in ("loss", "val_loss", "val_mae"):
        np.testing.assert_allclose(result_a.history[key], result_b.history[key],
                                   rtol=1e-4, atol=1e-6)
    for weight_a, weight_b in zip(model_a.get_weights(), model_b.get_weights()):
        np.testing.assert_allclose(weight_a, weight_b, rtol=1e-4, atol=1e-5)
    X = linear_data(n=40, seed=2)[0]
    np.testing.assert_allclose(predict_numpy(model_a, X), predict_numpy(model_b, X),
                               rtol=1e-4, atol=1e-5)


from seqlab.forecasting import predict_numpy  # noqa: E402


def test_fast_settings_give_the_same_numbers_as_keras_defaults(monkeypatch):
    # XLA_MIN_STEPS lowered so that this short run is compiled with XLA on TensorFlow.
    monkeypatch.setattr(training, "XLA_MIN_STEPS", 1)
    fast = train_with(True)
    plain = train_with(False)
    if ON_TENSORFLOW:
        assert fast[2] is True and plain[2] is False, "XLA with fast=True, Keras's default not"
        assert fast[0].jit_compile is False, "predictions after an XLA run are not XLA-compiled"
    else:  # Keras's own choice on both: XLA on JAX, none on PyTorch
        assert fast[2] == plain[2] == (keras.backend.backend() == "jax")
    assert_same_run(fast, plain)


def test_several_steps_per_call_give_the_same_numbers_and_predictions_use_defaults(
        monkeypatch):
    monkeypatch.setattr(training, "XLA_MIN_STEPS", 1)
    compiled_with = []

    def build():
        model = gru_model()
        compile_model = model.compile

        def recording_compile(**kwargs):
            compiled_with.append({key: kwargs[key]
                                  for key in ("jit_compile", "steps_per_execution")})
            compile_model(**kwargs)

        model.compile = recording_compile
        return model

    def run(fast):
        model = build()
        result = fit_and_evaluate(model, linear_data(n=100), linear_data(seed=1),
                                  epochs=4, learning_rate=0.01, display=None, fast=fast)
        return model, result, None

    fast, plain = run(True), run(False)
    if ON_TENSORFLOW:  # 100 windows, batch 32: 4 steps an epoch, all in one call
        assert compiled_with == [{"jit_compile": True, "steps_per_execution": 4},
                                 {"jit_compile": "auto", "steps_per_execution": 1}]
        model = fast[0]
        assert model.steps_per_execution == 1 and model.jit_compile is False
    else:
        assert compiled_with[0] == compiled_with[1]
    assert_same_run(fast, plain)


def test_xla_is_used_only_for_runs_of_at_least_xla_min_steps():
    model = gru_model()
    steps_per_epoch = 4  # 100 instances, batch 32
    enough = -(-XLA_MIN_STEPS // steps_per_epoch)
    long_run = speed_settings(model, 100, epochs=enough, batch_size=32, fast=True)
    short_run = speed_settings(model, 100, epochs=enough - 1, batch_size=32, fast=True)
    assert short_run == {"jit_compile": "auto", "steps_per_execution": 1}
    if ON_TENSORFLOW:  # several steps per call, at most an epoch's
        assert long_run == {"jit_compile": True, "steps_per_execution": steps_per_epoch}
        many = speed_settings(model, 3200, epochs=enough, batch_size=32, fast=True)
        assert many["steps_per_execution"] == training.XLA_STEPS_PER_CALL < 100
    else:
        assert long_run == short_run
    assert speed_settings(model, 100, epochs=enough, fast=False) == short_run


def test_seqlab_fast_0_turns_the_speed_settings_off(monkeypatch):
    monkeypatch.setattr(training, "XLA_MIN_STEPS", 1)
    monkeypatch.delenv("SEQLAB_FAST", raising=False)
    assert is_fast() is True
    assert speed_settings(gru_model(), 100, epochs=1)["jit_compile"] is (
        True if ON_TENSORFLOW else "auto")
    monkeypatch.setenv("SEQLAB_FAST", "0")
    assert is_fast() is False
    assert speed_settings(gru_model(), 100, epochs=1)["jit_compile"] == "auto"
    _, _, jit = train_with(None)
    assert jit == (keras.backend.backend() == "jax"), "Keras's own choice: XLA on JAX only"
    assert speed_settings(gru_model(), 100, epochs=1, fast=True)["jit_compile"] is (
        True if ON_TENSORFLOW else "auto"), "an explicit fast=True wins over the variable"


class NoJitDense(keras.layers.Dense):
    """A layer that declares it cannot be compiled with XLA."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.supports_jit = False


def no_jit_model(seed=0):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((6, 1)), keras.layers.GRU(4), NoJitDense(1)])


def test_a_model_that_declares_no_xla_trains_without_it_and_without_warnings(monkeypatch):
    monkeypatch.setattr(training, "XLA_MIN_STEPS", 1)
    assert speed_settings(no_jit_model(), 100, epochs=1, fast=True)["jit_compile"] == "auto"
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # Keras warns when it turns XLA off
        fast = train_with(True, build=no_jit_model)
    assert fast[2] is False, "a layer without XLA support: no XLA on any backend"
    assert_same_run(fast, train_with(False, build=no_jit_model))


@pytest.mark.skipif(not ON_TENSORFLOW, reason="tf.numpy_function exists on TensorFlow only")
def test_a_model_xla_cannot_compile_is_trained_again_without_xla(monkeypatch, capfd):
    import tensorflow as tf

    monkeypatch.setattr(training, "XLA_MIN_STEPS", 1)

    class NumpyScale(keras.layers.Layer):  # runs NumPy code: XLA cannot compile it
        def call(self, x):
            y = tf.numpy_function(lambda a: (a * 0.5).astype("float32"), [x], tf.float32)
            return tf.reshape(y, tf.shape(x))

    def build(seed=0):
        keras.utils.set_random_seed(seed)
        return keras.Sequential([keras.Input((6, 1)), NumpyScale(), keras.layers.GRU(4),
                                 keras.layers.Dense(1)])

    capfd.readouterr()
    fast = train_with(True, build=build)
    assert fast[2] is False, "the run that finished was trained without XLA"
    assert capfd.readouterr().err == "", "the failed XLA compile leaves nothing on stderr"
    assert_same_run(fast, train_with(False, build=build))


@pytest.mark.parametrize("fast", ["yes", 1, 0.0])
def test_fast_must_be_a_bool_or_none(fast):
    with pytest.raises(TypeError, match=r"fast must be True, False or None .* got"):
        fit_and_evaluate(small_model(), linear_data(), linear_data(seed=1), epochs=1,
                         display=None, fast=fast)


def test_speed_settings_bad_input(monkeypatch):
    model = gru_model()
    with pytest.raises(TypeError, match="model must be a keras.Model, got str"):
        speed_settings("gru", 10, epochs=1)
    with pytest.raises(ValueError, match="n_train"):
        speed_settings(model, 0, epochs=1)
    with pytest.raises(ValueError, match="epochs"):
        speed_settings(model, 10, epochs=0)
    with pytest.raises(TypeError, match="fast must be True, False or None"):
        speed_settings(model, 10, epochs=1, fast="on")
    monkeypatch.setenv("SEQLAB_FAST", "maybe")
    with pytest.raises(ValueError, match="SEQLAB_FAST must be one of .* got 'maybe'"):
        speed_settings(model, 10, epochs=1)
