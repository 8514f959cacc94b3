"""Planning a bulk import: the rows of a sheet → candidate items and every error by row.

Pure (no I/O, no store): `plan(kind, header, rows)` maps the header (Dutch or English, any
case, accents and spaces ignored) to the writable fields of `POST /api/stories` or
`POST /api/media`, checks every cell with the domain's own validators (`events.rules`) and
gives one `Candidate` per good row and one `RowError` per problem — all of them, not only the
first, each with its row number (the header is row 1) and column as the sheet names it.
Lists (`storytellers`, `themes`, `episodes`, `files`, …) are separated by `;` (or a new line
within the cell). The command (`archive.bulk_commands`) then checks what needs the store —
numbers already taken, links to items that do not exist, the named files — and writes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from events.errors import ArchiveError, InvalidInput
from events.rules import (
    check_consent,
    check_key,
    check_media_kind,
    check_url,
    names,
    optional_date,
    parse_ref,
    text,
)

IMPORT_KINDS = ("stories", "media")

# Field → the headers that name it (normalised: lower case, no accents, `_` for spaces).
ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("number", "nummer", "nr", "verhaalnummer", "collectienummer"),
    "id": ("id", "media_id", "slug"),
    "title": ("title", "titel"),
    "summary": ("summary", "samenvatting"),
    "body_markdown": ("body_markdown", "body", "tekst", "text", "verhaal"),
    "date": ("date", "datum"),
    "themes": ("themes", "themas", "thema", "onderwerpen"),
    "people": ("people", "personen", "mensen"),
    "places": ("places", "plaatsen", "plekken"),
    "source": ("source", "bron"),
    "rights": ("rights", "rechten"),
    "consent": ("consent", "toestemming"),
    "storytellers": ("storytellers", "vertellers", "verteller"),
    "media_kind": ("media_kind", "kind", "soort", "mediasoort"),
    "outlet": ("outlet", "uitgever", "medium", "krant"),
    "url": ("url", "link", "webadres"),
    "episodes": ("episodes", "episode"),
    "stories": ("stories", "verhalen"),
    "media": ("media", "media_items"),
    "links": ("links", "koppelingen"),
    "files": ("files", "bestanden", "bestand", "file"),
}
# Field → the Dutch header the messages name it by (the sheets and the page are Dutch).
DUTCH = {
    "number": "nummer", "id": "id", "title": "titel", "summary": "samenvatting",
    "body_markdown": "tekst", "date": "datum", "themes": "thema's", "people": "personen",
    "places": "plaatsen", "source": "bron", "rights": "rechten", "consent": "toestemming",
    "storytellers": "vertellers", "media_kind": "soort", "outlet": "uitgever", "url": "webadres",
    "episodes": "episodes", "stories": "verhalen", "media": "media", "links": "koppelingen",
    "files": "bestanden",
}  # fmt: skip
COMMON = ("title", "summary", "date", "themes", "people", "places", "source", "rights",
          "consent", "episodes", "stories", "media", "links", "files")  # fmt: skip
FIELDS: dict[str, tuple[str, ...]] = {
    "stories": ("number", "body_markdown", "storytellers", *COMMON),
    "media": ("id", "body_markdown", "media_kind", "outlet", "url", *COMMON),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "stories": ("number", "title", "body_markdown"),
    "media": ("id", "title"),
}
LISTS = ("themes", "people", "places", "storytellers", "episodes", "stories", "media", "links",
         "files")  # fmt: skip
# Dutch words for the values of two closed lists.
CONSENT_NL = {"openbaar": "public", "onderzoek": "research", "onderzoekers": "research",
              "curatoren": "curators", "alleen curatoren": "curators"}  # fmt: skip
MEDIA_KIND_NL = {"artikel": "article", "foto": "photo", "tekening": "drawing",
                 "rapport": "report", "geluid": "audio"}  # fmt: skip
DUTCH_HINTS = {
    "consent": " (Of in het Nederlands: openbaar, onderzoek, curatoren.)",
    "media_kind": " (Of in het Nederlands: artikel, foto, tekening, rapport, geluid.)",
}
# Without a consent column (or an empty cell) an imported item is for curators only.
DEFAULT_CONSENT = "curators"


@dataclass(frozen=True)
class RowError:
    """One problem: its row (1 = the header), the column as the sheet names it, why."""

    row: int
    column: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field,
                "message": self.message}  # fmt: skip


@dataclass
class Candidate:
    """A good row: the fields for `Archive.register` and the files it names."""

    row: int
    key: str
    fields: dict[str, Any]
    files: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What a sheet would add, what is wrong with it, and which header names which field."""

    kind: str
    candidates: list[Candidate]
    errors: list[RowError]
    columns: dict[str, str]

    def order(self, error: RowError) -> tuple[int, int]:
        """Errors sort by row, then by the column's place in the sheet."""
        places = {written: i for i, written in enumerate(self.columns.values())}
        return error.row, places.get(error.column, len(places))

    def column(self, name: str | None) -> str:
        """The header of the sheet for a field (or the field's own name)."""
        if name in ("links",):
            for alias in ("links", "episodes", "stories", "media"):
                if alias in self.columns:
                    return self.columns[alias]
        return self.columns.get(name or "", name or "")


def normalise(header: str) -> str:
    """A header as compared: lower case, accents and apostrophes gone, `_` for spaces."""
    folded = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-./]+", "_", folded.replace("'", "").strip().lower()).strip("_")


