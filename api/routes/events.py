"""The event log itself, page by page, for followers that keep their own copy."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.deps import After, ArchiveDep, Limit, Offset, ReaderDep
from api.models import EventPage, problems
from api.shaping import cite
from archive.feeds import event_page

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
    """A page of the event log after a position: the events the caller may read."""
    position = archive.position()
    found = event_page(archive, after=after, limit=limit, offset=offset, role=reader.role)
    cite(response, position)
    return {
        "items": found["items"], "next": found["next"], "total": position, "limit": limit,
        "offset": offset, "position": position,
    }  # fmt: skip
