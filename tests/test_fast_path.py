"""seqlab.layers.fast_path_report against Keras's own decisions.

On the CPU, on the active backend: a spy on ``keras.src.backend.lstm`` / ``gru`` (the
functions the LSTM and GRU layers call for a fused kernel) records whether the layer
called it and whether it ran or gave up (``NotImplementedError``, after which Keras runs
the step loop). For the GPU answers: each backend's own ``cudnn_ok`` with its GPU check
patched to True, and on TensorFlow and JAX the whole call with a GPU pretended and the
cuDNN op replaced by a recorder.
"""

import importlib

import numpy as np
import pytest

import seqlab  # noqa: F401
import keras
import keras.src.backend as keras_backend

from seqlab.layers import FastPathReport, fast_path_report

L = keras.layers
BACKEND = keras.backend.backend()
RIGHT_PADDED = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], bool)
NOT_RIGHT_PADDED = np.array([[1, 1, 1, 1, 1], [1, 0, 1, 1, 0], [1, 1, 1, 1, 0]], bool)

CONFIGS = {
    "LSTM": lambda: L.LSTM(3),
    "GRU": lambda: L.GRU(3),
    "GRU reset_after=False": lambda: L.GRU(3, reset_after=False),
    "LSTM relu": lambda: L.LSTM(3, activation="relu"),
    "GRU relu": lambda: L.GRU(3, activation="relu"),
    "LSTM hard_sigmoid": lambda: L.LSTM(3, recurrent_activation="hard_sigmoid"),
    "LSTM recurrent_dropout": lambda: L.LSTM(3, recurrent_dropout=0.2),
    "GRU recurrent_dropout": lambda: L.GRU(3, recurrent_dropout=0.2),
    "LSTM dropout": lambda: L.LSTM(3, dropout=0.2),
    "LSTM unroll": lambda: L.LSTM(3, unroll=True),
    "GRU unroll": lambda: L.GRU(3, unroll=True),
    "LSTM no bias": lambda: L.LSTM(3, use_bias=False),
    "GRU no bias": lambda: L.GRU(3, use_bias=False),
    "LSTM use_cudnn=False": lambda: L.LSTM(3, use_cudnn=False),
    "GRU use_cudnn=False": lambda: L.GRU(3, use_cudnn=False),
    "LSTM ops.tanh": lambda: L.LSTM(3, activation=keras.ops.tanh),
    "RNN(LSTMCell)": lambda: L.RNN(L.LSTMCell(3)),
    "RNN(GRUCell)": lambda: L.RNN(L.GRUCell(3)),
    "LSTM go_backwards": lambda: L.LSTM(3, go_backwards=True, return_sequences=True),
}
MASKS = {"no mask": None, "right-padded": RIGHT_PADDED, "not right-padded": NOT_RIGHT_PADDED}


def _spy(monkeypatch, name):
    """Replace keras.src.backend.<name> by a recorder that delegates to it."""
    original = getattr(keras_backend, name)
    record = {"called": False, "ran": False}

    def spy(*args, **kwargs):
        record["called"] = True
        result = original(*args, **kwargs)   # raises NotImplementedError to decline
        record["ran"] = True
        return result

    monkeypatch.setattr(keras_backend, name, spy)
    return record


def _run(layer, mask, training=False):
    x = np.random.default_rng(0).normal(size=(3, 5, 2)).astype("float32")
    kwargs = {} if mask is None else {"mask": keras.ops.convert_to_tensor(mask)}
    return layer(x, training=training, **kwargs)


@pytest.mark.parametrize("mask_name", list(MASKS))
@pytest.mark.parametrize("config", list(CONFIGS))
def test_cpu_answer_matches_what_keras_does_on_this_backend(monkeypatch, config, mask_name):
    mask = MASKS[mask_name]
    layer = CONFIGS[config]()
    record = {"lstm": _spy(monkeypatch, "lstm"), "gru": _spy(monkeypatch, "gru")}
    _run(layer, mask, training=True)
    ran_fused = any(r["ran"] for r in record.values())
    report = fast_path_report(layer, device="cpu", mask=mask)
    assert report.backend == BACKEND and report.device == "cpu"
    assert report.path in ("fused", "loop")    # never cuDNN without a GPU
    assert report.fused == ran_fused, str(report)
    if report.path == "loop" and not ran_fused:
        assert report.reasons


def test_the_cpu_paths_per_backend_are_as_documented():
    # The facts the chapter states, one line per backend.
    expected = {"tensorflow": ("loop", "loop"), "jax": ("loop", "fused"),
                "torch": ("fused", "fused")}
    for backend, (lstm, gru) in expected.items():
        assert fast_path_report(L.LSTM(3), backend=backend, device="cpu").path == lstm
        assert fast_path_report(L.GRU(3), backend=backend, device="cpu").path == gru


