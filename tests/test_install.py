"""Installing seqlab keeps the TensorFlow an environment has, and importing it without
the configured Keras backend says what to install. (`make check-tf-cpu` installs the
wheel next to tensorflow-cpu for real; `make colab-check` next to Colab's versions.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

# The project's wiring, not the companion: checked once, in the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

ROOT = Path(__file__).resolve().parents[1]
TENSORFLOW_DISTRIBUTIONS = re.compile(r"^(tensorflow|tf-nightly|intel-tensorflow)([-_].*)?$")


def _name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower()


def test_no_dependency_names_a_tensorflow_distribution():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [_name(r) for r in project["dependencies"]]
    assert "keras" in names
    assert not [n for n in names if TENSORFLOW_DISTRIBUTIONS.match(n)], names
    # The extra that `make` and "pip install seqlab[tensorflow]" use.
    assert [_name(r) for r in project["optional-dependencies"]["tensorflow"]] == ["tensorflow"]


def _import_without(module: str, backend: str) -> subprocess.CompletedProcess:
    code = f"import sys; sys.modules[{module!r}] = None; import seqlab"
    env = {**os.environ, "KERAS_BACKEND": backend}
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("module, backend, command", [
    ("tensorflow", "tensorflow", 'pip install "seqlab[tensorflow]"'),
    ("jax", "jax", 'pip install "jax[cpu]"'),
    ("torch", "torch", "pip install torch"),
])
def test_missing_backend_names_what_to_install(module, backend, command):
    result = _import_without(module, backend)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: seqlab runs Keras on the")
    assert f"{backend!r} backend" in last and f"the {module!r} package is not installed" in last
    assert command in last


def test_other_backend_missing_is_fine():
    """Only the configured backend is required: no PyTorch is needed on TensorFlow."""
    result = _import_without("torch", "tensorflow")
    assert result.returncode == 0, result.stderr[-2000:]
