"""Issue 7: the same search documents in Whoosh, PostgreSQL full-text search and tantivy.

The items come from the benchmark's synthetic generator (`synthetic.plan_items`), are built
as aggregates and turned into the search view's documents by `search_index.core.documents`, so
every engine indexes exactly the fields the archive's search index holds. Then, in one run:

- bulk indexing (docs/s): Whoosh with the project's schema and Dutch analyser, one writer and
  one commit; PostgreSQL with `COPY` into a table whose `tsvector` column is generated with
  `to_tsvector('dutch', ...)` (weights: title A, body B, evidence C, quality labels and names
  D), then the GIN and filter indexes; tantivy with a Dutch analyser (its `stemmer("dutch")`)
  and one commit;
- search latency per query shape, the engines interleaved query by query (the machine is
  shared: load moves all three alike). Every query has the public reader's filters (consent
  `public`, embargo passed), as the API's;
- an incremental update: re-index one item's documents, record the view's position, commit
  and make it visible, as the archive does after every write.

    .venv/bin/python benchmarks/search_engines.py --items 10000 [--items 100000] [--json -]
    # 100k: Whoosh's bulk build alone takes ~30 min here; cap it (then it is estimated and
    # left out of the later phases) or leave it out:
    .venv/bin/python benchmarks/search_engines.py --items 100000 --whoosh-cap 240 --budget 30
    .venv/bin/python benchmarks/search_engines.py --items 100000 --engines postgres,tantivy

PostgreSQL: `--postgres-url` (default `WIJKARCHIEF_DATABASE_URL` or
`postgresql://postgres@127.0.0.1:5432/test`); a schema `fts_bench_<random>` is created and
dropped at the end. Nothing is asserted: the figures are for reading.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
import synthetic
import tantivy
from latency import percentiles
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.query import And, NumericRange, Or, Query, Term
from write import warm_dates

from archive.config import Settings
from events.qualities import QUALITIES
from search_index.core.documents import SCHEMA_VERSION, documents
from search_index.core.shape import POSITION_DOC
from search_index.core.shape import SEARCH_FIELDS as FIELDS
from search_index.whoosh.view import WhooshSearchView, _hit

SEARCH_FIELDS = list(FIELDS)

STARTED = time.perf_counter()
TODAY = 20250601  # the public reader's day: embargoes until later hide an item
EMBARGOED_SHARE = 0.02  # items given an embargo that has not passed (synthetic has none)
LIFTED_SHARE = 0.01  # and one that has
MIN_QUERIES = 20
FACETS = ("kind", "quality", "assessment", "year")
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"

SHAPES: dict[str, str] = {
    "term": "one word: exact total + top 20 (ids, titles)",
    "and": "two words, AND: total + top 20",
    "phrase": "quoted two-word phrase from generated text: total + top 20",
    "quality": "one word + quality filter: total + top 20",
    "facets": "one word: total + facet counts (kind, quality, assessment, year)",
    "snippets": "one word: total + top 20 with highlighted snippets",
    "api": "one word, all the API returns: total, top 20 with snippets, facets",
}
# The words tried in each engine's analysis (issue 7), and pairs that should (not) meet.
DUTCH_WORDS = (
    "bewoners", "bewoner", "wijkbewoners", "veerkrachtig", "veerkrachtige", "veerkracht",
    "gemeente", "gemeentelijke", "vrijwilligers", "vrijwilliger", "kinderen", "kind",
    "verhalen", "verhaal", "buurthuizen", "buurthuis", "coöperatie", "organiseerden",
    "organiseren", "woningcorporatie", "mondkapjes", "gezondheid", "zon", "meen",
)  # fmt: skip


def log(message: str) -> None:
    """Progress on stderr, with the time since the start and the load average."""
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    elapsed = time.perf_counter() - STARTED
    print(f"[{elapsed:7.1f} s, load {load}] {message}", file=sys.stderr, flush=True)


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Yields a one-element list that holds the seconds taken once the block ends."""
    box = [0.0]
    started = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - started


def dir_mib(path: Path) -> float:
    """MiB of the files under `path`."""
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


# -- the data ------------------------------------------------------------------------


def make_items(n: int, seed: int) -> tuple[list[dict[str, Any]], list[synthetic.ItemSpec]]:
    """The items' plain data (`ArchiveItem.as_dict()`), some with an embargo."""
    specs = synthetic.plan_items(n, seed)
    rng = random.Random(f"{seed}:embargo")
    items = []
    for spec in specs:
        item = synthetic.build(spec).as_dict()
        draw = rng.random()
        if draw < EMBARGOED_SHARE:
            item["embargo_until"] = "2031-01-01"
        elif draw < EMBARGOED_SHARE + LIFTED_SHARE:
            item["embargo_until"] = "2021-06-01"
        items.append(item)
    return items, specs