def split_list(value: str) -> list[str]:
    """A cell of a list column: items separated by `;` or new lines, blanks dropped."""
    return [part.strip() for part in re.split(r"[;\n]", value) if part.strip()]


def plan(kind: str, header: list[str], rows: list[tuple[int, dict[str, str]]]) -> Plan:
    """Candidates and every error of a sheet of `kind` (stories or media)."""
    if kind not in IMPORT_KINDS:
        raise InvalidInput(f"Onbekende soort {kind!r}: stories of media.", field="kind")
    errors: list[RowError] = []
    columns = _columns(kind, header, errors)
    candidates: list[Candidate] = []
    seen: dict[str, int] = {}
    for number, values in rows:
        if values.get(""):
            errors.append(RowError(number, "", "Waarde buiten de kolommen van de kopregel."))
        cells = {name: values.get(written, "") for name, written in columns.items()}
        candidate = _candidate(kind, number, cells, columns, errors)
        if candidate is None:
            continue
        if candidate.key in seen:
            key_field = "number" if kind == "stories" else "id"
            errors.append(RowError(
                number, columns[key_field],
                f"{candidate.key} staat ook al in rij {seen[candidate.key]}.", key_field,
            ))  # fmt: skip
            continue
        seen[candidate.key] = number
        candidates.append(candidate)
    planned = Plan(kind, candidates, errors, columns)
    planned.errors.sort(key=planned.order)
    return planned


def _columns(kind: str, header: list[str], errors: list[RowError]) -> dict[str, str]:
    """Field → header as written; unknown, doubled and missing headers are errors of row 1."""
    by_alias = {alias: name for name in FIELDS[kind] for alias in ALIASES[name]}
    columns: dict[str, str] = {}
    for written in header:
        name = by_alias.get(normalise(written))
        if not written:
            errors.append(RowError(1, "", "Een kolom zonder kop; geef elke kolom een naam."))
        elif name is None:
            errors.append(RowError(
                1, written, f"Onbekende kolom {written!r}. Bekende kolommen: "
                f"{', '.join(DUTCH[n] for n in FIELDS[kind])} (of hun Engelse namen, "
                "zie docs/bulk-import.md).",
            ))  # fmt: skip
        elif name in columns:
            errors.append(
                RowError(1, written, f"De kolom {DUTCH[name]} staat er twee keer in.", name)
            )
        else:
            columns[name] = written
    for name in REQUIRED[kind]:
        if name not in columns:
            message = f"De kolom {DUTCH[name]} ontbreekt (verplicht)."
            errors.append(RowError(1, DUTCH[name], message, name))
    return columns


def _candidate(
    kind: str, row: int, cells: dict[str, str], columns: dict[str, str], errors: list[RowError]
) -> Candidate | None:
    """The fields of one row, or None (its errors added) when a cell is wrong."""
    before = len(errors)
    fields: dict[str, Any] = {}
    links: list[str] = []

    def check(name: str, validate: Callable[[str, str], Any]) -> None:
        if name not in cells:
            return
        try:
            fields[name] = validate(cells[name], name)
        except ArchiveError as error:
            # The message names the field as the sheet does ('titel', not 'title').
            message = error.message.replace(f"'{name}'", f"'{columns[name]}'")
            errors.append(RowError(row, columns[name], message + DUTCH_HINTS.get(name, ""), name))

    key_field = "number" if kind == "stories" else "id"
    check(key_field, lambda v, n: check_key(kind, _story_number(v) if kind == "stories" else v))
    check("title", lambda v, n: text(v, n, limit=500))
    check("body_markdown", lambda v, n: text(v, n, required=kind == "stories"))
    for name in ("summary", "source", "rights", "outlet"):
        check(name, lambda v, n: text(v, n, required=False))
    check("date", lambda v, n: optional_date(v))
    check("consent", lambda v, n: check_consent(_word(v, CONSENT_NL) or DEFAULT_CONSENT))
    check("media_kind", lambda v, n: check_media_kind(_word(v, MEDIA_KIND_NL) or "article"))
    check("url", lambda v, n: check_url(v))
    for name in ("themes", "people", "places", "storytellers", "files"):
        check(name, lambda v, n: names(split_list(v), n))
    for name in ("episodes", "stories", "media"):
        check(name, lambda v, n: [_ref(f"{n}/{key}", n) for key in split_list(v)])
    check("links", lambda v, n: [_ref(link, n) for link in split_list(v)])
    if len(errors) > before or key_field not in fields:
        return None  # (a missing key column is an error of the header already)
    for name in ("episodes", "stories", "media", "links"):
        links.extend(fields.pop(name, []))
    fields["links"] = list(dict.fromkeys(links))
    fields.setdefault("consent", DEFAULT_CONSENT)
    files = fields.pop("files", [])
    return Candidate(row, fields[key_field], fields, files)


def _story_number(value: str) -> str:
    """A story number; Excel turns 0042 into 42, so up to three digits are padded."""
    value = value.strip()
    return value.zfill(4) if value.isdigit() and len(value) < 4 else value


def _word(value: str, dutch: dict[str, str]) -> str:
    """A value of a closed list, its Dutch word translated (any case)."""
    value = value.strip().lower()
    return dutch.get(value, value)


def _ref(value: str, name: str) -> str:
    """A checked reference KIND/KEY (a story's number padded like the number column)."""
    try:
        kind, key = parse_ref(value)
    except InvalidInput as error:
        raise InvalidInput(error.message, field=name) from None
    if kind == "stories":
        key = _story_number(key)
    return f"{kind}/{key}"
