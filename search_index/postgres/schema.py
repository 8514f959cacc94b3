"""The PostgreSQL search view's tables, and a document of `documents()` as one of their rows.

Three tables in the archive's schema, their names carrying the versions they were written with
(`SCHEMA_VERSION` of the documents, `PG_SCHEMA_VERSION` of this backend), so a new version
starts empty and the follower rebuilds it; the tables of other versions are dropped when the
view is opened (they would keep erased words):

- `search_docs_vN_M`: one row per document (an item's own, one per dated happening), with the
  filter and facet fields as columns (`text[]` for the multi-valued ones, GIN-indexed), the
  document as `documents()` made it (`source`, JSONB: hits and snippets read it back), a
  weighted `tsvector` of the Dutch words (`tsv`, GIN) and the words as written (`spell`,
  GIN: "bedoelde u …?" checks that the reader may read an item holding the word);
- `search_words_vN_M`: every word as written (lower case, accents folded) the items held
  since the last `purge`, ordered (`COLLATE "C"`): the candidates of a spelling correction
  and the terms a wildcard stands for. Words of re-indexed items may linger until the next
  purge (after an erasure): a candidate is only suggested when a readable item holds it;
- `search_tracking_vN_M`: the tracked position (eventsourcing's tracking table), written in
  the same transaction as the page's rows.

A row is kept whole in its table page up to 8 kB (`toast_tuple_target`): the `tsvector` (~2 kB
for an item) stays beside the filter columns, uncompressed, instead of in the TOAST table, so
`@@` and `ts_rank` over many matches read one page per row, not a TOAST index lookup and its
chunks (a broad word at 10k items: 68 → 42 ms for the whole answer statement, on about the same
disk space).

The `tsvector` is `to_tsvector('dutch', …)` of each field, weighted: the title `A` (Whoosh
boosts it 2×), the quality labels `B` (1.5×), the body, the moments, the evidence and the
names `C`, the compounds' parts `D`. PostgreSQL's `dutch` configuration is Snowball's Dutch
stemmer with its stop words, as Whoosh's analyser (`search_index.core.analysis`).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from search_index.core.compounds import fold
from search_index.core.documents import SCHEMA_VERSION, Document

# Bumped when this backend's tables or analysis change (SCHEMA_VERSION: the documents').
PG_SCHEMA_VERSION = 2  # 2: rows kept whole up to 8 kB (toast_tuple_target)
SUFFIX = f"v{SCHEMA_VERSION}_{PG_SCHEMA_VERSION}"
DOCS = f"search_docs_{SUFFIX}"
WORDS = f"search_words_{SUFFIX}"
TRACKING = f"search_tracking_{SUFFIX}"
# Every version's tables: those not of this version are dropped when the view opens.
EVERY_VERSION = re.compile(r"search_(docs|words|tracking)_v\d+_\d+")
CONFIG = "dutch"
WEIGHTS = (("title", "A"), ("quality_text", "B"), ("body", "C"), ("moments", "C"),
           ("evidence", "C"), ("names", "C"), ("parts", "D"))  # fmt: skip
_WORD = re.compile(r"\w+(?:\.?\w+)*")


def create_statements(schema: str) -> list[str]:
    """The tables and their indexes (`schema` is the archive's own, checked by `Settings`)."""
    docs, words = f'"{schema}".{DOCS}', f'"{schema}".{WORDS}'
    return [
        f"CREATE TABLE IF NOT EXISTS {docs} ("
        "docid text PRIMARY KEY, ref text NOT NULL, doctype text NOT NULL, "
        "kind text NOT NULL, consent text NOT NULL, embargo integer NOT NULL, "
        "quality text[] NOT NULL, assessment text[] NOT NULL, assessed text[] NOT NULL, "
        'year text[] NOT NULL, sortkey text COLLATE "C" NOT NULL, sortdate integer NOT NULL, '
        "spell text[] NOT NULL, tsv tsvector NOT NULL, source jsonb NOT NULL) "
        "WITH (toast_tuple_target = 8160)",
        f"CREATE INDEX IF NOT EXISTS {DOCS}_ref ON {docs} (ref)",
        f"CREATE INDEX IF NOT EXISTS {DOCS}_sortkey ON {docs} (doctype, sortkey)",
        f"CREATE INDEX IF NOT EXISTS {DOCS}_tsv ON {docs} USING gin (tsv)",
        f"CREATE INDEX IF NOT EXISTS {DOCS}_spell ON {docs} USING gin (spell)",
        f"CREATE INDEX IF NOT EXISTS {DOCS}_facets ON {docs} "
        "USING gin (quality, assessment, assessed, year)",
        f'CREATE TABLE IF NOT EXISTS {words} (word text COLLATE "C" PRIMARY KEY)',
    ]


# The row's columns in order; `tsv` is computed by the server from the fields' texts.
INSERT = (
    "INSERT INTO {docs} (docid, ref, doctype, kind, consent, embargo, quality, assessment, "
    "assessed, year, sortkey, sortdate, spell, source, tsv) VALUES (%s, %s, %s, %s, %s, %s, "
    "%s, %s, %s, %s, %s, %s, %s, %s, "
    + " || ".join(f"setweight(to_tsvector('{CONFIG}', %s), '{w}')" for _, w in WEIGHTS)
    + ")"
)


def spelled(text: str) -> list[str]:
    """The words as written: lower case, accents folded, each once (the `spell` column)."""
    return list(dict.fromkeys(fold(w) for w in _WORD.findall((text or "").replace("\x00", ""))))


def _values(value: Any) -> list[str]:
    return [v for v in str(value or "").split(",") if v]


def _without_nul(value: Any) -> Any:
    """The value with NUL characters removed from its strings (PostgreSQL's text has none)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {k: _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def row(doc: Document) -> tuple[Any, ...]:
    """The INSERT's parameters for one document."""
    return (
        doc["docid"], doc["ref"], doc["doctype"], doc["kind"], doc.get("consent") or "public",
        int(doc.get("embargo") or 0), _values(doc.get("quality")),
        _values(doc.get("assessment")), _values(doc.get("assessed")), _values(doc.get("year")),
        str(doc.get("sortkey") or f"{int(doc.get('sortdate') or 0):08d} {doc['docid']}"),
        int(doc.get("sortdate") or 0), spelled(doc.get("spelling") or ""),
        orjson.dumps(_without_nul(doc)).decode(),
        *(str(doc.get(field) or "").replace("\x00", "") for field, _ in WEIGHTS),
    )  # fmt: skip
