"""Sphinx extension: drop the Thebe launcher's scripts from every page.

Jupyter Book 1 always loads ``sphinx_thebe``, and its start-up script is added twice,
so every page shows the JavaScript error ``THEBE_JS_URL has already been declared``.
This book runs code in Colab, not with Thebe (``launch_buttons.thebe: false``), so the
scripts are removed instead of patched.
"""

from __future__ import annotations


def _is_thebe_script(script) -> bool:
    filename = getattr(script, "filename", None) or str(script)
    body = (getattr(script, "attributes", None) or {}).get("body", "")
    return "thebe" in (filename or "") or "THEBE_JS_URL" in body


def drop_thebe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if not _is_thebe_script(s)]


def setup(app):
    app.connect("html-page-context", drop_thebe_scripts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
