"""Phase 4: search latency on the rebuilt index, through `Archive.search` as the API calls it.

Each shape gets its own seeded queries; every query runs once per role (public, curator).
The baseline is the bare engine on the same index and the same parsed query: Whoosh's
`searcher.search(query, filter=..., limit=20)` and the stored fields of the hits, without
visibility filters, the exact match count, facets or snippets (tantivy, with
`--search-backend tantivy`: its `searcher.search(query, 20)` and the hits' stored sources;
`postgres`: the same tsquery and filter, 20 rows' sources).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from synthetic import QUERY_WORDS, YEARS
from whoosh.query import Every, Query, Term

from archive.service import Archive
from events.qualities import QUALITIES
from search_index.core.budget import Budget

SHAPES: dict[str, str] = {
    "term": "one word",
    "and": "two words (AND)",
    "phrase": "quoted two-word phrase from generated text",
    "quality": 'quality filter, q=""',
    "everything": 'q="" (facet counts over every document)',
    "year": "one word + year filter",
}
ROLES = ("public", "curator")
MIN_QUERIES = 10


def make_queries(shape: str, count: int, seed: int, phrases: list[str]) -> list[dict[str, Any]]:
    """`count` keyword arguments for `Archive.search` of one shape."""
    rng = random.Random(f"{seed}:{shape}")
    queries: list[dict[str, Any]] = []
    for i in range(count):
        if shape == "term":
            queries.append({"q": rng.choice(QUERY_WORDS)})
        elif shape == "and":
            queries.append({"q": " ".join(rng.sample(QUERY_WORDS, 2))})
        elif shape == "phrase":
            queries.append({"q": phrases[i % len(phrases)]})
        elif shape == "quality":
            queries.append({"q": "", "quality": rng.choice(QUALITIES).id})
        elif shape == "everything":
            queries.append({"q": ""})
        else:
            queries.append({"q": rng.choice(QUERY_WORDS), "year": rng.choice(YEARS)})
    return queries


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 and the mean, in milliseconds (nearest rank)."""
    ordered = sorted(samples)

    def rank(p: float) -> float:
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index] * 1000

    return {
        "p50_ms": rank(50),
        "p95_ms": rank(95),
        "p99_ms": rank(99),
        "mean_ms": sum(ordered) / len(ordered) * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def timed(
    run_one: Callable[[dict[str, Any]], int], queries: list[dict[str, Any]], budget: float
) -> dict[str, Any]:
    """Latencies of `run_one` over the queries, until they or the budget (seconds) run out.

    At least `MIN_QUERIES` run whatever the budget; the result says how many did, and the
    mean of what `run_one` returned (the number of matches).
    """
    samples: list[float] = []
    matches = 0
    for kwargs in queries:
        if len(samples) >= MIN_QUERIES and sum(samples) > budget:
            break
        started = time.perf_counter()
        matches += run_one(kwargs)
        samples.append(time.perf_counter() - started)
    return {**percentiles(samples), "queries": len(samples), "mean_matches": matches / len(samples)}


def time_archive(
    archive: Archive, queries: list[dict[str, Any]], role: str, budget: float
) -> dict[str, Any]:
    """Latencies of `Archive.search` as the role calls it.

    A search without words is answered from the page the index keeps for its searcher
    (`search_index.core.kept.Browsing`) once it has been computed: here each one is computed
    again (the kept pages are dropped first), so the figure is the first browse after a
    commit, not a copy. Its facet counts stay kept, as they were before pages were.
    """
    index = next(v for v in archive.views if v.name == "search")

    def run_one(kwargs: dict[str, Any]) -> int:
        if not kwargs.get("q", "").strip():
            index._browsing.drop_pages()
        return int(archive.search(role=role, **kwargs)["total"])

    return timed(run_one, queries, budget)


def _bare_query(index: Any, kwargs: dict[str, Any]) -> tuple[Query, Query | None]:
    """The same parsed query, and the same quality/year filter, for the bare engine."""
    text = kwargs.get("q", "").strip()
    query: Query = index.parser.parse(text) if text else Every()
    if "quality" in kwargs:
        return query, Term("quality", kwargs["quality"])
    if "year" in kwargs:
        return query, Term("year", str(kwargs["year"]))
    return query, None


def time_bare(index: Any, queries: list[dict[str, Any]], budget: float) -> dict[str, Any]:
    """Latencies of the bare engine: top 20 with their stored fields."""
    if hasattr(index, "docs"):  # the postgres backend
        return _time_bare_postgres(index, queries, budget)
    if not hasattr(index, "parser"):  # the tantivy backend
        return _time_bare_tantivy(index, queries, budget)
    with index.index.searcher() as searcher:

        def run_one(kwargs: dict[str, Any]) -> int:
            query, wanted = _bare_query(index, kwargs)
            results = searcher.search(query, filter=wanted, limit=20)
            _ = [hit.fields() for hit in results]
            return len(results)

        return timed(run_one, queries, budget)


def _time_bare_tantivy(index: Any, queries: list[dict[str, Any]], budget: float) -> dict[str, Any]:
    """tantivy's bare engine: the same parsed query and filter, top 20 and their sources."""
    import tantivy

    searcher = index._current()

    def run_one(kwargs: dict[str, Any]) -> int:
        query = index.queries.parse(kwargs.get("q", "").strip(), searcher, Budget())
        for field in ("quality", "year"):
            if field in kwargs:
                wanted = tantivy.Query.term_query(index.schema, field, str(kwargs[field]))
                query = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, query), (tantivy.Occur.Must, wanted)]
                )
        hits = searcher.search(query, 20, count=False).hits
        _ = [searcher.doc(address).get_first("source") for _, address in hits]
        return len(hits)

    return timed(run_one, queries, budget)


