"""Passages of the source documents (stories/sources/) that the archive cites, and links to them."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from events.errors import InvalidInput, NotFound
from stories.loader import SOURCES_DIR

MAX_LINES = 200  # the longest passage served at once
_RANGE = re.compile(r"^\s*(\d{1,7})\s*(?:-\s*(\d{1,7}))?\s*$")
# A citation in a `source` field: `file.txt:6510` or `file.txt:6190-6194`.
CITED = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*\.(?:txt|md)):(\d{1,7}(?:-\d{1,7})?)")


def documents() -> tuple[str, ...]:
    """The names of the source documents (their README is not one)."""
    return tuple(
        sorted(
            p.name
            for p in SOURCES_DIR.iterdir()
            if p.is_file() and p.suffix in (".txt", ".md") and p.name != "README.md"
        )
    )


@lru_cache(maxsize=8)
def _lines(name: str) -> tuple[str, ...]:
    return tuple((SOURCES_DIR / name).read_text(encoding="utf-8").splitlines())


def document_lines(name: str) -> tuple[str, ...]:
    """Every line of a source document; NotFound for any other name."""
    if name not in documents():
        raise NotFound(f"Er is geen brondocument {name!r}; er zijn: {', '.join(documents())}.")
    return _lines(name)


def line_range(value: str, total: int, *, capped: bool = True) -> tuple[int, int]:
    """`A-B` (or `A`) as first and last line, 1-based, within the document (and the cap)."""
    found = _RANGE.match(value or "")
    if not found:
        raise InvalidInput(
            f"Ongeldige regels {value!r}: gebruik A-B, bv. 6190-6194.", field="lines"
        )
    first = int(found.group(1))
    last = int(found.group(2) or first)
    if first < 1 or last < first:
        raise InvalidInput(
            f"Ongeldige regels {value!r}: de eerste regel is 1 en B is niet kleiner dan A.",
            field="lines",
        )
    if last > total:
        raise InvalidInput(
            f"Regels {value!r} vallen buiten het document: het heeft {total} regels.",
            field="lines",
        )
    if capped and last - first + 1 > MAX_LINES:
        raise InvalidInput(
            f"Te veel regels ({last - first + 1}): vraag er hoogstens {MAX_LINES} tegelijk.",
            field="lines",
        )
    return first, last


def passage(name: str, lines: str) -> dict[str, object]:
    """The cited lines of a source document: file, first and last line, text."""
    text = document_lines(name)
    first, last = line_range(lines, len(text))
    return {"file": name, "lines": [first, last], "text": "\n".join(text[first - 1 : last])}


def page_url(name: str, first: int, last: int) -> str:
    """The address of the page that shows a passage (site-relative)."""
    span = f"{first}-{last}" if last != first else str(first)
    return f"/sources/{quote(name)}?lines={span}"


def linked_source(source: str | None) -> list[tuple[str, str | None]]:
    """A `source` text cut into pieces: (text, link to the passage or None)."""
    if not source:
        return []
    known = set(documents())
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for found in CITED.finditer(source):
        name, span = found.group(1), found.group(2)
        if name not in known:
            continue
        first, _, last = span.partition("-")
        if found.start() > at:
            pieces.append((source[at : found.start()], None))
        pieces.append((found.group(0), page_url(name, int(first), int(last or first))))
        at = found.end()
    if at < len(source):
        pieces.append((source[at:], None))
    return pieces
