"""The fields of the curators' item forms, and how each is shown, compared, checked and stored.

One description per kind (`SPECS`: stories, episodes, media) serves every form that edits an
item's own fields: the new-item forms, the edit forms and their stale-edit merge
(`api.pages.revision`). A form shows a date as people write it (`date_as_written`: "najaar
2020", not `2020-23`) and accepts what the domain accepts (EDTF or a Dutch phrase,
`events.dates.from_dutch`). `check_all` runs the domain's own pure rules on every field
separately, so a form reports every problem at once instead of the first one only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from events import dates, rules
from events.date_labels import label_nl
from events.errors import ArchiveError, InvalidDate

MEDIA_KIND_LABELS = (
    ("article", "Artikel"),
    ("photo", "Foto"),
    ("drawing", "Tekening"),
    ("video", "Video"),
    ("audio", "Geluid"),
    ("report", "Rapport"),
)


@dataclass(frozen=True)
class Field:
    """One form field: its name (the API's), Dutch label and shape.

    `shape`: `text` (one line), `long` (a text area), `markdown`, `lines` (a list, one per
    line), `date`, `consent` or `media_kind` (a choice).
    """

    name: str
    label: str
    shape: str = "text"
    required: bool = False
    limit: int = 200_000
    help: str = ""


TITLE = Field("title", "Titel", required=True, limit=500)
DATE = Field("date", "Datum", "date")
CONSENT = Field("consent", "Wie mag het lezen?", "consent")
RIGHTS = Field("rights", "Rechten", "long")
SUMMARY = Field("summary", "Samenvatting", "long", help="Eén of twee zinnen voor lijsten.")
BODY = Field("body_markdown", "Tekst (Markdown)", "markdown")
THEMES = Field("themes", "Thema's", "lines", help="Eén thema per regel, bv. corona.")
PEOPLE = Field("people", "Personen en organisaties", "lines", help="Eén per regel.")
PLACES = Field("places", "Plaatsen", "lines", help="Eén per regel, bv. Bospolderplein.")

SPECS: dict[str, tuple[Field, ...]] = {
    "stories": (
        TITLE, DATE, Field("storytellers", "Vertellers", "lines"), CONSENT, RIGHTS, BODY,
    ),
    "episodes": (TITLE, DATE, SUMMARY, BODY, THEMES, PEOPLE, PLACES, RIGHTS, CONSENT),
    "media": (
        TITLE,
        Field("media_kind", "Soort media", "media_kind"),
        Field("outlet", "Bron (krant, organisatie, maker)", limit=200_000),
        DATE,
        Field("url", "Webadres", help="Facultatief: waar het stuk online staat (https://…)."),
        SUMMARY, BODY, THEMES, PEOPLE, PLACES, RIGHTS, CONSENT,
    ),
}  # fmt: skip


def spec(kind: str) -> tuple[Field, ...]:
    """The fields of a kind's forms."""
    return SPECS[kind]


def labels(kind: str) -> dict[str, str]:
    """Field name → Dutch label, in form order."""
    return {field.name: field.label for field in SPECS[kind]}


def lines(value: str) -> list[str]:
    """The non-empty lines of a text area, stripped."""
    return [line.strip() for line in value.splitlines() if line.strip()]


def date_as_written(edtf: str | None) -> str:
    """An EDTF date as people write it, when the archive reads that back as the same date
    ("najaar 2020" for `2020-23`); else the EDTF itself (`2020-03/2020-06`)."""
    if not edtf:
        return ""
    try:
        label = label_nl(edtf)
        return label if dates.from_dutch(label) == edtf else edtf
    except ArchiveError:
        return edtf


def values_of(kind: str, item: dict[str, Any]) -> dict[str, str]:
    """An item's fields as its form shows them (lists one per line, dates in words)."""
    values: dict[str, str] = {}
    for field in SPECS[kind]:
        value = item.get(field.name)
        if field.shape == "lines":
            values[field.name] = "\n".join(value or [])
        elif field.shape == "date":
            values[field.name] = date_as_written(value)
        elif field.shape == "consent":
            values[field.name] = value or ("curators" if kind == "stories" else "public")
        elif field.shape == "media_kind":
            values[field.name] = value or "article"
        else:
            values[field.name] = value or ""
    return values


def _edtf(value: str) -> str:
    try:
        return dates.from_dutch(value) if value.strip() else ""
    except ArchiveError:
        return value.strip()


def same(field: Field, one: str, other: str) -> bool:
    """Whether two form values of a field mean the same (browsers send CRLF line ends;
    "najaar 2020" and `2020-23` are one date)."""
    if field.shape == "lines":
        return lines(one) == lines(other)
    if field.shape == "date":
        return _edtf(one) == _edtf(other)
    return one.replace("\r\n", "\n").strip() == other.replace("\r\n", "\n").strip()


def stored(field: Field, value: str) -> Any:
    """A form value as the item's field (what `Archive.register` / `revise` take)."""
    if field.shape == "date":
        return value.strip() or None
    if field.shape == "lines":
        return lines(value)
    if field.shape in ("markdown", "long"):
        return value  # as the browser sent it, as the story forms always stored it
    return value.strip()


def _check(field: Field) -> Callable[[str], object]:
    """The domain rule of a field (raises the domain's error)."""
    checks: dict[str, Callable[[str], object]] = {
        "date": lambda v: rules.optional_date(v, field.name),
        "lines": lambda v: rules.names(lines(v), field.name),
        "consent": rules.check_consent,
        "media_kind": rules.check_media_kind,
    }
    if field.name == "url":
        return rules.check_url
    return checks.get(
        field.shape,
        lambda v: rules.text(v, field.name, required=field.required, limit=field.limit),
    )


def message(error: ArchiveError, label: str) -> str:
    """The domain's message with the field's Dutch label instead of its API name."""
    text = error.message
    if error.field:
        text = text.replace(f"Het veld '{error.field}'", f"Het veld ‘{label}’")
    if isinstance(error, InvalidDate) and not text.startswith(label):
        text = f"{label}: {text}"
    return text


def check_all(kind: str, values: dict[str, str]) -> dict[str, str]:
    """Every field's problem at once (field name → Dutch message); empty when all is well."""
    errors: dict[str, str] = {}
    for field in SPECS[kind]:
        if field.name not in values:
            continue
        try:
            _check(field)(values[field.name])
        except ArchiveError as error:
            errors[field.name] = message(error, field.label)
    return errors


def check_key(kind: str, key: str, exists: Callable[[str, str], bool]) -> str | None:
    """The problem with a new item's key (its shape, or that it is taken), or None."""
    try:
        checked = rules.check_key(kind, key)
    except ArchiveError as error:
        return error.message
    if exists(kind, checked):
        what = "Dit verhaalnummer" if kind == "stories" else "Deze id"
        return f"{what} ({checked}) is al in gebruik; kies een ander."
    return None


def date_hint(value: str) -> dict[str, str] | None:
    """How the archive will read a date: its EDTF form and Dutch label, or the problem."""
    if not value.strip():
        return None
    try:
        edtf = dates.from_dutch(value)
    except ArchiveError as error:
        return {"error": error.message}
    return {"edtf": edtf, "label": label_nl(edtf)}
