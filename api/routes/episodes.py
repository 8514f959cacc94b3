"""Governance episodes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api import commands
from api.deps import ArchiveDep, AsOfDep, CuratorDep, ExpectedVersion, Limit, Offset, ReaderDep
from api.models import EpisodeCreate, EpisodeList, EpisodePublic, EpisodeUpdate, problems
from api.shaping import cite, item_answer, page, tag

router = APIRouter(prefix="/api/episodes", tags=["episodes"])
KIND = "episodes"


@router.get("", response_model=EpisodeList, responses=problems(401, 422))
def list_episodes(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    quality: Annotated[str | None, Query(examples=["institutional flexibility"])] = None,
    assessment: Annotated[str | None, Query(examples=["shown"])] = None,
    year: Annotated[int | None, Query(ge=1000, le=2999)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Governance episodes, filtered by quality, assessment and year."""
    position = archive.position()
    items = archive.items(KIND, role=reader.role, quality=quality, assessment=assessment, year=year)
    cite(response, position)
    return page(
        items, limit=limit, offset=offset, position=position,
        shape=lambda item: item_answer(item, position),
    )  # fmt: skip


@router.get("/{episode_id}", response_model=EpisodePublic, responses=problems(401, 404, 422))
def get_episode(
    archive: ArchiveDep, reader: ReaderDep, response: Response, episode_id: str, as_of: AsOfDep
) -> dict[str, Any]:
    """One governance episode with its happenings, assessments and links."""
    position = archive.position()
    item = archive.item(KIND, episode_id, role=reader.role, as_of=as_of)
    cite(response, position)
    tag(response, item["version"])
    return item_answer(item, position, as_of)


@router.post(
    "",
    status_code=201,
    response_model=EpisodePublic,
    responses=problems(401, 403, 404, 409, 413, 422),
)
def create_episode(
    archive: ArchiveDep, curator: CuratorDep, response: Response, body: EpisodeCreate
) -> dict[str, Any]:
    """Register a new governance episode, with its happenings and assessments."""
    fields = commands.register_fields(KIND, body, body.assessments)
    position = archive.register(KIND, fields, actor=curator.name)
    item = archive.item(KIND, body.id.strip(), role=curator.role)
    cite(response, position)
    tag(response, item["version"])
    response.headers["Location"] = f"/api/{KIND}/{item['id']}"
    return item_answer(item, position)


@router.patch(
    "/{episode_id}",
    response_model=EpisodePublic,
    responses=problems(401, 403, 404, 412, 413, 422, 428),
)
def revise_episode(
    archive: ArchiveDep,
    curator: CuratorDep,
    response: Response,
    episode_id: str,
    body: EpisodeUpdate,
    expected_version: ExpectedVersion,
) -> dict[str, Any]:
    """Revise an episode's fields (send `If-Match: VERSION`); `reason` says why."""
    position = commands.revise(
        archive, KIND, episode_id, body, body.assessments,
        reader=curator, expected_version=expected_version,
    )  # fmt: skip
    item = archive.item(KIND, episode_id, role=curator.role)
    cite(response, position)
    tag(response, item["version"])
    return item_answer(item, position)
