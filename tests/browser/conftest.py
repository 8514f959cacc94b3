"""Browser tests: headless Chromium (Debian's, via Playwright) against a real uvicorn server.

The server runs in a subprocess on a free loopback port, over a data directory seeded first
with `wijkarchief seed`, and a curator token from `wijkarchief token create`. Without
Chromium or Playwright these tests skip with the reason, except when
`WIJKARCHIEF_REQUIRE_BROWSER=1` (CI), where they fail. Screenshots go to `test-artifacts/`.

The third-party checkers (axe-core, the Nu HTML checker, TimelineJS) come from npm, pinned by
the repository's `package-lock.json` and installed into `node_modules/` by `make test`
(`npm ci`); they run offline. Without them (or without Java for the Nu checker) the tests
that need them skip with the reason, or fail under `WIJKARCHIEF_REQUIRE_BROWSER=1`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.servers import free_port, uvicorn

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
JAVA = os.environ.get("WIJKARCHIEF_JAVA") or shutil.which("java") or "/usr/bin/java"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("WIJKARCHIEF_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("WIJKARCHIEF_REQUIRE_BROWSER") == "1"
# Factory of the app under test (what `wijkarchief serve` starts).
APP = os.environ.get("WIJKARCHIEF_BROWSER_APP", "entrypoints.server:create_app")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def _reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[test]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (make browser installs Debian's chromium)"
    return None


REASON = _reason()


def _unavailable() -> None:
    assert REASON is not None
    if REQUIRE:
        pytest.fail(f"a browser is required here (WIJKARCHIEF_REQUIRE_BROWSER=1): {REASON}")
    pytest.skip(REASON)


def _program() -> str:
    """The `wijkarchief` command of this interpreter's environment."""
    beside = Path(sys.executable).with_name("wijkarchief")
    return str(beside) if beside.exists() else (shutil.which("wijkarchief") or "wijkarchief")


@dataclass
class Server:
    """The running server: its address, data directory and a curator's token."""

    url: str
    data: Path
    token: str
    env: dict[str, str]

    def cli(self, *args: str) -> str:
        """Run `wijkarchief ARGS` on the server's data; its standard output."""
        done = subprocess.run(
            [_program(), *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn in a subprocess over a freshly seeded archive."""
    if REASON is not None:
        _unavailable()
    data = tmp_path_factory.mktemp("browser-data")
    # The address it is reached at is its WIJKARCHIEF_BASE_URL: the absolute URLs of its
    # feeds (TimelineJS shown on another site) name this server.
    port = free_port()
    env = {**os.environ, "WIJKARCHIEF_DATA": str(data)}
    env["WIJKARCHIEF_BASE_URL"] = f"http://127.0.0.1:{port}"
    env.pop("WIJKARCHIEF_DATABASE_URL", None)
    seeded = subprocess.run(
        [_program(), "seed"], env=env, capture_output=True, text=True, timeout=300
    )
    assert seeded.returncode == 0, seeded.stderr
    created = subprocess.run(
        [_program(), "token", "create", "--role", "curator", "--name", "anna"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1].strip()
    log = data / "server.log"
    with uvicorn(env, log, args=["--log-level", "warning"], app=APP, port=port) as running:
        yield Server(running.base, data, token, env)


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    """Headless Chromium, for one test module.

    Playwright's synchronous API runs an event loop in this thread while it is open; closing
    it with the module keeps it out of the way of later tests that start their own loop.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def context(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh browser profile at desktop width (no cookies)."""
    opened = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="nl-NL")
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A tab in a fresh profile."""
    return context.new_page()


@pytest.fixture
def curator(context: Any, server: Server) -> Any:
    """A fresh profile that logged in as curator anna through the login form."""
    tab = context.new_page()
    tab.goto("/inloggen")
    tab.get_by_label("Token").fill(server.token)
    tab.get_by_role("button", name="Inloggen").click()
    tab.wait_for_url(server.url + "/")
    assert "anna" in tab.locator("header.site").inner_text()
    return tab


def _npm_file(relative: str) -> Path:
    """A file of an npm package in node_modules, or skip (fail when required) without it."""
    path = NODE_MODULES / relative
    if not path.is_file():
        reason = f"no {relative} in node_modules (make test installs it: npm ci)"
        if REQUIRE:
            pytest.fail(f"required here (WIJKARCHIEF_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The source of axe-core (npm `axe-core`), to evaluate inside a page."""
    return _npm_file("axe-core/axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vnu_command() -> list[str]:
    """The command that runs the Nu HTML checker (npm `vnu-jar`) with Java."""
    jar = _npm_file("vnu-jar/build/dist/vnu.jar")
    if not (os.path.isfile(JAVA) and os.access(JAVA, os.X_OK)):
        reason = f"no Java at {JAVA} for the Nu HTML checker (apt-get install openjdk-17-jre)"
        if REQUIRE:
            pytest.fail(f"required here (WIJKARCHIEF_REQUIRE_BROWSER=1): {reason}")
        pytest.skip(reason)
    return [JAVA, "-Xss8m", "-jar", str(jar)]


@pytest.fixture(scope="session")
def timelinejs_dist() -> Path:
    """The built TimelineJS (npm `@knight-lab/timelinejs`): its dist folder."""
    return _npm_file("@knight-lab/timelinejs/dist/js/timeline.js").parents[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
