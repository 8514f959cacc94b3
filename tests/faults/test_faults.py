"""Faults injected into real processes: SIGKILL of the API and of the projector, unwritable data.

Real subprocesses, real signals, bounded waits (every wait has a deadline, every process is
killed in a `finally`), loopback only:

- an API server killed with `kill -9` during a burst of writes loses no acknowledged write,
  doubles none and invents none, and its read models converge to a clean rebuild (each store);
- a projector killed with `kill -9` during catch-up on PostgreSQL resumes and ends exactly as
  a clean rebuild of the same log;
- a data directory that cannot be written makes the command line fail in one line, without a
  traceback, and leaves the store intact.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import httpx
import pytest
from whoosh import index as whoosh_index

from archive.application import Wijkarchief
from archive.catalogue import open_catalogue
from archive.config import Settings
from bootstrap import open_archive
from entrypoints.cli import main as cli
from tests.servers import CLI, ROOT, child_env, kill_when, projector, stop, uvicorn

# Writes acknowledged before the server is killed; the burst never asks for more than LIMIT.
ACKED_BEFORE_KILL = 30
LIMIT = 400
WORKERS = 4
# The projector's log: ITEMS episodes with a happening each, indexed PAGE events at a time.
ITEMS = 1500
PAGE = 5


def _word(number: str) -> str:
    """A title word unique to a story number (consonants only: the Dutch stemmer keeps it)."""
    return "qz" + "".join("bcdfghjklm"[int(digit)] for digit in number)


class Burst:
    """POST /api/stories from a pool of threads until told to stop, recording every outcome."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}"}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.next = 0
        self.requested: set[str] = set()
        self.acked: set[str] = set()
        self.in_flight = 0
        self.failures: Counter[str] = Counter()

    def _take(self) -> str | None:
        with self.lock:
            if self.stop.is_set() or self.next >= LIMIT:
                return None
            self.next += 1
            number = f"{self.next:04d}"
            self.requested.add(number)
            self.in_flight += 1
            return number

    def worker(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=5) as http:
            while (number := self._take()) is not None:
                story = {
                    "number": number,
                    "title": f"Verhaal {_word(number)} uit de wijk",
                    "body_markdown": f"Een verhaal over het plein, nummer {number}.",
                    "storytellers": ["Fatima"],
                    "date": "najaar 2020",
                    "consent": "public",
                }
                outcome = "transport"
                try:
                    response = http.post("/api/stories", json=story)
                    outcome = str(response.status_code)
                except httpx.TransportError:
                    pass
                with self.lock:
                    self.in_flight -= 1
                    if outcome == "201":
                        self.acked.add(number)
                    else:
                        self.failures[outcome] += 1

    def snapshot(self) -> tuple[int, int]:
        with self.lock:
            return len(self.acked), self.in_flight


def _log_registrations(base: str, token: str, unavailable: list[str] | None = None) -> Counter[str]:
    """How often each item was registered, read from the whole log through GET /api/events.

    A 503 (the database unreachable) is retried after a second, as its Retry-After asks,
    within the 60 s; the 503s met are appended to `unavailable` when given, else refused.
    """
    registered: Counter[str] = Counter()
    after = 0
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as http:
        while True:
            assert time.monotonic() < deadline, "paging the log took over 60 s"
            page = http.get("/api/events", params={"after": after, "limit": 1000}, timeout=20)
            if page.status_code == 503 and unavailable is not None:
                unavailable.append(page.text)
                time.sleep(1)
                continue
            assert page.status_code == 200, page.text
            body = page.json()
            for event in body["items"]:
                if event["type"].split(".")[-1] == "Registered":
                    registered[event["originator"]] += 1
            if not body["items"] or body["next"] >= body["total"]:
                return registered
            after = body["next"]


def _index_docs(settings: Settings) -> list[str]:
    """Every stored search-index document, in a stable order."""
    with whoosh_index.open_dir(str(settings.index_dir)).searcher() as searcher:
        return sorted(
            json.dumps(doc, sort_keys=True, ensure_ascii=False)
            for doc in searcher.all_stored_fields()
        )


