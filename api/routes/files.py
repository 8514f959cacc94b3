"""Files on items: upload (curators), list, serve (with ranges), remove.

`POST /api/{kind}/{key}/files` (multipart, field `file`) streams the body (`api.uploads`)
and hands the spooled file to `Archive.attach_file`. The bytes routes serve a file or its
`thumbnail`, `display` or `original` through the visibility policy, decrypted as they are
sent, with `ETag`, `Cache-Control`, `Content-Disposition` and single HTTP ranges (RFC 9110
§14: `206` with `Content-Range`, `416` for a range past the end, the whole file for a
multi-range or malformed `Range`, `If-Range` honoured). See docs/media-files.md.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from api.deps import ArchiveDep, CuratorDep, Limit, Offset, ReaderDep
from api.models import FileList, FileWritten, Kind, problems
from api.shaping import cite, page
from api.uploads import read_upload
from archive.files import Opened
from archive.filetypes import ALLOWED

router = APIRouter(prefix="/api/{kind}/{key}/files", tags=["files"])
FORMS = ("thumbnail", "display", "original")
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}
BYTES = {
    "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in ALLOWED},
}
SERVED: dict[int | str, dict[str, Any]] = {
    200: {**BYTES, "description": "Het bestand (het type komt uit de inhoud)."},
    206: {**BYTES, "description": "Een deel (Range: bytes=A-B)."},
    304: {"description": "Niet gewijzigd (If-None-Match)."},
    416: {"description": "Het gevraagde bereik ligt buiten het bestand."},
    **problems(401, 404, 410, 422),
}


@router.post(
    "",
    status_code=201,
    response_model=FileWritten,
    responses=problems(400, 401, 403, 404, 413, 415, 422),
    openapi_extra={"requestBody": UPLOAD_BODY},
)
async def upload_file(
    archive: ArchiveDep,
    curator: CuratorDep,
    request: Request,
    response: Response,
    kind: Kind,
    key: str,
    keep_original: Annotated[
        bool, Query(description="Bewaar ook het origineel (met metadata), versleuteld.")
    ] = False,
) -> dict[str, Any]:
    """Attach a file (multipart, field `file`): JPEG, PNG, WebP, TIFF, PDF, MP3, M4A, OGG,
    WAV, MP4, WebM, decided from the content. Stored without metadata: images without
    EXIF/XMP (no GPS, no camera serial), PDFs without author or XMP, recordings and videos
    without tags or location (WebM as sent); 415 for another type, 413 over the limit, 422
    when the metadata cannot be removed (docs/media-files.md)."""
    # An unknown item is a 404 before a byte of the body is read.
    await anyio.to_thread.run_sync(lambda: archive.item(kind, key, role=curator.role))
    settings = archive.settings
    upload = await read_upload(request, settings.max_image_bytes, settings.max_media_bytes)
    try:
        answer: dict[str, Any] = await anyio.to_thread.run_sync(
            lambda: archive.attach_file(
                kind,
                key,
                upload.file,
                upload.filename,
                actor=curator.name,
                keep_original=keep_original,
            )
        )
    finally:
        upload.file.close()
    position = answer.get("position")
    cite(response, int(position) if position is not None else archive.position())
    response.headers["Location"] = str(answer["url"])
    return answer


@router.get("", response_model=FileList, responses=problems(401, 404, 410, 422))
def list_files(
    archive: ArchiveDep,
    reader: ReaderDep,
    response: Response,
    kind: Kind,
    key: str,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The files of an item the caller may read."""
    position = archive.position()
    files = archive.files(kind, key, role=reader.role)
    cite(response, position)
    return page(files, limit=limit, offset=offset, position=position)


