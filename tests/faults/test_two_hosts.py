"""Two hosts on one PostgreSQL database behind a real nginx: the deployment people run.

Each host is a `wijkarchief serve --no-follow` and a `wijkarchief project` with a data
directory of its own (its own search index), as `docs/runbook-postgresql.md` lays it out;
both use one fresh schema. nginx (Debian's package) runs `docs/nginx.conf` round-robin in
front of them. Through the proxy:

- a curator's every read after a write sees the write, on whichever host answers, because
  the Python client sends the position of its last write (`X-Archive-Min-Position`);
- one host is killed with `kill -9` (its server and its projector) in the middle of a
  burst of writes and reads: the other keeps serving (nginx sends the reads it could not
  get answered to the other host), and every write that was acknowledged is in the log —
  nothing acknowledged is lost, nothing is written that nobody asked for.

`CROSS_HOST_CHECKS` is where checks of what one host serves for another go — a file
uploaded through one host is served by the other and by the proxy; each check gets the
running `TwoHosts` while both hosts are up.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PIL import Image

from api.client import Client
from archive.config import Settings
from bootstrap import open_log
from tests.conftest import postgres_schema_settings
from tests.proxy import nginx_binary, nginx_proxy, upstreams_used
from tests.servers import CLI, child_env, free_port, spawn, stop, wait_until, wait_until_healthy

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@dataclass
class Host:
    """One host: its server (a process group) and its projector."""

    name: str
    settings: Settings
    base: str
    server: subprocess.Popen[bytes]
    projector: subprocess.Popen[bytes]

    def kill(self) -> None:
        """`kill -9` of the whole host: its server's process group and its projector."""
        os.killpg(self.server.pid, signal.SIGKILL)
        self.projector.send_signal(signal.SIGKILL)


@dataclass
class TwoHosts:
    """The running deployment: both hosts, the proxy's base URL and a curator's token."""

    a: Host
    b: Host
    proxy: str
    token: str
    workdir: Path


def files_uploaded_through_one_served_by_the_other(cluster: TwoHosts) -> None:
    """A photo uploaded through host A is served by host B and through the proxy: on
    PostgreSQL the file store is the database (`archive/blobs.py`), not a host's disk."""
    auth = {"Authorization": f"Bearer {cluster.token}"}
    media = {"id": "buurtfeest", "title": "Buurtfeest op het plein", "kind": "photo",
             "consent": "public"}  # fmt: skip
    assert httpx.post(f"{cluster.a.base}/api/media", json=media, headers=auth).status_code == 201
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 40)).save(picture, "JPEG")
    uploaded = httpx.post(
        f"{cluster.a.base}/api/media/buurtfeest/files",
        files={"file": ("feest.jpg", picture.getvalue(), "image/jpeg")}, headers=auth,
    )  # fmt: skip
    assert uploaded.status_code == 201, uploaded.text
    answer = uploaded.json()
    asked = {**auth, "X-Archive-Min-Position": uploaded.headers["X-Archive-Position"]}
    served = httpx.get(f"{cluster.a.base}{answer['url']}", headers=asked)
    assert served.status_code == 200 and served.content
    for base in (cluster.b.base, cluster.proxy):
        for url in (answer["url"], answer["thumbnail_url"]):
            other = httpx.get(f"{base}{url}", headers=asked)
            assert other.status_code == 200, (base, url, other.status_code)
            assert other.headers["content-type"] == "image/jpeg"
        assert httpx.get(f"{base}{answer['url']}", headers=asked).content == served.content
    # The public reads the item's file list on host B too.
    listed = httpx.get(f"{cluster.b.base}/api/media/buurtfeest", headers=asked).json()
    assert [file["id"] for file in listed["files"]] == [answer["id"]]


# Checks of what is written through one host and served by the other (see the docstring).
CROSS_HOST_CHECKS: list[Callable[[TwoHosts], None]] = [
    files_uploaded_through_one_served_by_the_other,
]


