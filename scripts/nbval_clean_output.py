"""pytest plugin for the chapter run: a cell that writes to stderr fails.

nbval's lax mode (``--nbval-lax``) only checks that cells run without an error. The
rendered book must also be free of warnings and library log lines, and those reach a
notebook as output on stderr. ``make book`` catches them at full size (``stderr_output:
remove-warn`` with warnings as errors); this plugin catches them in ``make test`` at the
quick size, with the cell's stderr in the failure message.

Loaded by the Makefile with ``-p nbval_clean_output`` (``scripts/`` on ``PYTHONPATH``).
"""

import pytest


def stderr_text(outputs) -> str:
    """The text that a cell's outputs wrote to stderr ('' when none)."""
    return "".join(
        output.get("text", "")
        for output in outputs or ()
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    text = stderr_text(getattr(item, "test_outputs", None))
    if text.strip():
        pytest.fail(
            "the cell wrote to stderr, which would show in the rendered page "
            f"(a warning or a library log line):\n{text[:2000]}",
            pytrace=False,
        )
    return result
