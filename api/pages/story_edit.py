"""Editing a story with the version it was loaded at (the flow is `api.pages.revision`).

An edit records only the fields the curator changed since the version the form was loaded at;
when someone else saved in between, the page shows every field that differs (the original,
theirs, yours) with the other's changes merged into the form, and saving keeps them except
where this curator changed the same field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from api.pages import revision
from api.pages.auth import archive_of
from api.pages.curator import CONSENTS, Curator, Text
from api.pages.form_fields import date_hint
from api.pages.public import error_page
from api.pages.templating import render
from archive.rendering import markdown_to_html
from events.errors import ArchiveError

router = APIRouter(include_in_schema=False)
KIND = "stories"


def _edit_form(
    request: Request,
    item: dict[str, Any],
    values: dict[str, str],
    version: int,
    *,
    errors: dict[str, str] | None = None,
    stale: dict[str, Any] | None = None,
    preview_html: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "story_edit.html",
        {
            "item": item,
            "values": values,
            "version": version,
            "errors": errors or {},
            "stale": stale,
            "preview_html": Markup(preview_html) if preview_html is not None else None,
            "date_hint": date_hint(values.get("date", "")),
            "consents": CONSENTS,
        },
        status=status,
    )


@router.get("/stories/{number}/bewerken", response_class=HTMLResponse)
def edit_story_form(request: Request, reader: Curator, number: str) -> Response:
    """The story's fields as stored now, with the version they were loaded at."""
    try:
        item = archive_of(request).item(KIND, number, role=reader.role)
    except ArchiveError as error:
        return error_page(request, error)
    return _edit_form(request, item, revision.edit_values(KIND, item), item["version"])


@router.post("/stories/{number}/bewerken", response_class=HTMLResponse)
def edit_story(
    request: Request,
    reader: Curator,
    number: str,
    version: Text = "",
    title: Text = "",
    date: Text = "",
    storytellers: Text = "",
    consent: Text = "curators",
    rights: Text = "",
    body_markdown: Text = "",
    reason: Text = "",
    action: Text = "opslaan",
) -> Response:
    """Record the fields this curator changed since the version the form was loaded at;
    when someone else saved meanwhile, show the merge instead of overwriting theirs."""
    values = {
        "title": title, "date": date, "storytellers": storytellers, "consent": consent,
        "rights": rights, "body_markdown": body_markdown, "reason": reason,
    }  # fmt: skip
    try:
        item = archive_of(request).item(KIND, number, role=reader.role)
    except ArchiveError as error:
        return error_page(request, error)
    if action == "voorbeeld":
        return _edit_form(
            request, item, values, revision.loaded_version(version),
            preview_html=markdown_to_html(body_markdown),
        )  # fmt: skip

    def form(item: dict[str, Any], values: dict[str, str], version: int, **more: Any) -> Response:
        return _edit_form(request, item, values, version, **more)

    return revision.save_edit(
        request, reader, KIND, number, item, values, version, form,
        f"/stories/{number}?gedaan=opgeslagen#geschiedenis",
    )  # fmt: skip
