"""The PostgreSQL connections after they were cut: replaced within the request (archive.pgstore).

A server restart kills every connection the pools hold. Here the server stays up and only
this archive's own connections are ended (`pg_terminate_backend` on their backend ids), so
the test runs without root and disturbs no other client of the server. Before the fix the
catalogue's first read met its dead pooled connection, psycopg_pool's pre-ping back-off
spent the whole 1 s wait, and the request was answered 503. The slow counterpart with a real
stop and start of the server is `tests/faults/test_postgres_restart.py`.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresTrackingRecorder,
)

from archive import pgstore
from archive.config import Settings, connect_timeout
from archive.sessions import Sessions
from bootstrap import open_archive
from events.errors import InvalidInput

PROMPT = 0.5  # seconds: a fresh connection on loopback takes a few milliseconds


def _backend_pids(pool: Any) -> list[int]:
    """The server process of every connection the pool holds (all taken out at once)."""
    conns = [pool.getconn() for _ in range(pool.min_size)]
    try:
        return [conn.info.backend_pid for conn in conns]
    finally:
        for conn in conns:
            pool.putconn(conn)


@pytest.mark.postgres
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_connections_cut_are_replaced_within_the_request(settings: Settings) -> None:
    archive = open_archive(settings, follow=False)
    sessions = Sessions(settings, archive.recorder.datastore)  # type: ignore[attr-defined]
    try:
        session = sessions.start("anna", "curator", 1)
        pools = [archive.recorder.datastore.pool, archive.catalogue.datastore.pool]  # type: ignore[attr-defined]
        for round_ in range(3):
            pids = [pid for pool in pools for pid in _backend_pids(pool)]
            with psycopg.connect(settings.pg_conninfo(), autocommit=True) as admin:
                for pid in pids:
                    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            # What a worker does first after a restart, each on a pool of dead connections.
            started = time.monotonic()
            assert list(archive.catalogue.items()) == []
            assert sessions.get(session) is not None
            assert archive.position() == 0
            took = time.monotonic() - started
            assert took < PROMPT, (round_, took)
            assert not set(pids) & set(_backend_pids(pools[0]) + _backend_pids(pools[1]))
    finally:
        sessions.close()
        archive.close()


def test_every_retried_library_method_runs_once() -> None:
    """The library's recorders retry these 10 times (~12 s with the server down); ours run
    them once. A library upgrade that retries another method shows up here."""
    ours = {
        PostgresAggregateRecorder: pgstore.AggregateRecorder,
        PostgresApplicationRecorder: pgstore.ApplicationRecorder,
        PostgresTrackingRecorder: pgstore.TrackingRecorder,
    }
    for library, mine in ours.items():
        retried = [name for name in dir(library) if hasattr(getattr(library, name), "__wrapped__")]
        assert retried, library
        for name in retried:
            assert not hasattr(getattr(mine, name), "__wrapped__"), (mine, name)


def test_the_wait_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("WIJKARCHIEF_DATABASE_URL", "postgresql://u@db.example:5432/archief")
    monkeypatch.setenv("WIJKARCHIEF_DATABASE_WAIT", "2.5")
    settings = Settings.from_env()
    assert settings.database_wait == 2.5
    env = settings.event_store_env()
    assert env["PERSISTENCE_MODULE"] == "archive.pgstore:Factory"
    assert env["WIJKARCHIEF_DATABASE_WAIT"] == "2.5"
    assert "connect_timeout=3" in settings.pg_conninfo()  # libpq: whole seconds
    assert connect_timeout(0.5) == 2  # libpq reads 1 as 2
    for bad in ("0", "-1", "soms", "inf"):
        monkeypatch.setenv("WIJKARCHIEF_DATABASE_WAIT", bad)
        with pytest.raises(InvalidInput, match="WIJKARCHIEF_DATABASE_WAIT"):
            Settings.from_env()
