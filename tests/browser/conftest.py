"""The built book in a real browser: headless Chromium driven by Playwright.

These tests read a built site, so they run apart from the companion tests (the plain
``pytest tests`` pass of each backend does not collect them): ``make test-site`` runs
them on the execution-off build of ``make test-book``, ``make check-site`` on the
executed book of ``make book``. Both set:

- ``SEQLAB_SITE``: the folder of the built HTML (``_build/noexec/_build/html``,
  ``_build/html``);
- ``SEQLAB_CHROMIUM``: the browser, by default Debian's ``chromium`` package
  (``/usr/bin/chromium``); Playwright never downloads one;
- ``SEQLAB_SCREENSHOTS``: where the screenshots of one chapter go (an artefact).

The site is served over HTTP on the loopback interface, and every request for another
host is refused and reported: a book that reads offline needs none.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

from browser_site import ROOT, SITE, site_dir, site_pages

if not SITE:
    # Not asked for: the plain ``pytest tests`` pass of each backend skips this folder.
    collect_ignore_glob = ["test_*.py"]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="session")
def base_url():
    handler = functools.partial(_QuietHandler, directory=str(site_dir()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("SEQLAB_CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).is_file():
        pytest.fail(
            f"No Chromium at {executable}. Install Debian's package (make chromium, as "
            "root: apt-get install -y chromium) or point SEQLAB_CHROMIUM at a Chromium "
            "or Chrome binary; the tests never download a browser.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = Path(os.environ.get("SEQLAB_SCREENSHOTS", ROOT / "_build" / "screenshots"))
    if not path.is_absolute():
        path = ROOT / path
    path.mkdir(parents=True, exist_ok=True)
    return path


def pytest_generate_tests(metafunc):
    if "page_path" in metafunc.fixturenames:
        metafunc.parametrize("page_path", site_pages())
