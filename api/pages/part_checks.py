"""Every problem of an assessment or happening form at once, by the domain's own rules.

`events.rules.assessment_record` and `happening_record` stop at the first problem; the forms
check each field on its own here (with the same rules and vocabulary) so a curator sees all
of them together, each under its field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import Any

from archive.service import Archive
from events import qualities, rules
from events.errors import ArchiveError

ASSESSMENT_FIELDS = (
    "quality", "element", "assessment", "basis", "note", "coder", "happenings", "evidence",
    "source",
)  # fmt: skip
HAPPENING_FIELDS = ("date", "title", "text", "source")
HAPPENING_LABELS = {"date": "Datum", "title": "Titel", "text": "Tekst", "source": "Bron"}


def _collect(
    errors: dict[str, str], name: str, check: Callable[[], object], text: str = ""
) -> None:
    """Run one check; its problem (or `text` instead of the domain's words) under `name`."""
    try:
        check()
    except ArchiveError as error:
        errors[name] = text or error.message


def assessment_errors(values: dict[str, Any], happening_ids: Iterable[str]) -> dict[str, str]:
    """Every problem of an assessment form (field → Dutch message)."""
    errors: dict[str, str] = {}
    quality, element = values.get("quality") or "", values.get("element") or ""
    _collect(
        errors, "quality", lambda: qualities.resolve(rules.text(quality, "quality")),
        "" if quality else "Kies de kwaliteit die u beoordeelt.",
    )  # fmt: skip
    if element:
        _collect(errors, "element", lambda: qualities.resolve_element(element))
    grade = values.get("assessment") or ""
    _collect(
        errors, "assessment", lambda: qualities.check_assessment(grade),
        "" if grade else "Kies getoond, deels of ontbreekt.",
    )  # fmt: skip
    basis = values.get("basis") or ""
    if basis not in ("", *rules.BASES):
        errors["basis"] = "Kies ‘oordeel van de bron’, ‘lezing van de codeur’ of ‘niet vastgelegd’."
    note = values.get("note") or ""
    _collect(errors, "note", lambda: rules.text(note, "note", required=False, limit=5_000))
    if basis == "reading" and not note.strip() and "note" not in errors:
        errors["note"] = (
            "Een lezing van de codeur heeft een toelichting nodig: waarom deze beoordeling, als "
            "de bron het oordeel niet zelf geeft?"
        )
    for name, limit in (("coder", 200), ("evidence", 20_000), ("source", 1_000)):
        text = partial(rules.text, values.get(name) or "", name, required=False, limit=limit)
        _collect(errors, name, text)
    unknown = [h for h in values.get("happenings") or [] if h not in set(happening_ids)]
    if unknown:
        errors["happenings"] = f"Dit item heeft geen gebeurtenis {', '.join(unknown)}."
    return errors


def happening_errors(values: dict[str, str]) -> dict[str, str]:
    """Every problem of a happening form (field → Dutch message)."""
    errors: dict[str, str] = {}
    date = values.get("date") or ""
    if not date.strip():
        errors["date"] = "Een gebeurtenis heeft een datum nodig, bv. ‘maart 2020’ of 2020-03-16."
    else:
        _collect(errors, "date", lambda: rules.optional_date(date))
    title = values.get("title") or ""
    _collect(
        errors, "title", lambda: rules.text(title, "title", limit=500),
        "" if title.strip() else "Geef de gebeurtenis een titel.",
    )  # fmt: skip
    for name, limit in (("text", 50_000), ("source", 1_000)):
        text = partial(rules.text, values.get(name) or "", name, required=False, limit=limit)
        _collect(errors, name, text)
    return {
        name: message.replace(f"Het veld '{name}'", f"Het veld ‘{HAPPENING_LABELS[name]}’")
        for name, message in errors.items()
    }


def part_at(
    archive: Archive, kind: str, key: str, role: str, version: int, part: str, part_id: str
) -> dict[str, Any] | None:
    """An assessment or happening (`part`: assessments | happenings) as it was at the item's
    `version`, re-read from the log; None when that version or the part is unknown."""
    try:
        moments = [
            e["recorded_at"] for e in archive.history(kind, key, role=role)
            if e["version"] == version
        ]  # fmt: skip
        if not moments:
            return None
        then = moments[0]
        moment = then if isinstance(then, datetime) else datetime.fromisoformat(str(then))
        item = archive.item(kind, key, role=role, as_of=moment)
    except ArchiveError:
        return None
    return next((p for p in item.get(part) or [] if p["id"] == part_id), None)


def part_actors(
    archive: Archive, kind: str, key: str, role: str, version: int, part: str, part_id: str
) -> list[str]:
    """Who changed an assessment or happening after the item's `version`, read from the
    item's history (every actor since then when no event names the part, as an erasure)."""
    singular = part.removesuffix("s")
    try:
        since = [e for e in archive.history(kind, key, role=role) if e["version"] > version]
    except ArchiveError:
        return []
    touched = [
        e
        for e in since
        if e["data"].get(f"{singular}_id") == part_id
        or (isinstance(e["data"].get(singular), dict) and e["data"][singular].get("id") == part_id)
    ]
    return sorted({e["actor"] for e in touched or since if e["actor"]})
