"""A media item's files page: the files it has, and the upload form.

`GET /media/{id}/bestanden` lists the item's files (thumbnails where there are any) and
offers the upload: a plain multipart form (field `file`) that works without JavaScript,
which `static/upload.js` turns into a drop zone that sends the same form with
XMLHttpRequest and shows its progress. Both post to `POST /media/{id}/bestanden`, which
hands the file to the same archive command as `POST /api/media/{id}/files`
(`Archive.attach_file`: the type decided from the bytes, the size limits, the metadata
stripped). The pages' login is a session cookie, which the JSON API takes for reads only;
that is why the script posts here (same origin, checked like every curator form) and not to
`/api/...`. Asked for JSON (`Accept: application/json`, as the script does), it answers as
the API does: 201 with the file, or a problem (413 too large, 415 a refused type, 422
metadata that cannot be removed) with a Dutch `detail`; otherwise it goes back to the page
(303), or shows the page with the problem. Each file has a "Verwijderen…" disclosure whose
form says what a removal does and posts to `POST /media/{id}/bestanden/{file}/verwijderen`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.errors import problem
from api.pages.auth import PageReader, archive_of
from api.pages.curator import Curator, Text
from api.pages.public import error_page
from api.pages.templating import HEADERS, render
from api.uploads import read_upload
from archive.pictures import describe
from events.errors import ArchiveError, InvalidInput

router = APIRouter(include_in_schema=False)
KIND = "media"
FILE = "file"
NOTICES = {
    "nieuw": "Het media-item is vastgelegd. Voeg hieronder de foto, scan of opname toe.",
    "bestand": "Het bestand is toegevoegd.",
    "verwijderd": "Het bestand is verwijderd: het archief toont en levert het niet meer; "
    "de geschiedenis van het item bewaart dat het er was.",
}


def _page(
    request: Request, reader: PageReader, key: str, *, notice: str | None = None,
    error: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    archive = archive_of(request)
    try:
        item = archive.item(KIND, key, role=reader.role)
        files = archive.files(KIND, key, role=reader.role)
    except ArchiveError as failure:
        return error_page(request, failure)
    return render(
        request, "media_files.html",
        {"item": item, "files": files, "notice": notice, "error": error,
         "limits": _limits(request)},
        status=status,
    )  # fmt: skip


def _limits(request: Request) -> dict[str, int]:
    """The size limits (MB) the page tells the curator."""
    settings = archive_of(request).settings
    return {
        "image": settings.max_image_bytes // (1024 * 1024),
        "media": settings.max_media_bytes // (1024 * 1024),
    }


@router.get("/media/{key}/bestanden", response_class=HTMLResponse)
def files_page(request: Request, reader: Curator, key: str, gedaan: str = "") -> Response:
    """The item's files and the upload form."""
    return _page(request, reader, key, notice=NOTICES.get(gedaan))


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _attach(request: Request, reader: PageReader, key: str) -> dict[str, Any]:
    """Stream the form's `file` in (`api.uploads.read_upload`: the type from the first bytes,
    the size limit of its family) and attach it; raises the archive's errors."""
    archive = archive_of(request)
    # An unknown item is a 404 before a byte of the body is read.
    await run_in_threadpool(archive.item, KIND, key, role=reader.role)
    settings = archive.settings
    try:
        upload = await read_upload(request, settings.max_image_bytes, settings.max_media_bytes)
    except InvalidInput as error:
        if error.field == FILE and "ontbreekt" in error.message:
            raise InvalidInput("Kies eerst een bestand om toe te voegen.", field=FILE) from None
        raise
    try:
        # Cleaning an image takes a while: off the event loop.
        answer: dict[str, Any] = await run_in_threadpool(
            archive.attach_file, KIND, key, upload.file, upload.filename, actor=reader.name
        )
    finally:
        upload.file.close()
    return answer


@router.post("/media/{key}/bestanden", response_class=HTMLResponse)
async def upload(request: Request, reader: Curator, key: str) -> Response:
    """Attach the posted file; JSON for the script, the page for a plain form."""
    try:
        answer = await _attach(request, reader, key)
    except ArchiveError as error:
        if _wants_json(request):
            return problem(error.status, error.message, title=error.title, headers=HEADERS)
        return _page(request, reader, key, error=error.message, status=error.status)
    if _wants_json(request):
        shown = {k: answer.get(k) for k in ("id", "content_type", "bytes", "sha256", "url",
                                            "thumbnail_url", "filename")}  # fmt: skip
        shown["about"] = describe(answer)  # "PNG, 5 kB, 1200 × 800 px", as the pages say it
        return JSONResponse(shown, status_code=201, headers=HEADERS)
    return RedirectResponse(
        f"/media/{key}/bestanden?gedaan=bestand#bestanden", status_code=303, headers=HEADERS
    )


@router.post("/media/{key}/bestanden/{file_id}/verwijderen", response_class=HTMLResponse)
def remove(
    request: Request, reader: Curator, key: str, file_id: str, reason: Text = ""
) -> Response:
    """Take a file off the item (the API's `DELETE /api/media/{id}/files/{file_id}`)."""
    try:
        archive_of(request).remove_file(KIND, key, file_id, actor=reader.name, reason=reason)
    except ArchiveError as error:
        return error_page(request, error)
    return RedirectResponse(
        f"/media/{key}/bestanden?gedaan=verwijderd#bestanden", status_code=303, headers=HEADERS
    )
