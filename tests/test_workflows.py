"""CI and publishing as written in .github/workflows (issue 12, "CI and reproducibility")."""

from pathlib import Path

import pytest
import yaml

# The project's wiring, not the companion: checked once, in the TensorFlow pass.
pytestmark = pytest.mark.backend_independent

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
CPU_TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
# The workflows that install the project's full stack with make on hosted runners.
HOSTED = ["ci.yml", "publish.yml", "newest.yml", "linkcheck.yml"]


def load(name):
    spec = yaml.safe_load((WORKFLOWS / name).read_text())
    spec["on"] = spec.pop(True, spec.get("on"))  # YAML 1.1 reads the key `on` as True
    return spec


def steps(job):
    return job.get("steps", [])


def runs(job):
    return "\n".join(step.get("run", "") for step in steps(job))


def uses(job, action):
    return [step for step in steps(job) if step.get("uses", "").startswith(action)]


@pytest.mark.parametrize("name", HOSTED + ["gpu.yml"])
def test_every_job_states_its_permissions(name):
    spec = load(name)
    for job_name, job in spec["jobs"].items():
        assert "permissions" in job, f"{name}: job {job_name} has no permissions"
        granted = {k for k, v in job["permissions"].items() if v == "write"}
        if job_name != "deploy" and job_name != "notebooks":
            assert not granted, f"{name}: job {job_name} can write {granted}"


@pytest.mark.parametrize("name", HOSTED)
def test_hosted_runners_take_the_cpu_build_of_torch(name):
    spec = load(name)
    for job_name, job in spec["jobs"].items():
        if "make " not in runs(job):
            continue
        env = {**spec.get("env", {}), **job.get("env", {})}
        assert env.get("PIP_EXTRA_INDEX_URL") == CPU_TORCH_INDEX, f"{name}: {job_name}"


@pytest.mark.parametrize("name", ["ci.yml", "publish.yml", "linkcheck.yml"])
def test_pip_cache_is_keyed_on_the_constraints(name):
    for job in load(name)["jobs"].values():
        for step in uses(job, "actions/setup-python"):
            assert step["with"].get("cache") == "pip"
            assert "constraints/stack.txt" in step["with"]["cache-dependency-path"]


def test_publish_runs_only_after_ci_passed_on_main():
    spec = load("publish.yml")
    trigger = spec["on"]["workflow_run"]
    assert trigger["workflows"] == [load("ci.yml")["name"]]
    assert trigger["branches"] == ["main"] and trigger["types"] == ["completed"]
    assert "push" not in spec["on"]
    condition = spec["jobs"]["build"]["if"]
    assert "workflow_run.conclusion == 'success'" in condition


def test_publish_never_cancels_a_deployment():
    spec = load("publish.yml")
    assert spec["concurrency"]["cancel-in-progress"] is False
    for job in spec["jobs"].values():
        assert job.get("concurrency", {}).get("cancel-in-progress", False) is False
    deploy = spec["jobs"]["deploy"]
    assert set(deploy["permissions"]) == {"pages", "id-token"}
    assert "build" in deploy["needs"]


def test_publish_keeps_the_execution_cache_keyed_on_what_the_outputs_depend_on():
    build = load("publish.yml")["jobs"]["build"]
    (cache,) = uses(build, "actions/cache")
    assert cache["with"]["path"] == "_build/.jupyter_cache"
    for pattern in ("chapters/", "companion/", "constraints/stack.txt"):
        assert pattern in cache["with"]["key"]
    names = [step.get("run", step.get("uses", "")) for step in steps(build)]
    assert names.index(cache["uses"]) < names.index("make book")


def test_publish_generates_the_notebooks_for_the_tested_commit():
    spec = load("publish.yml")
    assert "workflow_run.head_sha" in spec["env"]["SHA"]
    assert "make notebooks REF=${{ env.SHA }}" in runs(spec["jobs"]["build"])
    (checkout,) = uses(spec["jobs"]["build"], "actions/checkout")
    assert checkout["with"]["ref"] == "${{ env.SHA }}"


@pytest.mark.parametrize("name,job", [("ci.yml", "test"), ("publish.yml", "build")])
def test_a_failed_build_keeps_its_reports(name, job):
    uploads = uses(load(name)["jobs"][job], "actions/upload-artifact")
    kept = [step for step in uploads if step.get("if") == "failure()"]
    assert kept and "reports/" in kept[0]["with"]["path"]


def test_gpu_runs_the_make_target_of_cpu_ci_at_full_size():
    job = load("gpu.yml")["jobs"]["chapters-full-size"]
    commands = runs(job)
    assert "make test-notebooks SIZE=full" in commands
    assert "nvidia-smi" in commands and "pip list" in commands
    makefile = (ROOT / "Makefile").read_text()
    assert "-p nbval_clean_output" in makefile.split("test-notebooks: notebooks")[1]


def test_gpu_installs_cuda_tensorflow_with_the_project_in_one_call():
    commands = runs(load("gpu.yml")["jobs"]["chapters-full-size"])
    installs = [
        line
        for line in commands.replace("\\\n", " ").splitlines()
        if "pip install" in line and "--upgrade pip" not in line
    ]
    assert len(installs) == 1, installs
    assert '-e ".[book,test]"' in installs[0]
    assert '"tensorflow[and-cuda]==$tensorflow"' in installs[0]
    assert "-c constraints/stack.txt" in installs[0]


def test_weekly_workflows():
    newest = load("newest.yml")
    assert "schedule" in newest["on"]
    commands = runs(newest["jobs"]["newest"])
    assert "make test CONSTRAINTS=" in commands and "stack.py drift" in commands
    linkcheck = load("linkcheck.yml")
    assert "schedule" in linkcheck["on"]
    assert "make linkcheck" in runs(linkcheck["jobs"]["linkcheck"])
    assert "make linkcheck" not in runs(load("ci.yml")["jobs"]["test"])
