"""Sphinx extension: re-read the pages that summarise other pages.

The results page pastes values glued in the chapters (``{glue:text}`` with
``path::key``) and the reproducibility page shows every chapter's execution time
(``{nb-exec-table}``). Sphinx re-reads only the sources that changed, so after a
chapter is re-executed those two pages would keep the chapter's old numbers. This
extension marks them outdated whenever any other page is read again.
"""

from __future__ import annotations

SUMMARY_PAGES = ("book/results", "book/reproducibility")


def summaries_to_reread(app, env, added, changed, removed):
    """Sphinx ``env-get-outdated`` handler: the summary pages, if anything changed."""
    if not (added or changed or removed):
        return []
    return [name for name in app.config.summary_pages if name in env.found_docs]


def setup(app):
    app.add_config_value("summary_pages", list(SUMMARY_PAGES), "env")
    app.connect("env-get-outdated", summaries_to_reread)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
