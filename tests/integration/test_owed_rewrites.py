"""An erasure while another session holds an older snapshot: the rewrite is owed, then paid.

The test database is shared (benchmarks, other suites): their sessions may hold snapshots
older than an erasure too, for a second or more. So the tests wait for the payment (bounded)
where a session of theirs could delay it, and look for their own holder among the holders.

`VACUUM FULL` keeps the row versions an older snapshot could still read, so while such a
session is open the erased words stay in the table files. The archive then records the
rewrite as owed, says so (the report, the metric), keeps answering reads, and does the
rewrite by itself once the session has ended: checked on the raw relation files, read after
a `CHECKPOINT`, as `tests.conftest.postgres_table_bytes` does (dead row versions included).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from archive import owed
from archive.config import Settings
from archive.service import Archive
from bootstrap import open_archive
from tests.conftest import postgres_schema_settings, postgres_table_bytes

pytestmark = pytest.mark.postgres

SECRET = "Grootmoeder Zwanenburg verstopte het spaargeld onder de trap"
TELLER = "Willemijn Zwanenburg"


@pytest.fixture
def pg_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A schema of its own, the search view in it too; an erasure waits 0.3 s at most."""
    monkeypatch.setenv("WIJKARCHIEF_SEARCH_BACKEND", "postgres")
    for settings in postgres_schema_settings(tmp_path / "data"):
        yield dataclasses.replace(settings, erasure_wait=0.3)


def _holder(settings: Settings) -> psycopg.Connection[Any]:
    """Another tool's session: a REPEATABLE READ transaction that has read (a snapshot)."""
    conn = psycopg.connect(settings.pg_conninfo(), application_name="maandrapport")
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    conn.execute("SELECT count(*) FROM pg_class").fetchone()
    return conn


def _until_no_holders(archive: Archive, seconds: float = 60) -> None:
    """Until no session older than the owed rewrites' horizon is left (another suite's)."""
    deadline = time.monotonic() + seconds
    while archive.owed.report()["holders"] and time.monotonic() < deadline:
        time.sleep(0.1)


def _story(archive: Archive) -> bytes:
    """A story with the secret, read by every view; its key."""
    archive.register(
        "stories",
        {"number": "0301", "title": "De trap", "body_markdown": SECRET,
         "storytellers": [TELLER], "consent": "public"},
        actor="anna",
    )  # fmt: skip
    archive.register(
        "stories", {"number": "0302", "title": "Het plein", "consent": "public"}, actor="anna"
    )
    assert archive.search("spaargeld")["total"] == 1
    key = archive.keys.get(archive.item_id_for("stories", "0301"))
    assert key is not None
    return key


def _owe(archive: Archive, settings: Settings) -> tuple[psycopg.Connection[Any], bytes]:
    """Erase the story while a session holds an older snapshot: the holder and the key."""
    key = _story(archive)
    holder = _holder(settings)
    archive.erase("stories", "0301", actor="anna", reason="AVG art. 17")
    return holder, key