def make_queries(shape: str, count: int, seed: int, phrases: list[str]) -> list[dict[str, Any]]:
    """`count` queries of one shape: `q`, and `quality` for the quality shape."""
    rng = random.Random(f"{seed}:{shape}")
    words = synthetic.QUERY_WORDS
    queries: list[dict[str, Any]] = []
    for i in range(count):
        if shape == "and":
            queries.append({"q": " ".join(rng.sample(words, 2))})
        elif shape == "phrase":
            queries.append({"q": phrases[i % len(phrases)]})
        elif shape == "quality":
            queries.append({"q": rng.choice(words), "quality": rng.choice(QUALITIES).id})
        else:
            queries.append({"q": rng.choice(words)})
    return queries


def _list(value: str) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _docid(hit: dict[str, Any]) -> str:
    """The document id of a hit as the Whoosh view's `_hit` returns it."""
    return f"{hit['ref']}#{hit['happening']}" if hit.get("happening") else str(hit["ref"])


# -- Whoosh: the project's own index -------------------------------------------------


class WhooshEngine:
    """The archive's `WhooshSearchView` (schema, analyser, parser, facets, snippets) in a
    temp dir."""

    name = "whoosh"

    def __init__(self, root: Path) -> None:
        self.root = root / "whoosh"
        self.view = WhooshSearchView(Settings(data_dir=self.root))

    def build(self, docs: list[dict[str, Any]], cap: float | None = None) -> dict[str, Any]:
        """One writer (the default `limitmb=128`, one process) and one commit.

        With `cap` (seconds), adding stops there: the part added is committed, the rest of
        the build estimated from the rate so far, and the engine is not measured further.
        """
        added_docs = 0
        with stopwatch() as added:
            writer = self.view.index.writer()
            started = time.perf_counter()
            for doc in docs:
                writer.add_document(**doc)
                added_docs += 1
                capped = cap is not None and time.perf_counter() - started > cap
                if added_docs % 1000 == 0 and capped:
                    break
            writer.update_document(
                docid=POSITION_DOC, doctype="meta", position=1, schema_version=SCHEMA_VERSION
            )
        with stopwatch() as committed:
            writer.commit()
        if added_docs < len(docs):
            rate = added_docs / (added[0] + committed[0])
            return {
                "capped_after_docs": added_docs,
                "seconds_for_part": added[0] + committed[0],
                "seconds": len(docs) / rate,  # an estimate: the rate falls as the index grows
                "estimated": True,
            }
        with stopwatch() as opened, self.view._searchers.lease() as (searcher, generation):
            self.view._sets.values(searcher, generation)
        return {
            "seconds": added[0] + committed[0],
            "add_seconds": added[0],
            "commit_seconds": committed[0],
            "open_and_facet_sets_seconds": opened[0],
        }

    def _filter(self, query: dict[str, Any]) -> Query:
        parts: list[Query] = [Or([Term("consent", "public")]), NumericRange("embargo", 0, TODAY)]
        if query.get("quality"):
            parts.append(Term("quality", query["quality"]))
        return And(parts)

    def search(self, shape: str, query: dict[str, Any]) -> tuple[int, list[str]]:
        """(exact total, docids of the top 20) for one query of `shape`."""
        view = self.view
        if shape == "api":
            found = view.search(query["q"], consents=("public",), today=str(TODAY))
            return found["total"], [_docid(h) for h in found["hits"]]
        with view._searchers.lease() as (searcher, generation):
            return self._bare(shape, query, searcher, generation)

    def _bare(
        self, shape: str, query: dict[str, Any], searcher: Any, generation: Any
    ) -> tuple[int, list[str]]:
        """One query of `shape` on the engine itself (the view's parser, facets, snippets)."""
        view = self.view
        parsed = view._parse(query["q"], searcher)[0]
        wanted = self._filter(query)
        if shape == "facets":
            matched = set(searcher.docs_for_query(And([parsed, wanted])))
            view._sets.facets(searcher, generation, matched)
            return len(matched), []
        # Not `terms=True` (the view's choice): with it and a filter, `len(results)`
        # over-counts here (whoosh-reloaded 2.7.5); the highlighter then uses the query's terms.
        results = searcher.search(parsed, filter=wanted, limit=20)
        if shape == "snippets":
            results.fragmenter = ContextFragmenter(maxchars=240, surround=60)
            results.formatter = HtmlFormatter(tagname="mark", classname="match", between=" … ")
            top = [_hit(hit, None) for hit in results]
            return len(results), [_docid(h) for h in top]
        return len(results), [hit["docid"] for hit in results]

    def update(self, ref: str, docs: list[dict[str, Any]], position: int) -> dict[str, float]:
        """What `WhooshSearchView.process` does for one item, then what the next search pays."""
        with stopwatch() as written:
            writer = self.view.index.writer(timeout=30.0)
            writer.delete_by_term("ref", ref)
            for doc in docs:
                writer.add_document(**doc)
            writer.update_document(
                docid=POSITION_DOC, doctype="meta", position=position, schema_version=SCHEMA_VERSION
            )
            writer.commit()
        with stopwatch() as visible, self.view._searchers.lease() as (searcher, generation):
            self.view._sets.values(searcher, generation)  # a new searcher and its facet sets
        return {"commit": written[0], "visible": visible[0]}

    def analyze(self, word: str) -> list[str]:
        """The terms the index keeps for `word`."""
        return [t.text for t in self.view.schema["body"].analyzer(word)]

    def shape(self) -> dict[str, Any]:
        with self.view._searchers.lease() as (searcher, _):
            return {
                "documents": searcher.doc_count(),
                "segments": len(list(searcher.reader().leaf_readers())),
                "disk_mib": dir_mib(self.root),
            }

    def close(self) -> None:
        self.view.close()


