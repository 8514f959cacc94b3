"""Health and the vocabulary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ArchiveDep
from events import qualities

router = APIRouter(prefix="/api", tags=["archive"])


@router.get("/health")
def health(archive: ArchiveDep) -> dict[str, Any]:
    """Whether the archive answers, and how many events its log holds."""
    return {"status": "ok", "events": archive.position()}


@router.get("/qualities")
def list_qualities() -> dict[str, Any]:
    """The quality vocabulary: both frameworks' qualities and the framework elements."""
    items = [q.as_dict() for q in (*qualities.QUALITIES, *qualities.ELEMENTS)]
    return {"items": items, "total": len(items)}
