"""Every page of the built book, opened in headless Chromium as a reader would.

Each page is loaded once (served from loopback, every other host refused) and checked for:

- JavaScript errors: console errors and uncaught page errors;
- requests the page makes to another host (the book must read offline) and local
  files it asks for that are missing;
- broken images (an ``<img>`` whose ``naturalWidth`` is 0 once loading is over);
- math that MathJax did not typeset: a ``.math`` element of the source with no
  ``mjx-container`` in it, or raw LaTeX (``\\(``, ``$...$``) left in the text;
- on every chapter, one "Open in Colab" badge whose link opens that chapter's notebook
  (the URL ``colab_badge.colab_url`` builds from ``repository.url``) and whose image
  shows; a download of the chapter's notebook and an "edit this page" link to its source;
- the licences (text and code) in every page's footer;
- in cell outputs: stderr, tracebacks and library log lines (``WARNING``, absl's
  ``E0000 00:00:...`` lines, ``tensorflow/...`` paths).

One chapter is also photographed (full page, and a phone-sized viewport) as an artefact.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest
import yaml

from browser_site import ROOT, site_dir, site_pages

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from colab_badge import colab_url  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
SCREENSHOT_CHAPTER = "chapters/01_recurrent_layers.html"

# What a library writes when it logs: none of it belongs in a rendered page.
LOG_LINE = re.compile(
    r"\bWARNING\b"
    r"|Traceback \(most recent call last\)"
    r"|\b[IWEF]\d{4} \d{2}:\d{2}:\d{2}"  # absl / glog: E0000 00:00:1700000000.1 ...
    r"|tensorflow/"
    r"|\bcpu_feature_guard\b|\boneDNN\b"
    r"|\b\w+Warning: "
)

# Runs in the page once it has loaded: waits for the images and for MathJax, then
# reports what the tests check.
INSPECT_PAGE = r"""
async () => {
  const images = Array.from(document.images);
  for (const img of images) { if (img.loading === "lazy") img.loading = "eager"; }
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done);
    img.addEventListener("error", done);
    setTimeout(done, 15000);
  })));
  const mathjax = window.MathJax && window.MathJax.startup;
  if (mathjax && mathjax.promise) { await mathjax.promise; }

  const skip = "pre, code, script, style, textarea, mjx-container, .math";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const text = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !parent.closest(skip)) text.push(node.textContent);
  }
  const mathElements = Array.from(document.querySelectorAll(".math"));
  return {
    broken_images: images.filter((img) => !(img.complete && img.naturalWidth > 0))
      .map((img) => img.getAttribute("src")),
    math_loaded: Boolean(mathjax),
    math_elements: mathElements.length,
    untypeset_math: mathElements.filter((el) => !el.querySelector("mjx-container"))
      .map((el) => el.textContent.trim().slice(0, 80)),
    text: text.join(" "),
    badges: Array.from(document.querySelectorAll("a.colab-badge")).map((a) => {
      const img = a.querySelector("img");
      return {
        href: a.getAttribute("href"),
        src: img ? img.getAttribute("src") : null,
        shows: Boolean(img && img.complete && img.naturalWidth > 0),
      };
    }),
    notebook_downloads: Array.from(document.querySelectorAll(
      "a.btn-download-notebook-button")).map((a) => a.href),
    edit_links: Array.from(document.querySelectorAll("a.btn-source-edit-button"))
      .map((a) => a.getAttribute("href")),
    footer: Array.from(document.querySelectorAll("footer")).map((f) => f.innerText)
      .join("\n"),
    outputs: Array.from(document.querySelectorAll(".cell_output"))
      .map((el) => el.innerText),
    stderr_outputs: Array.from(document.querySelectorAll(
      ".cell_output .stderr, .cell_output .traceback"))
      .map((el) => el.innerText.trim().slice(0, 200)),
  };
}
"""

REDIRECT = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)"', re.IGNORECASE)
RAW_MATH = re.compile(r"\\\(|\\\[|\$\$|\\begin\{|\$[^$\n]*[\\^_][^$\n]*\$")


@pytest.fixture(scope="session")
def visit(browser, base_url):
    """Load a page once and return what the browser saw (cached per page)."""
    seen: dict[str, dict] = {}

    def load(page_path: str) -> dict:
        if page_path in seen:
            return seen[page_path]
        context = browser.new_context()
        report = {"console_errors": [], "page_errors": [], "external": [], "missing": []}

        def local_only(route):
            if route.request.url.startswith(base_url):
                route.continue_()
            else:
                report["external"].append(route.request.url)
                route.abort()

        def console(message):
            if message.type == "error":
                where = message.location.get("url", "")
                report["console_errors"].append(f"{message.text} ({where})")

        def response(answer):
            if answer.status >= 400:
                report["missing"].append(f"{answer.status} {answer.url}")

        context.route("**/*", local_only)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.on("console", console)
        page.on("pageerror", lambda error: report["page_errors"].append(str(error)))
        page.on("response", response)
        redirect = REDIRECT.search((site_dir() / page_path).read_text(errors="replace"))
        page.goto(base_url + page_path, wait_until="load")
        if redirect:  # e.g. index.html: check the page it sends the reader to
            target = urljoin(base_url + page_path, redirect.group(1))
            page.wait_for_url(target, wait_until="load")
        report.update(page.evaluate(INSPECT_PAGE))
        report["url"] = page.url
        context.close()
        seen[page_path] = report
        return report

    return load


def chapter_pages() -> list[str]:
    return [page for page in site_pages() if page.startswith("chapters/")]


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    return files


def test_every_toc_entry_is_a_page_of_the_site():
    pages = set(site_pages())
    missing = [name for name in toc_files() if f"{name}.html" not in pages]
    assert not missing, f"in _toc.yml but not built into {site_dir()}: {missing}"
    assert chapter_pages(), "no chapter pages (chapters/*.html) in the site"


def test_no_javascript_errors(visit, page_path):
    report = visit(page_path)
    errors = report["page_errors"] + report["console_errors"]
    assert not errors, f"{page_path}: JavaScript errors in the browser:\n" + "\n".join(errors)


def test_reads_offline(visit, page_path):
    report = visit(page_path)
    assert not report["external"], (
        f"{page_path} loads resources from other hosts (broken when read offline): "
        f"{sorted(set(report['external']))}"
    )
    assert not report["missing"], f"{page_path} asks for missing files: {report['missing']}"


def test_images_show(visit, page_path):
    broken = visit(page_path)["broken_images"]
    assert not broken, f"{page_path}: broken images (naturalWidth 0): {broken}"


def test_math_is_typeset(visit, page_path):
    report = visit(page_path)
    if report["math_elements"]:
        assert report["math_loaded"], (
            f"{page_path} has {report['math_elements']} formulas but MathJax did not load"
        )
    assert not report["untypeset_math"], (
        f"{page_path}: {len(report['untypeset_math'])} of {report['math_elements']} "
        f"formulas left untypeset, e.g. {report['untypeset_math'][:3]}"
    )
    raw = sorted({match.group(0) for match in RAW_MATH.finditer(report["text"])})
    assert not raw, f"{page_path}: raw LaTeX left in the text: {raw[:5]}"


@pytest.mark.parametrize("chapter", chapter_pages() if site_dir().is_dir() else [])
def test_chapter_has_its_colab_badge(visit, chapter):
    badges = visit(chapter)["badges"]
    assert len(badges) == 1, f"{chapter}: expected one Colab badge, found {len(badges)}"
    name = Path(chapter).stem + ".ipynb"
    expected = colab_url(
        CONFIG["repository"]["url"],
        CONFIG["sphinx"]["config"].get("colab_notebooks_branch", "notebooks"),
        name,
    )
    badge = badges[0]
    assert badge["href"] == expected, f"{chapter}: badge links {badge['href']}, not {expected}"
    assert badge["shows"], f"{chapter}: the badge image {badge['src']} does not show"
    generated = ROOT / "_build" / "notebooks"
    if generated.is_dir():  # make test generates the notebooks before building the book
        assert (generated / name).is_file(), (
            f"{chapter}: the badge opens {name}, which make notebooks did not generate"
        )


@pytest.mark.parametrize("chapter", chapter_pages() if site_dir().is_dir() else [])
def test_chapter_offers_its_notebook_and_an_edit_link(visit, base_url, chapter):
    report = visit(chapter)
    stem = Path(chapter).stem
    expected = f"{base_url}_sources/chapters/{stem}.ipynb"
    assert report["notebook_downloads"] == [expected], (
        f"{chapter}: notebook download links {report['notebook_downloads']}, not {expected}"
    )
    notebook = json.loads((site_dir() / "_sources" / "chapters" / f"{stem}.ipynb").read_text())
    assert notebook["cells"], f"{chapter}: the downloadable notebook has no cells"
    repository = CONFIG["repository"]
    edit = f"{repository['url']}/edit/{repository['branch']}/chapters/{stem}.md"
    assert report["edit_links"] == [edit], f"{chapter}: edit links {report['edit_links']}"


def test_footer_names_the_licences(visit, page_path):
    footer = visit(page_path)["footer"]
    assert "CC BY 4.0" in footer and "MIT" in footer, (
        f"{page_path}: the footer does not name the licences (text CC BY 4.0, code MIT)"
    )


def test_outputs_hold_no_logs_or_tracebacks(visit, page_path):
    report = visit(page_path)
    assert not report["stderr_outputs"], (
        f"{page_path}: stderr or error outputs in the page: {report['stderr_outputs'][:3]}"
    )
    found = [
        line.strip()[:160]
        for output in report["outputs"]
        for line in output.splitlines()
        if LOG_LINE.search(line)
    ]
    assert not found, f"{page_path}: log lines or tracebacks in cell outputs:\n" + "\n".join(
        found[:10]
    )


def test_screenshots_of_a_chapter(browser, base_url, screenshot_dir):
    if SCREENSHOT_CHAPTER not in site_pages():
        pytest.fail(f"{SCREENSHOT_CHAPTER} is not in the site")
    stem = Path(SCREENSHOT_CHAPTER).stem
    shots = {
        screenshot_dir / f"{stem}.png": {"width": 1280, "height": 900},
        screenshot_dir / f"{stem}_phone.png": {"width": 390, "height": 844},
    }
    for path, viewport in shots.items():
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(base_url + SCREENSHOT_CHAPTER, wait_until="load")
        page.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.screenshot(path=str(path), full_page=True)
        context.close()
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"


@pytest.mark.parametrize(
    "line, is_log",
    [
        ("E0000 00:00:1764633600.123456   4242 cuda_executor.cc:1228] failed call", True),
        ("I0000 00:00:1764633600.1 cpu_feature_guard.cc:210] This TensorFlow binary", True),
        ("2026-12-02 00:00:00: I tensorflow/core/util/port.cc:153] oneDNN custom ops", True),
        ("WARNING: All log messages before absl::InitializeLog() is called", True),
        ("Traceback (most recent call last):", True),
        ("/usr/lib/python3/site.py:1: UserWarning: something", True),
        ("Keras 3.15.1 on the tensorflow backend", False),
        ("epoch 12: loss 0.0421, val_loss 0.0457 (E0 is the first epoch)", False),
        ("warning: the naive forecast wins (too close to call)", False),
    ],
)
def test_log_line_pattern(line, is_log):
    assert bool(LOG_LINE.search(line)) is is_log
