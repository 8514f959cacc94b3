"""The change feed for harvesters: ActivityStreams Create / Update / Delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.deps import After, ArchiveDep, ReaderDep
from archive.feeds import change_page

router = APIRouter(prefix="/api", tags=["events"])


@router.get("/changes")
def changes(
    archive: ArchiveDep,
    reader: ReaderDep,
    request: Request,
    response: Response,
    after: After = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Creations, updates and withdrawals/erasures since a position, as ActivityStreams."""
    base = str(request.base_url).rstrip("/")
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
