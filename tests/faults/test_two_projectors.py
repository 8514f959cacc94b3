"""Two hosts' projectors on one PostgreSQL database: neither dies, one leads, one takes over.

The runbook's shape for two hosts: a `wijkarchief project` per host, each with a data
directory of its own (its own search index), both on the one database whose catalogue they
share. Before the leader lock a projector died in about one run in four during a burst of
23 writes ("Failed to record tracking for catalogue 179"). Here: bursts of writes, both
projectors alive at the end, the catalogue complete without a duplicate row and both
indexes complete; then the leader is killed with `kill -9` and the other takes over.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from archive.config import Settings
from archive.leader import is_shared
from bootstrap import open_archive, open_log
from tests.conftest import postgres_schema_settings
from tests.servers import CLI, child_env, spawn, stop, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
LEADING = "(leider)"


def _story(number: str) -> dict[str, Any]:
    return {"number": number, "title": f"Verhaal {number}", "body_markdown": "Over de buurt.",
            "consent": "public"}  # fmt: skip


def _at(settings: Settings, head: int) -> Callable[[], bool]:
    """Whether every view of the host of `settings` is at `head`."""
    return lambda: set(_positions(settings).values()) == {head}


def _positions(settings: Settings) -> dict[str, int]:
    """Every view's position as seen from a host's data directory."""
    archive = open_archive(settings, follow=False)
    try:
        return {view.name: view.position() for view in archive.views}
    finally:
        archive.close()


def test_two_projectors_share_the_catalogue_and_a_standby_takes_over(tmp_path: Path) -> None:
    schema: Generator[Settings, None, None] = postgres_schema_settings(tmp_path / "a")  # type: ignore[assignment]
    host_a = next(schema)
    host_b = Settings(
        data_dir=tmp_path / "b", database_url=host_a.database_url,
        database_schema=host_a.database_schema,
    )  # fmt: skip
    log = open_log(host_a)
    logs = {"a": tmp_path / "project-a.log", "b": tmp_path / "project-b.log"}
    projectors = {
        name: spawn([*CLI, "project", "--interval", "0.02"], child_env(settings), logs[name])
        for name, settings in (("a", host_a), ("b", host_b))
    }
    try:
        # Both start; exactly one says it leads.
        wait_until("a leader", lambda: any(LEADING in p.read_text() for p in logs.values()), 60)
        # Bursts of 23 writes, the shape that killed a projector in one run of four.
        numbers = [f"{burst}{i:03d}" for burst in range(1, 6) for i in range(23)]
        for start in range(0, len(numbers), 23):
            for number in numbers[start : start + 23]:
                log.register("stories", _story(number), actor="anna")
            time.sleep(0.3)
        head = log.recorder.max_notification_id() or 0
        # Both hosts' views reach the head: the shared catalogue and each host's own index.
        for settings in (host_a, host_b):
            wait_until("the views at the head", _at(settings, head), 60)
        assert all(p.poll() is None for p in projectors.values()), "a projector exited"
        # The catalogue is complete, one row per item.
        with psycopg.connect(host_a.pg_conninfo()) as conn:
            table = f"{host_a.database_schema}.catalogue_items"
            rows = conn.execute(f"SELECT count(*), count(DISTINCT ref) FROM {table}").fetchone()
        assert rows == (len(numbers), len(numbers))
        # Kill the leader with kill -9; the other takes over the shared views.
        leader = next(name for name, path in logs.items() if LEADING in path.read_text())
        standby = "b" if leader == "a" else "a"
        projectors[leader].send_signal(signal.SIGKILL)
        projectors[leader].wait(timeout=10)
        for number in ("9001", "9002", "9003"):
            log.register("stories", _story(number), actor="anna")
        head = log.recorder.max_notification_id() or 0
        standby_settings = host_a if standby == "a" else host_b
        wait_until("the standby took over", lambda: LEADING in logs[standby].read_text(), 30)
        wait_until("the catalogue at the head", _at(standby_settings, head), 30)
        archive = open_archive(standby_settings, follow=False)
        try:
            assert archive.catalogue.item("stories", "9003") is not None
            assert [v.name for v in archive.views if is_shared(v)] == ["catalogue"]
        finally:
            archive.close()
        assert "Failed to record tracking" not in logs[standby].read_text()
        assert projectors[standby].poll() is None
    finally:
        for process in projectors.values():
            stop(process, grace=5)
        log.close()
        schema.close()
