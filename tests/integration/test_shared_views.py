"""Shared views on PostgreSQL: two writers of the catalogue, and the one that leads.

Two hosts on one database share the catalogue table. A writer that loses the race for a
page (the other recorded it first) goes on from the other's position instead of failing,
and the advisory lock of `archive.leader` lets one projector at a time write it.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from archive.config import Settings
from archive.leader import SharedViewsLeader, is_shared
from bootstrap import open_archive, open_log
from tests.conftest import postgres_schema_settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def two_hosts(tmp_path: Path) -> Any:
    """Settings of two hosts (own data directories) on one fresh schema."""
    schema: Generator[Settings, None, None] = postgres_schema_settings(tmp_path / "a")  # type: ignore[assignment]
    a = next(schema)
    b = Settings(
        data_dir=tmp_path / "b", database_url=a.database_url, database_schema=a.database_schema
    )
    yield a, b
    schema.close()


def _story(number: str) -> dict[str, Any]:
    return {"number": number, "title": f"Verhaal {number}", "body_markdown": "Tekst.",
            "consent": "public"}  # fmt: skip


def test_the_loser_of_a_race_for_a_page_goes_on(two_hosts: Any) -> None:
    settings_a, settings_b = two_hosts
    log = open_log(settings_a)
    a = open_archive(settings_a, follow=False)
    b = open_archive(settings_b, follow=False)
    try:
        for number in ("0101", "0102", "0103"):
            log.register("stories", _story(number), actor="anna")
        # Host B reads the catalogue's position and starts on the page; host A records the
        # same page first, just before B's transaction commits.
        original = b.catalogue.process

        def slow_process(changes: Any, states: Any) -> None:
            a.catch_up()
            original(changes, states)

        b.catalogue.process = slow_process  # type: ignore[method-assign]
        # B's tracking is refused: it does not fail, it goes on from A's position.
        b.followers.catch_up(views=[b.catalogue])
        head = log.recorder.max_notification_id()
        assert b.catalogue.position() == a.catalogue.position() == head
        assert sorted(item["id"] for item in b.catalogue.items("stories")) == [
            "0101", "0102", "0103",
        ]  # fmt: skip
        # A later page is written by B as usual.
        b.catalogue.process = original  # type: ignore[method-assign]
        log.register("stories", _story("0104"), actor="anna")
        b.catch_up()
        assert b.catalogue.item("stories", "0104") is not None
    finally:
        a.close()
        b.close()
        log.close()


def test_one_leader_at_a_time_and_a_standby_takes_over(two_hosts: Any) -> None:
    settings_a, settings_b = two_hosts
    archive = open_archive(settings_a, follow=False)
    first = SharedViewsLeader(settings_a, retry_seconds=0)
    second = SharedViewsLeader(settings_b, retry_seconds=0)
    try:
        # The catalogue is shared; the search index is this host's own.
        assert [view.name for view in archive.views if is_shared(view)] == ["catalogue"]
        # The first to try leads and feeds every view; the other feeds only its own.
        assert first.holds() and not second.holds()
        assert first.feeds(archive.views) == archive.views
        assert [view.name for view in second.feeds(archive.views)] == ["search"]
        # The leader's connection ends (its process died): the standby takes over.
        first._conn.close()
        assert second.holds()
        # The old leader notices at its next check, and stands by.
        assert not first.holds()
        assert [view.name for view in first.feeds(archive.views)] == ["search"]
    finally:
        first.close()
        second.close()
        archive.close()


def test_the_postgres_search_view_is_shared_too(
    two_hosts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the search view in PostgreSQL every view is shared: a standby feeds none.
    monkeypatch.setenv("WIJKARCHIEF_SEARCH_BACKEND", "postgres")
    settings_a, _ = two_hosts
    archive = open_archive(settings_a, follow=False)
    leader = SharedViewsLeader(settings_a, retry_seconds=0)
    standby = SharedViewsLeader(settings_a, retry_seconds=0)
    try:
        assert all(is_shared(view) for view in archive.views)
        assert leader.holds() and leader.feeds(archive.views) == archive.views
        assert standby.feeds(archive.views) == []
    finally:
        leader.close()
        standby.close()
        archive.close()
