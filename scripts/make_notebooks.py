"""Write one Jupyter notebook per chapter, ready for Colab, into _build/notebooks/.

The chapters are MyST-Markdown Jupytext notebooks. Each generated notebook:

- starts with a setup cell that installs seqlab from the repository when it runs in
  Colab and does nothing elsewhere; it is tagged ``skip-execution`` and ``nbval-skip``
  so that neither the book nor nbval runs it;
- shows the "Open in Colab" badge as plain Markdown, since Colab does not know the
  book's ``colab-badge`` directive.

nbval executes these same files, so CI tests what Colab users open.

Usage: python scripts/make_notebooks.py [--out DIR] [CHAPTER.md ...]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from colab_badge import BADGE_IMAGE, colab_url  # noqa: E402

SETUP_TAGS = ["skip-execution", "nbval-skip", "colab-setup"]
BADGE_DIRECTIVE = re.compile(r"```\{colab-badge\}\s*\n```")


def read_book_config(root: Path = ROOT) -> dict:
    with open(root / "_config.yml") as handle:
        return yaml.safe_load(handle)


def setup_cell_source(repository_url: str, branch: str) -> str:
    package = f"seqlab @ git+{repository_url.rstrip('/')}.git@{branch}"
    return (
        "# Colab only: install the course's companion package. Elsewhere this does nothing.\n"
        "import sys\n"
        "if \"google.colab\" in sys.modules:\n"
        f"    %pip install --quiet \"{package}\""
    )


def to_colab_notebook(chapter: Path, config: dict) -> nbformat.NotebookNode:
    repository_url = config["repository"]["url"]
    branch = config["repository"].get("branch", "main")
    notebooks_branch = config["sphinx"]["config"]["colab_notebooks_branch"]
    notebook = jupytext.read(chapter)
    badge_url = colab_url(repository_url, notebooks_branch, chapter.stem + ".ipynb")
    badge = f"[![Open In Colab]({BADGE_IMAGE})]({badge_url})"
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = BADGE_DIRECTIVE.sub(badge, cell.source)
    setup = nbformat.v4.new_code_cell(setup_cell_source(repository_url, branch))
    setup.metadata["tags"] = list(SETUP_TAGS)
    notebook.cells.insert(0, setup)
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python",
    }
    notebook.metadata.setdefault("colab", {})["provenance"] = []
    return notebook


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "notebooks")
    args = parser.parse_args(argv)
    chapters = args.chapters or sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
    if not chapters:
        parser.error("no chapters found")
    config = read_book_config()
    args.out.mkdir(parents=True, exist_ok=True)
    for chapter in chapters:
        notebook = to_colab_notebook(chapter, config)
        target = args.out / (chapter.stem + ".ipynb")
        nbformat.write(notebook, target)
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
