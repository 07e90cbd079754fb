"""The Colab notebooks that scripts/make_notebooks.py writes: plain Markdown only, the
setup cell installing the exact ref and keeping Colab's TensorFlow, Keras and NumPy,
solutions hidden but runnable, code cells unchanged (nbval runs these same files)."""

from __future__ import annotations

import importlib.metadata
import re
import sys
import textwrap
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import make_notebooks as mn  # noqa: E402

# The project's wiring, not the companion: checked once, in the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

REF = "0123456789abcdef0123456789abcdef01234567"
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md"))
# Anything MyST that Colab would show as raw text.
MYST_LEFT = [
    re.compile(r"\{[A-Za-z][\w:+.-]*\}`"),                    # a role
    re.compile(r"^\s*(`{3,}|:{3,})\s*\{", re.M),              # a directive fence
    re.compile(r"^\s*\([^()\s]+\)=\s*$", re.M),               # a target
    re.compile(r"^\s*:(label|class|name|caption|alt):", re.M),  # directive options
]
TITLE_LINE = re.compile(r"^#@title Solution to Exercise (\d+\.)?\d+ .*\n")
FORM_TITLE = re.compile(r'^#@title .* \{ display-mode: "form" \}\n')


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory):
    out = tmp_path_factory.mktemp("notebooks")
    assert mn.main(["--out", str(out), "--ref", REF]) == 0
    return {path.stem: nbformat.read(path, as_version=4) for path in sorted(out.glob("*.ipynb"))}


def test_one_notebook_per_chapter(notebooks):
    assert sorted(notebooks) == [path.stem for path in CHAPTERS]


@pytest.mark.parametrize("chapter", [path.stem for path in CHAPTERS])
def test_no_myst_survives(notebooks, chapter):
    for index, cell in enumerate(notebooks[chapter].cells):
        if cell.cell_type != "markdown":
            continue
        for pattern in MYST_LEFT:
            match = pattern.search(cell.source)
            assert match is None, (
                f"{chapter} cell {index} still has MyST: "
                f"{cell.source[max(0, match.start() - 60):match.end() + 60]!r}")


