"""The fields every backend indexes and the shape of what a search answers: hits and facets."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from archive.ports import Moment, SearchHit
from events import qualities
from events.errors import UnknownQuality
from search_index.core.compounds import MIN_PART, fold

# The document that holds a view's tracked position (and the versions it was written with).
POSITION_DOC = "__position__"
SEARCH_FIELDS = ("title", "body", "evidence", "quality_text", "names", "moments", "parts")
FACETS = ("kind", "quality", "assessment", "year")
SORTS = ("relevance", "date")
MOMENTS_PER_HIT = 20  # the matching moments shown inside one hit, in date order
SNIPPET_FIELDS = ("body", "evidence", "title")  # the first that matched gives the snippet
WRITE_LOCK_TIMEOUT = 30.0  # seconds a page waits for another process's writer
SNIPPET_CHARS = 240

Facets = dict[str, dict[str, int]]
_WORD = re.compile(r"\w+")


def quality_named(q: str) -> str | None:
    """The quality the words name (`institutional flexibility`, `Betrouwbaarheid`): the
    longest run of the query's words that is a quality's id or Dutch or English label."""
    words = [w.strip('"()') for w in q.split() if w not in ("AND", "OR", "NOT")]
    words = [w for w in words if w and not w.startswith("-")]
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            try:
                return qualities.resolve(" ".join(words[start : start + size])).id
            except UnknownQuality:
                continue
    return None


def focused(assessed: Mapping[str, int], quality: str) -> dict[str, int]:
    """Counts of `quality:grade` values as counts per grade of that one quality."""
    prefix = f"{quality}:"
    return ordered_counts(
        (value.removeprefix(prefix), count)
        for value, count in assessed.items()
        if value.startswith(prefix)
    )


def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The text cut at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def fallback_snippet(
    source: Mapping[str, Any], quality: str | None, words: Sequence[str] = ()
) -> str:
    """The snippet of a hit whose words matched no snippet field (HTML-escaped).

    A word of the text inside a longer one (`corona` in `coronacrisis`, found through the
    compound's parts), marked; else the evidence for the quality asked (the passage to cite);
    else the body's start.
    """
    inside = marked(source.get("body") or "", words)
    if inside:
        return inside
    evidence = (source.get("evidence_by_quality") or {}).get(quality or "")
    if evidence:
        return escape(shorten(evidence))
    return escape(shorten(source.get("body") or ""))


def marked(text: str, words: Sequence[str]) -> str:
    """A fragment of `text` around the first word holding one of `words` (`corona` in
    `Coronacrisis`), that word in `<mark>`, HTML-escaped; "" when none does."""
    wanted = [fold(w) for w in words if len(w) >= MIN_PART]
    for match in _WORD.finditer(text):
        if any(w in fold(match.group()) for w in wanted):
            start = max(text.rfind(" ", 0, max(match.start() - 60, 0)) + 1, 0)
            before = text[start : match.start()]
            after = shorten(text[match.end() :], SNIPPET_CHARS - len(before) - len(match.group()))
            word = escape(match.group())
            return f'{escape(before)}<mark class="match term0">{word}</mark>{escape(after)}'
    return ""


def make_hit(
    source: Mapping[str, Any], snippet: str, score: float | None, focus: str | None = None
) -> SearchHit:
    """One hit (an item) from its document's stored fields, its snippet and its score;
    `assessed`: how it was assessed on the quality in focus; `moments` are added later."""
    return {
        "kind": source["kind"],
        "id": source["key"],
        "ref": source["ref"],
        "happening": source.get("happening"),
        "title": source["title"],
        "date": source.get("date"),
        "snippet": snippet,
        "score": round(float(score or 0.0), 4),
        "assessed": [a for a in source.get("assessments") or [] if focus and a["quality"] == focus],
        "moments": [],
    }


def make_moment(source: Mapping[str, Any], snippet: str) -> Moment:
    """A moment (dated happening) of a hit, from its document's stored fields."""
    return {
        "happening": source["happening"],
        "date": source.get("date"),
        "title": source["title"],
        "snippet": snippet or escape(shorten(source.get("body") or "")),
    }


def place_moments(hits: list[SearchHit], moments: Iterable[tuple[int, str, Moment]]) -> None:
    """Put each (sortdate, ref, moment) inside its hit, in date order, MOMENTS_PER_HIT at most."""
    by_ref: dict[str, list[tuple[int, str, Moment]]] = {}
    for sortdate, ref, moment in moments:
        by_ref.setdefault(ref, []).append((sortdate, moment["happening"], moment))
    for hit in hits:
        found = sorted(by_ref.get(hit["ref"], []), key=lambda m: (m[0], _number(m[1])))
        hit["moments"] = [moment for _, _, moment in found[:MOMENTS_PER_HIT]]


def _number(happening: str) -> int:
    digits = "".join(c for c in happening if c.isdigit())
    return int(digits) if digits else 0


def ordered_counts(pairs: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Facet counts without zeros, the largest first, then by value."""
    ordered = sorted(((v, c) for v, c in pairs if c), key=lambda pair: (-pair[1], pair[0]))
    return dict(ordered)


def no_facets() -> Facets:
    """The facets of a search that matched nothing."""
    return {field: {} for field in FACETS}
