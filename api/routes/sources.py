"""The cited passages of the source documents (stories/sources/)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from api.citing import permalink
from api.deps import ArchiveDep
from api.models import SourcePassage, problems
from api.passages import passage
from api.shaping import POSITION_HEADER

router = APIRouter(prefix="/api/sources", tags=["sources"])


@router.get(
    "/{file}",
    response_model=SourcePassage,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        **problems(404, 422),
    },
)
def get_passage(
    archive: ArchiveDep,
    file: str,
    lines: Annotated[
        str, Query(max_length=20, description="Regels A-B (of A), 1-based.", examples=["6190-6194"])
    ],
    fmt: Annotated[Literal["json", "text"], Query(alias="format")] = "json",
) -> Response:
    """The cited lines of a source document, as JSON or as plain text (at most 200 lines)."""
    found: dict[str, Any] = passage(file, lines)
    first, last = found["lines"]
    headers = {POSITION_HEADER: str(archive.position())}
    if fmt == "text":
        return PlainTextResponse(found["text"] + "\n", headers=headers)
    url = permalink(f"/sources/{file}", {"lines": f"{first}-{last}"})
    return JSONResponse({**found, "url": url}, headers=headers)
