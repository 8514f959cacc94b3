"""The hits of a tantivy search with their snippets, marked up as Whoosh marks its own."""

from __future__ import annotations

from html import escape

import tantivy

from archive.ports import SearchHit
from search_index.core.documents import Document
from search_index.core.shape import (
    SNIPPET_CHARS,
    SNIPPET_FIELDS,
    fallback_snippet,
    make_hit,
    marked,
)

MAX_TERM_CLASSES = 5  # Whoosh's HtmlFormatter: term0 … term4, then again


def hits(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    text: tantivy.Query,
    docs: list[tuple[float, Document]],
    focus: str | None,
    words: list[str],
) -> list[SearchHit]:
    """The hits of one page: the first snippet field the text matched, else the fallback."""
    snippets = Snippets(searcher, schema, text)
    found: list[SearchHit] = []
    for score, doc in docs:
        snippet = ""
        for field in SNIPPET_FIELDS:
            snippet = snippets.of(doc, field)
            if snippet:
                break
        found.append(make_hit(doc, snippet or fallback_snippet(doc, focus, words), score, focus))
    return found


def moment_snippets(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    text: tantivy.Query,
    docs: list[tuple[float, Document]],
    words: list[str],
) -> list[tuple[Document, str]]:
    """Each happening's document with its snippet: its text's highlights, else `marked`."""
    snippets = Snippets(searcher, schema, text)
    return [
        (doc, snippets.of(doc, "body") or marked(doc.get("body") or "", words)) for _, doc in docs
    ]


class Snippets:
    """Highlighted fragments of documents' fields for one query, as Whoosh marks its own."""

    def __init__(
        self, searcher: tantivy.Searcher, schema: tantivy.Schema, text: tantivy.Query
    ) -> None:
        self.searcher, self.schema, self.text = searcher, schema, text
        self.generators: dict[str, tantivy.SnippetGenerator] = {}
        self.seen: dict[str, int] = {}  # matched words → their class, shared by the page

    def of(self, doc: Document, field: str) -> str:
        """The field's fragment with its matches marked; "" when none matched."""
        if not doc.get(field):
            return ""
        if field not in self.generators:
            generator = tantivy.SnippetGenerator.create(
                self.searcher, self.text, self.schema, field
            )
            generator.set_max_num_chars(SNIPPET_CHARS)
            self.generators[field] = generator
        made = self.generators[field].snippet_from_doc(tantivy.Document(**{field: doc[field]}))
        return _html(made, self.seen)


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
