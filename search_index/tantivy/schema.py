"""The tantivy index's fields, its documents (with their source), and reading them back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import tantivy

from search_index.core.documents import SCHEMA_VERSION, Document
from search_index.core.shape import FACETS, POSITION_DOC, SEARCH_FIELDS
from search_index.tantivy.analysis import ANALYZER, WORDS

# Bumped when this backend's schema or analysis changes (SCHEMA_VERSION: the documents').
TANTIVY_SCHEMA_VERSION = 2
DIRECTORY = "search-index-tantivy"
BOOSTS = {"title": 2.0, "quality_text": 1.5}  # Whoosh's field boosts
RAW_FIELDS = ("docid", "doctype", "ref", "consent")
FACET_FIELDS = (*FACETS, "assessed")  # raw, multi-valued, fast: filters and facet counts
MULTI_VALUED = ("quality", "assessment", "assessed", "year")

Q = tantivy.Query


def build_schema() -> tantivy.Schema:
    """Raw fields for identity and filters, Dutch text fields, the document's source."""
    builder = tantivy.SchemaBuilder()
    for name in RAW_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw")
    for name in FACET_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    for name in SEARCH_FIELDS:
        builder.add_text_field(name, tokenizer_name=ANALYZER)
    builder.add_text_field("spelling", tokenizer_name=WORDS)  # the words as written
    builder.add_text_field("sortkey", tokenizer_name="raw", fast=True)  # `sort=date`
    builder.add_integer_field("embargo", indexed=True, fast=True)
    # The document as `documents()` made it (JSON): hits, snippets and `purge` read it back.
    builder.add_bytes_field("source", stored=True)
    return builder.build()


def to_document(doc: Document) -> tantivy.Document:
    """A document of `documents()` as tantivy indexes it, its source kept beside."""
    fields: dict[str, Any] = {"source": orjson.dumps(doc)}
    for name in ("docid", "doctype", "ref", "kind", "consent", "spelling", "sortkey"):
        if doc.get(name):
            fields[name] = str(doc[name])
    for name in MULTI_VALUED:
        values = _values(doc.get(name))
        if values:
            fields[name] = values
    for name in SEARCH_FIELDS:
        if doc.get(name):
            fields[name] = doc[name]
    if "embargo" in doc:
        fields["embargo"] = int(doc["embargo"])
    return tantivy.Document(**fields)


def _values(value: Any) -> list[str]:
    return [v for v in str(value or "").split(",") if v]


def source(doc: tantivy.Document) -> Document:
    """The document as `documents()` made it, from its stored source."""
    raw = doc.get_first("source")
    loaded: Document = orjson.loads(raw) if raw else {}
    return loaded


def position_doc(position: int) -> Document:
    """The document that records the index's tracked position and versions."""
    return {
        "docid": POSITION_DOC,
        "doctype": "meta",
        "position": position,
        "schema_version": SCHEMA_VERSION,
        "tantivy_schema_version": TANTIVY_SCHEMA_VERSION,
    }


def position_of(searcher: tantivy.Searcher, schema: tantivy.Schema) -> Document | None:
    """The position document a searcher sees, or None."""
    found = searcher.search(Q.term_query(schema, "docid", POSITION_DOC), 1).hits
    return source(searcher.doc(found[0][1])) if found else None


def every_document(searcher: tantivy.Searcher) -> list[Document]:
    """Every live document a searcher sees, as `documents()` made it."""
    found = searcher.search(Q.all_query(), max(searcher.num_docs, 1)).hits
    return [source(searcher.doc(address)) for _, address in found]


def stored_position(path: Path) -> int:
    """The position recorded in the tantivy index at `path` (0: none), read-only."""
    if not tantivy.Index.exists(str(path)):
        return 0
    index = tantivy.Index.open(str(path))
    meta = position_of(index.searcher(), index.schema)
    return int(meta["position"]) if meta else 0


def stored_documents(path: Path) -> list[Document]:
    """Every live document of the tantivy index at `path`, as `documents()` made it."""
    return every_document(tantivy.Index.open(str(path)).searcher())
