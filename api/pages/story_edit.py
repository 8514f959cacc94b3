"""Editing a story with the version it was loaded at.

An edit records only the fields the curator changed since the version the form was loaded at;
when someone else saved in between, the page shows every field that differs (the original,
theirs, yours) with the other's changes merged into the form, and saving keeps them except
where this curator changed the same field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from api.pages import history as history_view
from api.pages.auth import PageReader, archive_of
from api.pages.curator import CONSENTS, Curator, Text, date_hint, field_errors, lines
from api.pages.public import error_page
from api.pages.templating import HEADERS, render
from archive.rendering import markdown_to_html
from events.errors import ArchiveError, StaleVersion

router = APIRouter(include_in_schema=False)

EDIT_FIELDS = ("title", "date", "storytellers", "consent", "rights", "body_markdown", "reason")
# The fields of the edit form that become the story's fields, with their Dutch labels.
EDITABLE = {
    "title": "Titel",
    "date": "Datum",
    "storytellers": "Vertellers",
    "consent": "Wie mag het lezen?",
    "rights": "Rechten",
    "body_markdown": "Tekst (Markdown)",
}


def _edit_values(item: dict[str, Any]) -> dict[str, str]:
    return {
        "title": item.get("title") or "",
        "date": item.get("date") or "",
        "storytellers": "\n".join(item.get("storytellers") or []),
        "consent": item.get("consent") or "curators",
        "rights": item.get("rights") or "",
        "body_markdown": item.get("body_markdown") or "",
        "reason": "",
    }


def _same(field: str, one: str, other: str) -> bool:
    """Whether two form values of a field mean the same (browsers send CRLF line ends)."""
    if field == "storytellers":
        return lines(one) == lines(other)
    return one.replace("\r\n", "\n").strip() == other.replace("\r\n", "\n").strip()


def _stored(field: str, value: str) -> Any:
    """A form value as the story's field."""
    if field == "date":
        return value.strip() or None
    if field == "storytellers":
        return lines(value)
    return value


def _values_at(
    request: Request, number: str, version: int, role: str, current: dict[str, Any]
) -> dict[str, str] | None:
    """The form's values as they were at `version`, re-read from the log (None: unknown)."""
    if version == current.get("version"):
        return _edit_values(current)
    archive = archive_of(request)
    try:
        recorded = [
            e["recorded_at"]
            for e in archive.history("stories", number, role=role)
            if e["version"] == version
        ]
        if not recorded:
            return None
        then = recorded[0]
        moment = then if isinstance(then, datetime) else datetime.fromisoformat(str(then))
        return _edit_values(archive.item("stories", number, role=role, as_of=moment))
    except ArchiveError:
        return None


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
        item = archive_of(request).item("stories", number, role=reader.role)
    except ArchiveError as error:
        return error_page(request, error)
    return _edit_form(request, item, _edit_values(item), item["version"])


def _conflict(
    request: Request,
    number: str,
    reader: PageReader,
    loaded: int,
    original: dict[str, str] | None,
    mine: dict[str, str],
    changed: set[str],
    message: str,
    status: int,
) -> Response:
    """Someone saved since `loaded`: the form again, their changes merged into it, and
    every field that differs shown as the original, theirs and yours."""
    archive = archive_of(request)
    current = archive.item("stories", number, role=reader.role)
    theirs = _edit_values(current)
    base = original or theirs
    merged = {**mine}
    fields = []
    for field, label in EDITABLE.items():
        theirs_changed = not _same(field, base[field], theirs[field])
        mine_changed = field in changed
        merged[field] = mine[field] if mine_changed else theirs[field]
        if _same(field, base[field], theirs[field]) and _same(field, base[field], mine[field]):
            continue
        both = mine_changed and theirs_changed and not _same(field, mine[field], theirs[field])
        fields.append(
            {
                "name": field,
                "label": label,
                "original": base[field],
                "theirs": theirs[field],
                "mine": mine[field],
                "kept": "mine" if mine_changed else "theirs",
                "both": both,
                "diff": history_view.word_diff(theirs[field], mine[field]) if both else None,
            }
        )
    since = [
        e
        for e in history_view.entries(archive.history("stories", number, role=reader.role))
        if e["version"] > loaded
    ]
    stale = {
        "message": message,
        "current": current,
        "loaded": loaded,
        "since": since,
        "actors": sorted({e["actor"] for e in since if e["actor"]}),
        "fields": fields,
        "both": [f for f in fields if f["both"]],
    }
    # The form now stands on the current version: saving it records only what this curator
    # changed, on top of the other's changes.
    return _edit_form(request, current, merged, current["version"], stale=stale, status=status)


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
    archive = archive_of(request)
    values = {
        "title": title, "date": date, "storytellers": storytellers, "consent": consent,
        "rights": rights, "body_markdown": body_markdown, "reason": reason,
    }  # fmt: skip
    try:
        item = archive.item("stories", number, role=reader.role)
    except ArchiveError as error:
        return error_page(request, error)
    # Without the version it was loaded at, an edit cannot be checked: it counts as stale.
    loaded = int(version) if version.isdigit() and len(version) < 10 else 0
    if action == "voorbeeld":
        return _edit_form(
            request, item, values, loaded, preview_html=markdown_to_html(body_markdown)
        )
    original = _values_at(request, number, loaded, reader.role, item) if loaded else None
    base = original or _edit_values(item)
    changed = {f for f in EDITABLE if not _same(f, base[f], values[f])}
    if original is None or loaded != item["version"]:
        return _conflict(
            request, number, reader, loaded, original, values, changed,
            f"U bewerkte versie {loaded}; het archief heeft nu versie {item['version']}.",
            412,
        )  # fmt: skip
    if not changed:
        return _edit_form(
            request, item, values, loaded,
            errors={"form": "U hebt niets gewijzigd, dus er is niets opgeslagen."},
        )  # fmt: skip
    changes = {field: _stored(field, values[field]) for field in EDITABLE if field in changed}
    try:
        archive.revise(
            "stories", number, changes, actor=reader.name, reason=reason.strip(),
            expected_version=loaded,
        )  # fmt: skip
    except StaleVersion as error:  # someone saved between our read and our write
        return _conflict(
            request, number, reader, loaded, original, values, changed, error.message,
            error.status,
        )  # fmt: skip
    except ArchiveError as error:
        return _edit_form(
            request,
            item,
            values,
            loaded,
            errors=field_errors(error, EDIT_FIELDS),
            status=error.status,
        )
    return RedirectResponse(
        f"/stories/{number}?gedaan=opgeslagen#geschiedenis", status_code=303, headers=HEADERS
    )
