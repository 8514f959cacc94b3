"""The form for a new story: register it, or preview its text first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from api.pages import form_fields
from api.pages.auth import archive_of
from api.pages.curator import CONSENTS, Curator, Text, field_errors
from api.pages.form_fields import date_hint, lines
from api.pages.templating import HEADERS, render
from archive.rendering import markdown_to_html
from events.errors import ArchiveError

router = APIRouter(include_in_schema=False)

STORY_FIELDS = ("number", "title", "date", "storytellers", "consent", "rights", "body_markdown")


def _story_form(
    request: Request,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    preview_html: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "story_new.html",
        {
            "values": values,
            "errors": errors or {},
            "preview_html": Markup(preview_html) if preview_html is not None else None,
            "date_hint": date_hint(values.get("date", "")),
            "consents": CONSENTS,
        },
        status=status,
    )


@router.get("/verhalen/nieuw", response_class=HTMLResponse)
def new_story_form(request: Request, reader: Curator) -> Response:
    """An empty form for a new story."""
    values = dict.fromkeys(STORY_FIELDS, "")
    values["consent"] = "curators"
    return _story_form(request, values)


@router.post("/verhalen/nieuw", response_class=HTMLResponse)
def new_story(
    request: Request,
    reader: Curator,
    number: Text = "",
    title: Text = "",
    date: Text = "",
    storytellers: Text = "",
    consent: Text = "curators",
    rights: Text = "",
    body_markdown: Text = "",
    action: Text = "opslaan",
) -> Response:
    """Register the story (or, with the preview button, show the form with its preview)."""
    values = {
        "number": number, "title": title, "date": date, "storytellers": storytellers,
        "consent": consent, "rights": rights, "body_markdown": body_markdown,
    }  # fmt: skip
    if action == "voorbeeld":
        return _story_form(request, values, preview_html=markdown_to_html(body_markdown))
    # Every problem at once: the number and each field, checked by the domain's own rules.
    errors = form_fields.check_all("stories", values)
    taken = form_fields.check_key("stories", number.strip(), archive_of(request).exists)
    if taken:
        errors = {"number": taken, **errors}
    if errors:
        # A number already taken, and nothing else wrong, is a conflict (409).
        status = 409 if list(errors) == ["number"] and "in gebruik" in (taken or "") else 422
        return _story_form(request, values, errors=errors, status=status)
    fields: dict[str, Any] = {
        "number": number.strip(),
        "title": title,
        "date": date.strip() or None,
        "storytellers": lines(storytellers),
        "consent": consent,
        "rights": rights,
        "body_markdown": body_markdown,
    }
    try:
        archive_of(request).register("stories", fields, actor=reader.name)
    except ArchiveError as error:
        return _story_form(
            request, values, errors=field_errors(error, STORY_FIELDS), status=error.status
        )
    return RedirectResponse(
        f"/stories/{number.strip()}?gedaan=nieuw", status_code=303, headers=HEADERS
    )