@pytest.mark.slow
def test_a_killed_api_server_keeps_every_acknowledged_write_once(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A curator token, created by the command line on the same store as the server.
    monkeypatch.setenv("WIJKARCHIEF_DATA", str(settings.data_dir))
    if settings.database_url:
        monkeypatch.setenv("WIJKARCHIEF_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("WIJKARCHIEF_DATABASE_SCHEMA", settings.database_schema)
    else:
        monkeypatch.delenv("WIJKARCHIEF_DATABASE_URL", raising=False)
        monkeypatch.delenv("WIJKARCHIEF_DATABASE_SCHEMA", raising=False)
    assert cli(["token", "create", "--role", "curator", "--name", "anna"]) == 0
    token = capsys.readouterr().out.strip()
    assert token
    log = tmp_path / "server.log"

    # A real server takes a burst of story registrations from four threads ...
    with uvicorn(child_env(settings), log, kill=True) as running:
        server, base = running.process, running.base
        burst = Burst(base, token)
        pool = ThreadPoolExecutor(max_workers=WORKERS)
        futures = [pool.submit(burst.worker) for _ in range(WORKERS)]
        try:
            # ... until about 30 are acknowledged and more are in flight ...
            deadline = time.monotonic() + 120
            while True:
                acked, in_flight = burst.snapshot()
                if acked >= ACKED_BEFORE_KILL and in_flight > 0:
                    break
                assert server.poll() is None, log.read_text()
                assert burst.next < LIMIT, f"the burst ran out: {burst.failures}"
                assert time.monotonic() < deadline, f"only {acked} writes acknowledged in 120 s"
                time.sleep(0.002)
            # ... when it is killed with SIGKILL.
            server.send_signal(signal.SIGKILL)
            server.wait(timeout=30)
            acked_at_kill = acked
        finally:
            # The threads stop asking; those in flight end (refused or timed out) within 5 s.
            burst.stop.set()
            done, pending = wait(futures, timeout=30)
            pool.shutdown(wait=False, cancel_futures=True)
        assert not pending, "a writer thread hung after the kill"
        for future in done:
            future.result()
    # Some requests were cut off by the kill, so the test did kill mid-burst.
    assert burst.acked and len(burst.acked) >= acked_at_kill
    assert burst.requested - burst.acked, "no request was in flight at the kill"

    # Started again on the same data, the server answers.
    with uvicorn(child_env(settings), log, kill=True) as running:
        base = running.base
        # Every acknowledged story is in the log exactly once, and nothing unrequested is.
        registered = _log_registrations(base, token)
        stories = {ref.removeprefix("stories/"): n for ref, n in registered.items()}
        assert all(ref.startswith("stories/") for ref in registered), registered
        assert all(count == 1 for count in stories.values()), stories
        assert burst.acked <= set(stories)
        assert set(stories) <= burst.requested
        # Each acknowledged story's own history starts with its one registration.
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=10) as http:
            for number in sorted(burst.acked):
                history = http.get(f"/api/stories/{number}/history")
                assert history.status_code == 200, history.text
                types = [event["type"].split(".")[-1] for event in history.json()["items"]]
                assert types == ["Registered"], (number, types)
            # The catalogue lists as many stories as the log registered.
            listed = http.get("/api/stories", params={"limit": 1000})
            assert listed.status_code == 200, listed.text
            assert listed.json()["total"] == len(stories)
            assert {s["number"] for s in listed.json()["items"]} == set(stories)

    # With the server gone, the read models equal a clean rebuild of the same log ...
    archive = open_archive(settings)
    try:
        before = archive.items("stories", role="curator")
        docs_before = _index_docs(settings)
        # ... and search finds every acknowledged story by its unique title word.
        for number in sorted(burst.acked):
            hits = archive.search(_word(number), kind="stories", role="curator")["hits"]
            assert [hit["id"] for hit in hits] == [number], (number, hits)
        archive.rebuild()
        assert archive.items("stories", role="curator") == before
        assert _index_docs(settings) == docs_before
        assert {item["number"] for item in before} == set(stories)
    finally:
        archive.close()


def _fill(settings: Settings) -> int:
    """A log of ITEMS episodes with a happening each, written without any read model."""
    app = Wijkarchief(settings)
    try:
        for n in range(ITEMS):
            app.register(
                "episodes",
                {"id": f"geval-{n:05d}", "title": f"Buurtactie {n} voor de speeltuin",
                 "date": "2020-23",
                 "happenings": [{"date": "2020-11", "title": f"Petitie {n} overhandigd"}]},
                actor="loader",
            )  # fmt: skip
        return app.position()
    finally:
        app.close()


def _index_position(settings: Settings) -> int:
    path = str(settings.index_dir)
    try:
        # exists_in too: the projector may drop an old TOC file between listing and reading.
        if not whoosh_index.exists_in(path):
            return 0
        with whoosh_index.open_dir(path).searcher() as searcher:
            meta = searcher.document(docid="__position__")
    except Exception:  # the projector is creating it right now
        return 0
    return int(meta["position"]) if meta else 0


def _catalogue_position(settings: Settings) -> int:
    catalogue = open_catalogue(settings)
    try:
        return catalogue.position()
    finally:
        close = getattr(catalogue, "close", None)
        if close is not None:
            close()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_a_killed_projector_on_postgresql_resumes_as_a_clean_rebuild(
    settings: Settings, tmp_path: Path
) -> None:
    # A log of a few thousand events in PostgreSQL, and no read model yet.
    last = _fill(settings)

    # The projector feeds both views in step, page by page: the catalogue (in the schema)
    # first, then the search index (on local disk). It is killed with SIGKILL early on ...
    first = projector(settings, "--page-size", str(PAGE))
    kill_when(first, lambda: 0 < _index_position(settings) < last // 2, "into the log")
    stopped = _index_position(settings)
    assert stopped <= _catalogue_position(settings) < last

    # ... and, started again, once more further on.
    second = projector(settings, "--page-size", str(PAGE))
    kill_when(second, lambda: stopped < _index_position(settings) < last, "further on")
    assert stopped < _index_position(settings) <= _catalogue_position(settings)
    assert _index_position(settings) < last

    # Started with --once, it resumes from the tracked positions and catches up to the end.
    again = projector(settings, "--page-size", str(PAGE), "--once")
    try:
        _, errors = again.communicate(timeout=300)
    finally:
        stop(again, grace=0)
    assert again.returncode == 0, errors
    assert _catalogue_position(settings) == _index_position(settings) == last

    # The resumed read models: the catalogue in the schema, the index in the data directory.
    resumed = open_archive(settings, follow=False)
    try:
        resumed_catalogue = list(resumed.catalogue.items())
    finally:
        resumed.close()
    resumed_docs = _index_docs(settings)

    # A clean rebuild of the same log: the shared catalogue again, an index in another directory.
    clean_catalogue, clean_docs = _clean_rebuild(settings, tmp_path / "clean")
    assert resumed_catalogue == clean_catalogue
    assert resumed_docs == clean_docs

    # No document is missing or doubled: one per item, one per happening, one position.
    docids = [json.loads(doc)["docid"] for doc in resumed_docs]
    assert len(docids) == len(set(docids)) == 2 * ITEMS + 1
    assert len(resumed_catalogue) == ITEMS


def _clean_rebuild(settings: Settings, data_dir: Path) -> tuple[list[Any], list[str]]:
    """Rebuild the read models of `settings`' log afresh with `data_dir` for the index (the
    catalogue lives in the store): its catalogue items and its search documents."""
    clean = Settings(
        data_dir=data_dir,
        database_url=settings.database_url,
        database_schema=settings.database_schema,
    )
    rebuilt = open_archive(clean, follow=False)
    try:
        rebuilt.rebuild()
        catalogue = list(rebuilt.catalogue.items())
    finally:
        rebuilt.close()
    return catalogue, _index_docs(clean)


def _writable(directory: Path) -> bool:
    """True when this process can still create a file in `directory` (root always can)."""
    probe = directory / ".probe"
    try:
        probe.touch()
    except OSError:
        return False
    probe.unlink()
    return True


def _one_line_reason(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("wijkarchief: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.slow
def test_a_read_only_data_directory_fails_in_one_line_and_stays_intact(
    sqlite_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A small archive: one registered episode, exported for comparison.
    data = sqlite_settings.data_dir
    archive = open_archive(sqlite_settings)
    try:
        archive.register(
            "episodes", {"id": "duimdrop", "title": "Acties voor Duimdrop", "date": "2020-09"},
            actor="loader",
        )  # fmt: skip
    finally:
        archive.close()
    monkeypatch.setenv("WIJKARCHIEF_DATA", str(data))
    monkeypatch.delenv("WIJKARCHIEF_DATABASE_URL", raising=False)
    monkeypatch.delenv("WIJKARCHIEF_DATABASE_SCHEMA", raising=False)
    assert cli(["export", str(tmp_path / "before.jsonl")]) == 0
    capsys.readouterr()

    # The data directory and everything in it is made read-only ...
    subprocess.run(["chmod", "-R", "a-w", str(data)], check=True, timeout=30)
    try:
        if _writable(data):
            pytest.skip("root ignores file permissions (the read-only mount variant runs as root)")

        # ... so loading the seed archive fails with a one-line reason, no traceback ...
        assert cli(["seed"]) != 0
        _one_line_reason(capsys.readouterr().err)
        # ... and so does a write through the command line (a new token).
        assert cli(["token", "create", "--role", "curator", "--name", "anna"]) != 0
        _one_line_reason(capsys.readouterr().err)
    finally:
        # Writable again (whatever happened above).
        subprocess.run(["chmod", "-R", "u+w", str(data)], check=True, timeout=30)

    # The store is intact: the episode is there and the export is the same as before.
    archive = open_archive(sqlite_settings)
    try:
        assert archive.item("episodes", "duimdrop")["title"] == "Acties voor Duimdrop"
    finally:
        archive.close()
    assert cli(["export", str(tmp_path / "after.jsonl")]) == 0
    after = (tmp_path / "after.jsonl").read_text(encoding="utf-8")
    assert after == (tmp_path / "before.jsonl").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", [["seed"], ["token", "create", "--role", "curator", "--name", "anna"]]
)
def test_a_data_directory_that_cannot_be_created_fails_in_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    # WIJKARCHIEF_DATA under a regular file: no one, not even root, can create the directory.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory\n", encoding="utf-8")
    settings = Settings(data_dir=blocker / "data")

    # The command, a real process, exits non-zero with a one-line reason naming the path.
    result = subprocess.run(
        [*CLI, *command],
        cwd=ROOT,
        env=child_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    reason = _one_line_reason(result.stderr)
    assert str(settings.data_dir) in reason
    assert result.stdout == ""

    # Nothing was written in its place: the file is unchanged and still a file.
    assert blocker.is_file()
    assert blocker.read_text(encoding="utf-8") == "not a directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def _read_only_mount(data: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """`wijkarchief COMMAND` in a private mount namespace where `data` is a read-only mount."""
    script = 'mount --bind -o ro "$0" "$0" || exit 97; exec "$@"'
    return subprocess.run(
        ["unshare", "-m", "--propagation", "private", "sh", "-c", script, str(data),
         *CLI, *command],
        cwd=ROOT,
        env=child_env(Settings(data_dir=data)),
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_a_read_only_mount_fails_in_one_line_even_for_root(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    # A small archive: one registered episode, exported for comparison.
    data = sqlite_settings.data_dir
    archive = open_archive(sqlite_settings)
    try:
        archive.register(
            "episodes", {"id": "duimdrop", "title": "Acties voor Duimdrop", "date": "2020-09"},
            actor="loader",
        )  # fmt: skip
    finally:
        archive.close()
    before = tmp_path / "before.jsonl"
    exported = subprocess.run(
        [*CLI, "export", str(before)],
        cwd=ROOT, env=child_env(sqlite_settings), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr

    # A read-only mount binds root too; without the privilege to mount, there is nothing to test.
    probe = _read_only_mount(data, "qualities")
    if probe.returncode != 0:
        pytest.skip(f"no private read-only mount here (needs unshare and mount): {probe.stderr}")

    # On the read-only mount, loading the seed archive and a new token fail in one line each.
    for command in (["seed"], ["token", "create", "--role", "curator", "--name", "anna"]):
        result = _read_only_mount(data, *command)
        assert result.returncode not in (0, 97), result.stderr
        _one_line_reason(result.stderr)

    # The store is intact: the episode is there and the export is the same as before.
    archive = open_archive(sqlite_settings)
    try:
        assert archive.item("episodes", "duimdrop")["title"] == "Acties voor Duimdrop"
    finally:
        archive.close()
    after = tmp_path / "after.jsonl"
    exported = subprocess.run(
        [*CLI, "export", str(after)],
        cwd=ROOT, env=child_env(sqlite_settings), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert after.read_text(encoding="utf-8") == before.read_text(encoding="utf-8")