# -- PostgreSQL full-text search ---------------------------------------------------------

COLUMNS = (
    "docid", "ref", "doctype", "kind", "key", "happening", "title", "body", "evidence",
    "quality_text", "names", "quality", "assessment", "assessed", "year", "consent", "embargo",
    "date",
)  # fmt: skip
CREATE_TABLE = """
CREATE TABLE search_docs (
    docid text PRIMARY KEY,
    ref text NOT NULL,
    doctype text NOT NULL,
    kind text NOT NULL,
    key text NOT NULL,
    happening text,
    title text NOT NULL DEFAULT '',
    body text NOT NULL DEFAULT '',
    evidence text NOT NULL DEFAULT '',
    quality_text text NOT NULL DEFAULT '',
    names text NOT NULL DEFAULT '',
    quality text[] NOT NULL DEFAULT '{}',
    assessment text[] NOT NULL DEFAULT '{}',
    assessed text[] NOT NULL DEFAULT '{}',
    year text[] NOT NULL DEFAULT '{}',
    consent text NOT NULL,
    embargo integer NOT NULL DEFAULT 0,
    date text,
    tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('dutch', title), 'A')
        || setweight(to_tsvector('dutch', body), 'B')
        || setweight(to_tsvector('dutch', evidence), 'C')
        || setweight(to_tsvector('dutch', quality_text || ' ' || names), 'D')
    ) STORED
);
CREATE TABLE search_tracking (view text PRIMARY KEY, position bigint NOT NULL);
INSERT INTO search_tracking VALUES ('search', 0);
"""
CREATE_INDEXES = (
    "CREATE INDEX search_docs_tsv ON search_docs USING gin (tsv)",
    "CREATE INDEX search_docs_ref ON search_docs (ref)",
    "CREATE INDEX search_docs_kind ON search_docs (kind)",
    "CREATE INDEX search_docs_consent ON search_docs (consent)",
    "CREATE INDEX search_docs_embargo ON search_docs (embargo)",
    "CREATE INDEX search_docs_quality ON search_docs USING gin (quality)",
    "CREATE INDEX search_docs_assessment ON search_docs USING gin (assessment)",
    "CREATE INDEX search_docs_assessed ON search_docs USING gin (assessed)",
    "CREATE INDEX search_docs_year ON search_docs USING gin (year)",
)
# The visible matches of one query: the public reader's filters, as the Whoosh view's.
MATCHES = """
    FROM search_docs, websearch_to_tsquery('dutch', %(q)s) AS q
    WHERE tsv @@ q AND consent = ANY(%(consents)s) AND embargo <= %(today)s
      AND (%(quality)s::text IS NULL OR quality @> ARRAY[%(quality)s::text])
"""
TOP = f"""
    SELECT docid, title, body, q, ts_rank(tsv, q) AS rank, count(*) OVER () AS total
    {MATCHES}
    ORDER BY rank DESC, docid LIMIT 20
"""
RANKED_SQL = f"SELECT docid, title, total FROM ({TOP}) AS top ORDER BY rank DESC, docid"
HEADLINE = "StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=30, MinWords=10"
SNIPPETS_SQL = f"""
    SELECT docid, title, total, ts_headline('dutch', body, q, '{HEADLINE}') AS snippet
    FROM ({TOP}) AS top ORDER BY rank DESC, docid
"""
FACETS_SQL = f"""
    WITH m AS MATERIALIZED (SELECT kind, quality, assessment, year {MATCHES})
    SELECT 'total', '', count(*) FROM m
    UNION ALL SELECT 'kind', kind, count(*) FROM m GROUP BY kind
    UNION ALL SELECT 'quality', v, count(*) FROM m, unnest(quality) AS v GROUP BY v
    UNION ALL SELECT 'assessment', v, count(*) FROM m, unnest(assessment) AS v GROUP BY v
    UNION ALL SELECT 'year', v, count(*) FROM m, unnest(year) AS v GROUP BY v
"""
INSERT_SQL = (
    f"INSERT INTO search_docs ({', '.join(COLUMNS)}) VALUES ({', '.join('%s' for _ in COLUMNS)})"
)


