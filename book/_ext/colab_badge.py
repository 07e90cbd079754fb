"""Sphinx extension: the ``colab-badge`` directive.

A chapter writes::

    ```{colab-badge}
    ```

and the book shows an "Open in Colab" badge that links the chapter's generated notebook
on the branch that the publish workflow fills. The link is derived from
``repository.url`` in ``_config.yml`` (Jupyter Book passes it to Sphinx as the theme
option ``repository_url``), so changing the repository changes every badge.
``scripts/make_notebooks.py`` uses :func:`colab_url` too, for the badge inside the notebook.
"""

from __future__ import annotations

from pathlib import PurePosixPath

try:
    from docutils import nodes
    from sphinx.util.docutils import SphinxDirective
except ImportError:  # scripts/make_notebooks.py, in a venv without Sphinx: colab_url only
    nodes = None
    SphinxDirective = object

BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
# The book shows a local copy (a path from the book's root, which Sphinx copies into
# _images/): the remote image is a broken image on a book read offline.
BOOK_BADGE_IMAGE = "/book/_static/colab-badge.svg"


def colab_url(repository_url: str, branch: str, notebook_name: str) -> str:
    """Colab link for ``notebook_name`` on ``branch`` of a GitHub repository."""
    prefix = "https://github.com/"
    if not repository_url.startswith(prefix):
        raise ValueError(f"repository.url must start with {prefix!r}, got {repository_url!r}")
    owner_repo = repository_url[len(prefix):].strip("/")
    if owner_repo.endswith(".git"):
        owner_repo = owner_repo[:-4]
    return f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{notebook_name}"


class ColabBadge(SphinxDirective):
    has_content = False

    def run(self):
        config = self.env.config
        repository_url = (config.html_theme_options or {}).get("repository_url", "")
        if not repository_url:
            raise self.error("colab-badge needs repository.url in _config.yml")
        name = PurePosixPath(self.env.docname).name + ".ipynb"
        url = colab_url(repository_url, config.colab_notebooks_branch, name)
        image = nodes.image(uri=BOOK_BADGE_IMAGE, alt="Open In Colab")
        reference = nodes.reference("", "", image, refuri=url, classes=["colab-badge"])
        return [nodes.paragraph("", "", reference)]


def setup(app):
    app.add_config_value("colab_notebooks_branch", "notebooks", "html")
    app.add_directive("colab-badge", ColabBadge)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
