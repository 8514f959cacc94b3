"""The log as feeds for followers and harvesters, through the visibility policy.

`event_page` is a page of the event log (`GET /api/events`), `change_page` the same
positions as ActivityStreams activities (`GET /api/changes`). Curators get every event.
Other readers get only the events of items they may read now, recorded while the item's
consent included them, without links to items they may not read; token events and
everything else are left out entirely (a reader never learns that they exist). `next` is
always the last position looked at, so a follower pages on past what it may not see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from archive.application import event_record
from archive.visibility import LINK_EVENTS, in_scope, may_know, may_read, scope_after_each
from events.items import ItemEvent, item_id

if TYPE_CHECKING:
    from archive.service import Archive

DELETES = ("ConsentWithdrawn", "PersonalDataErased")
# At most this many positions are looked at per request (a reader who may see little of
# the log still gets an answer soon, and pages on from `next`).
SCAN_LIMIT = 5_000
AS_TYPES = {"episodes": "Event", "stories": "Article", "media": "Document"}


@dataclass
class _Reader:
    """What one feed request knows about the items it meets (read once per request)."""

    archive: Archive
    role: str
    items: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    scopes: dict[UUID, dict[int, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.today = self.archive.today()
        self.items = {item_id(i["kind"], i["id"]): i for i in self.archive.recorded_items()}
        self.readable = self.archive.readable_refs(self.role)

    def scope_at(self, item: dict[str, Any], version: int) -> str:
        """The consent in force after the item's event of that version."""
        uid = item_id(item["kind"], item["id"])
        if uid not in self.scopes:
            events = self.archive.recorded_history(item["kind"], item["id"])
            self.scopes[uid] = {
                e["version"]: s for e, s in zip(events, scope_after_each(events), strict=True)
            }
        return self.scopes[uid].get(version, "curators")

    def may_see(self, event: Any, item: dict[str, Any] | None, *, delete: bool = False) -> bool:
        """May this reader see this event of this item?"""
        if self.role == "curator":
            return True
        if item is None or not isinstance(event, ItemEvent):
            return False
        allowed = may_know if delete else may_read
        if not allowed(item, self.role, self.today):
            return False
        if not in_scope(self.scope_at(item, event.originator_version), self.role):
            return False
        name = type(event).__name__
        return name not in LINK_EVENTS or self.readable(str(getattr(event, "target", "")))


def event_page(
    archive: Archive, *, after: int, limit: int, offset: int, role: str
) -> dict[str, Any]:
    """A page of the event log after a position, as the role may read it."""
    reader = _Reader(archive, role)
    page: list[dict[str, Any]] = []
    last = after
    for notification, event in archive.decoded(after=after):
        if len(page) >= offset + limit or notification.id - after > SCAN_LIMIT:
            break
        last = notification.id
        item = reader.items.get(event.originator_id)
        if not reader.may_see(event, item):
            continue
        record = event_record(event)
        entry: dict[str, Any] = {
            "position": notification.id,
            "type": type(event).__qualname__,
            "originator": item["ref"] if item else str(event.originator_id),
            "version": record["version"],
            "recorded_at": record["recorded_at"],
            "data": {**record["data"], "actor": record["actor"], "reason": record["reason"]},
        }
        page.append(entry)
    return {"items": page[offset:], "next": last}


def change_page(
    archive: Archive, *, after: int, limit: int, role: str, base: str
) -> dict[str, Any]:
    """Creations, updates and withdrawals/erasures after a position, as ActivityStreams."""
    reader = _Reader(archive, role)
    activities: list[dict[str, Any]] = []
    last = after
    for notification, event in archive.decoded(after=after):
        if len(activities) >= limit or notification.id - after > SCAN_LIMIT:
            break
        last = notification.id
        item = reader.items.get(event.originator_id)
        if item is None or not isinstance(event, ItemEvent):
            continue
        name = type(event).__name__
        delete = name in DELETES
        if not reader.may_see(event, item, delete=delete):
            continue
        url = f"{base}/api/{item['kind']}/{item['id']}"
        if delete:
            activity_type = "Delete"
            obj: dict[str, Any] = {
                "id": url,
                "type": "Tombstone",
                "formerType": AS_TYPES[item["kind"]],
            }
        else:
            activity_type = "Create" if name == "Registered" else "Update"
            obj = {"id": url, "type": AS_TYPES[item["kind"]], "name": item["title"]}
        activities.append(
            {
                "id": f"{base}/api/events?after={notification.id - 1}&limit=1",
                "type": activity_type,
                "published": event.timestamp.isoformat(),
                "position": notification.id,
                "summary": name,
                "object": obj,
            }
        )
    return {"items": activities, "next": last}