def _source_code_cells(chapter: Path) -> list[str]:
    return [c.source for c in jupytext.read(chapter).cells if c.cell_type == "code"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_unchanged_and_solutions_hidden(notebooks, chapter):
    notebook = notebooks[chapter.stem]
    setup, *cells = notebook.cells
    assert "colab-setup" in setup.metadata["tags"]
    code = [c for c in cells if c.cell_type == "code"]
    plain = [FORM_TITLE.sub("", c.source, count=1) for c in code]
    assert plain == _source_code_cells(chapter), "a code cell's code changed"

    text = chapter.read_text(encoding="utf-8")
    n_solutions = len(re.findall(r"^```\{solution-start\}", text, re.M))
    n_exercises = len(re.findall(r"^```\{exercise-start\}", text, re.M))
    hidden = [c for c in code if TITLE_LINE.match(c.source)]
    for cell in hidden:
        assert cell.metadata["cellView"] == "form"
        assert cell.metadata["jupyter"]["source_hidden"] is True
    titles = {TITLE_LINE.match(c.source).group(0).split("{")[0].strip() for c in hidden}
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    summaries = set(re.findall(r"<summary>(Solution to Exercise [\d.]+)", markdown))
    # Every solution is hidden: its code in a form, its text in a <details> block.
    assert len({t.removeprefix("#@title ") for t in titles} | summaries) == n_solutions
    headings = re.findall(r"^### Exercise (\d+\.\d+|\d+)", markdown, re.M)
    assert len(headings) == n_exercises
    # No solution code is left in plain view: the visible code cells are exactly the
    # source's code cells outside solution regions.
    visible = [FORM_TITLE.sub("", c.source, count=1) for c in code if c not in hidden]
    assert visible == _code_outside_solutions(chapter)
    # Cells the book hides are collapsed in Colab too.
    for cell in code:
        if set(cell.metadata.get("tags", [])) & set(mn.HIDDEN_IN_BOOK):
            assert FORM_TITLE.match(cell.source) and cell.metadata["cellView"] == "form"


def _code_outside_solutions(chapter: Path) -> list[str]:
    inside, kept = False, []
    for cell in jupytext.read(chapter).cells:
        if cell.cell_type == "markdown":
            for gate in re.findall(r"```\{(solution-start|solution-end)\}", cell.source):
                inside = gate == "solution-start"
        elif cell.cell_type == "code" and not inside:
            kept.append(cell.source)
    return kept


def test_setup_cell_installs_the_ref_and_keeps_colab_packages(notebooks):
    setup = notebooks["01_recurrent_layers"].cells[0]
    assert f'seqlab @ git+https://github.com/seqlab-course/seqlab.git@{REF}"' in setup.source
    assert {"skip-execution", "nbval-skip"} <= set(setup.metadata["tags"])
    assert notebooks["01_recurrent_layers"].metadata["seqlab"]["ref"] == REF

    # Run the cell as IPython would, in a pretend Colab: %pip becomes a recorded call.
    from IPython.core.inputtransformer2 import TransformerManager

    calls = []

    class Shell:
        def run_line_magic(self, magic, line):
            calls.append((magic, line))

    python = TransformerManager().transform_cell(setup.source)
    namespace = {"get_ipython": Shell}
    sys.modules["google.colab"] = type(sys)("google.colab")
    try:
        exec(python, namespace)
    finally:
        del sys.modules["google.colab"]
    (magic, line), = calls
    line = line.replace("{keep}", namespace["keep"])   # IPython's variable expansion
    assert magic == "pip" and line.startswith("install ")
    for name in ("keras", "numpy"):
        assert f"{name}=={importlib.metadata.version(name)}" in line.split()


def test_setup_cell_outside_colab_does_nothing(notebooks):
    from IPython.core.inputtransformer2 import TransformerManager

    python = TransformerManager().transform_cell(notebooks["01_recurrent_layers"].cells[0].source)
    exec(python, {"get_ipython": None})   # would fail if it reached %pip


def test_bad_ref_is_refused():
    with pytest.raises(ValueError, match="ref must be a commit, tag or branch name"):
        mn.setup_cell_source("https://github.com/o/r", "main; rm -rf /")
    with pytest.raises(ValueError, match="got ''"):
        mn.setup_cell_source("https://github.com/o/r", "")


def test_bibliography_author_year():
    bib = mn.read_bibliography(ROOT / "book" / "references.bib")
    assert bib["geron2022"] == ("Géron", "2022")
    assert bib["hochreiter1997"] == ("Hochreiter and Schmidhuber", "1997")
    assert bib["bengio1994"] == ("Bengio et al.", "1994")
    assert mn.latex_to_text(r"G{\"u}l{\c{c}}ehre, {\c{C}}a{\u{g}}lar") == "Gülçehre, Çağlar"


@pytest.fixture
def small_book(tmp_path):
    """A two-chapter book that uses the MyST the course may use."""
    (tmp_path / "book").mkdir()
    (tmp_path / "chapters").mkdir()
    (tmp_path / "book" / "references.bib").write_text(
        "@article{elman1990,\n  author = {Elman, Jeffrey L.},\n  year = {1990}\n}\n"
        "@book{two2001,\n  author = {One, A. and Two, B.},\n  year = 2001\n}\n")
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: C\n    numbered: true\n"
        "    chapters:\n      - file: chapters/01_a\n      - file: chapters/02_b\n")
    (tmp_path / "chapters" / "01_a.md").write_text("# First chapter\n")
    chapter = tmp_path / "chapters" / "02_b.md"
    chapter.write_text(textwrap.dedent('''\
        ---
        jupytext:
          text_representation: {extension: .md, format_name: myst}
        kernelspec: {display_name: Python 3, language: python, name: python3}
        seqlab:
          colab_gpu: true
        ---

        # Second chapter

        ```{colab-badge}
        ```

        (sec-intro)=
        ## Intro

        As {cite:t}`elman1990` showed {cite:p}`elman1990,two2001`, see {doc}`01_a`,
        {numref}`fig-curve`, {numref}`Figure %s <fig-curve>`, equation {eq}`eq-sum`,
        {ref}`sec-intro`, {ref}`ex-b` and {func}`~seqlab.metrics.mse`; the score is
        {glue:text}`score:.2f`. Code spans stay: `{cite:t}` and ``x`y``.

        $$
        s = a + b
        $$ (eq-sum)

        ````{admonition} Careful
        :class: warning
        Nested:
        ```{note}
        Inner {cite:p}`elman1990`.
        ```
        ````

        :::{dropdown} More
        Hidden text.
        :::

        ```{figure} img/curve.png
        :name: fig-curve
        :alt: a curve

        A curve, {cite:t}`two2001`.
        ```

        ```python
        print("{cite:t}`kept`")
        ```

        ```{code-cell} ipython3
        ---
        mystnb:
          figure:
            caption: Loss per epoch.
            name: fig-loss
        ---
        x = 1
        ```

        ```{exercise-start} Sum
        :label: ex-b
        ```
        Add.

        ```{code-cell} ipython3
        y = None
        ```

        ```{exercise-end}
        ```

        ```{solution-start} ex-b
        :class: dropdown
        ```
        Add them, as in {eq}`eq-sum`.

        ```{code-cell} ipython3
        y = 1 + 1
        ```

        ```{solution-end}
        ```
        '''))
    config = {
        "repository": {"url": "https://github.com/o/r"},
        "html": {"baseurl": "https://o.github.io/r/"},
        "bibtex_bibfiles": ["book/references.bib"],
        "sphinx": {"config": {"colab_notebooks_branch": "notebooks"}},
    }
    book = mn.index_book(tmp_path, config)
    return mn.to_colab_notebook(chapter, config, "v1.0", book)


