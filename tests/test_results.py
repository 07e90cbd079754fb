"""seqlab.results.record: glued for the book inside a kernel, silent everywhere else."""

import subprocess
import sys

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from seqlab import results

# The project's wiring, not the companion: checked once, in the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

CELLS = [
    "import numpy as np\nfrom seqlab import results",
    "results.record('ch99_score', np.float32(0.25))",
    "results.record('ch99_epochs', np.int64(12))",
    "results.record('ch99_model', 'GRU(32) + Dense')",
    # Colab: no myst_nb. The import then fails and record must show nothing.
    "import sys\nsys.modules['myst_nb'] = None\nresults.record('ch99_hidden', 1.5)",
]


@pytest.fixture(scope="module")
def executed():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return nb


def test_in_a_kernel_record_glues_the_value_for_myst_nb_and_displays_nothing(executed):
    from myst_nb.core.variables import format_plain_text
    from myst_nb.ext.glue import extract_glue_data_cell

    glued = {}
    for cell in executed.cells[1:4]:
        # display=False: no output a reader would see, only the prefixed record.
        assert all(o.output_type == "display_data" for o in cell.outputs), cell.outputs
        glued.update(extract_glue_data_cell(cell))
        assert cell.outputs == []  # extract removes the record from what is shown
    assert set(glued) == {"ch99_score", "ch99_epochs", "ch99_model"}
    text = {key: out["data"]["text/plain"] for key, out in glued.items()}
    # Plain Python numbers, so the results page can format them; a string unquoted.
    assert text == {"ch99_score": "0.25", "ch99_epochs": "12", "ch99_model": "GRU(32) + Dense"}
    assert format_plain_text(text["ch99_score"], ".3f") == "0.250"


def test_without_myst_nb_record_shows_nothing(executed):
    assert executed.cells[4].outputs == []


def test_outside_ipython_record_prints_nothing():
    code = ("import numpy as np; from seqlab import results; "
            "assert results.record('ch01_x', np.float64(0.5)) is None; "
            "results.record('ch01_name', 'LSTM')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("key, error, words", [
    (7, TypeError, "key must be a string"),
    ("rnn_mse", ValueError, "'chNN_'"),
    ("ch1_mse", ValueError, "got 'ch1_mse'"),
    ("ch01_MSE", ValueError, "lowercase"),
    ("ch01_", ValueError, "like 'ch01_rnn16_mse'"),
])
def test_a_bad_key_is_named(key, error, words):
    with pytest.raises(error, match=words):
        results.record(key, 1.0)


@pytest.mark.parametrize("value, error, words", [
    (None, TypeError, "got NoneType"),
    (True, TypeError, "got bool"),
    (np.array([0.1, 0.2]), TypeError, "got ndarray"),
    (float("nan"), ValueError, "finite, got nan"),
    (np.float32("inf"), ValueError, "finite, got inf"),
])
def test_a_bad_value_is_named(value, error, words):
    with pytest.raises(error, match="value must be" + ".*" + words):
        results.record("ch01_x", value)