def _row(doc: dict[str, Any]) -> tuple[Any, ...]:
    """A document as a row of `search_docs` (comma lists become arrays)."""
    values = {
        **doc,
        "happening": doc.get("happening"),
        "evidence": doc.get("evidence") or "",
        "quality_text": doc.get("quality_text") or "",
        "names": doc.get("names") or "",
        "quality": _list(doc["quality"]),
        "assessment": _list(doc["assessment"]),
        "assessed": _list(doc["assessed"]),
        "year": _list(doc["year"]),
    }
    return tuple(values[c] for c in COLUMNS)


class PostgresEngine:
    """A table with a generated, weighted `tsvector` in a schema of its own."""

    name = "postgres"

    def __init__(self, url: str) -> None:
        self.url = url
        self.schema = f"fts_bench_{uuid.uuid4().hex[:10]}"
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(f"CREATE SCHEMA {self.schema}")
        self.conn.execute(f"SET search_path TO {self.schema}")
        self.conn.execute(CREATE_TABLE)

    def build(self, docs: list[dict[str, Any]]) -> dict[str, float]:
        """`COPY` (the tsvector is computed on the way in), then the indexes, then ANALYZE."""
        self.conn.execute("SET maintenance_work_mem = '256MB'")
        statement = f"COPY search_docs ({', '.join(COLUMNS)}) FROM STDIN"
        with (
            stopwatch() as copied,
            self.conn.transaction(),
            self.conn.cursor() as cur,
            cur.copy(statement) as copy,
        ):
            for doc in docs:
                copy.write_row(_row(doc))
        with stopwatch() as indexed:
            for statement in CREATE_INDEXES:
                self.conn.execute(statement)
        with stopwatch() as analysed:
            self.conn.execute("ANALYZE search_docs")
        return {
            "seconds": copied[0] + indexed[0] + analysed[0],
            "copy_seconds": copied[0],
            "index_seconds": indexed[0],
            "analyze_seconds": analysed[0],
        }

    def search(self, shape: str, query: dict[str, Any]) -> tuple[int, list[str]]:
        params = {
            "q": query["q"],
            "consents": ["public"],
            "today": TODAY,
            "quality": query.get("quality"),
        }
        total = 0
        ids: list[str] = []
        if shape in ("facets", "api"):
            rows = self.conn.execute(FACETS_SQL, params).fetchall()
            total = next(int(c) for f, _, c in rows if f == "total")
        if shape in ("snippets", "api"):
            rows = self.conn.execute(SNIPPETS_SQL, params).fetchall()
            ids = [r[0] for r in rows]
            total = total or (int(rows[0][2]) if rows else 0)
        elif shape != "facets":
            rows = self.conn.execute(RANKED_SQL, params).fetchall()
            ids = [r[0] for r in rows]
            total = int(rows[0][2]) if rows else 0
        return total, ids

    def update(self, ref: str, docs: list[dict[str, Any]], position: int) -> dict[str, float]:
        """Delete and insert the item's rows and move the position, in one transaction."""
        with stopwatch() as written, self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute("DELETE FROM search_docs WHERE ref = %s", (ref,))
            cur.executemany(INSERT_SQL, [_row(d) for d in docs])
            cur.execute(
                "UPDATE search_tracking SET position = %s WHERE view = 'search'", (position,)
            )
        return {"commit": written[0], "visible": 0.0}  # visible to every session on commit

    def analyze(self, word: str) -> list[str]:
        rows = self.conn.execute("SELECT lexeme FROM unnest(to_tsvector('dutch', %s))", (word,))
        return [r[0] for r in rows.fetchall()]

    def shape(self) -> dict[str, Any]:
        row = self.conn.execute(
            "SELECT count(*), pg_total_relation_size('search_docs'),"
            " pg_relation_size('search_docs_tsv') FROM search_docs"
        ).fetchone()
        assert row is not None
        return {
            "documents": row[0],
            "disk_mib": round(row[1] / 2**20, 1),
            "gin_tsv_mib": round(row[2] / 2**20, 1),
        }

    def close(self) -> None:
        try:
            self.conn.close()
        finally:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


