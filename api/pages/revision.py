"""Editing an item's fields with the version the form was loaded at (stories, episodes, media).

An edit records only the fields the curator changed since the version the form was loaded at;
when someone else saved in between, the page shows every field that differs (the original,
theirs, yours) with the other's changes merged into the form, and saving keeps them except
where this curator changed the same field. Every field is checked before anything is saved,
and every problem is shown at once (`api.pages.form_fields.check_all`).

A kind's edit page gives `save_edit` the typed values and a `Form` that renders its template;
the conflict box is `_conflict.html`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.pages import form_fields
from api.pages import history as history_view
from api.pages.auth import PageReader, archive_of
from api.pages.curator import field_errors
from api.pages.templating import HEADERS
from archive.service import Archive
from events.errors import ArchiveError, StaleVersion

NOUNS = {"stories": "dit verhaal", "episodes": "deze episode", "media": "dit media-item"}


class Form(Protocol):
    """Renders a kind's edit form."""

    def __call__(
        self,
        item: dict[str, Any],
        values: dict[str, str],
        version: int,
        *,
        errors: dict[str, str] | None = None,
        stale: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Response: ...


def edit_values(kind: str, item: dict[str, Any]) -> dict[str, str]:
    """The edit form's values of an item, and an empty reason."""
    return {**form_fields.values_of(kind, item), "reason": ""}


def loaded_version(version: str) -> int:
    """The version the form was loaded at (0, which always counts as stale, when unusable)."""
    return int(version) if version.isdigit() and len(version) < 10 else 0


def values_at(
    archive: Archive, kind: str, key: str, version: int, role: str, current: dict[str, Any]
) -> dict[str, str] | None:
    """The form's values as they were at `version`, re-read from the log (None: unknown)."""
    if version == current.get("version"):
        return edit_values(kind, current)
    try:
        recorded = [
            e["recorded_at"]
            for e in archive.history(kind, key, role=role)
            if e["version"] == version
        ]
        if not recorded:
            return None
        then = recorded[0]
        moment = then if isinstance(then, datetime) else datetime.fromisoformat(str(then))
        return edit_values(kind, archive.item(kind, key, role=role, as_of=moment))
    except ArchiveError:
        return None


def conflict(
    archive: Archive,
    kind: str,
    key: str,
    role: str,
    loaded: int,
    original: dict[str, str] | None,
    mine: dict[str, str],
    changed: set[str],
    message: str,
) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """Someone saved since `loaded`: the current item, the form's values with their changes
    merged in, and what the conflict box shows (every field that differs, three ways)."""
    current = archive.item(kind, key, role=role)
    theirs = edit_values(kind, current)
    base = original or theirs
    merged = {**mine}
    fields = []
    for field in form_fields.spec(kind):
        name = field.name
        theirs_changed = not form_fields.same(field, base[name], theirs[name])
        mine_changed = name in changed
        merged[name] = mine[name] if mine_changed else theirs[name]
        if not theirs_changed and form_fields.same(field, base[name], mine[name]):
            continue
        both = (
            mine_changed
            and theirs_changed
            and not form_fields.same(field, mine[name], theirs[name])
        )
        fields.append(
            {
                "name": name,
                "label": field.label,
                "shape": field.shape,
                "original": base[name],
                "theirs": theirs[name],
                "mine": mine[name],
                "kept": "mine" if mine_changed else "theirs",
                "both": both,
                "diff": history_view.word_diff(theirs[name], mine[name]) if both else None,
            }
        )
    since = [
        e
        for e in history_view.entries(archive.history(kind, key, role=role))
        if e["version"] > loaded
    ]
    stale = {
        "message": message,
        "noun": NOUNS[kind],
        "current": current,
        "loaded": loaded,
        "since": since,
        "actors": sorted({e["actor"] for e in since if e["actor"]}),
        "fields": fields,
        "both": [f for f in fields if f["both"]],
    }
    return current, merged, stale


def save_edit(
    request: Request,
    reader: PageReader,
    kind: str,
    key: str,
    item: dict[str, Any],
    values: dict[str, str],
    version: str,
    form: Form,
    done: str,
) -> Response:
    """Record the fields this curator changed since the version the form was loaded at, or
    show every problem, or (someone saved meanwhile) the merge instead of overwriting."""
    archive = archive_of(request)
    loaded = loaded_version(version)

    def stale_form(original: dict[str, str] | None, changed: set[str], why: str) -> Response:
        current, merged, stale = conflict(
            archive, kind, key, reader.role, loaded, original, values, changed, why
        )
        # Only this curator saved meanwhile (another tab): not "someone else".
        stale["own"] = stale["actors"] == [reader.name]
        # The form now stands on the current version: saving it records only what this
        # curator changed, on top of the other's changes.
        return form(current, merged, current["version"], stale=stale, status=412)

    original = values_at(archive, kind, key, loaded, reader.role, item) if loaded else None
    base = original or edit_values(kind, item)
    spec = form_fields.spec(kind)
    changed = {f.name for f in spec if not form_fields.same(f, base[f.name], values[f.name])}
    if original is None or loaded != item["version"]:
        why = f"U bewerkte versie {loaded}; het archief heeft nu versie {item['version']}."
        return stale_form(original, changed, why)
    errors = form_fields.check_all(kind, {n: values[n] for n in changed})
    if errors:
        return form(item, values, loaded, errors=errors, status=422)
    if not changed:
        message = "U hebt niets gewijzigd, dus er is niets opgeslagen."
        return form(item, values, loaded, errors={"form": message})
    changes = {f.name: form_fields.stored(f, values[f.name]) for f in spec if f.name in changed}
    try:
        archive.revise(
            kind, key, changes, actor=reader.name, reason=values.get("reason", "").strip(),
            expected_version=loaded,
        )  # fmt: skip
    except StaleVersion as error:  # someone saved between our read and our write
        return stale_form(original, changed, error.message)
    except ArchiveError as error:
        fields = (*(f.name for f in spec), "reason")
        return form(item, values, loaded, errors=field_errors(error, fields), status=error.status)
    return RedirectResponse(done, status_code=303, headers=HEADERS)
