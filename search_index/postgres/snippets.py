"""Snippets of the PostgreSQL backend's hits, marked in Python as Whoosh marks its own.

`ts_headline` is not used: it drops whatever its parser takes for a tag (`<script>` in a
curator's text vanished instead of being shown escaped) and re-parses every hit's text on the
server. Instead the words of a field are folded and stemmed with Snowball's Dutch stemmer (the
algorithm of PostgreSQL's `dutch` configuration, and Whoosh's) and a word is marked when its
stem is one of the query's positive lexemes or starts with one of its prefixes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from html import escape

from whoosh.lang import stemmer_for_language

from archive.ports import SearchHit
from search_index.core.compounds import fold
from search_index.core.documents import Document
from search_index.core.shape import (
    SNIPPET_CHARS,
    SNIPPET_FIELDS,
    fallback_snippet,
    make_hit,
    marked,
)
from search_index.postgres.query import Parsed

MAX_TERM_CLASSES = 5  # Whoosh's HtmlFormatter: term0 … term4, then again
CONTEXT_BEFORE = 60  # characters shown before the first match
_WORD = re.compile(r"\w+(?:\.?\w+)*")
_snowball: Callable[[str], str] = stemmer_for_language("nl")


@lru_cache(maxsize=131072)
def _stem(word: str) -> str:
    """The Dutch stem of a word as written (folded first; the stemmer is pure Python)."""
    return _snowball(fold(word))


class Snippets:
    """Marked fragments of documents' fields for one query; words numbered across a page."""

    def __init__(self, parsed: Parsed) -> None:
        self.stems = parsed.stems
        self.prefixes = tuple(parsed.prefixes)
        self.seen: dict[str, int] = {}  # matched words → their class, shared by the page
        # A stem starts with its word's first letter: other words need no stemming.
        self.firsts = {lexeme[:1] for lexeme in (*self.stems, *self.prefixes)}

    def _matches(self, word: str) -> bool:
        if fold(word[:1]) not in self.firsts:
            return False
        stem = _stem(word.lower())
        return stem in self.stems or (bool(self.prefixes) and stem.startswith(self.prefixes))

    def of(self, text: str) -> str:
        """The text's fragment around its first match, matches marked; "" when none matched."""
        if not text or not (self.stems or self.prefixes):
            return ""
        found = [m for m in _WORD.finditer(text) if self._matches(m.group())]
        if not found:
            return ""
        start = max(text.rfind(" ", 0, max(found[0].start() - CONTEXT_BEFORE, 0)) + 1, 0)
        end = len(text)
        if end - start > SNIPPET_CHARS:
            end = text.rfind(" ", start, start + SNIPPET_CHARS)
            end = end if end > found[0].end() else start + SNIPPET_CHARS
        parts: list[str] = []
        last = start
        for match in found:
            if match.end() > end:
                break
            word = escape(match.group())
            number = self.seen.setdefault(word, len(self.seen) % MAX_TERM_CLASSES)
            parts.append(escape(text[last : match.start()]))
            parts.append(f'<mark class="match term{number}">{word}</mark>')
            last = match.end()
        parts.append(escape(text[last:end]))
        return "".join(parts) + (" …" if end < len(text) else "")


def hits(
    parsed: Parsed, docs: list[tuple[float, Document]], focus: str | None, words: list[str]
) -> tuple[list[SearchHit], Snippets]:
    """The hits of one page: the first snippet field the text matched, else the fallback."""
    snippets = Snippets(parsed)
    found: list[SearchHit] = []
    for score, doc in docs:
        snippet = ""
        for name in SNIPPET_FIELDS:
            snippet = snippets.of(doc.get(name) or "")
            if snippet:
                break
        found.append(make_hit(doc, snippet or fallback_snippet(doc, focus, words), score, focus))
    return found, snippets


def moment_snippet(snippets: Snippets, doc: Document, words: list[str]) -> str:
    """A happening's snippet: its text's marked fragment, else `marked` (a compound's part)."""
    body = doc.get("body") or ""
    return snippets.of(body) or marked(body, words)
