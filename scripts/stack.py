"""The pinned stack in constraints/stack.txt: write it from an environment, or report how
an environment drifts from it.

``make``, CI and the publish workflow install with ``pip install -c constraints/stack.txt``,
so every build uses the versions written there. The file changes only on purpose:

    python scripts/stack.py freeze                  # rewrite constraints/stack.txt from
                                                    # this interpreter's environment
    python scripts/stack.py drift [--report FILE]   # Markdown table: pinned vs installed

``freeze`` takes ``pip freeze --exclude-editable`` (seqlab itself is never pinned) and drops
local version labels (``torch==2.13.0+cpu`` becomes ``torch==2.13.0``, which the CPU build
and the default build both satisfy: the index decides which one is installed). ``drift``
always exits 0: it reports, the weekly workflow's tests decide.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "constraints" / "stack.txt"
NEVER_PINNED = {"seqlab"}

HEADER = """\
# The whole stack that `make`, CI and the publish workflow install
# (pip install -e ".[tensorflow,book,test,backends]" -c constraints/stack.txt).
# Generated, not edited by hand. Update it on purpose, in a commit of its own:
#   1. in a clean clone: make test CONSTRAINTS=    (installs the newest releases; on a
#      machine without this project's torch wheel on disk add
#      PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu for the CPU torch)
#   2. when it passes: .venv/bin/python scripts/stack.py freeze
#   3. make book, read the chapters that changed, commit this file with the result.
# The weekly workflow "newest" does step 1 and reports the drift from this file.
# Local version labels are dropped: torch==2.13.0 is satisfied by 2.13.0+cpu.
"""


def canonical(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def public_version(version: str) -> str:
    """The version without its local label: '2.13.0+cpu' -> '2.13.0'."""
    return version.split("+", 1)[0]


def parse_pins(text: str) -> dict[str, tuple[str, str]]:
    """``name==version`` lines -> {canonical name: (name as written, version)}.

    Comments, blank lines and options are skipped; any other line is an error, since a
    constraints file of this project pins exact versions only.
    """
    pins = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*(\S+)", line)
        if match is None:
            raise ValueError(
                f"line {number}: expected 'name==version', got {raw.strip()!r}"
            )
        pins[canonical(match[1])] = (match[1], match[2])
    return pins


def render_constraints(freeze_text: str) -> str:
    """The constraints file for a ``pip freeze --exclude-editable`` output."""
    pins = parse_pins(freeze_text)
    lines = [
        f"{name}=={public_version(version)}"
        for key, (name, version) in sorted(pins.items())
        if key not in NEVER_PINNED
    ]
    return HEADER + "\n".join(lines) + "\n"


@dataclass
class Drift:
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def drift(pinned: str, installed: str) -> Drift:
    """Compare a constraints file's text with a ``pip freeze`` output's text."""
    pins, now = parse_pins(pinned), parse_pins(installed)
    result = Drift()
    for key in sorted(pins.keys() | now.keys()):
        if key in NEVER_PINNED:
            continue
        if key not in now:
            result.removed.append(pins[key])
        elif key not in pins:
            result.added.append((now[key][0], public_version(now[key][1])))
        elif public_version(pins[key][1]) != public_version(now[key][1]):
            name = pins[key][0]
            result.changed.append((name, pins[key][1], public_version(now[key][1])))
    return result


def report(result: Drift) -> str:
    """Markdown: one table row per package whose version differs from the pin."""
    if not result:
        return "## Stack drift\n\nThe newest releases are the pinned ones.\n"
    lines = [
        "## Stack drift",
        "",
        f"{len(result.changed)} changed, {len(result.added)} new, "
        f"{len(result.removed)} no longer installed "
        "(constraints/stack.txt against the newest releases).",
        "",
        "| package | pinned | newest |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {old} | {new} |" for name, old, new in result.changed]
    lines += [f"| {name} | (not pinned) | {new} |" for name, new in result.added]
    lines += [f"| {name} | {old} | (not installed) |" for name, old in result.removed]
    return "\n".join(lines) + "\n"


def pip_freeze() -> str:
    return subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    freeze = commands.add_parser("freeze", help="write the constraints file")
    freeze.add_argument("--out", type=Path, default=CONSTRAINTS)
    check = commands.add_parser("drift", help="report the drift from the constraints")
    check.add_argument("--constraints", type=Path, default=CONSTRAINTS)
    check.add_argument("--report", type=Path, help="also write the report here")
    args = parser.parse_args(argv)

    if args.command == "freeze":
        text = render_constraints(pip_freeze())
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        print(f"{args.out}: {len(parse_pins(text))} packages pinned")
        return 0
    text = report(drift(args.constraints.read_text(), pip_freeze()))
    print(text, end="")
    if args.report is not None:
        args.report.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
