"""The engine's floor: a bare eventsourcing application with a trivial aggregate.

Same library, same persistence settings as the archive (its own SQLite file or PostgreSQL
schema), but the default mapper (no per-item keys, no encryption), no validation, and a
60-character payload. What the archive does on top of this is what the ratios measure.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from archive.config import Settings

PAYLOAD = "bewoners en vrijwilligers van de buurt deelden voedselpakketten"[:60]
PAGE = 500

Shape = list[list[tuple[int, int]]]  # per commit: (aggregate slot, events it adds)


class Note(Aggregate):
    """A trivial aggregate: created once, then noted again and again."""

    @event("Created")
    def __init__(self, text: str) -> None:
        self.text = text

    @event("Noted")
    def note(self, text: str) -> None:
        """Record one more event."""
        self.text = text


class BareApp(Application[UUID]):
    """An application with nothing but the library's defaults."""

    name = "BareApp"


def open_bare(settings: Settings) -> BareApp:
    """The bare application on the baseline store."""
    return BareApp(env=settings.event_store_env())


def save_in_shape(app: BareApp, shape: Shape, tick: Callable[[int], Any] | None = None) -> float:
    """Write the same events per aggregate and per commit as the archive did; seconds in save."""
    notes: dict[int, Note] = {}
    seconds = 0.0
    for commit in shape:
        batch = []
        for slot, count in commit:
            note = notes.get(slot)
            if note is None:
                note = notes[slot] = Note(PAYLOAD)
                count -= 1
            for _ in range(count):
                note.note(PAYLOAD)
            batch.append(note)
        started = time.perf_counter()
        app.save(*batch)
        seconds += time.perf_counter() - started
        if tick:
            tick(1)
    return seconds


def save_one_by_one(app: BareApp, count: int) -> list[float]:
    """`count` commits of one new aggregate (one event) each; the seconds of every save."""
    timings = []
    for _ in range(count):
        note = Note(PAYLOAD)
        started = time.perf_counter()
        app.save(note)
        timings.append(time.perf_counter() - started)
    return timings


def decoded(app: Application[UUID], page: int = PAGE) -> Iterator[Any]:
    """Every event of the log, decoded by the app's mapper, read in pages of `page`.

    The archive decodes a page as its views get it (`Wijkarchief.decode`: the page's keys
    read in one query, not one per event); the bare app has no keys and uses its mapper.
    """
    decode = getattr(app, "decode", None)
    start = 1
    while True:
        notifications = app.recorder.select_notifications(start=start, limit=page)
        if not notifications:
            return
        if decode is not None:
            yield from decode(notifications)
        else:
            for notification in notifications:
                yield app.mapper.to_domain_event(notification)
        start = notifications[-1].id + 1


def replay(app: Application[UUID]) -> tuple[int, float]:
    """(events, seconds) for a decoded replay of the whole log."""
    started = time.perf_counter()
    count = sum(1 for _ in decoded(app))
    return count, time.perf_counter() - started
