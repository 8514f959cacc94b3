"""What every item has, whatever its kind: assessments, happenings, links and history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.deps import (
    ArchiveDep,
    CuratorDep,
    ExpectedVersion,
    Limit,
    Offset,
    OptionalVersion,
    ReaderDep,
)
from api.models import (
    AssessmentCreate,
    AssessmentList,
    AssessmentUpdate,
    AssessmentWritten,
    HappeningCreate,
    HappeningUpdate,
    HappeningWritten,
    History,
    Kind,
    LinkCreate,
    Links,
    problems,
)
from api.shaping import cite, page, tag
from events.items import ref

router = APIRouter(prefix="/api/{kind}/{key}")
ASSESSMENTS = "assessments"
Reason = Annotated[str, Query(description="Waarom (komt in de geschiedenis).")]


def _part(item: dict[str, Any], name: str, part_id: str, position: int) -> dict[str, Any]:
    """One assessment or happening of an item, as a write answers it."""
    found = next(p for p in item[name] if p["id"] == part_id)
    return {**found, "item": item["ref"], "version": item["version"], "position": position}


def _written(response: Response, item: dict[str, Any], position: int) -> None:
    cite(response, position)
    tag(response, item["version"])


# -- assessments ------------------------------------------------------------------


@router.get(
    "/assessments",
    tags=[ASSESSMENTS],
    response_model=AssessmentList,
    responses=problems(401, 404, 410, 422),
)
def list_assessments(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    kind: Kind,
    key: str,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The quality assessments of an item."""
    position = archive.position()
    item = archive.item(kind, key, role=reader.role)
    cite(response, position)
    tag(response, item["version"])
    return page(item["assessments"], limit=limit, offset=offset, position=position)


@router.post(
    "/assessments",
    status_code=201,
    tags=[ASSESSMENTS],
    response_model=AssessmentWritten,
    responses=problems(401, 403, 404, 413, 422),
)
def assess(
    archive: ArchiveDep,
    curator: CuratorDep,
    response: Response,
    kind: Kind,
    key: str,
    body: AssessmentCreate,
) -> dict[str, Any]:
    """Assess a quality in an item: shown, partial or lacking, with evidence and source."""
    position, assessment_id = archive.assess(kind, key, body.model_dump(), actor=curator.name)
    item = archive.item(kind, key, role=curator.role)
    _written(response, item, position)
    response.headers["Location"] = f"/api/{kind}/{key}/assessments/{assessment_id}"
    return _part(item, "assessments", assessment_id, position)


@router.patch(
    "/assessments/{assessment_id}",
    tags=[ASSESSMENTS],
    response_model=AssessmentWritten,
    responses=problems(401, 403, 404, 412, 413, 422, 428),
)
def revise_assessment(
    archive: ArchiveDep,
    curator: CuratorDep,
    response: Response,
    kind: Kind,
    key: str,
    assessment_id: str,
    body: AssessmentUpdate,
    expected_version: ExpectedVersion,
) -> dict[str, Any]:
    """Correct an assessment (send `If-Match: VERSION` of the item); `reason` says why."""
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    position = archive.revise_assessment(
        kind, key, assessment_id, changes, actor=curator.name, reason=body.reason,
        expected_version=expected_version,
    )  # fmt: skip
    item = archive.item(kind, key, role=curator.role)
    _written(response, item, position)
    return _part(item, "assessments", assessment_id, position)


@router.delete(
    "/assessments/{assessment_id}",
    status_code=204,
    tags=[ASSESSMENTS],
    responses=problems(401, 403, 404, 412, 422),
)
def retract_assessment(
    archive: ArchiveDep,
    curator: CuratorDep,
    kind: Kind,
    key: str,
    assessment_id: str,
    expected_version: OptionalVersion,
    reason: Reason = "",
) -> Response:
    """Retract an assessment: it no longer counts, and the history keeps it."""
    position = archive.retract_assessment(
        kind, key, assessment_id, actor=curator.name, reason=reason,
        expected_version=expected_version,
    )  # fmt: skip
    response = Response(status_code=204)
    cite(response, position)
    return response


