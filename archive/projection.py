"""Following the event log: pull-based catch-up with tracked positions.

eventsourcing 9.5.6's `ProjectionRunner` needs subscriptions, which its SQLite recorder does
not have. `Followers` instead pulls pages of the notification log
(`recorder.select_notifications`) and hands each page of decoded events to each `View`, which
writes its changes *and* the position of the page's last event in one transaction. After a
crash the view resumes from its own tracked position: nothing is skipped or doubled. The same
code follows a PostgreSQL store.

Views that need an item's full state use `ItemStates`, which replays the page's events onto
aggregates kept in a small cache (and loads an aggregate from the repository, snapshots
included, only when the cache does not have the version just before the event). Views at the
same position share one read, one decoding and one replay of every page.
"""

from __future__ import annotations

import gc
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import IntegrityError

from archive.ports import View
from events.items import ArchiveItem

if TYPE_CHECKING:
    from archive.application import Wijkarchief

log = logging.getLogger("wijkarchief.projection")
PAGE_SIZE = 500
# progress(view name, events done, last position)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Change:
    """One event of the log, decoded, with its position."""

    position: int
    event: DomainEventProtocol[UUID]
    topic: str


# Pages at least this big run with Python's cyclic garbage collector paused (see below).
BULK_GC_PAGE = 2000


@contextmanager
def _collecting_after(bulk: bool) -> Iterator[None]:
    """For a big page: pause the cyclic garbage collector until the page is done.

    Decoding and replaying a page allocates hundreds of thousands of small objects, almost
    none of them in cycles; the collector would walk them every 700 allocations. Paused,
    it runs once after the page instead. Rebuild at 10k items with tantivy, three runs each,
    interleaved: 3.9-4.0k ev/s collecting as usual, 4.1-4.7k paused. Memory stays bounded
    by the page.
    """
    if not bulk or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class ItemStates:
    """Aggregate states as they were just after each event, computed by replay."""

    def __init__(self, app: Wijkarchief, maxsize: int = 10_000) -> None:
        self.app = app
        self.maxsize = maxsize
        self._cache: OrderedDict[UUID, Aggregate] = OrderedDict()
        # The plain data of the last page asked for, by (first, last position, length).
        self._page: tuple[tuple[int, int, int], dict[str, dict[str, Any]]] | None = None

    def after(self, change: Change) -> Aggregate | None:
        """The state of the event's aggregate just after the event."""
        event: Any = change.event
        originator_id = event.originator_id
        version = event.originator_version
        if version == 1:
            previous = None
        else:
            previous = self._cache.get(originator_id)
            if previous is None or previous.version != version - 1:
                previous = self.app.repository.get(originator_id, version=version - 1)
        aggregate: Aggregate | None = event.mutate(previous)
        if aggregate is None:  # no event here discards an aggregate; kept for the type
            self._cache.pop(originator_id, None)
            return None
        self._cache[originator_id] = aggregate
        self._cache.move_to_end(originator_id)
        while len(self._cache) > self.maxsize:
            self._cache.popitem(last=False)
        return aggregate

    def touched(self, changes: Sequence[Change]) -> dict[str, dict[str, Any]]:
        """The plain data (`as_dict()`) of every item the page touched, as the page leaves it.

        Computed once per page: every view fed the same page gets the same dicts, so a view
        must not change them.
        """
        key = (changes[0].position, changes[-1].position, len(changes))
        if self._page is not None and self._page[0] == key:
            return self._page[1]
        latest: dict[str, ArchiveItem] = {}
        for change in changes:
            aggregate = self.after(change)
            if isinstance(aggregate, ArchiveItem):
                # The item as the page leaves it, in the order of each item's last change:
                # the order views write them in is the same whatever the page size (one
                # event per page or five thousand), so is a search index's browsing order.
                latest.pop(aggregate.ref, None)
                latest[aggregate.ref] = aggregate
        touched = {ref: aggregate.as_dict() for ref, aggregate in latest.items()}
        self._page = (key, touched)
        return touched

    def clear(self) -> None:
        """Forget every cached state."""
        self._cache.clear()
        self._page = None


