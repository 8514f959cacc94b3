"""Full-text search over the whole archive."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from api.citing import answer_citation, now_iso
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
    sort: Annotated[
        Literal["relevance", "date"] | None,
        Query(description="relevance (met woorden de standaard) of date (oudste eerst)"),
    ] = None,
) -> dict[str, Any]:
    """Dutch full-text search: items (their matching `moments` inside), facet counts of items.

    With words naming a quality (`institutional flexibility`), `assessment` filters that
    quality's assessment and each hit's `assessed` shows it. A word that finds nothing is
    corrected from the archive's own words: `suggestion` ("bedoelde u …?"), `corrected`.
    """
    position = archive.position()
    result = archive.search(
        q, kind=kind, quality=quality, assessment=assessment, year=year,
        limit=limit, offset=offset, role=reader.role, sort=sort,
    )  # fmt: skip
    cite(response, position)
    hits = result["hits"]
    query = {"q": q, "kind": kind, "quality": quality, "assessment": assessment, "year": year,
             "sort": sort, "limit": limit, "offset": offset}  # fmt: skip
    citation = answer_citation(
        f"Zoekresultaten voor ‘{q}’" if q else "Bladeren in het archief",
        "/api/search", query, position, now_iso(),
    )  # fmt: skip
    return {
        **result, "q": q, "items": hits, "limit": limit, "offset": offset, "position": position,
        "citation": citation,
    }  # fmt: skip
