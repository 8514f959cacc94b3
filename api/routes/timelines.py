"""Timelines of a year and the Corona Kronieken, in JSON, Markdown, HTML and TimelineJS."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from api.citing import answer_citation, now_iso
from api.deps import ArchiveDep, AsOfDep, ReaderDep
from api.models import Kronieken, Timeline, TimelineJS, problems
from api.shaping import POSITION_HEADER

router = APIRouter(prefix="/api", tags=["timelines"])

TEXT = {
    "text/markdown": {"schema": {"type": "string"}},
    "text/html": {"schema": {"type": "string"}},
}


def _answer(
    rendered: Any, fmt: str, position: int, as_of: str | None, cited: tuple[str, str]
) -> Response:
    """The rendered form as its media type, citing the log position (and, in JSON, itself)."""
    headers = {POSITION_HEADER: str(position)}
    title, path = cited
    citation = answer_citation(title, path, {"format": fmt}, position, as_of or now_iso())
    if fmt == "markdown":
        return Response(str(rendered), media_type="text/markdown; charset=utf-8", headers=headers)
    if fmt == "html":
        return HTMLResponse(str(rendered), headers=headers)
    if isinstance(rendered, dict):  # plain JSON data already (and shared: not changed here)
        body = _encoded(rendered, position, as_of, citation)
        return Response(body, media_type="application/json", headers=headers)
    if fmt == "json" and isinstance(rendered, BaseModel):
        return JSONResponse({**jsonable_encoder(rendered), "citation": citation}, headers=headers)
    return JSONResponse(jsonable_encoder(rendered), headers=headers)


# The JSON bytes of the latest answers: a year's timeline at 10,000 items is 2.4 MB, and
# encoding it costs ~100 ms, for an answer `Archive` has already kept (the same object).
_ENCODED: OrderedDict[tuple[int, int, str | None], tuple[dict[str, Any], bytes]] = OrderedDict()
_ENCODED_LOCK = threading.Lock()
ENCODED_KEPT = 16


def _encoded(
    rendered: dict[str, Any], position: int, as_of: str | None, citation: dict[str, Any]
) -> bytes:
    """The answer's JSON, encoded once per rendered object, position and as_of."""
    # A now-answer's citation is made at its first encoding: at the same position an earlier
    # `as_of` fixes the same answer.
    key = (id(rendered), position, as_of)
    with _ENCODED_LOCK:
        hit = _ENCODED.get(key)
        if hit is not None and hit[0] is rendered:  # the very object, not a reused id
            return hit[1]
    body = json.dumps(
        {**rendered, "position": position, "as_of": as_of, "citation": citation},
        ensure_ascii=False, allow_nan=False, separators=(",", ":"),
    ).encode("utf-8")  # fmt: skip
    with _ENCODED_LOCK:
        _ENCODED[key] = (rendered, body)
        while len(_ENCODED) > ENCODED_KEPT:
            _ENCODED.popitem(last=False)
    return body


@router.get(
    "/timelines/{year}",
    response_model=None,
    responses={
        200: {
            # format=json answers a Timeline, format=timelinejs TimelineJS3's own JSON.
            "model": Timeline | TimelineJS,
            "description": "De tijdlijn: `Timeline` (json), `TimelineJS` (timelinejs), "
            "Markdown of HTML.",
            "content": TEXT,
        },
        **problems(401, 404, 422),
    },
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
    cited = (f"Tijdlijn {year}", f"/api/timelines/{year}")
    return _answer(rendered, fmt, position, as_of.isoformat() if as_of else None, cited)


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
    cited = ("Corona Kronieken", "/api/kronieken")
    return _answer(rendered, fmt, position, as_of.isoformat() if as_of else None, cited)
