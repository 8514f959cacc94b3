"""The event log itself, page by page, for followers that keep their own copy."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.deps import After, ArchiveDep, Limit, Offset, ReaderDep
from api.models import EventPage, problems
from api.shaping import cite
from archive.application import event_record
from archive.service import visible
from events.items import ArchiveItem, item_id

router = APIRouter(prefix="/api", tags=["events"])


@router.get(
    "/events",
    response_model=EventPage,
    response_model_exclude_unset=True,
    responses=problems(401, 422),
)
def events(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    after: After = 0,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """A page of the event log after a position (events you may not read: without data)."""
    position = archive.position()
    items = {item_id(i["kind"], i["id"]): i for i in archive.recorded_items()}
    today = archive.today()
    page: list[dict[str, Any]] = []
    notifications = archive.app.notifications(after, offset + limit)[offset:]
    for notification in notifications:
        event = archive.app.mapper.to_domain_event(notification)
        item = items.get(event.originator_id)
        record = event_record(event)
        entry: dict[str, Any] = {
            "position": notification.id,
            "type": type(event).__qualname__,
            "originator": item["ref"] if item else str(event.originator_id),
            "version": record["version"],
            "recorded_at": record["recorded_at"],
        }
        readable = (
            item is not None
            and isinstance(event, ArchiveItem.Event)
            and visible(item, reader.role, today)
            and not item.get("withdrawn")
            and not item.get("erased")
        )
        if readable:
            entry["data"] = {**record["data"], "actor": record["actor"], "reason": record["reason"]}
        page.append(entry)
    cite(response, position)
    last = notifications[-1].id if notifications else after
    return {
        "items": page, "next": last, "total": position, "limit": limit, "offset": offset,
        "position": position,
    }  # fmt: skip
