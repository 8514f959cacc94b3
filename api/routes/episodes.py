"""Governance episodes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.deps import ArchiveDep, ReaderDep

router = APIRouter(prefix="/api/episodes", tags=["episodes"])


@router.get("")
def list_episodes(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    quality: str | None = None,
    assessment: str | None = None,
    year: Annotated[int | None, Query(ge=1000, le=2999)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Governance episodes, filtered by quality, assessment and year."""
    position = archive.position()
    items = archive.items(
        "episodes", role=reader.role, quality=quality, assessment=assessment, year=year
    )
    response.headers["X-Archive-Position"] = str(position)
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "position": position,
    }


@router.get("/{episode_id}")
def get_episode(archive: ArchiveDep, reader: ReaderDep, episode_id: str) -> dict[str, Any]:
    """One governance episode with its happenings, assessments and links."""
    return archive.item("episodes", episode_id, role=reader.role)