def _serve(
    archive: Any, reader: Any, kind: str, key: str, file_id: str, form: str,
    range_: str | None, if_range: str | None, if_none_match: str | None,
) -> Response:  # fmt: skip
    opened: Opened = archive.open_file(kind, key, file_id, form, role=reader.role)
    etag = f'"{opened.etag}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": "public, max-age=300" if opened.public else "private, no-cache",
        "Content-Disposition": _disposition(opened.filename, form == "original"),
        "X-Content-Type-Options": "nosniff",
    }
    if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    wanted = _range(range_, opened.size) if range_ and (not if_range or if_range == etag) else None
    if wanted == "unsatisfiable":
        return Response(
            status_code=416, headers={**headers, "Content-Range": f"bytes */{opened.size}"}
        )
    start, end, status = 0, opened.size, 200
    if isinstance(wanted, tuple):
        start, end, status = wanted[0], wanted[1], 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{opened.size}"
    headers["Content-Length"] = str(end - start)
    return StreamingResponse(
        opened.read(start, end), status_code=status, media_type=opened.content_type,
        headers=headers,
    )  # fmt: skip


def _range(value: str, size: int) -> tuple[int, int] | str | None:
    """One byte range of RFC 9110 as [start, end); "unsatisfiable"; None: serve it whole
    (several ranges, or a header that is not a byte range)."""
    found = RANGE.match(value.strip().replace(" ", ""))
    if not found or (not found[1] and not found[2]):
        return None
    if not found[1]:  # the last N bytes
        suffix = int(found[2])
        if suffix == 0:
            return "unsatisfiable"
        return max(0, size - suffix), size
    start = int(found[1])
    end = int(found[2]) + 1 if found[2] else size
    if found[2] and int(found[2]) < start:
        return None  # invalid: ignored, as RFC 9110 says
    if start >= size:
        return "unsatisfiable"
    return start, min(end, size)


def _disposition(filename: str, download: bool) -> str:
    """`inline` (or `attachment`) with an ASCII name and the UTF-8 name (RFC 6266)."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)[:120] or "bestand"
    kind = "attachment" if download else "inline"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


RangeHeader = Annotated[str | None, Header(alias="Range", include_in_schema=False)]
IfRange = Annotated[str | None, Header(alias="If-Range", include_in_schema=False)]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", include_in_schema=False)]


@router.get("/{file_id}", response_class=Response, responses=SERVED)
def get_file(
    archive: ArchiveDep, reader: ReaderDep, kind: Kind, key: str, file_id: str,
    range_: RangeHeader = None, if_range: IfRange = None, if_none_match: IfNoneMatch = None,
) -> Response:  # fmt: skip
    """The file itself (without its metadata: docs/media-files.md); `Range` for seeking."""
    return _serve(archive, reader, kind, key, file_id, "file", range_, if_range, if_none_match)


@router.get("/{file_id}/{form}", response_class=Response, responses=SERVED)
def get_form(
    archive: ArchiveDep, reader: ReaderDep, kind: Kind, key: str, file_id: str,
    form: Annotated[Literal["thumbnail", "display", "original"], Path()],
    range_: RangeHeader = None, if_range: IfRange = None, if_none_match: IfNoneMatch = None,
) -> Response:  # fmt: skip
    """A form of the file: `thumbnail` (320 px JPEG), `display` (1600 px JPEG) or the
    `original` as uploaded (kept only on request; curators)."""
    # The original keeps what was cleaned away (GPS, serials): curators only.
    shown = "no-original" if form == "original" and reader.role != "curator" else form
    return _serve(archive, reader, kind, key, file_id, shown, range_, if_range, if_none_match)


@router.delete("/{file_id}", status_code=204, responses=problems(401, 403, 404, 422))
def remove_file(
    archive: ArchiveDep, curator: CuratorDep, kind: Kind, key: str, file_id: str,
    reason: Annotated[str, Query(description="Waarom (komt in de geschiedenis).")] = "",
) -> Response:  # fmt: skip
    """Take a file off the item (the history keeps that it was there)."""
    position = archive.remove_file(kind, key, file_id, actor=curator.name, reason=reason)
    response = Response(status_code=204)
    cite(response, position)
    return response
