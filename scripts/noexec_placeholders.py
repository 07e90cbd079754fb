"""Sphinx extension for the execution-off book build (``make test-book``) only.

Without execution a chapter's code cells have no outputs, so myst-nb makes no figure
(the ``mystnb: figure: name: fig-...`` metadata of a cell labels its *output*) and glues
no value: every ``{numref}`fig-...``` and every ``{glue:text}`chapter.md::key``` would
fail the warnings-as-errors build. This extension resolves exactly those that the
sources promise, with a placeholder, and leaves every other one to warn:

- a ``{numref}`` whose target is the ``name`` of a cell's figure metadata in some
  document of the book;
- a cross-document glue reference whose key the referenced chapter records with
  ``results.record("key", ...)``.

So a misspelt label or key still fails ``make test-book``; the executed build
(``make book``, which does not load this extension) checks the figures and values themselves.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

FIGURE_NAME = re.compile(r"^\s*name:\s*[\"']?(fig-[A-Za-z0-9_-]+)", re.MULTILINE)
RECORDED_KEY = re.compile(r"record\(\s*[\"'](ch\d\d_[a-z0-9_]+)[\"']")


def _source(env, docname: str) -> str:
    try:
        return open(env.doc2path(docname), encoding="utf-8").read()
    except OSError:
        return ""


def _figure_names(app, env) -> set[str]:
    # Kept on the app (one build), not on the pickled environment: sources change.
    names = getattr(app, "_noexec_figure_names", None)
    if names is None:
        names = set()
        for docname in env.found_docs:
            names.update(FIGURE_NAME.findall(_source(env, docname)))
        app._noexec_figure_names = names
    return names


def resolve_promised_figure(app, env, node, contnode):
    """missing-reference: a numref to a figure that only execution would create."""
    if node.get("reftype") != "numref":
        return None
    target = node.get("reftarget", "")
    if target not in _figure_names(app, env):
        return None
    return nodes.inline("", f"Fig. ({target}, not executed)")


class PromisedGlue(SphinxPostTransform):
    """Replace a cross-document glue reference whose key the chapter records."""

    default_priority = 4  # before myst-nb's ReplacePendingGlueReferences (5)

    def apply(self, **kwargs):
        from myst_nb.ext.glue.utils import PendingGlueReference

        for node in list(self.document.findall(PendingGlueReference)):
            recorded = RECORDED_KEY.findall(_source(self.env, node.refdoc))
            if node.key in recorded:
                node.replace_self(nodes.inline("", f"({node.key}, not executed)"))


def setup(app):
    app.connect("missing-reference", resolve_promised_figure)
    app.add_post_transform(PromisedGlue)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
