"""The fields every backend indexes and the shape of what a search answers: hits and facets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from archive.ports import SearchHit
from events import qualities
from events.errors import UnknownQuality

# The document that holds a view's tracked position (and the versions it was written with).
POSITION_DOC = "__position__"
SEARCH_FIELDS = ("title", "body", "evidence", "quality_text", "names")
FACETS = ("kind", "quality", "assessment", "year")
SNIPPET_FIELDS = ("body", "evidence", "title")  # the first that matched gives the snippet
WRITE_LOCK_TIMEOUT = 30.0  # seconds a page waits for another process's writer
SNIPPET_CHARS = 240

Facets = dict[str, dict[str, int]]


def quality_named(q: str) -> str | None:
    """The quality id when the whole query names one (`institutional flexibility`)."""
    try:
        return qualities.resolve(q.strip().strip('"')).id
    except UnknownQuality:
        return None


def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The text cut at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def fallback_snippet(source: Mapping[str, Any], quality: str | None) -> str:
    """The snippet of a hit whose words matched no snippet field (HTML-escaped).

    The evidence for the quality the query named (the passage to cite), else the body's start.
    """
    evidence = (source.get("evidence_by_quality") or {}).get(quality or "")
    if evidence:
        return escape(shorten(evidence))
    return escape(shorten(source.get("body") or ""))


def make_hit(source: Mapping[str, Any], snippet: str, score: float | None) -> SearchHit:
    """One hit from a document's stored fields, its snippet and its score."""
    return {
        "kind": source["kind"],
        "id": source["key"],
        "ref": source["ref"],
        "happening": source.get("happening"),
        "title": source["title"],
        "date": source.get("date"),
        "snippet": snippet,
        "score": round(float(score or 0.0), 4),
    }


def ordered_counts(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Facet counts without zeros, the largest first, then by value."""
    ordered = sorted(((v, c) for v, c in pairs if c), key=lambda pair: (-pair[1], pair[0]))
    return dict(ordered)


def no_facets() -> Facets:
    """The facets of a search that matched nothing."""
    return {field: {} for field in FACETS}
