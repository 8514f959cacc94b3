"""Assessing an item on a quality, with a form (links: `api.pages.links`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages import part_checks
from api.pages.auth import archive_of
from api.pages.curator import Curator, Text, field_errors
from api.pages.public import item_or_error
from api.pages.templating import HEADERS, item_path, render
from events import qualities
from events.errors import ArchiveError

router = APIRouter(include_in_schema=False)

ASSESSMENT_FIELDS = part_checks.ASSESSMENT_FIELDS
Choices = Annotated[list[str], Form()]


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
        item = item_or_error(request, reader, kind, key)
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
        item = item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        values: dict[str, Any] = {
            "quality": quality, "element": element, "assessment": assessment, "basis": basis,
            "note": note, "coder": coder, "evidence": evidence, "source": source,
            "happenings": happenings or [],
        }  # fmt: skip
        # Every problem at once, each under its field (the domain stops at the first).
        errors = part_checks.assessment_errors(values, [h["id"] for h in item["happenings"]])
        if errors:
            return _assessment_form(request, item, values, errors, 422)
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