def test_small_book_conversion(small_book):
    cells = small_book.cells
    markdown = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
    bib = "https://o.github.io/r/book/bibliography.html"
    assert (f"As [Elman (1990)]({bib}) showed \\[[Elman, 1990]({bib}); "
            f"[One and Two, 2001]({bib})\\]") in markdown
    assert "see [First chapter](https://o.github.io/r/chapters/01_a.html)," in markdown
    assert "Figure 2.1, Figure 2.1, equation (2.1)" in markdown
    assert "Intro, Exercise 2.1 and [`mse()`](https://o.github.io/r/book/api.html" \
        "#seqlab.metrics.mse)" in markdown
    assert "the score is\n`score` (printed by the code above)" in markdown
    assert "Code spans stay: `{cite:t}` and ``x`y``." in markdown
    assert "s = a + b\n\\tag{2.1}\n$$" in markdown
    assert "> **Careful**\n>\n> Nested:\n> > **Note**\n> >\n> > Inner \\[[Elman, 1990]" in markdown
    assert "<details>\n<summary>More</summary>\n\nHidden text.\n\n</details>" in markdown
    assert ("![a curve](https://raw.githubusercontent.com/o/r/v1.0/chapters/img/curve.png)"
            f"\n\n*Figure 2.1: A curve, [One and Two (2001)]({bib}).*") in markdown
    assert '```python\nprint("{cite:t}`kept`")\n```' in markdown
    assert "*Figure 2.2: Loss per epoch.*" in markdown
    assert "### Exercise 2.1 (Sum)" in markdown
    assert ("<details>\n<summary>Solution to Exercise 2.1 (click to show)</summary>\n\n"
            "Add them, as in (2.1).") in markdown
    code = [c for c in cells if c.cell_type == "code"]
    assert code[-1].source == '#@title Solution to Exercise 2.1 { display-mode: "form" }\ny = 1 + 1'
    assert code[-2].source == "y = None" and "cellView" not in code[-2].metadata
    # The GPU hint: only where the front matter asks for it.
    assert mn.GPU_HINT in markdown
    assert small_book.metadata["accelerator"] == "GPU"


def test_no_chapter_asks_for_a_gpu_yet(notebooks):
    """The hint is off until the GPU workflow's timings show a gain."""
    for name, notebook in notebooks.items():
        assert "accelerator" not in notebook.metadata, name
        assert all(mn.GPU_HINT not in c.source for c in notebook.cells), name
