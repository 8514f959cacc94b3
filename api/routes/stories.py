"""Wijkcollectie stories ("BoTu nr. 0001")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api import commands
from api.deps import ArchiveDep, AsOfDep, CuratorDep, ExpectedVersion, Limit, Offset, ReaderDep
from api.models import StoryCreate, StoryList, StoryPublic, StoryUpdate, problems
from api.shaping import cite, item_answer, page, tag

router = APIRouter(prefix="/api/stories", tags=["stories"])
KIND = "stories"


@router.get("", response_model=StoryList, responses=problems(401, 422))
def list_stories(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    quality: str | None = None,
    assessment: str | None = None,
    year: Annotated[int | None, Query(ge=1000, le=2999)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Stories the caller may read (withdrawn ones as tombstones), filtered like episodes."""
    position = archive.position()
    items = archive.items(KIND, role=reader.role, quality=quality, assessment=assessment, year=year)
    cite(response, position)
    return page(
        items, limit=limit, offset=offset, position=position,
        shape=lambda item: item_answer(item, position),
    )  # fmt: skip


@router.get("/{number}", response_model=StoryPublic, responses=problems(401, 404, 410, 422))
def get_story(
    archive: ArchiveDep, reader: ReaderDep, response: Response, number: str, as_of: AsOfDep
) -> dict[str, Any]:
    """One story with its text as Markdown and as HTML, now or as recorded at `as_of`."""
    position = archive.position()
    item = archive.item(KIND, number, role=reader.role, as_of=as_of)
    cite(response, position)
    tag(response, item["version"])
    return item_answer(item, position, as_of)


@router.post(
    "",
    status_code=201,
    response_model=StoryPublic,
    responses=problems(401, 403, 404, 409, 413, 422),
)
def create_story(
    archive: ArchiveDep, curator: CuratorDep, response: Response, body: StoryCreate
) -> dict[str, Any]:
    """Register a new story; without `consent` only curators may read it."""
    fields = commands.register_fields(KIND, body, body.qualities)
    position = archive.register(KIND, fields, actor=curator.name)
    item = archive.item(KIND, body.number.strip(), role=curator.role)
    cite(response, position)
    tag(response, item["version"])
    response.headers["Location"] = f"/api/{KIND}/{item['id']}"
    return item_answer(item, position)


@router.patch(
    "/{number}",
    response_model=StoryPublic,
    responses=problems(401, 403, 404, 412, 413, 422, 428),
)
def revise_story(
    archive: ArchiveDep,
    curator: CuratorDep,
    response: Response,
    number: str,
    body: StoryUpdate,
    expected_version: ExpectedVersion,
) -> dict[str, Any]:
    """Revise a story's fields (send `If-Match: VERSION`); `reason` says why."""
    position = commands.revise(
        archive, KIND, number, body, body.qualities,
        reader=curator, expected_version=expected_version,
    )  # fmt: skip
    item = archive.item(KIND, number, role=curator.role)
    cite(response, position)
    tag(response, item["version"])
    return item_answer(item, position)
