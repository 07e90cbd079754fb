"""Where the built site is, and its pages (shared by conftest.py and the tests)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = os.environ.get("SEQLAB_SITE", "")


def site_dir() -> Path:
    path = Path(SITE)
    if not path.is_absolute():
        path = ROOT / path
    return path


def site_pages() -> list[str]:
    """Every HTML page of the built site, as paths relative to its root."""
    root = site_dir()
    if not (root / "index.html").is_file():
        raise pytest.UsageError(
            f"SEQLAB_SITE={SITE!r}: no built book there ({root / 'index.html'} is "
            "missing); build it first with make test-book (execution off) or make book."
        )
    pages = sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*.html")
        if "_static" not in path.relative_to(root).parts
        and "_sources" not in path.relative_to(root).parts
    )
    return pages
