"""Assessing an item on a quality, with a form (links: `api.pages.links`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages.auth import PageReader, archive_of
from api.pages.curator import Curator, Text, field_errors
from api.pages.public import error_page
from api.pages.templating import HEADERS, item_path, render
from events import qualities
from events.errors import ArchiveError

router = APIRouter(include_in_schema=False)

ASSESSMENT_FIELDS = (
    "quality", "element", "assessment", "basis", "note", "coder", "happenings", "evidence",
    "source",
)  # fmt: skip
Choices = Annotated[list[str], Form()]


def _item_or_error(request: Request, reader: PageReader, kind: str, key: str) -> Any:
    try:
        return archive_of(request).item(kind, key, role=reader.role)
    except ArchiveError as error:
        return error_page(request, error)


def _assessment_form(
    request: Request,
    item: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "assessment.html",
        {
            "item": item,
            "values": values,
            "errors": errors or {},
            "labels": qualities.ASSESSMENT_LABELS,
        },
        status=status,
    )


def _add_item_routes(kind: str) -> None:
    def assessment_form(request: Request, reader: Curator, key: str) -> Response:
        item = _item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        values: dict[str, Any] = {**dict.fromkeys(ASSESSMENT_FIELDS, ""), "happenings": []}
        return _assessment_form(request, item, values)

    def assess(
        request: Request,
        reader: Curator,
        key: str,
        quality: Text = "",
        element: Text = "",
        assessment: Text = "",
        basis: Text = "",
        note: Text = "",
        coder: Text = "",
        evidence: Text = "",
        source: Text = "",
        happenings: Choices | None = None,
    ) -> Response:
        item = _item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        values: dict[str, Any] = {
            "quality": quality, "element": element, "assessment": assessment, "basis": basis,
            "note": note, "coder": coder, "evidence": evidence, "source": source,
            "happenings": happenings or [],
        }  # fmt: skip
        data = {**values, "element": element or None, "basis": basis or None}
        try:
            _, assessment_id = archive_of(request).assess(kind, key, data, actor=reader.name)
        except ArchiveError as error:
            return _assessment_form(
                request, item, values, field_errors(error, ASSESSMENT_FIELDS), error.status
            )
        return RedirectResponse(
            f"{item_path(kind, key)}?gedaan=beoordeeld#assessment-{assessment_id}",
            status_code=303,
            headers=HEADERS,
        )

    for name, handler, method, path in (
        ("assessment_form", assessment_form, "GET", "beoordeling"),
        ("assess", assess, "POST", "beoordeling"),
    ):
        handler.__name__ = f"{kind}_{name}"
        router.add_api_route(
            f"/{kind}/{{key}}/{path}", handler, methods=[method], response_class=HTMLResponse
        )


for _kind in ("episodes", "stories", "media"):
    _add_item_routes(_kind)
