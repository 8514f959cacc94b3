"""PostgreSQL restarted under load: the deployment shape keeps its promises.

A real `wijkarchief serve --workers 2 --no-follow` (uvicorn, two worker processes) and a real
`wijkarchief project` run against a fresh schema; three client threads register stories over
HTTP on loopback while the PostgreSQL cluster is stopped (`pg_ctlcluster … stop -m fast`:
every connection is cut) and started again. It stays down at least DOWN seconds and until
a fresh write has been refused: a request rides out a short outage (the library retries a
statement for about 12 s, `archive.config.event_store_env`), so the cluster is kept down
longer than that (some 12-20 s in all). Neither archive process is restarted. Then:

- every write answered 2xx is in the log exactly once, and nothing unrequested is there;
- every write the server could not do was answered within PROMPT seconds (no hang) with
  503 `application/problem+json`, never a 500 or a dropped connection;
- after the restart writes succeed again in the same server processes (the pools reconnect);
- the projector survives the outage, and its read models equal a clean rebuild of the log.

It needs to restart the server: root, `pg_ctlcluster` and a local cluster on the port of
`WIJKARCHIEF_TEST_POSTGRES_URL`; otherwise it skips with the reason. Without a reachable
server it skips, or fails under `WIJKARCHIEF_REQUIRE_POSTGRES=1` (the `settings` fixture).
The cluster is started again in a `finally`, whatever happens.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from archive.application import Wijkarchief
from archive.config import Settings
from bootstrap import open_archive
from tests.faults.test_faults import _clean_rebuild, _index_docs, _log_registrations, _word
from tests.servers import CLI, child_env, free_port, healthy, spawn, stop, wait_until

WRITERS = 3
BEFORE = 15  # writes acknowledged before the outage
AFTER = 15  # writes acknowledged after it, by the same server processes
DOWN = 8.0  # seconds the cluster stays stopped
REQUEST_TIMEOUT = 60.0  # the client's own limit; an answer must come much sooner
# Every answer comes within this many seconds, during the outage too: a statement that finds
# no connection fails after 1 s and is retried 10 times (`archive.config.event_store_env`).
PROMPT = 25.0
PROBLEM = "application/problem+json"


@dataclass
class Outcome:
    number: str
    status: str  # the HTTP status, or "transport" (connection dropped, timed out)
    content_type: str
    body: str
    started: float
    elapsed: float


@dataclass
class Writers:
    """Threads registering stories over HTTP until told to stop, recording every outcome."""

    base: str
    token: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    next: int = 0
    outcomes: list[Outcome] = field(default_factory=list)

    def _take(self) -> str | None:
        with self.lock:
            if self.stop.is_set() or self.next >= 9999:
                return None
            self.next += 1
            return f"{self.next:04d}"

    def run(self) -> None:
        with self.client() as http:
            while (number := self._take()) is not None:
                if self.write(http, number).status != "201":
                    time.sleep(0.05)  # a failing client does not spin

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.base, headers=headers, timeout=REQUEST_TIMEOUT)

    def write(self, http: httpx.Client, number: str) -> Outcome:
        """Register story `number`; record and return what the server answered."""
        story = {
            "number": number,
            "title": f"Verhaal {_word(number)} uit de wijk",
            "body_markdown": f"Een verhaal over de herstart, nummer {number}.",
            "storytellers": ["Fatima"],
            "consent": "public",
        }
        started = time.monotonic()
        try:
            response = http.post("/api/stories", json=story)
            outcome = Outcome(
                number,
                str(response.status_code),
                response.headers.get("content-type", ""),
                response.text[:500],
                started,
                time.monotonic() - started,
            )
        except httpx.TransportError as error:
            outcome = Outcome(
                number, "transport", "", repr(error), started, time.monotonic() - started
            )
        with self.lock:
            self.outcomes.append(outcome)
        return outcome

    def probe(self, until: float) -> list[Outcome]:
        """Fresh writes, one after another, from now until `until` (the database is down)."""
        answers = []
        with self.client() as http:
            while time.monotonic() < until:
                with self.lock:
                    self.next += 1
                    number = f"{self.next:04d}"
                answers.append(self.write(http, number))
                time.sleep(0.2)
        return answers

    def acked(self, since: float = 0.0) -> set[str]:
        with self.lock:
            return {o.number for o in self.outcomes if o.status == "201" and o.started >= since}


# -- the PostgreSQL cluster -------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int

    def ctl(self, *action: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, *action],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def online(self) -> bool:
        listed = subprocess.run(
            ["pg_lsclusters", "--no-header"], capture_output=True, text=True, timeout=30
        )
        for line in listed.stdout.splitlines():
            parts = line.split()
            if parts[:2] == [self.version, self.name]:
                return len(parts) > 3 and parts[3].startswith("online")
        return False


def _cluster(settings: Settings) -> Cluster | str:
    """The local cluster serving `settings`, or why this test cannot restart it."""
    if os.geteuid() != 0:
        return "restarting PostgreSQL needs root (pg_ctlcluster as the cluster owner's admin)"
    for tool in ("pg_ctlcluster", "pg_lsclusters"):
        if shutil.which(tool) is None:
            return f"no {tool} here (Debian's postgresql-common): cannot restart the server"
    pg = settings.postgres()
    if pg["host"] not in ("127.0.0.1", "localhost", "::1"):
        return f"the test server {pg['host']} is not on this machine: cannot restart it"
    listed = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, timeout=30
    )
    for line in listed.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == pg["port"]:
            return Cluster(parts[0], parts[1], int(parts[2]))
    return f"no local cluster on port {pg['port']} in pg_lsclusters: cannot restart it"


def _accepts_connections(settings: Settings) -> bool:
    try:
        with psycopg.connect(settings.pg_conninfo(), connect_timeout=2) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


@contextmanager
def _started_again(cluster: Cluster, settings: Settings) -> Iterator[None]:
    """Whatever happens inside, the cluster is running and accepting connections after."""
    try:
        yield
    finally:
        if not cluster.online():
            cluster.ctl("start")
        wait_until("PostgreSQL accepting connections", lambda: _accepts_connections(settings), 60)


@dataclass(frozen=True)
class Outage:
    """How the database is cut off (`stop`) and brought back (`start`, returns when it is)."""

    stop: Callable[[], None]
    start: Callable[[], None]


def _restart(cluster: Cluster, settings: Settings) -> Outage:
    """A stop of the cluster (`-m fast`: every connection is cut) and a start."""

    def start() -> None:
        cluster.ctl("start")
        wait_until("PostgreSQL accepting connections", lambda: _accepts_connections(settings), 60)

    return Outage(stop=lambda: cluster.ctl("stop", "-m", "fast"), start=start)


# -- the archive processes --------------------------------------------------------------


def _spawn(settings: Settings, log: Path, *command: str) -> subprocess.Popen[bytes]:
    """`wijkarchief COMMAND` in a process group of its own (uvicorn's workers go with it)."""
    return spawn([*CLI, *command], child_env(settings), log, group=True)


def _views_at(settings: Settings, position: int) -> bool:
    archive = open_archive(settings, follow=False)
    try:
        return all(view.position() >= position for view in archive.views)
    finally:
        archive.close()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_postgresql_restarted_under_load(
    settings: Settings, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    cluster = _cluster(settings)
    if isinstance(cluster, str):
        pytest.skip(cluster)
    with _started_again(cluster, settings):
        figures = restart_under_load(settings, tmp_path, _restart(cluster, settings))
    # The scenario's figures (docs/runbook-postgresql.md) go to the test report.
    record_property("figures", figures)
    assert figures["acked"] >= BEFORE + AFTER
    assert figures["acked"] <= figures["logged"]
    assert figures["outage_s"] >= DOWN
    assert figures["max_failed_s"] < PROMPT
    assert figures["healthy_after_s"] < PROMPT
    assert 0 <= figures["first_write_after_s"] < PROMPT


def restart_under_load(settings: Settings, tmp_path: Path, outage: Outage) -> dict[str, Any]:
    """The scenario: writes, the database cut off for DOWN seconds and back, more writes."""
    # A curator token, and the tables, made before any archive process starts.
    app = Wijkarchief(settings)
    try:
        token = app.issue_token("anna", "curator")
    finally:
        app.close()

    log = tmp_path / "processes.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    projector = _spawn(settings, log, "project", "--interval", "0.1")
    server = _spawn(
        settings, log, "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", "2", "--no-follow",
    )  # fmt: skip
    writers = Writers(base, token)
    threads = [threading.Thread(target=writers.run, daemon=True) for _ in range(WRITERS)]
    try:
        wait_until("the server answering /api/health", lambda: healthy(base), 60)
        for thread in threads:
            thread.start()
        # A burst of writes is acknowledged ...
        wait_until(f"{BEFORE} writes acknowledged", lambda: len(writers.acked()) >= BEFORE, 120)
        assert server.poll() is None and projector.poll() is None, log.read_text()
        # ... the database goes down while the writers keep writing: fresh writes are
        # answered (not left hanging) ...
        down = time.monotonic()
        outage.stop()
        probed = writers.probe(until=down + DOWN)
        # ... and it comes back ...
        outage.start()
        up = time.monotonic()
        # The same server answers again: its pools reconnect by themselves.
        wait_until("the server healthy after the restart", lambda: healthy(base), PROMPT)
        healthy_after = time.monotonic() - up
        # ... and the same server processes acknowledge writes again.
        wait_until(
            f"{AFTER} writes acknowledged after the restart",
            lambda: len(writers.acked(since=up)) >= AFTER,
            120,
        )
        writers.stop.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 10)
        assert not any(thread.is_alive() for thread in threads), "a writer hung"
        assert server.poll() is None, "the server died in the outage:\n" + log.read_text()
        assert projector.poll() is None, "the projector died in the outage:\n" + log.read_text()

        outcomes = list(writers.outcomes)
        acked = writers.acked()
        failed = [o for o in outcomes if o.status != "201"]
        # Writes the server could not do were answered promptly, with a 503 problem.
        around = [(o.status, round(o.started - down, 2), round(o.elapsed, 2)) for o in outcomes
                  if down - 2 <= o.started <= up + 2]  # fmt: skip
        assert failed, f"no write met the outage: {around}"
        assert any(o.status == "503" for o in probed), [(o.status, o.body) for o in probed]
        for o in failed:
            assert o.status == "503", (o, log.read_text()[-5000:])
            assert o.content_type.startswith(PROBLEM), o
            assert "Traceback" not in o.body, o
            assert o.elapsed < PROMPT, o
        slow = [(o.status, round(o.started - down, 1), round(o.elapsed, 1)) for o in outcomes
                if o.elapsed >= PROMPT]  # fmt: skip
        assert not slow, (slow, around)
        # Every failure fell in (or just after) the outage window: none in normal running.
        assert all(down - 1 <= o.started + o.elapsed and o.started <= up + 30 for o in failed)

        # Every acknowledged write is in the log exactly once; nothing unrequested is.
        # (A worker whose connections died in the outage may still answer 503 for a moment:
        # reads are retried as the answer's Retry-After asks, and how often is in the figures.)
        unavailable: list[str] = []
        registered = _log_registrations(base, token, unavailable)
        stories = {ref.removeprefix("stories/"): n for ref, n in registered.items()}
        assert all(ref.startswith("stories/") for ref in registered), registered
        assert all(count == 1 for count in stories.values()), stories
        assert acked <= set(stories)
        assert set(stories) <= {o.number for o in outcomes}
        # Nothing else was written: the token, then one registration per story.
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
            health = http.get("/api/health", timeout=10).json()
        assert health["events"] == 1 + len(stories), (health, len(stories))

        # The projector caught up through the outage.
        position = int(health["events"])
        wait_until("the projector at the log's end", lambda: _views_at(settings, position), 60)
    finally:
        writers.stop.set()
        stop(server, grace=20, group=True)
        stop(projector, grace=20, group=True)

    # Its read models equal a clean rebuild of the same log, and search finds every write.
    resumed = open_archive(settings, follow=False)
    try:
        resumed_catalogue = list(resumed.catalogue.items())
        for number in sorted(acked):
            hits = resumed.search(_word(number), kind="stories", role="curator")["hits"]
            assert [hit["id"] for hit in hits] == [number], (number, hits)
    finally:
        resumed.close()
    clean_catalogue, clean_docs = _clean_rebuild(settings, tmp_path / "clean")
    assert clean_catalogue == resumed_catalogue
    assert _index_docs(settings) == clean_docs
    assert {item["number"] for item in resumed_catalogue} == set(stories)

    statuses = Counter(o.status for o in outcomes)
    return {
        "acked": len(acked),
        "logged": len(stories),
        "statuses": dict(statuses),
        "log_paging_503s": len(unavailable),
        "outage_s": round(up - down, 2),
        "max_failed_s": round(max(o.elapsed for o in failed), 2),
        "healthy_after_s": round(healthy_after, 2),
        "first_write_after_s": round(
            min(o.started + o.elapsed for o in outcomes if o.status == "201" and o.started >= up)
            - up,
            2,
        ),
    }