def _time_bare_postgres(index: Any, queries: list[dict[str, Any]], budget: float) -> dict[str, Any]:
    """PostgreSQL's bare engine: the same tsquery and filter, top 20 (unranked) and their
    sources, no visibility filter, count, facets or snippets."""
    from search_index.postgres.query import QueryMaker

    def run_one(kwargs: dict[str, Any]) -> int:
        with index.datastore.transaction(commit=False) as c:
            parsed = QueryMaker(c, index.words).parse(kwargs.get("q", "").strip(), Budget())
            where, params = ["doctype = 'item'"], {}
            if parsed.tsquery:
                where.append("tsv @@ %(q)s::tsquery")
                params["q"] = parsed.tsquery
            for field in ("quality", "year"):
                if field in kwargs:
                    where.append(f"{field} @> ARRAY[%({field})s]::text[]")
                    params[field] = str(kwargs[field])
            c.execute(
                f"SELECT source::text FROM {index.docs} WHERE {' AND '.join(where)} LIMIT 20",
                params,
            )
            return len(c.fetchall())

    return timed(run_one, queries, budget)


def index_shape(index: Any) -> dict[str, int]:
    """How many documents and segments the index has (segments slow every query)."""
    if hasattr(index, "docs"):  # the postgres backend: rows, no segments
        with index.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT count(*) AS n FROM {index.docs}")
            return {"documents": int(c.fetchone()["n"]), "segments": 0}
    if not hasattr(index, "parser"):  # the tantivy backend
        searcher = index._current()
        return {"documents": searcher.num_docs, "segments": searcher.num_segments}
    with index.index.searcher() as searcher:
        reader = searcher.reader()
        return {"documents": reader.doc_count(), "segments": len(list(reader.leaf_readers()))}


def cold_search(archive: Archive) -> float:
    """Seconds of the first search after opening (opens a searcher, builds facet sets)."""
    started = time.perf_counter()
    archive.search("", role="curator")
    return time.perf_counter() - started


def run_latency(
    archive: Archive,
    count: int,
    budget: float,
    seed: int,
    phrases: list[str],
    tick: Callable[[int], Any] | None = None,
) -> dict[str, Any]:
    """Every shape, both roles and the bare engine: percentiles per shape.

    `count` queries per shape and role, or fewer when they take more than `budget` seconds.
    """
    index = next(v for v in archive.views if v.name == "search")
    report: dict[str, Any] = {**index_shape(index), "shapes": {}}
    report["cold_first_search_seconds"] = cold_search(archive)
    for shape, label in SHAPES.items():
        queries = make_queries(shape, count, seed, phrases)
        row: dict[str, Any] = {"label": label}
        for role in ROLES:
            row[role] = time_archive(archive, queries, role, budget)
            if tick:
                tick(1)
        row["bare"] = time_bare(index, queries, budget)
        if tick:
            tick(1)
        report["shapes"][shape] = row
    return report
