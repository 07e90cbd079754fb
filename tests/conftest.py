"""Shared test set-up.

The suite runs once per Keras backend (``make test`` sets ``KERAS_BACKEND`` to
tensorflow, jax and torch in turn). seqlab is imported first so that TensorFlow's
start-up log lines stay quiet.
"""

import os

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # no display in tests; chapters keep Jupyter's inline backend

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# On JAX every train, test and predict step is compiled by XLA, and most of the JAX pass
# is compilation: many tests build the same small models. JAX's compilation cache (keyed
# on the compiled program, so a hit runs the same code) serves the repeats within a run,
# the scenario subprocesses (they inherit the environment) and the next run. Set before
# Keras imports JAX; the other backends ignore it.
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR",
                      os.path.join(ROOT, ".pytest_cache", "jax-compilation"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")

import seqlab  # noqa: F401  (before keras: quiets TensorFlow's start-up lines)
import keras

FIXTURES = os.path.join(ROOT, "tests", "fixtures")


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend {keras.backend.backend()}"


def pytest_collection_modifyitems(config, items):
    """Run the ``backend_independent`` tests (the project's wiring: workflows,
    notebooks, constraints) in the TensorFlow pass only; the other passes skip
    them, saying where they ran."""
    if keras.backend.backend() == "tensorflow":
        return
    once = pytest.mark.skip(reason="backend-independent: runs in the TensorFlow pass")
    for item in items:
        if item.get_closest_marker("backend_independent"):
            item.add_marker(once)


@pytest.fixture(autouse=True)
def _seeded():
    """Every test starts from the same seeds, so failures repeat."""
    seqlab.seed_everything(1234)
    yield


@pytest.fixture
def backend():
    return keras.backend.backend()


@pytest.fixture
def rng():
    return np.random.default_rng(0)
