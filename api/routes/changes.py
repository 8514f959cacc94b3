"""The change feed for harvesters: ActivityStreams Create / Update / Delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.deps import After, ArchiveDep, ReaderDep
from api.models import problems
from archive.feeds import change_page

router = APIRouter(prefix="/api", tags=["events"])


@router.get("/changes", responses=problems(401, 422))
def changes(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Creations, updates and withdrawals/erasures since a position, as ActivityStreams."""
    base = archive.settings.base_url  # WIJKARCHIEF_BASE_URL, never the client's Host
    found = change_page(archive, after=after, limit=limit, role=reader.role, base=base)
    activities = found["items"]
    response.headers["X-Archive-Position"] = str(archive.position())
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "type": "OrderedCollectionPage",
        "orderedItems": activities,
        "items": activities,
        "total": len(activities),
        "next": found["next"],
        "position": archive.position(),
    }
