"""Media items: articles, photographs, reports and other documents about BoTu."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api import commands
from api.deps import ArchiveDep, AsOfDep, CuratorDep, ExpectedVersion, Limit, Offset, ReaderDep
from api.models import MediaCreate, MediaList, MediaPublic, MediaUpdate, problems
from api.shaping import cite, item_answer, page, tag

router = APIRouter(prefix="/api/media", tags=["media"])
KIND = "media"


@router.get("", response_model=MediaList, responses=problems(401, 422))
def list_media(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    quality: str | None = None,
    assessment: str | None = None,
    year: Annotated[int | None, Query(ge=1000, le=2999)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Media items the caller may read (withdrawn ones as tombstones), filtered like episodes."""
    position = archive.position()
    items = archive.items(KIND, role=reader.role, quality=quality, assessment=assessment, year=year)
    cite(response, position)
    return page(
        items, limit=limit, offset=offset, position=position,
        shape=lambda item: item_answer(item, position),
    )  # fmt: skip


@router.get("/{media_id}", response_model=MediaPublic, responses=problems(401, 404, 410, 422))
def get_media(
    archive: ArchiveDep, reader: ReaderDep, response: Response, media_id: str, as_of: AsOfDep
) -> dict[str, Any]:
    """One media item (`kind` is the kind of media), now or as recorded at `as_of`."""
    position = archive.position()
    item = archive.item(KIND, media_id, role=reader.role, as_of=as_of)
    cite(response, position)
    tag(response, item["version"])
    return item_answer(item, position, as_of)


@router.post(
    "",
    status_code=201,
    response_model=MediaPublic,
    responses=problems(401, 403, 404, 409, 413, 422),
)
def create_media(
    archive: ArchiveDep, curator: CuratorDep, response: Response, body: MediaCreate
) -> dict[str, Any]:
    """Register a new media item (public unless `consent` says otherwise)."""
    fields = commands.register_fields(KIND, body, body.qualities)
    position = archive.register(KIND, fields, actor=curator.name)
    item = archive.item(KIND, body.id.strip(), role=curator.role)
    cite(response, position)
    tag(response, item["version"])
    response.headers["Location"] = f"/api/{KIND}/{item['id']}"
    return item_answer(item, position)


@router.patch(
    "/{media_id}",
    response_model=MediaPublic,
    responses=problems(401, 403, 404, 412, 413, 422, 428),
)
def revise_media(
    archive: ArchiveDep,
    curator: CuratorDep,
    response: Response,
    media_id: str,
    body: MediaUpdate,
    expected_version: ExpectedVersion,
) -> dict[str, Any]:
    """Revise a media item's fields (send `If-Match: VERSION`); `reason` says why."""
    position = commands.revise(
        archive, KIND, media_id, body, body.qualities,
        reader=curator, expected_version=expected_version,
    )  # fmt: skip
    item = archive.item(KIND, media_id, role=curator.role)
    cite(response, position)
    tag(response, item["version"])
    return item_answer(item, position)
