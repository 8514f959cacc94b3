"""Full-text search over the whole archive."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.deps import ArchiveDep, Limit, Offset, ReaderDep
from api.models import Kind, SearchResult, problems
from api.shaping import cite
from search_index.core.budget import MAX_QUERY_CHARS

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search", response_model=SearchResult, responses=problems(401, 422))
def search(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    q: Annotated[
        str, Query(max_length=MAX_QUERY_CHARS, examples=["institutional flexibility"])
    ] = "",
    kind: Kind | None = None,
    quality: Annotated[str | None, Query(examples=["betrouwbaarheid"])] = None,
    assessment: Annotated[str | None, Query(examples=["shown"])] = None,
    year: Annotated[int | None, Query(ge=1000, le=2999)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Ranked Dutch full-text search with snippets and facet counts (kind, quality, year)."""
    position = archive.position()
    result = archive.search(
        q, kind=kind, quality=quality, assessment=assessment, year=year,
        limit=limit, offset=offset, role=reader.role,
    )  # fmt: skip
    cite(response, position)
    hits = result["hits"]
    return {
        **result, "q": q, "items": hits, "limit": limit, "offset": offset, "position": position
    }  # fmt: skip
