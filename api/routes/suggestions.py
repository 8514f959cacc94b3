"""Suggestions for choosing an item by part of its title (the link picker of the pages)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.deps import ArchiveDep, Limit, Offset, ReaderDep
from api.models import Kind, problems
from api.models.suggestions import SuggestionList
from api.shaping import cite, page
from api.suggesting import MAX_QUERY, suggest

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/suggestions", response_model=SuggestionList, responses=problems(401, 422))
def suggestions(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    q: Annotated[str, Query(max_length=MAX_QUERY, examples=["duim"])] = "",
    kind: Kind | None = None,
    limit: Limit = 10,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Items the caller may read whose title (or id, or story number) holds every word of `q`
    (case and accents ignored), best first: for search-as-you-type choosing of an item."""
    position = archive.position()
    found = suggest(archive.all_items(role=reader.role), q, kind)
    cite(response, position)
    return page(found, limit=limit, offset=offset, position=position)
