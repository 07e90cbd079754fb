"""constraints/stack.txt and scripts/stack.py: the pinned stack and its drift report."""

import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import stack  # noqa: E402

# The project's wiring, not the companion: checked once, in the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

FREEZE = """\
Jinja2==3.1.6
keras==3.15.1
torch==2.13.0+cpu
typing_extensions==4.16.0
"""


def test_render_drops_local_labels_and_sorts_and_keeps_the_header():
    text = stack.render_constraints(FREEZE + "seqlab==0.1.0\n")
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body == [
        "Jinja2==3.1.6",
        "keras==3.15.1",
        "torch==2.13.0",
        "typing_extensions==4.16.0",
    ]
    assert text.startswith(stack.HEADER)


def test_parse_pins_normalises_names_and_skips_comments():
    pins = stack.parse_pins("# a comment\n\nTyping_Extensions==4.16.0  # why\n-c x\n")
    assert pins == {"typing-extensions": ("Typing_Extensions", "4.16.0")}


def test_parse_pins_rejects_a_line_that_is_no_exact_pin():
    with pytest.raises(ValueError, match=r"line 2: expected 'name==version'.*keras>=3"):
        stack.parse_pins("numpy==2.4.6\nkeras>=3\n")


def test_drift_names_changed_new_and_removed_packages():
    newest = "jinja2==3.2.0\nkeras==3.15.1\ntorch==2.13.0+cpu\nrich==15.0.0\n"
    result = stack.drift(stack.render_constraints(FREEZE), newest)
    assert result.changed == [("Jinja2", "3.1.6", "3.2.0")]
    assert result.added == [("rich", "15.0.0")]
    assert result.removed == [("typing_extensions", "4.16.0")]
    text = stack.report(result)
    assert "| Jinja2 | 3.1.6 | 3.2.0 |" in text
    assert "| rich | (not pinned) | 15.0.0 |" in text
    assert "1 changed, 1 new, 1 no longer installed" in text


def test_no_drift_when_the_newest_are_the_pinned():
    result = stack.drift(stack.render_constraints(FREEZE), FREEZE)
    assert not result
    assert "are the pinned ones" in stack.report(result)


def test_constraints_pin_every_requirement_that_make_installs():
    """A new dependency in pyproject.toml needs a pin (python scripts/stack.py freeze)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    requirements = project["dependencies"] + [
        requirement
        for extra in ("tensorflow", "book", "test", "backends")
        for requirement in extras.get(extra, [])
    ]
    names = {
        stack.canonical(re.match(r"[A-Za-z0-9._-]+", requirement)[0])
        for requirement in requirements
    }
    pins = stack.parse_pins((ROOT / "constraints" / "stack.txt").read_text())
    assert not names - pins.keys(), f"not pinned in constraints/stack.txt: {names - pins.keys()}"
