"""seqlab: the companion package of "Processing Sequences with RNNs and CNNs".

The package is laid out by role:

- ``seqlab.datasets``: synthetic and real series (offline), with time indexes.
- ``seqlab.windows``: series to (inputs, targets) windows, splits, scaling.
- ``seqlab.baselines``: naive, seasonal naive, drift and linear autoregressive forecasters.
- ``seqlab.metrics``: MSE, MAE, MASE, per-horizon error, a last-time-step Keras metric.
- ``seqlab.backtest``: rolling-origin evaluation of any forecaster.
- ``seqlab.training``: ``fit_and_evaluate`` with early stopping and a compact display.
- ``seqlab.models``: builders for the course's models (recurrent stacks).
- ``seqlab.seq2seq``: encoder-decoder plumbing: variable-length tasks, teacher
  forcing, step-by-step decoding.
- ``seqlab.distributed``: device counts, batch checks and scenarios for several devices.
- ``seqlab.layers``: recurrent cells and convolutional blocks (one class per file).
- ``seqlab.reference``: NumPy implementations used to check Keras and to teach.
- ``seqlab.memory``: tasks that measure how far back a model remembers.
- ``seqlab.plots``: the course's figures, each returning its ``Figure``.
- ``seqlab.exercises``: checkers that explain what is wrong with an answer.

Importing seqlab quiets TensorFlow's C++ start-up log lines, which would otherwise
appear in every rendered page. It must therefore be imported before ``keras``.
"""

import os as _os

# Must be set before TensorFlow is first imported (keras imports it).
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")


# What to install for each Keras backend when its package is missing. TensorFlow is not a
# dependency of seqlab (see pyproject.toml): an environment keeps the distribution it has.
_BACKEND_PACKAGES = {
    "tensorflow": ("tensorflow", 'pip install "seqlab[tensorflow]" (or tensorflow-cpu; '
                   "tensorflow[and-cuda] for an NVIDIA GPU)"),
    "jax": ("jax", 'pip install "jax[cpu]" (or jax[cuda12] for an NVIDIA GPU)'),
    "torch": ("torch", "pip install torch"),
}


def _check_backend_installed():
    """Raise ImportError naming what to install when the Keras backend's package is missing.

    Without this check, ``import keras`` on a missing TensorFlow fails deep inside Keras
    with a bare ``No module named 'tensorflow'``.
    """
    import importlib.util

    backend = _os.environ.get("KERAS_BACKEND", "tensorflow").strip().lower()
    module, command = _BACKEND_PACKAGES.get(backend, (None, None))
    if module is not None and importlib.util.find_spec(module) is None:
        raise ImportError(
            f"seqlab runs Keras on the {backend!r} backend (KERAS_BACKEND), but the "
            f"{module!r} package is not installed. Install it with: {command}; or set "
            "KERAS_BACKEND to a backend that is installed (tensorflow, jax or torch)."
        )


def _import_keras_quietly():
    """Import keras (and TensorFlow, where installed) with file descriptor 2 muted.

    TensorFlow writes a few lines (oneDNN, CUDA stubs) to the process's stderr before
    its logging is configured, so ``TF_CPP_MIN_LOG_LEVEL`` cannot silence them. On the
    JAX and PyTorch backends keras imports TensorFlow later, when a chapter seeds
    (``keras.utils.set_random_seed`` also seeds TensorFlow) or builds a ``tf.data``
    pipeline, so it is imported here too. Import errors still propagate as exceptions.
    """
    import importlib.util
    import sys

    if "keras" in sys.modules:
        return
    saved = _os.dup(2)
    devnull = _os.open(_os.devnull, _os.O_WRONLY)
    _os.dup2(devnull, 2)
    try:
        if importlib.util.find_spec("tensorflow") is not None:
            import tensorflow  # noqa: F401
        import keras  # noqa: F401
    finally:
        _os.dup2(saved, 2)
        _os.close(saved)
        _os.close(devnull)


_check_backend_installed()
_import_keras_quietly()

from seqlab.config import QUICK, budget, is_quick, seed_everything  # noqa: E402

__version__ = "0.1.0"

__all__ = ["QUICK", "budget", "is_quick", "seed_everything", "__version__"]
