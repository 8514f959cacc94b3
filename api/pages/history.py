"""An item's history for people: every event in Dutch, text revisions as a word diff.

`entries(history)` follows the events oldest first, keeping the title, summary and text as
they were, so that a `TextRevised` (or `Retitled`, `SummaryRevised`) can be shown as the
difference with what came before. The diff is built here from escaped words: `<del>` for
what went, `<ins>` for what came; long unchanged stretches are shortened to their edges.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from markupsafe import Markup, escape

from api.pages.templating import (
    CONSENT_LABELS,
    assessment_nl,
    date_nl,
    quality_nl,
)
from archive.pictures import describe as describe_file

TYPE_LABELS = {
    "Registered": "Vastgelegd",
    "Retitled": "Titel gewijzigd",
    "SummaryRevised": "Samenvatting herzien",
    "TextRevised": "Tekst herzien",
    "Dated": "Datering gewijzigd",
    "ThemesRevised": "Thema's herzien",
    "PeopleRecorded": "Personen vastgelegd",
    "PlacesRecorded": "Plaatsen vastgelegd",
    "RightsRecorded": "Rechten vastgelegd",
    "ConsentRecorded": "Toestemming vastgelegd",
    "Embargoed": "Embargo ingesteld",
    "EmbargoLifted": "Embargo opgeheven",
    "ConsentWithdrawn": "Toestemming ingetrokken",
    "PersonalDataErased": "Persoonsgegevens gewist",
    "QualityAssessed": "Kwaliteit beoordeeld",
    "AssessmentRevised": "Beoordeling herzien",
    "AssessmentRetracted": "Beoordeling ingetrokken",
    "HappeningRecorded": "Gebeurtenis vastgelegd",
    "HappeningRevised": "Gebeurtenis herzien",
    "HappeningRetracted": "Gebeurtenis ingetrokken",
    "Linked": "Gekoppeld",
    "Unlinked": "Ontkoppeld",
    "StorytellersRecorded": "Vertellers vastgelegd",
    "DetailsRevised": "Details herzien",
    "FileAttached": "Bestand toegevoegd",
    "FileRemoved": "Bestand verwijderd",
}
# The event that replaces a text field, and the field in the Registered event it starts from.
TEXT_EVENTS = {"Retitled": "title", "SummaryRevised": "summary", "TextRevised": "body"}
CONTEXT = 12  # words kept on each side of a change
_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str, *, context: int = CONTEXT) -> Markup:
    """The difference between two texts, word by word, as escaped HTML."""
    before = _TOKENS.findall(old or "")
    after = _TOKENS.findall(new or "")
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    opcodes = matcher.get_opcodes()
    parts: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            parts.append(_shortened(before[i1:i2], context, index, len(opcodes)))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(''.join(before[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(''.join(after[j1:j2]))}</ins>")
    return Markup("".join(parts))


def _shortened(tokens: list[str], context: int, index: int, count: int) -> str:
    """An unchanged stretch, with only `context` words kept next to each change."""
    words = [i for i, token in enumerate(tokens) if not token.isspace()]
    keep_start = context if index > 0 else 0  # words after the previous change
    keep_end = context if index < count - 1 else 0  # words before the next change
    if len(words) <= keep_start + keep_end + 4:
        return str(escape("".join(tokens)))
    head = "".join(tokens[: words[keep_start - 1] + 1]) if keep_start else ""
    tail = "".join(tokens[words[len(words) - keep_end] :]) if keep_end else ""
    gap = '<span class="gap" title="ongewijzigde tekst weggelaten">…</span>'
    return f"{escape(head)} {gap} {escape(tail)}"


def changed_words(old: str, new: str) -> tuple[int, int]:
    """How many words were added and removed."""
    before, after = (old or "").split(), (new or "").split()
    added = removed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, before, after, autojunk=False
    ).get_opcodes():
        if tag in ("replace", "delete"):
            removed += i2 - i1
        if tag in ("replace", "insert"):
            added += j2 - j1
    return added, removed


def _names(values: Any) -> str:
    return ", ".join(str(v) for v in values or []) or "(geen)"


def describe(event: dict[str, Any]) -> str:
    """One line that says what an event recorded."""
    data: dict[str, Any] = event.get("data") or {}
    kind = event["type"]
    if kind == "Registered":
        return f"‘{data.get('title', '')}’"
    if kind in ("QualityAssessed", "AssessmentRevised"):
        a = data.get("assessment") or {}
        element = f" ({quality_nl(a.get('element'))})" if a.get("element") else ""
        return (
            f"{quality_nl(a.get('quality'))}{element}: {assessment_nl(a.get('assessment'))} "
            f"[{a.get('id', '')}]"
        )
    if kind == "AssessmentRetracted":
        return f"beoordeling {data.get('assessment_id', '')}"
    if kind in ("HappeningRecorded", "HappeningRevised"):
        h = data.get("happening") or {}
        return f"{date_nl(h.get('date'))}: {h.get('title', '')} [{h.get('id', '')}]"
    if kind == "HappeningRetracted":
        return f"gebeurtenis {data.get('happening_id', '')}"
    if kind in ("Linked", "Unlinked"):
        return str(data.get("target", ""))
    if kind == "Dated":
        return date_nl(data.get("date")) or "(geen datum)"
    if kind == "ThemesRevised":
        return _names(data.get("themes"))
    if kind == "PeopleRecorded":
        return _names(data.get("people"))
    if kind == "PlacesRecorded":
        return _names(data.get("places"))
    if kind == "StorytellersRecorded":
        return _names(data.get("storytellers"))
    if kind == "RightsRecorded":
        return str(data.get("rights") or "(geen)")
    if kind == "ConsentRecorded":
        scope = str(data.get("scope", ""))
        return CONSENT_LABELS.get(scope, scope)
    if kind == "Embargoed":
        return f"tot {data.get('until', '')}"
    if kind == "ConsentWithdrawn":
        return f"beleid: {data.get('policy', '')}"
    if kind == "DetailsRevised":
        return ", ".join(f"{k}: {v}" for k, v in data.items() if v)
    if kind == "FileAttached":
        f = data.get("file") or {}
        return f"{f.get('filename') or ''} ({describe_file(f)}) [{f.get('id', '')}]".strip()
    if kind == "FileRemoved":
        return f"bestand {data.get('file_id', '')}"
    if kind in TEXT_EVENTS:
        return ""
    text = ", ".join(f"{k}: {v}" for k, v in data.items())
    return text if len(text) <= 200 else text[:199] + "…"


def entries(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The history for a page: each event with its label, description and diff."""
    state = {"title": "", "summary": "", "body": ""}
    result = []
    for event in history:
        data: dict[str, Any] = event.get("data") or {}
        entry = {
            "version": event["version"],
            "type": event["type"],
            "label": TYPE_LABELS.get(event["type"], event["type"]),
            "actor": event.get("actor") or "",
            "reason": event.get("reason") or "",
            "recorded_at": event["recorded_at"],
            "description": describe(event),
            "diff": None,
            "field": None,
            "added": 0,
            "removed": 0,
        }
        if event["type"] == "Registered":
            for name in state:
                state[name] = str(data.get(name) or "")
        elif event["type"] in TEXT_EVENTS:
            name = TEXT_EVENTS[event["type"]]
            new = str(data.get(name) or "")
            entry["diff"] = word_diff(state[name], new)
            entry["field"] = {"title": "titel", "summary": "samenvatting", "body": "tekst"}[name]
            entry["added"], entry["removed"] = changed_words(state[name], new)
            state[name] = new
        result.append(entry)
    return result