def _cudnn_ok_with_gpu(monkeypatch, backend, layer):
    module = importlib.import_module(f"keras.src.backend.{backend}.rnn")
    gpu_check = "_is_cuda_cudnn_available" if backend == "torch" else "_is_gpu_available"
    monkeypatch.setattr(module, gpu_check, lambda: True)
    cell = layer.cell
    args = (cell.activation, cell.recurrent_activation, layer.unroll, cell.use_bias)
    if backend == "tensorflow" and isinstance(layer, L.GRU):
        return module.cudnn_ok(*args, reset_after=cell.reset_after)
    ok = module.cudnn_ok(*args)
    if isinstance(layer, L.GRU):   # jax and torch check reset_after in gru() itself
        ok = ok and cell.reset_after and backend != "jax"
    return ok


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
@pytest.mark.parametrize("config", list(CONFIGS))
def test_gpu_answer_matches_each_backends_cudnn_ok(monkeypatch, backend, config):
    layer = CONFIGS[config]()
    report = fast_path_report(layer, backend=backend, device="gpu")
    if not isinstance(layer, (L.LSTM, L.GRU)):
        assert report.path == "loop"
        return
    layer_allows = layer.use_cudnn is not False and not layer.recurrent_dropout
    expected = layer_allows and _cudnn_ok_with_gpu(monkeypatch, backend, layer)
    assert report.uses_cudnn == bool(expected), str(report)
    assert (report.reasons == ()) == report.uses_cudnn


def _pretend_gpu(monkeypatch):
    """Make the active backend believe a GPU is there and record cuDNN calls."""
    calls = []
    if BACKEND == "tensorflow":
        module = importlib.import_module("keras.src.backend.tensorflow.rnn")
        monkeypatch.setattr(module, "_is_gpu_available", lambda: True)

        def fake(name):
            def run(inputs, initial_state, *args, **kwargs):
                calls.append(name)
                states = [initial_state] if name == "gru" else [initial_state, args[0]]
                last = states[0]
                return last, keras.ops.expand_dims(last, 1), states
            return run

        monkeypatch.setattr(module, "_cudnn_lstm", fake("lstm"))
        monkeypatch.setattr(module, "_cudnn_gru", fake("gru"))
    elif BACKEND == "jax":
        module = importlib.import_module("keras.src.backend.jax.rnn")
        monkeypatch.setattr(module, "_is_gpu_available", lambda: True)
        import jax.experimental.rnn as jax_rnn
        import jax.numpy as jnp

        def fake_lstm(inputs, h_0, c_0, weights, seq_lengths, **kwargs):
            calls.append("lstm")
            return jnp.zeros(inputs.shape[:2] + (h_0.shape[-1],)), h_0, c_0

        monkeypatch.setattr(jax_rnn, "lstm", fake_lstm)
    else:
        pytest.skip("PyTorch checks the device of the inputs: no GPU to pretend")
    return calls


@pytest.mark.parametrize("config", list(CONFIGS))
def test_gpu_answer_matches_a_pretended_gpu(monkeypatch, config):
    calls = _pretend_gpu(monkeypatch)
    layer = CONFIGS[config]()
    _run(layer, None, training=True)
    report = fast_path_report(layer, device="gpu")
    assert report.uses_cudnn == bool(calls), str(report)


def test_masks_keep_tensorflow_on_cudnn_only_when_right_padded():
    assert fast_path_report(L.LSTM(3), backend="tensorflow", mask=RIGHT_PADDED).uses_cudnn
    report = fast_path_report(L.LSTM(3), backend="tensorflow", mask=NOT_RIGHT_PADDED)
    assert report.path == "error" and "right-padded" in report.reasons[0]
    fully_masked = RIGHT_PADDED.copy()
    fully_masked[1] = False
    assert fast_path_report(L.GRU(3), backend="tensorflow", mask=fully_masked).path == "error"
    for backend in ("jax", "torch"):
        assert fast_path_report(L.LSTM(3), backend=backend, mask=RIGHT_PADDED).path == "loop"


def test_every_reason_is_named():
    layer = L.GRU(3, activation="relu", recurrent_dropout=0.1, unroll=True, use_bias=False,
                  reset_after=False)
    report = fast_path_report(layer, backend="tensorflow", device="cpu")
    text = str(report)
    for setting in ("activation=relu", "recurrent_dropout=0.1", "unroll=True",
                    "use_bias=False", "reset_after=False", "no GPU"):
        assert setting in text
    assert isinstance(report, FastPathReport) and report.path == "loop"


@pytest.mark.parametrize("call, error, message", [
    (lambda: fast_path_report(L.Dense(3)), TypeError, "layer must be a Keras recurrent"),
    (lambda: fast_path_report(L.LSTM(3), backend="numpy"), ValueError, "backend"),
    (lambda: fast_path_report(L.LSTM(3), device="tpu"), ValueError, "device"),
    (lambda: fast_path_report(L.LSTM(3), mask=np.ones(4, bool)), ValueError,
     "mask must be a 2-D boolean array"),
])
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
