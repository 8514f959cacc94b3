"""The coding table of every assessment, for analysis in R or pandas."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from api.coding import as_csv, rows
from api.deps import ArchiveDep, ReaderDep
from api.models import CodingTable, problems
from api.shaping import POSITION_HEADER

router = APIRouter(prefix="/api", tags=["assessments"])


@router.get(
    "/assessments",
    response_model=CodingTable,
    responses={
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        **problems(401, 422),
    },
)
def coding_table(
    archive: ArchiveDep,
    reader: ReaderDep,
    fmt: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Response:
    """The coding table: one row per assessment of every item you may read (CSV or JSON).

    `recorded_at` is when the item's last change was recorded (its `modified_at`).
    """
    position = archive.position()
    table = rows(archive.all_items(role=reader.role))
    headers = {POSITION_HEADER: str(position)}
    if fmt == "csv":
        headers["Content-Disposition"] = 'attachment; filename="wijkarchief-beoordelingen.csv"'
        return Response(
            as_csv(table).encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers
        )
    return JSONResponse(
        {"items": table, "total": len(table), "position": position}, headers=headers
    )