# -- tantivy -------------------------------------------------------------------------------

TANTIVY_BOOSTS = {"title": 2.0, "quality_text": 1.5}  # the Whoosh schema's field_boost


def tantivy_dutch() -> Any:
    """Tokenise, lower-case, fold accents, drop Dutch stop words, stem with its Dutch stemmer."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stopword("dutch"))
        .filter(tantivy.Filter.stemmer("dutch"))
        .build()
    )


class TantivyEngine:
    """tantivy with the same fields; filters as raw terms, facets as terms aggregations."""

    name = "tantivy"

    def __init__(self, root: Path) -> None:
        self.root = root / "tantivy"
        self.root.mkdir()
        sb = tantivy.SchemaBuilder()
        for name in ("docid", "ref", "doctype", "key", "happening", "date"):
            sb.add_text_field(name, stored=True, tokenizer_name="raw")
        for name in ("kind", "quality", "assessment", "year", "consent"):
            sb.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
        sb.add_text_field("assessed", tokenizer_name="raw")
        for name in SEARCH_FIELDS:
            sb.add_text_field(name, stored=name != "quality_text", tokenizer_name="nl")
        sb.add_integer_field("embargo", stored=True, indexed=True, fast=True)
        self.schema = sb.build()
        self.index = tantivy.Index(self.schema, path=str(self.root))
        self.analyzer = tantivy_dutch()
        self.index.register_tokenizer("nl", self.analyzer)  # again after every Index.open
        self.index.config_reader(reload_policy="Manual")
        self.writer = self.index.writer(128_000_000, 1)  # one indexing thread, as Whoosh

    @staticmethod
    def _doc(doc: dict[str, Any]) -> Any:
        fields: dict[str, Any] = {
            k: doc[k] for k in ("docid", "ref", "doctype", "kind", "key", "consent", "embargo")
        }
        for name in SEARCH_FIELDS:
            if doc.get(name):
                fields[name] = doc[name]
        for name in ("quality", "assessment", "assessed", "year"):
            values = _list(doc[name])
            if values:
                fields[name] = values
        for name in ("happening", "date"):
            if doc.get(name):
                fields[name] = doc[name]
        return tantivy.Document(**fields)

    def build(self, docs: list[dict[str, Any]]) -> dict[str, float]:
        with stopwatch() as added:
            for doc in docs:
                self.writer.add_document(self._doc(doc))
        with stopwatch() as committed:
            self.writer.commit()
            self.index.reload()
        return {
            "seconds": added[0] + committed[0],
            "add_seconds": added[0],
            "commit_seconds": committed[0],
        }

    def _query(self, query: dict[str, Any]) -> tuple[Any, Any]:
        """(the text query, it with the public reader's filters as zero-score clauses)."""
        text = self.index.parse_query(
            query["q"], SEARCH_FIELDS, field_boosts=TANTIVY_BOOSTS, conjunction_by_default=True
        )
        q = tantivy.Query
        filters = [
            q.term_query(self.schema, "consent", "public"),
            q.range_query(self.schema, "embargo", tantivy.FieldType.Integer, 0, TODAY),
        ]
        if query.get("quality"):
            filters.append(q.term_query(self.schema, "quality", query["quality"]))
        clauses = [(tantivy.Occur.Must, text)]
        clauses += [(tantivy.Occur.Must, q.const_score_query(f, 0.0)) for f in filters]
        return text, q.boolean_query(clauses)

    def search(self, shape: str, query: dict[str, Any]) -> tuple[int, list[str]]:
        searcher = self.index.searcher()
        text, wanted = self._query(query)
        ids: list[str] = []
        if shape in ("facets", "api"):
            spec = {f: {"terms": {"field": f, "size": 1000}} for f in FACETS}
            searcher.aggregate(wanted, spec)
        if shape == "facets":
            total: int = searcher.search(wanted, 1, count=True).count  # type: ignore[attr-defined]
            return total, []
        found: Any = searcher.search(wanted, 20, count=True)
        docs = [searcher.doc(address) for _, address in found.hits]
        ids = [d["docid"][0] for d in docs]
        if shape in ("snippets", "api"):
            generator = tantivy.SnippetGenerator.create(searcher, text, self.schema, "body")
            generator.set_max_num_chars(240)
            _ = [generator.snippet_from_doc(d).to_html() for d in docs]
        return found.count, ids

    def update(self, ref: str, docs: list[dict[str, Any]], position: int) -> dict[str, float]:
        """Delete by the item's ref, add its documents, commit; a reload makes it visible.

        (tantivy has no place for the view's position but the commit payload or a document
        of its own, as the Whoosh view keeps it: the cost is one more small document.)
        """
        with stopwatch() as written:
            self.writer.delete_documents_by_term("ref", ref)
            for doc in docs:
                self.writer.add_document(self._doc(doc))
            self.writer.commit()
        with stopwatch() as visible:
            self.index.reload()
        return {"commit": written[0], "visible": visible[0]}

    def analyze(self, word: str) -> list[str]:
        return list(self.analyzer.analyze(word))

    def shape(self) -> dict[str, Any]:
        searcher = self.index.searcher()
        return {
            "documents": searcher.num_docs,
            "segments": searcher.num_segments,
            "disk_mib": dir_mib(self.root),
        }

    def close(self) -> None:
        self.writer.wait_merging_threads()


# -- measuring ----------------------------------------------------------------------------

Engine = WhooshEngine | PostgresEngine | TantivyEngine


def interleaved(
    engines: list[Engine],
    work: list[Any],
    run: Callable[[Engine, Any], Any],
    budget: float,
) -> dict[str, list[tuple[float, Any]]]:
    """Run each piece of work on every engine in a rotating order, timing each call.

    An engine stops once it has spent `budget` seconds and done `MIN_QUERIES` pieces; the
    others carry on. Returns (seconds, result) per engine.
    """
    done: dict[str, list[tuple[float, Any]]] = {e.name: [] for e in engines}
    spent = dict.fromkeys(done, 0.0)
    for i, piece in enumerate(work):
        order = engines[i % len(engines) :] + engines[: i % len(engines)]
        active = [
            e for e in order if not (len(done[e.name]) >= MIN_QUERIES and spent[e.name] > budget)
        ]
        if not active:
            break
        for engine in active:
            started = time.perf_counter()
            result = run(engine, piece)
            seconds = time.perf_counter() - started
            spent[engine.name] += seconds
            done[engine.name].append((seconds, result))
    return done


def overlap(a: list[str], b: list[str]) -> float | None:
    """Share of the top-20 ids two engines agree on (as sets)."""
    if not a and not b:
        return None
    return len(set(a) & set(b)) / max(len(a), len(b))


def measure_search(
    engines: list[Engine], count: int, budget: float, seed: int, phrases: list[str]
) -> dict[str, Any]:
    """Latency per shape and engine, the mean match count, and top-20 agreement."""
    report: dict[str, Any] = {}
    for shape, label in SHAPES.items():
        queries = make_queries(shape, count, seed, phrases)
        load = os.getloadavg()[0]

        def run_one(engine: Engine, query: dict[str, Any], shape: str = shape) -> Any:
            return engine.search(shape, query)

        done = interleaved(engines, queries, run_one, budget)
        row: dict[str, Any] = {"label": label, "load_before": round(load, 2)}
        for engine in engines:
            samples = done[engine.name]
            row[engine.name] = {
                **percentiles([s for s, _ in samples]),
                "queries": len(samples),
                "mean_total": sum(r[0] for _, r in samples) / len(samples),
            }
        agreement: dict[str, float] = {}
        if shape != "facets":
            for k, first in enumerate(engines):
                for second in engines[k + 1 :]:
                    a, b = done[first.name], done[second.name]
                    pairs = [overlap(a[i][1][1], b[i][1][1]) for i in range(min(len(a), len(b)))]
                    values = [p for p in pairs if p is not None]
                    if values:
                        agreement[f"{first.name}~{second.name}"] = sum(values) / len(values)
        row["top20_agreement"] = agreement
        report[shape] = row
        log(
            f"  {shape:9} "
            + "  ".join(
                f"{e.name} p50 {row[e.name]['p50_ms']:.1f} ms ×{row[e.name]['queries']}"
                for e in engines
            )
        )
    return report


def measure_updates(
    engines: list[Engine], items: list[dict[str, Any]], count: int, budget: float, seed: int
) -> dict[str, Any]:
    """Re-index one item at a time (a retitle), commit and make it visible, per engine."""
    rng = random.Random(f"{seed}:updates")
    maker = synthetic.TextMaker(rng)
    work = []
    for n in range(count):
        item = dict(rng.choice(items))
        item["title"] = maker.title()
        work.append((item["ref"], documents(item), n + 2))
    done = interleaved(engines, work, lambda e, w: e.update(*w), budget)
    report: dict[str, Any] = {"load_before": round(os.getloadavg()[0], 2)}
    for engine in engines:
        samples = done[engine.name]
        report[engine.name] = {
            "total": percentiles([s for s, _ in samples]),
            "commit": percentiles([r["commit"] for _, r in samples]),
            "visible": percentiles([r["visible"] for _, r in samples]),
            "updates": len(samples),
        }
    return report


def stemming(engines: list[Engine]) -> dict[str, dict[str, list[str]]]:
    """The terms each engine keeps for each of `DUTCH_WORDS`."""
    return {w: {e.name: e.analyze(w) for e in engines} for w in DUTCH_WORDS}


def run_size(n: int, args: argparse.Namespace, root: Path, result: dict[str, Any]) -> None:
    """Build every engine for `n` items and measure it, filling `result` phase by phase."""
    result.update({"items": n, "load_start": os.getloadavg(), "complete": False})
    log(f"{n:,} items: building the aggregates")
    warm_dates(synthetic.distinct_dates())
    items, specs = make_items(n, args.seed)
    docs = [doc for item in items for doc in documents(item)]
    phrases = synthetic.sample_phrases(specs, args.queries, args.seed)
    result["documents"] = len(docs)
    log(f"{n:,} items, {len(docs):,} documents")
    engines: list[Engine] = []
    try:
        makers: dict[str, Callable[[], Engine]] = {
            "whoosh": lambda: WhooshEngine(root),
            "postgres": lambda: PostgresEngine(args.postgres_url),
            "tantivy": lambda: TantivyEngine(root),
        }
        for name in args.engines.split(","):
            engines.append(makers[name]())
        builds: dict[str, Any] = {}
        for engine in list(engines):  # one after the other: each build uses the machine
            load = os.getloadavg()[0]
            log(f"bulk indexing: {engine.name}")
            if isinstance(engine, WhooshEngine):
                build = engine.build(docs, args.whoosh_cap)
            else:
                build = engine.build(docs)
            build["docs_per_s"] = len(docs) / build["seconds"]
            build["load_before"] = round(load, 2)
            builds[engine.name] = {**build, **engine.shape()}
            log(f"  {engine.name}: {build['docs_per_s']:,.0f} docs/s ({build['seconds']:.1f} s)")
            if build.get("estimated"):
                log(f"  {engine.name}: capped, estimated; not measured further at this size")
                engine.close()
                engines.remove(engine)
        result["build"] = builds
        result["stemming"] = stemming(engines)
        log("search latency, engines interleaved")
        result["search"] = measure_search(engines, args.queries, args.budget, args.seed, phrases)
        log("incremental updates, engines interleaved")
        result["updates"] = measure_updates(engines, items, args.updates, args.budget, args.seed)
        log("term search again, after the updates")
        after = measure_search_after(engines, args, phrases)
        result["term_after_updates"] = after
        result["after_updates"] = {e.name: e.shape() for e in engines}
    finally:
        for engine in engines:  # each one, even when another fails (PostgreSQL restarted)
            try:
                engine.close()
            except Exception as error:  # report it and go on closing the others
                log(f"closing {engine.name} failed: {error}")
    result["load_end"] = os.getloadavg()
    result["complete"] = True


def measure_search_after(
    engines: list[Engine], args: argparse.Namespace, phrases: list[str]
) -> dict[str, Any]:
    """The term shape once more, on the indexes the updates left (more segments)."""
    queries = make_queries("term", min(args.queries, 100), args.seed + 7, phrases)
    done = interleaved(engines, queries, lambda e, q: e.search("term", q), args.budget / 2)
    return {e.name: percentiles([s for s, _ in done[e.name]]) for e in engines}


# -- the report ---------------------------------------------------------------------------


def table(result: dict[str, Any]) -> str:
    """The figures of one size as plain text."""
    names = ("whoosh", "postgres", "tantivy")
    lines = [
        f"== {result['items']:,} items, {result['documents']:,} documents; load "
        f"{'/'.join(f'{x:.2f}' for x in result['load_start'])} at the start, "
        f"{'/'.join(f'{x:.2f}' for x in result['load_end'])} at the end ==",
        f"{'figure':44} " + " ".join(f"{n:>24}" for n in names),
    ]
    build = result["build"]

    def built(n: str, key: str, fmt: str) -> str:
        if n not in build:
            return "—"
        mark = "~" if build[n].get("estimated") and key != "disk_mib" else ""
        return mark + format(build[n][key], fmt)

    for label, key, fmt in (
        ("bulk indexing, docs/s (~: estimated)", "docs_per_s", ",.0f"),
        ("  seconds", "seconds", ".1f"),
        ("  on disk, MiB (capped: the part built)", "disk_mib", ".1f"),
    ):
        lines.append(f"{label:44} " + " ".join(f"{built(n, key, fmt):>24}" for n in names))
    lines.append("search, public filters: p50 / p95 ms (×queries)")
    for shape, row in result["search"].items():
        cells = [
            f"{row[n]['p50_ms']:.1f} / {row[n]['p95_ms']:.1f} (×{row[n]['queries']})"
            if n in row
            else "—"
            for n in names
        ]
        lines.append(f"  {shape:42} " + " ".join(f"{c:>24}" for c in cells))
    lines.append("  mean matches")
    for shape, row in result["search"].items():
        cells = [f"{row[n]['mean_total']:,.0f}" if n in row else "—" for n in names]
        lines.append(f"    {shape:40} " + " ".join(f"{c:>24}" for c in cells))
    after = result["term_after_updates"]
    cells = [
        f"{after[n]['p50_ms']:.1f} / {after[n]['p95_ms']:.1f}" if n in after else "—" for n in names
    ]
    lines.append(f"  {'term, after the updates':42} " + " ".join(f"{c:>24}" for c in cells))
    updates = result["updates"]
    count = max(updates[n]["updates"] for n in names if n in updates)
    lines.append(f"incremental update (one item), p50 / p95 / max ms (×{count})")
    for part in ("commit", "visible", "total"):
        cells = [
            f"{updates[n][part]['p50_ms']:.1f} / {updates[n][part]['p95_ms']:.1f} / "
            f"{updates[n][part]['max_ms']:.0f}"
            if n in updates
            else "—"
            for n in names
        ]
        lines.append(f"  {part:42} " + " ".join(f"{c:>24}" for c in cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, action="append", help="item count (repeatable)")
    parser.add_argument("--queries", type=int, default=200, help="queries per shape (200)")
    parser.add_argument("--updates", type=int, default=200, help="incremental updates (200)")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds per engine and shape (60)"
    )
    parser.add_argument(
        "--whoosh-cap",
        type=float,
        help="stop the Whoosh bulk build after S seconds, estimate it, skip Whoosh after",
    )
    parser.add_argument(
        "--engines", default="whoosh,postgres,tantivy", help="which engines, comma-separated"
    )
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("WIJKARCHIEF_DATABASE_URL") or DEFAULT_URL,
    )
    parser.add_argument("--json", help="write the JSON report to PATH (-: stdout)")
    parser.add_argument("--workdir", type=Path, help="where the temporary indexes go")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "whoosh": version("whoosh-reloaded"),
            "tantivy": version("tantivy"),
            "psycopg": version("psycopg"),
        },
        "today": TODAY,
        "runs": [],
    }
    with psycopg.connect(args.postgres_url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        report["machine"]["postgresql"] = row[0] if row else "?"
    for n in args.items or [10_000]:
        root = Path(tempfile.mkdtemp(prefix="wijkarchief-fts-", dir=args.workdir))
        result: dict[str, Any] = {}
        report["runs"].append(result)
        try:
            run_size(n, args, root, result)
        finally:
            shutil.rmtree(root, ignore_errors=True)
            # Also when a phase failed (e.g. PostgreSQL restarted): what was measured stays.
            if args.json and args.json != "-":
                Path(args.json).write_text(json.dumps(report, indent=2, default=str))
        print(table(result), flush=True)
    if args.json == "-":
        print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
