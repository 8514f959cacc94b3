"""A real nginx (Debian's package) in front of the archive's hosts, as `docs/nginx.conf` says.

`nginx_proxy(upstreams, workdir)` fills the site template of `docs/nginx.conf` (the same file
the runbook tells operators to install) with a free loopback port and the hosts' addresses,
wraps it in a main configuration whose files all live in `workdir` (pid, logs, temp paths),
and runs nginx as a child in the foreground (`daemon off`), stopped on the way out. Its
access log names the upstream that answered each request (`$upstream_addr`).

Without nginx the tests that need it skip with the reason, except under
`WIJKARCHIEF_REQUIRE_NGINX=1` (CI, `.ci/run`), where they fail. `make nginx` installs it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.servers import ROOT, free_port, spawn, stop, wait_until

TEMPLATE = ROOT / "docs" / "nginx.conf"
REQUIRE_NGINX = os.environ.get("WIJKARCHIEF_REQUIRE_NGINX") == "1"


def nginx_binary() -> str:
    """The nginx program; skip (or fail under WIJKARCHIEF_REQUIRE_NGINX=1) without one."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if found is None:
        reason = "nginx is not installed (make nginx installs Debian's package)"
        if REQUIRE_NGINX:
            pytest.fail(f"nginx is required here (WIJKARCHIEF_REQUIRE_NGINX=1): {reason}")
        pytest.skip(reason)
    return found


def site_config(listen: str, upstreams: Sequence[str]) -> str:
    """`docs/nginx.conf` with its placeholders filled in."""
    servers = " ".join(f"server {address} max_fails=1 fail_timeout=3s;" for address in upstreams)
    return TEMPLATE.read_text().replace("@LISTEN@", listen).replace("@UPSTREAMS@", servers)


def main_config(workdir: Path, site: Path) -> str:
    """A main configuration that keeps every file of nginx in `workdir`."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers may read workdir (0700)
    temp = "".join(
        f"    {kind}_temp_path {workdir / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\npid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'error.log'} warn;\nevents {{ worker_connections 512; }}\n"
        "http {\n"
        "    log_format upstream '$request_method $status $upstream_addr $upstream_status';\n"
        f"    access_log {workdir / 'access.log'} upstream;\n{temp}"
        f"    include {site};\n}}\n"
    )


@contextmanager
def nginx_proxy(upstreams: Sequence[str], workdir: Path) -> Iterator[str]:
    """nginx round-robin over `upstreams` (host:port) on a free port; yields its base URL."""
    binary = nginx_binary()
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = workdir / "site.conf"
    site.write_text(site_config(f"127.0.0.1:{port}", upstreams))
    config = workdir / "nginx.conf"
    config.write_text(main_config(workdir, site))
    log = workdir / "nginx.out"
    command = [binary, "-p", str(workdir), "-e", str(workdir / "error.log"), "-c", str(config)]
    process = spawn([*command, "-g", "daemon off;"], dict(os.environ), log)
    base = f"http://127.0.0.1:{port}"
    try:

        def answers() -> bool:
            assert process.poll() is None, f"nginx stopped: {_tail(workdir)}"
            try:
                return httpx.get(f"{base}/api/health", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until("nginx answering", answers, 30)
        yield base
    finally:
        stop(process, grace=10)


def upstreams_used(workdir: Path) -> list[str]:
    """The upstream address of each request in nginx's access log, in order."""
    lines = (workdir / "access.log").read_text().splitlines()
    return [line.split()[2] for line in lines if len(line.split()) >= 3]


def _tail(workdir: Path) -> str:
    texts = [p.read_text(errors="replace")[-1500:] for p in workdir.glob("*.log") if p.exists()]
    out = workdir / "nginx.out"
    if out.exists():
        texts.append(out.read_text(errors="replace")[-1500:])
    return "\n".join(texts)
