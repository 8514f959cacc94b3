"""The curator's bulk import page: upload a sheet (+ a zip of files), see the dry run, import.

`GET /importeren` shows the form. `POST /importeren` (multipart, from this site: the curator
guard checks the session and the Origin) with `action=controleren` runs a dry run and shows
what would be added and every error by row and column, in a table; with
`action=importeren` the sheet is imported whole or not at all (the same command as the API's
`POST /api/imports`). With JavaScript (`/static/import.js`) the check is fetched and shown
in place, so the chosen files stay chosen and "Importeren" confirms them; without it the
report page asks to choose the files again (every import is checked again anyway).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from api.pages.auth import archive_of
from api.pages.curator import Curator, Text
from api.pages.templating import render
from api.routes.imports import read_sheet_upload, zip_source
from events.errors import ArchiveError

router = APIRouter(include_in_schema=False)
KINDS = (("stories", "Verhalen"), ("media", "Media-items"))
Upload = Annotated[UploadFile | None, File()]


def _page(
    request: Request,
    kind: str,
    *,
    report: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "import.html",
        {"kind": kind, "kinds": KINDS, "report": report, "error": error},
        status=status,
    )


@router.get("/importeren", response_class=HTMLResponse)
def import_form(request: Request, reader: Curator) -> Response:
    """The empty form."""
    return _page(request, "stories")


@router.post("/importeren", response_class=HTMLResponse)
def import_sheet(
    request: Request,
    reader: Curator,
    kind: Text = "stories",
    action: Text = "controleren",
    sheet: Upload = None,
    files: Upload = None,
) -> Response:
    """Check the sheet (a dry run) or import it, all rows or none."""
    kind = kind if kind in dict(KINDS) else "stories"
    if sheet is None or not sheet.filename:
        return _page(request, kind, error="Kies een blad (.csv of .xlsx).", status=422)
    dry_run = action != "importeren"
    try:
        report = archive_of(request).import_sheet(
            kind,
            read_sheet_upload(sheet),
            sheet.filename,
            actor=reader.name,
            files=zip_source(files),
            dry_run=dry_run,
        )
    except ArchiveError as error:
        return _page(request, kind, error=error.message, status=error.status)
    answer = report.as_dict()
    answer["sheet"] = sheet.filename
    answer["zip"] = files.filename if files is not None and files.filename else None
    status = 422 if report.errors and not dry_run else 200
    return _page(request, kind, report=answer, status=status)
