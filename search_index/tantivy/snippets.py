"""The hits of a tantivy search with their snippets, marked up as Whoosh marks its own."""

from __future__ import annotations

from html import escape

import tantivy

from archive.ports import SearchHit
from search_index.core.documents import Document
from search_index.core.shape import SNIPPET_CHARS, SNIPPET_FIELDS, fallback_snippet, make_hit

MAX_TERM_CLASSES = 5  # Whoosh's HtmlFormatter: term0 … term4, then again


def hits(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    text: tantivy.Query,
    docs: list[tuple[float, Document]],
    quality: str | None,
) -> list[SearchHit]:
    """The hits of one page: the first snippet field the text matched, else the fallback."""
    generators: dict[str, tantivy.SnippetGenerator] = {}
    seen: dict[str, int] = {}  # matched words → their class, shared by the page's hits
    found: list[SearchHit] = []
    for score, doc in docs:
        snippet = ""
        for field in SNIPPET_FIELDS:
            if doc.get(field):
                if field not in generators:
                    generator = tantivy.SnippetGenerator.create(searcher, text, schema, field)
                    generator.set_max_num_chars(SNIPPET_CHARS)
                    generators[field] = generator
                made = generators[field].snippet_from_doc(tantivy.Document(**{field: doc[field]}))
                snippet = _html(made, seen)
                if snippet:
                    break
        found.append(make_hit(doc, snippet or fallback_snippet(doc, quality), score))
    return found


def _html(snippet: tantivy.Snippet, seen: dict[str, int]) -> str:
    """The fragment, HTML-escaped, its matches in `<mark class="match termN">` (as Whoosh)."""
    ranges = sorted((r.start, r.end) for r in snippet.highlighted())
    if not ranges:
        return ""
    data = snippet.fragment().encode()  # tantivy's ranges count bytes
    parts: list[str] = []
    last = 0
    for start, end in ranges:
        if start < last:
            continue
        word = escape(data[start:end].decode(), quote=False)
        number = seen.setdefault(word, len(seen) % MAX_TERM_CLASSES)
        parts.append(escape(data[last:start].decode(), quote=False))
        parts.append(f'<mark class="match term{number}">{word}</mark>')
        last = end
    parts.append(escape(data[last:].decode(), quote=False))
    return "".join(parts)
