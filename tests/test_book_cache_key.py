"""scripts/book_cache_key.py: make book never shows outputs of an older companion."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import book_cache_key  # noqa: E402

# The project's wiring, not the companion: checked once, in the TensorFlow pass.
pytestmark = pytest.mark.backend_independent


@pytest.fixture
def project(tmp_path):
    """A small copy of the project: two companion modules, a chapter, the stack."""
    package = tmp_path / "companion" / "seqlab"
    (package / "layers").mkdir(parents=True)
    (package / "__init__.py").write_text("VERSION = 1\n")
    (package / "layers" / "cell.py").write_text("UNITS = 4\n")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "01_x.md").write_text("# Title\n\nSome prose.\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "seqlab"\n')
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "stack.txt").write_text("keras==3.15.1\n")
    return tmp_path


def executed_build(root, keyed=True):
    """A build folder as make book leaves it after executing the chapters."""
    build = root / "_build"
    if keyed:  # make book stores the key before the first execution
        assert book_cache_key.reset_if_changed(build, root) is False
    for name in book_cache_key.EXECUTION_STATE:
        (build / name).mkdir(parents=True, exist_ok=True)
        (build / name / "state").write_text("outputs of this package")
    (build / "html").mkdir()
    return build


def test_key_changes_when_a_companion_file_changes(project):
    before = book_cache_key.cache_key(project)
    (project / "companion" / "seqlab" / "layers" / "cell.py").write_text("UNITS = 8\n")
    assert book_cache_key.cache_key(project) != before


def test_key_changes_when_a_companion_file_is_added(project):
    before = book_cache_key.cache_key(project)
    (project / "companion" / "seqlab" / "layers" / "gate.py").write_text("")
    assert book_cache_key.cache_key(project) != before


@pytest.mark.parametrize("path", ["pyproject.toml", "constraints/stack.txt"])
def test_key_changes_when_the_stack_changes(project, path):
    before = book_cache_key.cache_key(project)
    with open(project / path, "a") as handle:
        handle.write("# changed\n")
    assert book_cache_key.cache_key(project) != before


def test_key_ignores_chapter_prose_and_bytecode(project):
    before = book_cache_key.cache_key(project)
    (project / "chapters" / "01_x.md").write_text("# Title\n\nBetter prose.\n")
    pycache = project / "companion" / "seqlab" / "__pycache__"
    pycache.mkdir()
    (pycache / "__init__.cpython-311.pyc").write_bytes(b"\x00\x01")
    assert book_cache_key.cache_key(project) == before


def test_key_is_the_same_for_an_identical_copy(project, tmp_path_factory):
    copy = tmp_path_factory.mktemp("copy") / "project"
    shutil.copytree(project, copy)
    assert book_cache_key.cache_key(copy) == book_cache_key.cache_key(project)


def test_unchanged_companion_keeps_the_cache(project):
    build = executed_build(project)
    assert book_cache_key.reset_if_changed(build, project) is False
    assert (build / ".jupyter_cache" / "state").read_text() == "outputs of this package"
    assert (build / ".doctrees" / "state").exists()


def test_changed_companion_clears_the_execution_state(project):
    build = executed_build(project)
    (project / "companion" / "seqlab" / "__init__.py").write_text("VERSION = 2\n")
    assert book_cache_key.reset_if_changed(build, project) is True
    for name in book_cache_key.EXECUTION_STATE:
        assert not (build / name / "state").exists(), name
    assert (build / "html").is_dir()
    stored = (build / ".jupyter_cache" / book_cache_key.KEY_FILE).read_text().strip()
    assert stored == book_cache_key.cache_key(project)


def test_cache_without_a_key_is_cleared(project):
    """A cache from before the key existed cannot be trusted."""
    build = executed_build(project, keyed=False)
    assert book_cache_key.reset_if_changed(build, project) is True
    assert not (build / ".jupyter_cache" / "state").exists()


def test_first_build_has_nothing_to_clear(project):
    build = project / "_build"
    assert book_cache_key.reset_if_changed(build, project) is False
    assert (build / ".jupyter_cache" / book_cache_key.KEY_FILE).is_file()


def test_command_line_prints_the_repository_key():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "book_cache_key.py")],
        capture_output=True, text=True, check=True,
    )
    assert result.stdout.strip() == book_cache_key.cache_key(ROOT)