def test_an_owed_rewrite_is_reported_and_paid_by_a_read(
    pg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.metrics import exposition

    monkeypatch.setattr(owed, "RETRY_SECONDS", 0.0)  # every read may try (production: 5 s)
    archive = open_archive(pg_settings)
    try:
        holder, key = _owe(archive, pg_settings)
        holder_pid = holder.info.backend_pid

        # The rewrite is owed, and said so: which tables, who holds them up.
        report = archive.owed.report()
        assert not report["removed"]
        tables = {t["table"].split(".")[1] for t in report["tables"]}
        assert {"catalogue_items", "wijkarchief_keys"} <= tables and len(tables) >= 3
        assert any(
            h["pid"] == holder_pid and h["name"] == "maandrapport" and h["since"]
            for h in report["holders"]
        )
        assert f"sessie {holder_pid} ('maandrapport'" in report["message"]
        assert "vanzelf" in report["message"]
        assert f"wijkarchief_owed_rewrites {float(len(tables))}" in exposition(archive).decode()
        # The raw table files still hold the words: this is what the debt is about.
        raw = postgres_table_bytes(pg_settings)
        assert SECRET.encode() in raw and key in raw

        # Reads go on meanwhile, and their tries change nothing while the session is open.
        for _ in range(3):
            assert archive.search("plein")["total"] == 1
            assert archive.item("stories", "0301", role="curator")["erased"]
            archive.owed.join()
        assert archive.owed.count() == len(tables)

        # The session ends; the next read pays, in the background.
        holder.rollback()
        holder.close()
        deadline = time.monotonic() + 60
        while archive.owed.count() and time.monotonic() < deadline:
            assert archive.search("plein")["total"] == 1
            archive.owed.join()
        assert archive.owed.count() == 0
        assert archive.owed.report() == {
            "removed": True, "tables": [], "holders": [], "message": None
        }  # fmt: skip
        raw = postgres_table_bytes(pg_settings)
        assert SECRET.encode() not in raw and TELLER.encode() not in raw
        assert key not in raw
        assert "wijkarchief_owed_rewrites 0.0" in exposition(archive).decode()
    finally:
        archive.close()


def test_the_projector_loop_pays_it(pg_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owed, "RETRY_SECONDS", 0.0)
    archive = open_archive(pg_settings)
    projector = open_archive(pg_settings, follow=False)  # as `wijkarchief project` opens it
    try:
        holder, key = _owe(archive, pg_settings)
        projector.catch_up()  # one turn of the projector's loop: it tries, in vain
        projector.owed.join()
        assert projector.owed.count() >= 3  # still held up
        holder.rollback()
        holder.close()
        archive.owed.join()  # (its own try, if one runs, would make the projector skip)
        deadline = time.monotonic() + 60
        while projector.owed.count() and time.monotonic() < deadline:
            projector.catch_up()  # a turn of the projector's loop
            projector.owed.join()
        assert projector.owed.count() == 0
        raw = postgres_table_bytes(pg_settings)
        assert SECRET.encode() not in raw and key not in raw
    finally:
        projector.close()
        archive.close()


def test_closing_the_archive_pays_it(pg_settings: Settings) -> None:
    archive = open_archive(pg_settings)
    holder, key = _owe(archive, pg_settings)
    assert archive.owed.count() >= 3
    holder.rollback()
    holder.close()
    _until_no_holders(archive)
    archive.close()  # the last try, at close (production: a command line's end)
    reopened = open_archive(pg_settings, follow=False)
    try:
        assert reopened.owed.count() == 0
        raw = postgres_table_bytes(pg_settings)
        assert SECRET.encode() not in raw and key not in raw
    finally:
        reopened.close()


def test_two_payers_at_once_do_no_harm(pg_settings: Settings) -> None:
    archive = open_archive(pg_settings)
    try:
        holder, key = _owe(archive, pg_settings)
        holder.rollback()
        holder.close()
        start = threading.Barrier(2)
        results: list[int | BaseException] = []

        def payer() -> None:
            start.wait()
            try:
                results.append(owed.pay(archive.owed.conninfo, archive.owed.schema))
            except BaseException as error:
                results.append(error)

        threads = [threading.Thread(target=payer) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(isinstance(r, int) for r in results), results
        archive.owed.settle(60)  # whichever skipped (or another suite held it up): paid now
        assert archive.owed.count() == 0
        assert key not in postgres_table_bytes(pg_settings)
    finally:
        archive.close()


def test_an_erasure_nothing_holds_up_leaves_no_copies(pg_settings: Settings) -> None:
    archive = open_archive(pg_settings)
    try:
        key = _story(archive)
        archive.erase("stories", "0301", actor="anna", reason="AVG art. 17")
        assert archive.owed.settle(60) == 0  # at once, unless another suite held it up
        raw = postgres_table_bytes(pg_settings)
        assert SECRET.encode() not in raw and key not in raw
    finally:
        archive.close()


def test_the_erasure_answer_ready_and_the_command_line_say_so(
    pg_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import httpx
    from anyio.from_thread import start_blocking_portal

    from api.main import create_app
    from entrypoints.cli import main
    from tests.e2e.conftest import PortalTransport, bearer

    archive = open_archive(pg_settings)
    try:
        key = _story(archive)
        curator = bearer(archive.issue_token("anna", "curator"))
        holder = _holder(pg_settings)
        with (
            start_blocking_portal() as portal,
            httpx.Client(
                transport=PortalTransport(create_app(archive), portal), base_url="http://t"
            ) as http,
        ):
            # Forgetting the teller through the API: the answer says what is left, and why.
            answer = http.post(
                "/api/people/erasures", json={"name": TELLER, "reason": "AVG"}, headers=curator
            )
            assert answer.status_code == 200, answer.text
            old = answer.json()["old_copies"]
            assert old["removed"] is False and len(old["tables"]) >= 3
            assert "maandrapport" in [h["name"] for h in old["holders"]]
            assert "Oude kopieën van gewiste woorden" in old["message"]
            ready = http.get("/api/ready")
            assert ready.status_code == 200 and ready.json()["owed_rewrites"] == len(old["tables"])
    finally:
        archive.close()

    # The command line: an erasure says so on stderr; rewrite-owed fails while held up ...
    for name, value in (
        ("WIJKARCHIEF_DATABASE_URL", pg_settings.database_url or ""),
        ("WIJKARCHIEF_DATABASE_SCHEMA", pg_settings.database_schema),
        ("WIJKARCHIEF_DATA", str(pg_settings.data_dir)),
        ("WIJKARCHIEF_ERASURE_WAIT", "0.3"),
    ):
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert main(["erase", "0301", "--actor", "anna"]) == 0
    err = capsys.readouterr().err
    assert "Let op: Oude kopieën van gewiste woorden" in err and "'maandrapport'" in err
    assert main(["rewrite-owed", "--wait", "0.3"]) == 1
    assert "maandrapport" in capsys.readouterr().err
    # ... and does it at once when the session has ended.
    holder.rollback()
    holder.close()
    assert main(["rewrite-owed", "--wait", "60"]) == 0
    assert "Geen herschrijving open" in capsys.readouterr().out
    raw = postgres_table_bytes(pg_settings)
    assert SECRET.encode() not in raw and TELLER.encode() not in raw and key not in raw


@pytest.mark.slow
def test_two_processes_paying_at_the_same_moment(pg_settings: Settings) -> None:
    import subprocess

    from tests.servers import CLI, child_env

    archive = open_archive(pg_settings)
    try:
        holder, key = _owe(archive, pg_settings)
    finally:
        archive.close()
    holder.rollback()
    holder.close()
    with psycopg.connect(pg_settings.pg_conninfo(), autocommit=True) as conn:
        assert len(owed.owed_rows(conn, pg_settings.database_schema)) >= 3
    # Two hosts' `rewrite-owed` (each also tries at start-up and close) at the same moment.
    env = child_env(pg_settings, WIJKARCHIEF_SEARCH_BACKEND="postgres")
    command = [*CLI, "rewrite-owed", "--wait", "60"]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err.decode()
        assert b"Traceback" not in err and b"Geen herschrijving open" in out
    raw = postgres_table_bytes(pg_settings)
    assert SECRET.encode() not in raw and TELLER.encode() not in raw and key not in raw
