"""Text for a terminal: search snippets without HTML, and no control characters from data."""

from __future__ import annotations

import re
import unicodedata
from html import unescape

BOLD, NORMAL = "\x1b[1m", "\x1b[22m"
_MARK = re.compile(r"<mark\b[^>]*>(.*?)</mark>", re.DOTALL)
_TAG = re.compile(r"</?mark\b[^>]*>")
# Bidirectional overrides and isolates: they reorder what the terminal shows.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean(text: str) -> str:
    """`text` without control characters (C0, C1, DEL, bidi overrides); tabs and newlines
    become spaces."""
    return "".join(
        " " if ch in "\t\n\r" else ch
        for ch in text
        if ch in "\t\n\r" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI)
    )


def snippet(html: str, *, bold: bool) -> str:
    """A search snippet (escaped text with `<mark>` around matches) as plain text; the
    matches in bold when `bold` (a terminal), unmarked otherwise."""
    parts: list[str] = []
    last = 0
    for match in _MARK.finditer(html):
        parts.append(_text(html[last : match.start()]))
        found = _text(match.group(1))
        parts.append(f"{BOLD}{found}{NORMAL}" if bold and found else found)
        last = match.end()
    parts.append(_text(html[last:]))
    return "".join(parts)


def _text(html: str) -> str:
    return clean(unescape(_TAG.sub("", html)))
