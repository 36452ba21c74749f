"""Browser tests: a live ``governance serve`` and Debian's Chromium driven by Playwright.

Run on their own (``make test`` does):

    .venv/bin/python -m pytest tests/browser -p no:cacheprovider --confcutdir=tests/browser

(``--confcutdir`` keeps ``tests/conftest.py`` and its database fixtures out: this suite
talks to a real server over HTTP, and the main suite ignores this directory.)

One server and one demo load serve the whole run: the journeys in ``test_journeys.py``
play one meeting in order, as its people would. The server gets a fresh SQLite file in
a temporary ``GOVERNANCE_VAR_DIR``, migrated and loaded with ``governance demo``.

Screenshots go to pytest's temporary directory (or ``$GOVERNANCE_SCREENSHOTS``); the README's,
in ``docs/screenshots``, are rewritten only with ``GOVERNANCE_REFRESH_SCREENSHOTS=1``: a test
run leaves ``git status`` clean.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from . import pages

CHROMIUM = os.environ.get("GOVERNANCE_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
# The CLI as a module of this checkout (cwd=ROOT): an installed ``governance`` script would
# import whichever tree the virtualenv was installed from, not the code under test.
GOVERNANCE = [sys.executable, "-m", "governance.cli"]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def pytest_sessionstart(session: pytest.Session) -> None:
    if not Path(CHROMIUM).exists():
        message = (
            f"!!! Chromium not found at {CHROMIUM}: the browser tests cannot run "
            "(apt-get install chromium, or set GOVERNANCE_CHROMIUM)."
        )
        if os.environ.get("CI") == "true":
            raise pytest.UsageError(message + " CI requires them.")
        print("\n" + message + " They were SKIPPED.\n", file=sys.stderr)
        pytest.exit(message, returncode=0)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _governance(env: dict[str, str], *args: str) -> None:
    subprocess.run([*GOVERNANCE, *args], env=env, check=True, cwd=ROOT, capture_output=True, timeout=120)


@pytest.fixture(scope="session", autouse=True)
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory the journeys' screenshots are written to (see the module's docstring)."""
    if os.environ.get("GOVERNANCE_REFRESH_SCREENSHOTS") == "1":
        target = pages.README_SCREENSHOTS
    elif os.environ.get("GOVERNANCE_SCREENSHOTS"):
        target = Path(os.environ["GOVERNANCE_SCREENSHOTS"])
    else:
        target = tmp_path_factory.mktemp("screenshots")
    pages.SCREENSHOTS = target
    return target


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A live server on a free port with the Guangzhou 2012 demo; its base URL."""
    var = Path(tempfile.mkdtemp(prefix="governance-browser-"))
    env = {
        **os.environ,
        "GOVERNANCE_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'governance.sqlite3'}",
        "GOVERNANCE_ARGON2_PROFILE": "fast",
        "GOVERNANCE_ENV": "development",
    }
    for name in ("GOVERNANCE_SECRET_KEY", "GOVERNANCE_KEY_DIR", "GOVERNANCE_SECURE_COOKIES"):
        env.pop(name, None)
    _governance(env, "migrate")
    _governance(env, "demo")
    port = _free_port()
    log = (var / "serve.log").open("wb")
    process = subprocess.Popen(
        [*GOVERNANCE, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # 20 s at most
            if process.poll() is not None:
                raise RuntimeError(f"governance serve exited: {(var / 'serve.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("governance serve did not answer /health within 20 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        if os.environ.get("GOVERNANCE_KEEP_BROWSER_VAR"):
            print(f"\nserver files kept in {var}", file=sys.stderr)
        else:
            shutil.rmtree(var, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded one."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], server: str) -> dict[str, Any]:
    return {**browser_context_args, "base_url": server, "viewport": {"width": 1024, "height": 768}}


@pytest.fixture(autouse=True)
def no_console_errors() -> Iterator[None]:
    """No page of any device logs a console error, throws, or violates the CSP during a test
    (an expected one is declared with ``pages.tolerated``, saying why)."""
    for watch in pages.WATCHES:
        watch.problems.clear()
    yield
    problems = [problem for watch in pages.WATCHES for problem in watch.problems]
    assert not problems, "the pages reported:\n" + "\n".join(problems)
