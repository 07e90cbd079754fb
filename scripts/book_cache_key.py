"""Clear the book's execution cache when the code that computed it has changed.

jupyter-cache re-executes a chapter when the chapter's code changes, but it knows nothing
of the seqlab package the chapters import, nor of the installed stack: after an edit to
``companion/`` it would keep showing outputs computed with the old package. This script
hashes what the cached outputs depend on besides the chapters themselves:

- every file of the companion package (``companion/seqlab/``, caches excluded),
- ``pyproject.toml`` and ``constraints/stack.txt`` (the installed stack),

and stores the hash in ``<build>/.jupyter_cache/.seqlab-key``. When the stored key differs
(or is missing while a cache exists), it deletes the execution cache and Sphinx's saved
doctrees and executed notebooks, so that the next ``jupyter-book build`` re-reads and
re-executes every chapter. A prose-only change to a chapter does not change the key.

Usage: python scripts/book_cache_key.py [--reset-if-changed BUILD_DIR]
(without the option it prints the key). ``make book`` runs it with ``_build``.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY_FILE = ".seqlab-key"
# What the build keeps between runs that holds outputs of executed chapters.
EXECUTION_STATE = (".jupyter_cache", ".doctrees", "jupyter_execute")


def key_inputs(root: Path = ROOT) -> list[Path]:
    """The files whose content the key covers, in a fixed order."""
    package = root / "companion" / "seqlab"
    files = [
        path
        for path in package.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in {".pyc", ".pyo"}
    ]
    files += [root / "pyproject.toml", root / "constraints" / "stack.txt"]
    return sorted(files)


def cache_key(root: Path = ROOT) -> str:
    """SHA-256 over the relative path and the bytes of every key input."""
    digest = hashlib.sha256()
    for path in key_inputs(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"(missing)")
        digest.update(b"\0")
    return digest.hexdigest()


def reset_if_changed(build: Path, root: Path = ROOT) -> bool:
    """Clear the execution state under ``build`` unless it was made with today's key.

    Returns True when something was cleared. Always leaves the current key stored.
    """
    cache = build / ".jupyter_cache"
    stored = cache / KEY_FILE
    key = cache_key(root)
    previous = stored.read_text().strip() if stored.is_file() else None
    cleared = False
    if previous != key and any((build / name).exists() for name in EXECUTION_STATE):
        for name in EXECUTION_STATE:
            shutil.rmtree(build / name, ignore_errors=True)
        cleared = True
    cache.mkdir(parents=True, exist_ok=True)
    stored.write_text(key + "\n")
    return cleared


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset-if-changed", metavar="BUILD_DIR", type=Path)
    args = parser.parse_args(argv)
    if args.reset_if_changed is None:
        print(cache_key())
        return 0
    if reset_if_changed(args.reset_if_changed):
        print(
            "companion/, pyproject.toml or constraints/stack.txt changed since the "
            f"chapters were executed: cleared the execution cache in "
            f"{args.reset_if_changed}, every chapter runs again"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
