"""The change feed for harvesters: ActivityStreams Create / Update / Delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.deps import After, ArchiveDep, ReaderDep
from api.models import problems
from archive.service import visible
from events.items import ArchiveItem, item_id

router = APIRouter(prefix="/api", tags=["events"])

DELETES = ("ConsentWithdrawn", "PersonalDataErased")
AS_TYPES = {"episodes": "Event", "stories": "Article", "media": "Document"}


@router.get("/changes", responses=problems(401, 422))
def changes(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Creations, updates and withdrawals/erasures since a position, as ActivityStreams."""
    current = {item_id(i["kind"], i["id"]): i for i in archive.recorded_items()}
    today = archive.today()
    base = archive.settings.base_url  # WIJKARCHIEF_BASE_URL, never the client's Host
    activities: list[dict[str, Any]] = []
    last = after
    for notification, event in archive.app.decoded(after=after):
        if len(activities) >= limit:
            break
        last = notification.id
        item = current.get(event.originator_id)
        if item is None or not isinstance(event, ArchiveItem.Event):
            continue
        name = type(event).__name__
        url = f"{base}/api/{item['kind']}/{item['id']}"
        if name in DELETES:
            activity_type = "Delete"
            obj: dict[str, Any] = {
                "id": url,
                "type": "Tombstone",
                "formerType": AS_TYPES[item["kind"]],
            }
        elif not visible(item, reader.role, today):
            continue
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
    response.headers["X-Archive-Position"] = str(archive.position())
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "OrderedCollectionPage",
        "orderedItems": activities,
        "items": activities,
        "total": len(activities),
        "next": last,
        "position": archive.position(),
    }
