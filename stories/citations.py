"""Citations of the source documents: `FILE:LINE` or `FILE:FIRST-LAST` in `stories/sources/`.

Used by the tests that hold the seed content to its sources, and usable by curators to check
their own files: a quote stands in the cited passage, a figure appears in it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SOURCES_DIR = Path(__file__).parent / "sources"
SLACK = 5  # lines of leeway around a citation
CITATION = re.compile(r"^(?P<file>[\w.-]+):(?P<first>\d+)(?:-(?P<last>\d+))?$")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class CitationError(ValueError):
    """A citation that does not point at lines of a source document."""


def fold(text: str) -> str:
    """Fold whitespace and undo end-of-line hyphenation (`be-\\nwoners` → `bewoners`)."""
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return " ".join(text.split())


@lru_cache(maxsize=8)
def _lines(name: str) -> tuple[str, ...]:
    path = SOURCES_DIR / name
    if not path.is_file():
        raise CitationError(f"no source document {name} in {SOURCES_DIR}")
    return tuple(path.read_text(encoding="utf-8").splitlines())


def lines(citation: str, slack: int = 0) -> list[str]:
    """The cited lines (with `slack` lines either side) as they stand in the document."""
    match = CITATION.match(citation or "")
    if not match:
        raise CitationError(f"citation {citation!r} is not FILE:LINE or FILE:FIRST-LAST")
    text = _lines(match["file"])
    first, last = int(match["first"]), int(match["last"] or match["first"])
    if not 1 <= first <= last <= len(text):
        raise CitationError(f"{citation}: lines out of range (the document has {len(text)})")
    return list(text[max(0, first - 1 - slack) : last + slack])


def passage(citation: str, slack: int = SLACK) -> str:
    """The folded text of the cited lines, with the slack around them."""
    return fold("\n".join(lines(citation, slack)))


def quote_found(quote: str, text: str) -> bool:
    """Each ' … '-separated fragment of the quote stands in the (folded) text."""
    return all(fold(part) in text for part in quote.split(" … ") if part.strip())


def missing_figures(text: str, citation: str) -> list[str]:
    """The numbers in `text` that do not appear in the cited passage (. and , ignored)."""
    digits = passage(citation).replace(".", "").replace(",", "")
    return [
        figure
        for figure in NUMBER.findall(text)
        if figure.replace(".", "").replace(",", "") not in digits
    ]
