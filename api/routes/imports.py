"""Bulk import for curators: a CSV or .xlsx sheet of stories or media items (docs/bulk-import.md).

`POST /api/imports?kind=stories&dry_run=true` with a multipart body: `sheet` (the .csv or
.xlsx) and optionally `files` (a zip of the files the sheet names). A dry run answers 200
with every row it would add and every error by row and column, and writes nothing. Without
`dry_run` the sheet is imported whole (201) or not at all: any error answers 422
problem+json whose `errors` lists every problem by row, and nothing is written.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from api.deps import ArchiveDep, CuratorDep
from api.errors import problem
from api.models import problems
from api.models.imports import ImportReport
from archive.sheets import MAX_SHEET_BYTES, FileSource, UnreadableSheet

router = APIRouter(prefix="/api/imports", tags=["imports"])
# The whole body of an import (the sheet and a zip of files): BodyLimit lets these through.
MAX_IMPORT_BYTES = 512 * 1024 * 1024


def import_limit(path: str, method: str) -> int | None:
    """The body limit of the import routes (the API's and the curator's page)."""
    if method == "POST" and path.rstrip("/") in ("/api/imports", "/importeren"):
        return MAX_IMPORT_BYTES
    return None


def read_sheet_upload(sheet: UploadFile) -> bytes:
    """The sheet's bytes, refused (413) beyond its limit without reading more."""
    data = sheet.file.read(MAX_SHEET_BYTES + 1)
    if len(data) > MAX_SHEET_BYTES:
        raise UnreadableSheet(
            f"Het bestand is te groot (max. {MAX_SHEET_BYTES // (1024 * 1024)} MB).",
            field="sheet",
        )
    return data


def zip_source(files: UploadFile | None) -> FileSource:
    """The files of an uploaded zip (none when no zip was sent)."""
    if files is None or not files.filename:
        return FileSource.none()
    return FileSource.zip(files.file, f"zip {files.filename}")


@router.post(
    "",
    status_code=201,
    response_model=ImportReport,
    responses={
        200: {"model": ImportReport, "description": "Proefimport: wat er zou gebeuren."},
        **problems(401, 403, 409, 413, 422),
    },
)
def import_sheet(
    archive: ArchiveDep,
    curator: CuratorDep,
    response: Response,
    sheet: Annotated[UploadFile, File(description="Het blad: .csv (; of ,) of .xlsx.")],
    kind: Annotated[Literal["stories", "media"], Query(description="stories of media")],
    files: Annotated[
        UploadFile | None, File(description="Zip met de bestanden die het blad noemt.")
    ] = None,
    dry_run: Annotated[bool, Query(description="Alleen controleren; niets vastleggen.")] = False,
) -> Any:
    """Add every row of a sheet as a new story or media item, all or nothing.

    Columns: the writable fields of `POST /api/stories` or `POST /api/media`, in English or
    Dutch (`nummer`, `titel`, `tekst`, `vertellers`, `datum`, `toestemming`, …); lists
    separated by `;`; `files` names files in the zip. Without a consent column an item is
    for curators only. A number or id that already exists is an error.
    """
    report = archive.import_sheet(
        kind,
        read_sheet_upload(sheet),
        sheet.filename or "",
        actor=curator.name,
        files=zip_source(files),
        dry_run=dry_run,
    )
    answer = report.as_dict()
    if report.errors and not dry_run:
        first = report.errors[0]
        return problem(
            422,
            f"{len(report.errors)} fout(en) in het blad; er is niets geïmporteerd. Eerste: rij "
            f"{first.row}, kolom {first.column or '-'}: {first.message}",
            title="Import geweigerd",
            instance="/api/imports",
            field="sheet",
            errors=answer["errors"],
            items=answer["items"],
        )
    if dry_run:
        return JSONResponse(answer, status_code=200)
    if report.position is not None:
        response.headers["X-Archive-Position"] = str(report.position)
    return answer
