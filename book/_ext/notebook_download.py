"""Sphinx extension: a ".ipynb" entry in every chapter's download menu.

sphinx-book-theme offers the executed notebook for download only when a launch button
(Binder, JupyterHub, Colab, Thebe) is configured, and this book configures none: each
chapter carries its own Colab badge instead (``colab_badge.py``). This extension does
the theme's copy itself: the notebook that myst-nb wrote for the page (with its outputs
when the book is executed) goes to ``_sources/`` and the theme's download menu links it.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def notebook_for_download(app, pagename, templatename, context, doctree):
    if doctree is None or "kernelspec" not in app.env.metadata.get(pagename, {}):
        return
    outdir = Path(app.outdir)
    executed = outdir.parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = outdir / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    # Before sphinx-book-theme builds the header buttons (priority 501).
    app.connect("html-page-context", notebook_for_download, priority=500)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
