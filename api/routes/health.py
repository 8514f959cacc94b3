"""Health and the vocabulary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.deps import ArchiveDep, Limit, Offset
from api.models import Health, QualityList, problems
from api.shaping import cite, page
from events import qualities

router = APIRouter(prefix="/api", tags=["archive"])


@router.get("/health", response_model=Health)
def health(archive: ArchiveDep, response: Response) -> dict[str, Any]:
    """Whether the archive answers, and how many events its log holds."""
    position = archive.position()
    cite(response, position)
    return {"status": "ok", "events": position, "position": position}


@router.get("/qualities", response_model=QualityList, responses=problems(422))
def list_qualities(
    archive: ArchiveDep, response: Response, limit: Limit = 1000, offset: Offset = 0
) -> dict[str, Any]:
    """The quality vocabulary: both frameworks' qualities and the framework elements."""
    position = archive.position()
    items = [q.as_dict() for q in (*qualities.QUALITIES, *qualities.ELEMENTS)]
    cite(response, position)
    return page(items, limit=limit, offset=offset, position=position)
