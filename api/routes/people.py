"""People who asked to be forgotten: their name taken out of every item (AVG art. 17)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.deps import ArchiveDep, CuratorDep
from api.models import PersonErased, PersonErasure, problems
from api.shaping import cite

router = APIRouter(prefix="/api/people", tags=["privacy"])


@router.post("/erasures", response_model=PersonErased, responses=problems(401, 403, 413, 422))
def erase_person(
    archive: ArchiveDep, curator: CuratorDep, response: Response, body: PersonErasure
) -> dict[str, Any]:
    """Take a person's name out of every item that names it, its history included.

    `old_copies` says whether old copies of the erased words are gone from the database's
    files: when another session still held an older snapshot, the tables' rewrite is owed
    and done by the archive itself once it has ended (docs/privacy.md).
    """
    found = archive.forget_person(body.name, actor=curator.name, reason=body.reason)
    position = archive.position()
    cite(response, position)
    return {**found, "position": position, "old_copies": archive.owed.report()}