# -- happenings -----------------------------------------------------------------


@router.post(
    "/happenings",
    status_code=201,
    tags=["happenings"],
    response_model=HappeningWritten,
    responses=problems(401, 403, 404, 413, 422),
)
def record_happening(
    archive: ArchiveDep,
    curator: CuratorDep,
    response: Response,
    kind: Kind,
    key: str,
    body: HappeningCreate,
) -> dict[str, Any]:
    """Record a dated moment of an item (an EDTF date, a title, a text and its source)."""
    position, happening_id = archive.record_happening(
        kind, key, body.model_dump(), actor=curator.name
    )
    item = archive.item(kind, key, role=curator.role)
    _written(response, item, position)
    response.headers["Location"] = f"/api/{kind}/{key}/happenings/{happening_id}"
    return _part(item, "happenings", happening_id, position)


@router.patch(
    "/happenings/{happening_id}",
    tags=["happenings"],
    response_model=HappeningWritten,
    responses=problems(401, 403, 404, 412, 413, 422, 428),
)
def revise_happening(
    archive: ArchiveDep,
    curator: CuratorDep,
    response: Response,
    kind: Kind,
    key: str,
    happening_id: str,
    body: HappeningUpdate,
    expected_version: ExpectedVersion,
) -> dict[str, Any]:
    """Correct a happening (send `If-Match: VERSION` of the item); `reason` says why."""
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    position = archive.revise_happening(
        kind, key, happening_id, changes, actor=curator.name, reason=body.reason,
        expected_version=expected_version,
    )  # fmt: skip
    item = archive.item(kind, key, role=curator.role)
    _written(response, item, position)
    return _part(item, "happenings", happening_id, position)


# -- links -----------------------------------------------------------------------


@router.post(
    "/links",
    status_code=201,
    tags=["links"],
    response_model=Links,
    responses=problems(401, 403, 404, 413, 422),
)
def link(
    archive: ArchiveDep,
    curator: CuratorDep,
    response: Response,
    kind: Kind,
    key: str,
    body: LinkCreate,
) -> dict[str, Any]:
    """Link an item to another (both ways), e.g. a story to its episode."""
    position = archive.link(ref(kind, key), body.target, actor=curator.name)
    item = archive.item(kind, key, role=curator.role)
    _written(response, item, position)
    return {"item": item["ref"], "links": item["links"], "version": item["version"],
            "position": position}  # fmt: skip


@router.delete(
    "/links/{target_kind}/{target_key}",
    tags=["links"],
    response_model=Links,
    responses=problems(401, 403, 404, 422),
)
def unlink(
    archive: ArchiveDep,
    curator: CuratorDep,
    response: Response,
    kind: Kind,
    key: str,
    target_kind: Kind,
    target_key: str,
    reason: Reason = "",
) -> dict[str, Any]:
    """Remove a link between two items, both ways (the history keeps it)."""
    position = archive.unlink(
        ref(kind, key), ref(target_kind, target_key), actor=curator.name, reason=reason
    )
    item = archive.item(kind, key, role=curator.role)
    _written(response, item, position)
    return {"item": item["ref"], "links": item["links"], "version": item["version"],
            "position": position}  # fmt: skip


# -- history ---------------------------------------------------------------------


@router.get(
    "/history", tags=["history"], response_model=History, responses=problems(401, 404, 410, 422)
)
def history(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    kind: Kind,
    key: str,
    limit: Limit = 1000,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Every event of an item, oldest first: what changed, when, by whom and why."""
    position = archive.position()
    events = archive.history(kind, key, role=reader.role)
    cite(response, position)
    return page(events, limit=limit, offset=offset, position=position)
