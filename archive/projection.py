"""Following the event log: pull-based catch-up with tracked positions.

eventsourcing 9.5.6's `ProjectionRunner` needs subscriptions, which its SQLite recorder does
not have. A `Follower` instead pulls pages of the notification log
(`recorder.select_notifications`) and hands each page of decoded events to a `View`, which
writes its changes *and* the position of the page's last event in one transaction. After a
crash the view resumes from its own tracked position: nothing is skipped or doubled. The same
code follows a PostgreSQL store.

Views that need an item's full state use `ItemStates`, which replays the page's events onto
aggregates kept in a small cache (and loads an aggregate from the repository, snapshots
included, only when the cache does not have the version just before the event).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate, DomainEventProtocol

if TYPE_CHECKING:
    from archive.application import Wijkarchief

PAGE_SIZE = 500


@dataclass(frozen=True)
class Change:
    """One event of the log, decoded, with its position."""

    position: int
    event: DomainEventProtocol[UUID]
    topic: str


class View(Protocol):
    """A read model that follows the log with its own tracked position."""

    name: str

    def position(self) -> int:
        """The position of the last event this view has processed (0: none)."""
        ...

    def process(self, changes: Sequence[Change], states: ItemStates) -> None:
        """Apply a page of changes and record the last position, atomically."""
        ...

    def reset(self) -> None:
        """Drop everything, position included."""
        ...


class ItemStates:
    """Aggregate states as they were just after each event, computed by replay."""

    def __init__(self, app: Wijkarchief, maxsize: int = 10_000) -> None:
        self.app = app
        self.maxsize = maxsize
        self._cache: OrderedDict[UUID, Aggregate] = OrderedDict()

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
        aggregate = event.mutate(previous)
        self._cache[originator_id] = aggregate
        self._cache.move_to_end(originator_id)
        while len(self._cache) > self.maxsize:
            self._cache.popitem(last=False)
        return aggregate

    def clear(self) -> None:
        """Forget every cached state."""
        self._cache.clear()


class Follower:
    """Feeds a view the events it has not seen yet, page by page."""

    def __init__(self, app: Wijkarchief, view: View, page_size: int = PAGE_SIZE) -> None:
        self.app = app
        self.view = view
        self.page_size = page_size
        # Far behind (a rebuild, a new projector): the view's bigger pages, if it has them.
        self.bulk_page_size: int = getattr(view, "bulk_page_size", page_size)
        self.states = ItemStates(app)

    def catch_up(
        self,
        until: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Process every event after the view's position (up to `until`); return the count."""
        done = 0
        position = self.view.position()
        last = self.app.recorder.max_notification_id() or 0
        if until is not None:
            last = min(last, until)
        while position < last:
            far_behind = last - position > self.bulk_page_size
            page_size = self.bulk_page_size if far_behind else self.page_size
            notifications = self.app.recorder.select_notifications(
                start=position + 1, limit=page_size, stop=last
            )
            if not notifications:
                break
            events = self.app.decode(notifications)
            changes = [
                Change(n.id, event, n.topic) for n, event in zip(notifications, events, strict=True)
            ]
            self.view.process(changes, self.states)
            position = notifications[-1].id
            done += len(changes)
            if progress is not None:
                progress(done, max(last, position))
        return done

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Drop the view and process the whole log again."""
        self.view.reset()
        self.states.clear()
        return self.catch_up(progress=progress)
