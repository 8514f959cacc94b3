"""Read models computed from the items: the archive as it was, timelines, the Kronieken.

A mixin of the archive (`archive.service.Archive`). Timelines and the Kronieken are pure
functions over the items' plain data (`archive.timelines`, `archive.kronieken`); the current
ones are kept once rendered, per state of the log, catalogue, day and role.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from archive.files import as_recorded
from archive.visibility import in_scope, may_read, with_readable_links
from events.items import ArchiveItem

if TYPE_CHECKING:
    from eventsourcing.persistence import Notification

    from archive.catalogue import Catalogue
    from archive.config import Settings

# Rendered timelines and Kronieken kept (every year, format and role is one).
RENDERED_CACHE_SIZE = 64


class RendersReadModels:
    """Items as recorded at a moment, and the timelines and Kronieken made of them."""

    if TYPE_CHECKING:  # what the archive provides
        settings: Settings
        catalogue: Catalogue
        _cache: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Any]]
        _cache_lock: threading.Lock

        def position(self) -> int: ...
        def fresh(self) -> None: ...
        def today(self) -> str: ...
        def all_items(self, *, role: str = "public") -> list[dict[str, Any]]: ...
        def recorded_items(self) -> list[dict[str, Any]]: ...
        def readable_refs(self, role: str) -> Callable[[str], bool]: ...
        def decoded(
            self, after: int = 0, page: int = 500
        ) -> Iterator[tuple[Notification, Any]]: ...

    def items_as_of(self, as_of: datetime | None, *, role: str = "public") -> list[dict[str, Any]]:
        """Every visible item now (from the catalogue) or as recorded at `as_of` (by replay)."""
        if as_of is None:
            return self.all_items(role=role)
        states: dict[Any, Any] = {}
        for _, event in self.decoded():
            if event.timestamp > as_of:
                continue
            states[event.originator_id] = event.mutate(states.get(event.originator_id))
        items = [state.as_dict() for state in states.values() if isinstance(state, ArchiveItem)]
        items.sort(key=lambda item: (item["kind"], item["id"]))
        # Readable now (a withdrawn item stays withdrawn in the past too) and, then, by the
        # consent in force at `as_of` (a draft recorded curators-only stays unpublished).
        now = {item["ref"]: item for item in self.recorded_items()}
        today = self.today()
        readable = self.readable_refs(role)
        return [
            with_readable_links(as_recorded(item, now[item["ref"]]), readable)
            for item in items
            if item["ref"] in now
            and may_read(now[item["ref"]], role, today)
            and in_scope(item.get("consent"), role)
        ]

    def timeline(
        self, year: int, *, fmt: str = "json", role: str = "public", as_of: datetime | None = None
    ) -> Any:
        """The governance timeline of a year, in json, markdown, html or timelinejs."""
        from archive import timelines

        def compute() -> Any:
            timeline = timelines.build(self.items_as_of(as_of, role=role), year)
            timeline["position"] = self.position() if as_of is None else None
            return timelines.render(timeline, fmt, self.settings.base_url)

        if as_of is not None:
            return compute()
        return self._rendered(("timeline", year, fmt, role), compute)

    def kronieken(
        self, *, fmt: str = "json", role: str = "public", as_of: datetime | None = None
    ) -> Any:
        """The Corona Kronieken, in json, markdown or html."""
        from archive import kronieken

        def compute() -> Any:
            chronicle = kronieken.build(self.items_as_of(as_of, role=role))
            return kronieken.render(chronicle, fmt, self.settings.base_url)

        if as_of is not None:
            return compute()
        return self._rendered(("kronieken", fmt, role), compute)

    def _rendered(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """A rendered read model, computed once per state of the log and day.

        Timelines and the Kronieken read every item (0.7 s at 10,000 items); they change
        only when the log does, or at midnight when an embargo lifts. The answer is shared
        between callers: treat it as read-only.
        """
        self.fresh()
        state = (self.position(), self.catalogue.position(), self.today())
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == state:
                self._cache.move_to_end(key)
                return cached[1]
        value = compute()
        with self._cache_lock:
            self._cache[key] = (state, value)
            self._cache.move_to_end(key)
            while len(self._cache) > RENDERED_CACHE_SIZE:
                self._cache.popitem(last=False)
        return value