class Followers:
    """Feeds views the events they have not seen yet, page by page.

    Views at the same position (the usual case, and every rebuild) are fed together: each
    page is read, decoded and replayed once for all of them. A view that is behind the
    others (it failed on a page, or was added later) is fed alone until it has caught up.
    A view that fails sits out the rest of the catch-up while the others go on; the first
    failure is raised at the end.
    """

    def __init__(self, app: Wijkarchief, views: Iterable[View] = (), page_size: int = PAGE_SIZE):
        self.app = app
        self.views: list[View] = list(views)
        self.page_size = page_size
        # Far behind (a rebuild, a new projector): the largest page any view asks for.
        self.bulk_page_size: int | None = None
        self.states = ItemStates(app)

    def add(self, view: View) -> None:
        """Follow one more view."""
        self.views.append(view)

    def _bulk_page_size(self) -> int:
        if self.bulk_page_size is not None:
            return self.bulk_page_size
        sizes = [getattr(view, "bulk_page_size", self.page_size) for view in self.views]
        return max([self.page_size, *sizes])

    def catch_up(
        self,
        until: int | None = None,
        progress: Progress | None = None,
        views: Sequence[View] | None = None,
    ) -> int:
        """Process every event after each view's position (up to `until`).

        Returns the events processed, summed over the views. `views`: only these (default:
        all). `progress(view name, events done, last position)` after every page.
        """
        views = list(self.views if views is None else views)
        errors: list[Exception] = []
        positions: dict[int, int] = {}  # view index → position, for the views still fed
        for i, view in enumerate(views):
            try:
                positions[i] = view.position()
            except Exception as error:  # this view sits out; the others go on
                errors.append(error)
        done = [0] * len(views)
        last = self.app.recorder.max_notification_id() or 0
        if until is not None:
            last = min(last, until)
        bulk = self._bulk_page_size()
        while positions and min(positions.values()) < last:
            low = min(positions.values())
            group = [i for i, position in positions.items() if position == low]
            stop = min([last, *(p for p in positions.values() if p > low)])
            page_size = bulk if stop - low > self.page_size else self.page_size
            with _collecting_after(page_size >= BULK_GC_PAGE):
                notifications = self.app.recorder.select_notifications(
                    start=low + 1, limit=page_size, stop=stop
                )
                if not notifications:
                    break
                events = self.app.decode(notifications)
                changes = [
                    Change(n.id, event, n.topic)
                    for n, event in zip(notifications, events, strict=True)
                ]
                for i in group:
                    try:
                        views[i].process(changes, self.states)
                    except IntegrityError as error:
                        # Shared views: another writer recorded this page first (see
                        # `_moved_on`); go on from where it left the view, or sit out.
                        moved = _moved_on(views[i], low)
                        if moved is None:
                            errors.append(error)
                            del positions[i]
                        else:
                            positions[i] = moved
                        continue
                    except Exception as error:
                        # A failing view must not hold the others back (the catalogue shows
                        # a write even while the search index is broken): it sits out the
                        # rest of this catch-up and is fed alone from its position next time.
                        errors.append(error)
                        del positions[i]
                        continue
                    positions[i] = notifications[-1].id
                    done[i] += len(changes)
                    if progress is not None:
                        progress(views[i].name, done[i], max(last, positions[i]))
        if errors:
            # Replay afresh next time: an item erased meanwhile must not come back from the
            # plain data kept for the page that failed.
            self.states.clear()
            for other in errors[1:]:
                log.error("Another view failed in the same catch-up", exc_info=other)
            raise errors[0]
        return sum(done)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop every view and process the whole log again, in one pass."""
        for view in self.views:
            view.reset()
        self.states.clear()
        return self.catch_up(progress=progress)


def _moved_on(view: View, low: int) -> int | None:
    """After a view refused to record a page's position: its position now, when another
    writer has moved it past `low` meanwhile; None when nobody has (a real failure).

    A view shared by several hosts (the catalogue in PostgreSQL) records its position only
    forward (eventsourcing's single-row tracking: `UPDATE … WHERE notification_id < new`),
    in the transaction of its rows. Two projectors (or following API workers on two hosts)
    that process the same page race; the loser's transaction is rolled back whole, its
    rows with it, and it has nothing left to do for that page: the winner wrote the same
    items at least as new. The loser re-reads the position and goes on from there — it
    never exits on it (issue 20: "Failed to record tracking for catalogue 179").
    """
    try:
        now = view.position()
    except Exception:  # the store went away meanwhile: a failure like any other
        return None
    if now <= low:
        return None
    log.info("%s: position %s was recorded by another writer; going on from there", view.name, now)
    return now
