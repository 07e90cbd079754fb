"""Time every chapter's execution on one Keras backend and size.

Each chapter is converted to the notebook that Colab and ``make test`` use
(``scripts/make_notebooks.py``) and executed under nbval, exactly as
``make test-notebooks`` runs it (a cell that fails or writes to stderr fails the
chapter), in its own pytest process. The script records, per chapter, the wall time, the
CPU time of that process and its children, the load average before and after, and
whether the chapter passed; it writes ``bench/results/chapters_<backend>_<size>.json``
(every number) and ``.md`` (a table).

Usage::

    .venv/bin/python bench/chapters.py --backend jax --size quick
    .venv/bin/python bench/chapters.py --backend tensorflow --size full 02 05

``quick`` sets ``SEQLAB_QUICK=1`` (the size ``make test`` uses); ``full`` unsets it (the
size ``make book`` uses). On a shared machine the wall times are inflated by the load;
the CPU time is the steadier figure (it still grows with contention, but less).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from run import cpu_model, load_average, ram_gib  # noqa: E402

BACKENDS = ("tensorflow", "jax", "torch")
SIZES = ("quick", "full")


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", required=True, choices=BACKENDS)
    parser.add_argument("--size", required=True, choices=SIZES)
    parser.add_argument("chapters", nargs="*",
                        help="chapter numbers or file stems to run (default: all)")
    parser.add_argument("--cell-timeout", type=int, default=900,
                        help="seconds per cell before nbval gives up (default 900)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    return parser.parse_args(argv)


def select_chapters(wanted, directory=ROOT / "chapters"):
    """The chapter files, in order; ``wanted`` holds numbers ('2', '02') or stems."""
    chapters = sorted(directory.glob("[0-9][0-9]_*.md"))
    if not wanted:
        return chapters
    chosen = []
    for item in wanted:
        match = [c for c in chapters
                 if c.stem == item or c.stem.split("_")[0] == item.zfill(2)]
        if not match:
            names = ", ".join(c.stem for c in chapters)
            raise SystemExit(f"chapters: no chapter {item!r}; expected one of {names}")
        chosen += [c for c in match if c not in chosen]
    return chosen


def usable_cores():
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


def chapter_env(backend, size):
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONPATH=str(ROOT / "scripts"))
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    if size == "quick":
        env["SEQLAB_QUICK"] = "1"
    else:
        env.pop("SEQLAB_QUICK", None)
    return env


def failure_summary(output: str, limit: int = 600) -> str:
    """The lines of pytest's report that say what failed."""
    lines = [line for line in output.splitlines()
             if line.startswith(("FAILED", "ERROR", "E ")) or "Error" in line]
    return "\n".join(lines)[-limit:]


def run_chapter(notebook: Path, backend: str, size: str, cell_timeout: int) -> dict:
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
               "-p", "nbval_clean_output", f"--nbval-cell-timeout={cell_timeout}",
               "-q", "-p", "no:randomly", "-p", "no:cacheprovider", str(notebook)]
    load_before = load_average()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=chapter_env(backend, size),
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime
           + cpu_after.ru_stime - cpu_before.ru_stime)
    output = done.stdout + done.stderr
    return {"chapter": notebook.stem, "passed": done.returncode == 0,
            "returncode": done.returncode, "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1), "load_before": load_before,
            "load_after": load_average(),
            "failure": "" if done.returncode == 0 else failure_summary(output)}


def versions(backend):
    import importlib.metadata as metadata

    names = ["keras", {"tensorflow": "tensorflow", "jax": "jax",
                       "torch": "torch"}[backend]]
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def to_markdown(report: dict) -> str:
    env = report["environment"]
    passed = sum(row["passed"] for row in report["chapters"])
    lines = [
        f"# Chapter execution times, {report['backend']} backend, "
        f"{report['size']} size",
        "",
        *([] if report["complete"] else [
            f"**Incomplete run**: {len(report['chapters'])} chapters measured.", ""]),
        f"Run {report['date']} in {report['total_wall_s']:.0f} s on {env['cpu']}, "
        f"{env['cores']} usable cores, {env['ram_gib']} GiB RAM; python "
        f"{env['python']}, "
        + ", ".join(f"{k} {v}" for k, v in env["versions"].items())
        + f". Load average at start {report['load_start']}, at end "
        f"{report['load_end']} (a load above the core count means other processes "
        "shared the CPU and the wall times are inflated).",
        "",
        f"Each chapter executed under nbval as `make test-notebooks` runs it "
        f"(`SEQLAB_QUICK={'1' if report['size'] == 'quick' else 'unset'}`), in its "
        "own process; CPU is the user and system time of that process and its "
        "children. Start-up (imports) is included.",
        "",
        "| chapter | result | wall (s) | CPU (s) | load 1-min before | load 1-min after |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in report["chapters"]:
        lines.append(
            f"| {row['chapter']} | {'passed' if row['passed'] else 'FAILED'} | "
            f"{row['wall_s']:.1f} | {row['cpu_s']:.1f} | "
            f"{row['load_before'][0]:.2f} | {row['load_after'][0]:.2f} |")
    lines += [
        f"| **total** | {passed}/{len(report['chapters'])} passed | "
        f"{sum(r['wall_s'] for r in report['chapters']):.1f} | "
        f"{sum(r['cpu_s'] for r in report['chapters']):.1f} | | |",
        "",
    ]
    for row in report["chapters"]:
        if not row["passed"]:
            lines += [f"**{row['chapter']}** failed:", "", "```",
                      row["failure"] or "(no summary; rerun it alone)", "```", ""]
    return "\n".join(lines)


def write_report(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"chapters_{report['backend']}_{report['size']}"
    stem.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    stem.with_suffix(".md").write_text(to_markdown(report))


def main(argv=None):
    args = parse_arguments(argv)
    chapters = select_chapters(args.chapters)
    start = time.perf_counter()
    report = {
        "backend": args.backend, "size": args.size,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime(
            "%Y-%m-%d %H:%M UTC"),
        "load_start": load_average(),
        "environment": {"cpu": cpu_model(), "cores": usable_cores(),
                        "ram_gib": ram_gib(), "python": sys.version.split()[0],
                        "versions": versions(args.backend)},
        "chapters": [],
    }
    with tempfile.TemporaryDirectory(prefix="seqlab-chapters-") as tmp:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "make_notebooks.py"),
                        "--out", tmp, *map(str, chapters)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        for chapter in chapters:
            row = run_chapter(Path(tmp) / (chapter.stem + ".ipynb"), args.backend,
                              args.size, args.cell_timeout)
            print(f"{row['chapter']}: {'passed' if row['passed'] else 'FAILED'} "
                  f"{row['wall_s']:.1f} s wall, {row['cpu_s']:.1f} s CPU, "
                  f"load {row['load_before'][0]:.2f}", flush=True)
            report["chapters"].append(row)
            # Written after every chapter: an interrupted run leaves what it measured.
            report["total_wall_s"] = round(time.perf_counter() - start, 1)
            report["load_end"] = load_average()
            report["complete"] = len(report["chapters"]) == len(chapters)
            write_report(report, args.out)
    print(f"wrote {args.out}/chapters_{args.backend}_{args.size}.md and .json")
    return 0 if all(row["passed"] for row in report["chapters"]) else 1


if __name__ == "__main__":
    sys.exit(main())