@contextmanager
def _host(name: str, settings: Settings, tmp: Path) -> Iterator[Host]:
    """`serve --no-follow` and `project` on one data directory, until the way out."""
    env = child_env(settings, WIJKARCHIEF_TRUSTED_PROXIES="127.0.0.1")
    port = free_port()
    log = tmp / f"host-{name}.log"
    projector = spawn([*CLI, "project", "--interval", "0.05"], env, tmp / f"project-{name}.log")
    server = spawn([*CLI, "serve", "--port", str(port), "--no-follow"], env, log, group=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_healthy(base, server, log, seconds=90)
        yield Host(name, settings, base, server, projector)
    finally:
        stop(server, group=True, grace=5)
        stop(projector, grace=5)


@pytest.fixture
def two_hosts(tmp_path: Path) -> Iterator[TwoHosts]:
    nginx_binary()  # skips (or fails under WIJKARCHIEF_REQUIRE_NGINX=1) without nginx
    schema: Generator[Settings, None, None] = postgres_schema_settings(tmp_path / "a")  # type: ignore[assignment]
    settings_a = next(schema)
    settings_b = Settings(
        data_dir=tmp_path / "b", database_url=settings_a.database_url,
        database_schema=settings_a.database_schema,
    )  # fmt: skip
    log = open_log(settings_a)
    try:
        token = log.issue_token("anna", "curator")
    finally:
        log.close()
    with ExitStack() as stack:
        a = stack.enter_context(_host("a", settings_a, tmp_path))
        b = stack.enter_context(_host("b", settings_b, tmp_path))
        upstreams = [x.base.removeprefix("http://") for x in (a, b)]
        proxy = stack.enter_context(nginx_proxy(upstreams, tmp_path / "nginx"))
        yield TwoHosts(a, b, proxy, token, tmp_path / "nginx")
    schema.close()


def _story(number: str, word: str) -> dict[str, str]:
    return {"number": number, "title": f"Verhaal {word}", "body_markdown": f"Over {word}.",
            "consent": "public"}  # fmt: skip


def _word(number: str) -> str:
    """A word unique to a story number (consonants only: the Dutch stemmer keeps it)."""
    return "qx" + "".join("bcdfghjklm"[int(digit)] for digit in number)


class Burst:
    """Writers and readers through the proxy until told to stop; every outcome recorded."""

    def __init__(self, proxy: str, token: str) -> None:
        self.proxy = proxy
        self.headers = {"Authorization": f"Bearer {token}"}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.next = 5000
        self.requested: set[str] = set()
        self.acknowledged: dict[str, int] = {}  # number → position
        self.write_failures: list[int] = []  # statuses (0: no answer)
        self.reads: list[int] = []

    def _number(self) -> str:
        with self.lock:
            self.next += 1
            number = f"{self.next:04d}"
            self.requested.add(number)
            return number

    def write(self) -> None:
        with httpx.Client(base_url=self.proxy, headers=self.headers, timeout=30) as http:
            while not self.stop.is_set():
                number = self._number()
                try:
                    answer = http.post("/api/stories", json=_story(number, _word(number)))
                    status = answer.status_code
                except httpx.TransportError:
                    status = 0
                with self.lock:
                    if status == 201:
                        self.acknowledged[number] = int(answer.headers["X-Archive-Position"])
                    else:
                        self.write_failures.append(status)

    def read(self) -> None:
        with httpx.Client(base_url=self.proxy, headers=self.headers, timeout=30) as http:
            while not self.stop.is_set():
                for path in ("/api/stories?limit=5", "/api/search?q=verhaal", "/api/stories/5001"):
                    try:
                        status = http.get(path).status_code
                    except httpx.TransportError:
                        status = 0
                    with self.lock:
                        self.reads.append(status)


def test_two_hosts_behind_nginx(two_hosts: TwoHosts) -> None:
    cluster = two_hosts
    # Round-robin: both hosts answer requests sent to the proxy.
    for _ in range(10):
        assert httpx.get(f"{cluster.proxy}/api/health", timeout=10).status_code == 200
    assert {address for address in upstreams_used(cluster.workdir)} == {
        cluster.a.base.removeprefix("http://"), cluster.b.base.removeprefix("http://"),
    }  # fmt: skip

    # A curator writes through the proxy and reads every write back through it: the client
    # sends the position of its last write, so whichever host answers has it.
    stale_without_position = 0
    with Client(cluster.proxy, cluster.token) as curator, httpx.Client() as plain:
        for i in range(12):
            number = f"{4000 + i:04d}"
            curator.add_story(number, f"Verhaal {_word(number)}", "Tekst.", consent="public")
            # The same read without the position, first: it may reach the other host early.
            found = plain.get(f"{cluster.proxy}/api/search", params={"q": _word(number)})
            stale_without_position += found.json()["total"] == 0
            assert [hit["id"] for hit in curator.search(_word(number))["hits"]] == [number]
            assert curator.story(number)["number"] == number
    print(f"reads right after a write without the position that missed it: "
          f"{stale_without_position} of 12")  # fmt: skip

    # What one host serves of what was written through the other (files, once stored).
    for check in CROSS_HOST_CHECKS:
        check(cluster)

    # A burst of writes and reads through the proxy; host A is killed with kill -9 midway.
    burst = Burst(cluster.proxy, cluster.token)
    threads = [threading.Thread(target=burst.write) for _ in range(3)]
    threads += [threading.Thread(target=burst.read) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        wait_until("20 writes acknowledged", lambda: len(burst.acknowledged) >= 20, 60)
        cluster.a.kill()
        killed_at = len(burst.reads)
        before = len(burst.acknowledged)
        wait_until("20 more writes on host B", lambda: len(burst.acknowledged) >= before + 20, 60)
    finally:
        burst.stop.set()
        for thread in threads:
            thread.join(timeout=60)
    # Host B kept serving: every read after the kill was answered (nginx retried on B
    # whatever host A could no longer answer).
    after_kill = burst.reads[killed_at:]
    assert after_kill and set(after_kill) == {200}, sorted(set(after_kill))
    # Writes that got no acknowledgement are those in flight to host A (nginx never re-sends
    # a POST): a few at most.
    assert len(burst.write_failures) <= 3, burst.write_failures

    # Nothing acknowledged is lost, nothing was invented: read the log back through host B.
    with Client(cluster.b.base, cluster.token) as curator:
        curator.last_write = max(burst.acknowledged.values())
        for number in burst.acknowledged:
            assert curator.story(number)["number"] == number
        written = {s["number"] for s in curator.stories() if s["number"] >= "5000"}
    assert set(burst.acknowledged) <= written <= burst.requested
    # Host B's projector took over the shared catalogue; B is ready for readers.
    ready = f"{cluster.b.base}/api/ready"
    wait_until("host B ready", lambda: httpx.get(ready, timeout=10).status_code == 200, 30)
