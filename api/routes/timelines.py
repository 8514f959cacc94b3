"""Timelines of a year and the Corona Kronieken, in JSON, Markdown, HTML and TimelineJS."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import ArchiveDep, AsOfDep, ReaderDep
from api.models import Kronieken, Timeline, problems
from api.shaping import POSITION_HEADER

router = APIRouter(prefix="/api", tags=["timelines"])

TEXT = {
    "text/markdown": {"schema": {"type": "string"}},
    "text/html": {"schema": {"type": "string"}},
}


def _answer(rendered: Any, fmt: str, position: int, as_of: str | None) -> Response:
    """The rendered form as its media type, citing the log position."""
    headers = {POSITION_HEADER: str(position)}
    if fmt == "markdown":
        return Response(str(rendered), media_type="text/markdown; charset=utf-8", headers=headers)
    if fmt == "html":
        return HTMLResponse(str(rendered), headers=headers)
    if isinstance(rendered, dict):  # plain JSON data already (and shared: not changed here)
        return JSONResponse({**rendered, "position": position, "as_of": as_of}, headers=headers)
    return JSONResponse(jsonable_encoder(rendered), headers=headers)


@router.get(
    "/timelines/{year}",
    response_model=None,
    responses={200: {"model": Timeline, "content": TEXT}, **problems(401, 422)},
)
def timeline(
    archive: ArchiveDep,
    reader: ReaderDep,
    year: Annotated[int, Path(ge=1000, le=2999, examples=[2020])],
    as_of: AsOfDep,
    fmt: Annotated[
        Literal["json", "markdown", "html", "timelinejs"], Query(alias="format")
    ] = "json",
) -> Response:
    """The governance timeline of a year: dated items and happenings in date order."""
    position = archive.position()
    rendered = archive.timeline(year, fmt=fmt, role=reader.role, as_of=as_of)
    return _answer(rendered, fmt, position, as_of.isoformat() if as_of else None)


@router.get(
    "/kronieken",
    response_model=None,
    responses={200: {"model": Kronieken, "content": TEXT}, **problems(401, 422)},
)
def kronieken(
    archive: ArchiveDep,
    reader: ReaderDep,
    as_of: AsOfDep,
    fmt: Annotated[Literal["json", "markdown", "html"], Query(alias="format")] = "json",
) -> Response:
    """The Corona Kronieken: what BoTu went through in the pandemic, in date order."""
    position = archive.position()
    rendered = archive.kronieken(fmt=fmt, role=reader.role, as_of=as_of)
    return _answer(rendered, fmt, position, as_of.isoformat() if as_of else None)
