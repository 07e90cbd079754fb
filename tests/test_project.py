"""The project's wiring: workflows, make targets, table of contents, Colab notebooks."""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import make_notebooks  # noqa: E402

# The project's wiring, not the companion: checked once, in the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def make_targets():
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z][\w-]*):", text, flags=re.MULTILINE))


def test_the_three_workflows_exist():
    assert {path.name for path in WORKFLOWS} >= {"ci.yml", "gpu.yml", "publish.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_parses_and_calls_only_existing_make_targets(workflow):
    spec = yaml.safe_load(workflow.read_text())
    assert spec["jobs"], f"{workflow.name} has no jobs"
    commands = [
        step["run"]
        for job in spec["jobs"].values()
        for step in job.get("steps", [])
        if "run" in step
    ]
    called = {target for command in commands for target in re.findall(r"\bmake\s+([\w-]+)", command)}
    missing = called - make_targets()
    assert not missing, f"{workflow.name} calls make targets that do not exist: {missing}"


def test_ci_workflow_runs_make_test():
    spec = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    runs = " ".join(step.get("run", "") for job in spec["jobs"].values() for step in job["steps"])
    assert "make test" in runs


def test_gpu_workflow_fails_without_a_gpu():
    text = (ROOT / ".github/workflows/gpu.yml").read_text()
    assert "list_physical_devices('GPU')" in text and "sys.exit" in text


def test_ci_entry_point_calls_make_test():
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", script, flags=re.MULTILINE)


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc["parts"]:
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_toc_lists_every_chapter_in_order_and_nothing_missing():
    listed = [f for f in toc_files() if f.startswith("chapters/")]
    on_disk = sorted(f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("[0-9][0-9]_*.md"))
    assert listed == on_disk
    for name in toc_files():
        assert (ROOT / f"{name}.md").exists(), f"_toc.yml lists {name}, which does not exist"


@pytest.mark.parametrize("chapter", sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md")), ids=lambda p: p.stem)
def test_colab_notebook_starts_with_a_skipped_install_cell_and_has_a_badge(chapter):
    config = make_notebooks.read_book_config()
    notebook = make_notebooks.to_colab_notebook(chapter, config)
    nbformat.validate(notebook)
    first = notebook.cells[0]
    assert first.cell_type == "code"
    assert {"skip-execution", "nbval-skip"} <= set(first.metadata["tags"])
    assert "google.colab" in first.source and config["repository"]["url"] in first.source
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "{colab-badge}" not in markdown
    expected = f"blob/{config['sphinx']['config']['colab_notebooks_branch']}/{chapter.stem}.ipynb"
    assert expected in markdown


@pytest.mark.parametrize("chapter", sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md")), ids=lambda p: p.stem)
def test_chapter_follows_the_course_pattern(chapter):
    text = chapter.read_text()
    assert "```{colab-badge}" in text, "every chapter opens with a Colab badge"
    assert "What you will learn" in text
    assert "import seqlab" in text
    assert text.count("```{exercise-start}") >= 3, "at least three exercises"
    assert text.count("```{solution-start}") == text.count("```{exercise-start}")


# Names whose call makes or trains data, not a picture.
DATA_MAKERS = ("seqlab.budget(", "datasets.", "keras.layers.", "fit_and_evaluate(", ".fit(")


@pytest.mark.parametrize("chapter", sorted((ROOT / "chapters").glob("[0-9][0-9]_*.md")), ids=lambda p: p.stem)
def test_a_figure_cell_only_draws(chapter):
    # One idea per cell: the data a figure shows is made in a cell of its own, so a
    # reader (or a learner in Colab) can rerun or restyle the figure alone.
    cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", chapter.read_text(), re.S)
    figures = [cell for cell in cells if re.search(r"^mystnb:\n\s+figure:", cell, re.M)]
    assert figures, f"{chapter.name} has no figure"
    for cell in figures:
        makers = [name for name in DATA_MAKERS if name in cell]
        assert not makers, f"a figure cell of {chapter.name} makes data ({makers}):\n{cell}"


def test_colab_install_cell_does_nothing_outside_colab():
    source = make_notebooks.setup_cell_source("https://github.com/a/b", "main")
    # IPython is needed for %pip; outside Colab the branch is never taken.
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(source)
    namespace = {"get_ipython": lambda: pytest.fail("tried to install outside Colab")}
    exec(compile(code, "<setup>", "exec"), namespace)


def test_make_notebooks_writes_one_notebook_per_chapter(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts/make_notebooks.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    chapters = {p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.md")}
    assert {p.stem for p in tmp_path.glob("*.ipynb")} == chapters


def companion_modules():
    import pkgutil

    import seqlab

    names = ["seqlab"]
    for info in pkgutil.walk_packages(seqlab.__path__, prefix="seqlab."):
        leaf = info.name.rsplit(".", 1)[-1]
        # Private modules, and the one-class-per-file modules of seqlab.layers and
        # seqlab.reference, which their package documents through its __all__.
        if leaf.startswith("_") or info.name.count(".") > 1 and not info.name.startswith(
                ("seqlab.exercises.", "seqlab.reference.gradients")):
            continue
        # Documented through their parent's exports (seqlab.budget, seqlab.exercises.Feedback).
        if info.name in ("seqlab.config", "seqlab.exercises.feedback"):
            continue
        names.append(info.name)
    return names


@pytest.mark.parametrize("module", companion_modules())
def test_every_companion_module_is_in_the_api_reference(module):
    api = (ROOT / "book" / "api.md").read_text()
    assert re.search(rf"^\.\. automodule:: {re.escape(module)}\n\s+:members:", api, flags=re.MULTILINE), (
        f"book/api.md does not document {module}"
    )


@pytest.mark.parametrize("package", ["seqlab.layers", "seqlab.reference"])
def test_packages_export_every_public_name_of_their_modules(package):
    import importlib
    import inspect
    import pkgutil

    parent = importlib.import_module(package)
    for info in pkgutil.iter_modules(parent.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        public = {
            name for name, value in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value))
            and value.__module__ == module.__name__
        }
        if package == "seqlab.reference" and info.name == "gradients":
            continue  # documented as its own module
        missing = public - set(parent.__all__)
        assert not missing, f"{package}.__all__ lacks {sorted(missing)} from {info.name}.py"


def test_clean_output_plugin_finds_stderr_only():
    import nbval_clean_output as plugin

    outputs = [
        {"output_type": "stream", "name": "stdout", "text": "fine\n"},
        {"output_type": "display_data", "data": {"text/plain": "x"}},
        {"output_type": "stream", "name": "stderr", "text": "UserWarning: shown in the page\n"},
    ]
    assert plugin.stderr_text(outputs) == "UserWarning: shown in the page\n"
    assert plugin.stderr_text(outputs[:2]) == ""
    assert plugin.stderr_text(None) == ""


def nbval_command(notebooks: Path) -> str:
    """The command ``make test-notebooks`` runs on the notebooks in ``notebooks``."""
    printed = subprocess.run(
        ["make", "--no-print-directory", "-n", "test-notebooks", "JOBS=2",
         f"NOTEBOOKS_DIR={notebooks}", f"PYTEST={sys.executable} -m pytest"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.replace("\\\n", " ")
    [command] = [line for line in printed.splitlines() if "--nbval-lax" in line]
    return command


def write_notebook(path: Path, *sources: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)


def test_chapters_on_two_workers_keep_each_notebook_in_one_kernel_and_fail_on_stderr(
        tmp_path):
    # Two notebooks whose later cells need their earlier ones: split across workers
    # (xdist without --dist loadscope), their later cells would fail with a NameError.
    for name in ("first", "second"):
        write_notebook(tmp_path / f"{name}.ipynb", "value = 41", "value += 1",
                       "assert value == 42, value")
    write_notebook(tmp_path / "noisy.ipynb",
                   "import sys\nprint('UserWarning: shown in the page', file=sys.stderr)")
    command = nbval_command(tmp_path)
    assert "-n 2" in command and "--dist loadscope" in command
    run = subprocess.run(["bash", "-c", command + " -p no:randomly"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    report = run.stdout + run.stderr
    assert "1 failed, 6 passed" in report, report[-3000:]
    assert "noisy.ipynb::Cell 0" in report and "the cell wrote to stderr" in report
