"""Real processes for the tests: uvicorn and the command line on a free loopback port.

One place for what the slow tests share: a free port, a child's environment on a store,
waiting (always with a deadline) until a server answers `/api/health`, and stopping a
process for sure (SIGINT or SIGTERM, then SIGKILL; reaped, bounded).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from archive.config import Settings

ROOT = Path(__file__).resolve().parents[1]
# What `wijkarchief serve` starts, and the command line as a module of this interpreter.
APP = "entrypoints.server:create_app"
CLI = (sys.executable, "-m", "entrypoints.cli")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at this moment)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a child process on `settings`' store (and nothing else)."""
    env = {**os.environ, "WIJKARCHIEF_DATA": str(settings.data_dir)}
    env.pop("WIJKARCHIEF_DATABASE_URL", None)
    env.pop("WIJKARCHIEF_DATABASE_SCHEMA", None)
    if settings.database_url:
        env["WIJKARCHIEF_DATABASE_URL"] = settings.database_url
        env["WIJKARCHIEF_DATABASE_SCHEMA"] = settings.database_schema
    return {**env, **extra}


def wait_until(what: str, check: Callable[[], bool], seconds: float) -> None:
    """Poll `check` until it holds; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {seconds:.0f} s"
        time.sleep(0.1)


def healthy(base: str) -> bool:
    """Whether the server at `base` answers its health check with 200."""
    try:
        return httpx.get(f"{base}/api/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def wait_until_healthy(
    base: str, process: subprocess.Popen[bytes], log: Path, seconds: float = 60
) -> None:
    """Until the server answers; fail with its log when it stops or takes too long."""
    deadline = time.monotonic() + seconds
    while not healthy(base):
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {_tail(log)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"the server did not answer within {seconds:.0f} s: {_tail(log)}")
        time.sleep(0.1)


def stop(process: subprocess.Popen[bytes], *, grace: float = 15, group: bool = False) -> None:
    """End a child for sure: a polite signal (SIGINT to its group with `group`, else
    SIGTERM), SIGKILL after `grace` seconds (`grace=0`: at once); reaped, bounded."""
    if process.poll() is None and grace > 0:
        try:
            if group:
                os.killpg(process.pid, signal.SIGINT)
            else:
                process.terminate()
            process.wait(timeout=grace)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass
    try:
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        elif process.poll() is None:
            process.kill()
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def spawn(
    command: Sequence[str], env: dict[str, str], log: Path, *, group: bool = False
) -> subprocess.Popen[bytes]:
    """A child in the repository, its output appended to `log`; `group`: a process group of
    its own (uvicorn's workers go with it)."""
    out: IO[bytes]
    with log.open("ab") as out:
        return subprocess.Popen(
            list(command), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=group,
        )  # fmt: skip


def projector(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    """`wijkarchief project ARGS` on `settings`' store; its stderr piped (for the reason)."""
    return subprocess.Popen(
        [*CLI, "project", *args], cwd=ROOT, env=child_env(settings),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def kill_when(
    process: subprocess.Popen[bytes], reached: Callable[[], bool], what: str, seconds: float = 180
) -> None:
    """SIGKILL `process` as soon as `reached()` holds (failing after `seconds`); reaped."""
    try:
        deadline = time.monotonic() + seconds
        while not reached():
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, f"the process never got {what}"
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        stop(process, grace=0)
        if process.stderr:
            process.stderr.close()


@dataclass(frozen=True)
class Server:
    """A running server: its process and its base URL."""

    process: subprocess.Popen[bytes]
    base: str


@contextmanager
def uvicorn(
    env: dict[str, str],
    log: Path,
    *,
    args: Sequence[str] = (),
    kill: bool = False,
    app: str = APP,
    port: int | None = None,
) -> Iterator[Server]:
    """The app of `wijkarchief serve` (or the factory `app`) in a real uvicorn on `port` (a
    free one if not given), answering /api/health; stopped on the way out (`kill`: SIGKILL
    at once)."""
    port = port or free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1"]
    process = spawn([*command, "--port", str(port), *args], env, log)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(base, process, log)
        yield Server(process, base)
    finally:
        stop(process, grace=0 if kill else 15)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
