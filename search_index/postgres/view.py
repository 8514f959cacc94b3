"""The search view in PostgreSQL: the same searches as Whoosh and tantivy, no state per host.

Chosen with `WIJKARCHIEF_SEARCH_BACKEND=postgres` beside a PostgreSQL event store
(`WIJKARCHIEF_DATABASE_URL`); refused on SQLite. The tables (`search_index.postgres.schema`)
live in the archive's schema beside the event store and the catalogue, so every API worker on
every host searches the same rows and sees a write once the follower (in the worker, or
`wijkarchief project`) has committed it.

- Position: eventsourcing's tracking table, written in the same transaction as the page's
  rows (`process`), as the catalogue's. A page is written under a transaction-scoped advisory
  lock of the view; a page whose last position is already recorded (another process of any
  host wrote it meanwhile) is skipped, so two followers never regress an item or conflict on
  the tracking row.
- Searching: one read-only REPEATABLE READ transaction per search (position, total, facets,
  page and moments of one snapshot); `statement_timeout` is what is left of the budget's
  `QUERY_SECONDS` (browsing is not timed, as with the other backends). The browse answers are
  kept per tracked position (`search_index.core.kept`).
- Queries: `search_index.postgres.query`; snippets: `search_index.postgres.snippets`.
- Erasure (`purge`): the words table rebuilt from the live rows, then `VACUUM FULL` of both
  tables (no dead row version keeps an erased word).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore
from psycopg import errors
from psycopg.sql import SQL

from archive.config import Settings
from archive.pgstore import TrackingRecorder, bounded, rewrite_tables
from archive.ports import Moment, SearchHit
from archive.projection import Change, ItemStates
from events.errors import InvalidInput
from search_index.core.budget import QUERY_SECONDS, Budget, QueryRefused
from search_index.core.documents import documents
from search_index.core.kept import Browsing
from search_index.core.request import SearchRequest
from search_index.core.shape import (
    Facets,
    focused,
    make_moment,
    no_facets,
    ordered_counts,
    place_moments,
)
from search_index.core.spelling import MAX_CANDIDATES, Lexicon, answer_or_corrected, plain_words
from search_index.postgres import schema
from search_index.postgres.query import Parsed, QueryMaker
from search_index.postgres.snippets import Snippets, hits, moment_snippet

LOCK_CLASS = 0x77617376  # "wasv": the advisory lock a page of the view is written under
MOMENTS_PER_PAGE = 2_000  # happenings read for the moments of one page of hits
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A (PostgreSQL's defaults)
POOL_SIZE = 4


def refuse_sqlite(settings: Settings) -> None:
    """InvalidInput (one line) when the event store is not PostgreSQL."""
    if not settings.uses_postgres:
        raise InvalidInput(
            "WIJKARCHIEF_SEARCH_BACKEND=postgres zoekt in de PostgreSQL-database van het "
            "archief: zet WIJKARCHIEF_DATABASE_URL, of kies whoosh of tantivy bij SQLite.",
            field="WIJKARCHIEF_SEARCH_BACKEND",
        )


class PostgresSearchView(TrackingRecorder):
    """Dutch full-text search in tables of the archive's PostgreSQL schema, kept as a view."""

    name = "search"
    bulk_page_size = 5000
    # In the shared database: written by the leading projector (archive.leader).
    shared = True

    def __init__(self, settings: Settings) -> None:
        refuse_sqlite(settings)
        pg = settings.postgres()
        datastore = PostgresDatastore(
            dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=pg["user"],
            password=pg["password"], schema=settings.database_schema, pool_size=POOL_SIZE,
        )  # fmt: skip
        bounded(datastore, settings.database_wait)
        super().__init__(datastore, tracking_table_name=schema.TRACKING)
        self.conninfo = settings.pg_conninfo()
        self.schema = datastore.schema or "public"
        self.docs = f'"{self.schema}".{schema.DOCS}'
        self.words = f'"{self.schema}".{schema.WORDS}'
        self.insert = schema.INSERT.format(docs=self.docs)
        self.lock_key = zlib.crc32(f"{self.schema}.{schema.DOCS}".encode()) - (1 << 31)
        self.sql_create_statements.extend(
            SQL(statement).format() for statement in schema.create_statements(self.schema)
        )
        self._browsing = Browsing()
        with settings.schema_lock():  # several processes may start at once
            self._drop_other_versions()
            self.create_table()

    def _drop_other_versions(self) -> None:
        """Drop the tables of other versions of this view (they would keep erased words)."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (self.schema,),
            )
            names = [r["table_name"] for r in c.fetchall()]
            ours = (schema.DOCS, schema.WORDS, schema.TRACKING)
            for name in names:
                if schema.EVERY_VERSION.fullmatch(name) and name not in ours:
                    c.execute(f'DROP TABLE IF EXISTS "{self.schema}"."{name}"')

    # -- the view --------------------------------------------------------------

    def position(self) -> int:
        """The position of the last event the view has processed (0: none)."""
        return self.max_tracking_id(self.name) or 0

    def process(self, changes: Sequence[Change], states: ItemStates) -> None:
        """Re-index every item the page touched and record the page's position, in one
        transaction; nothing when another process has recorded this page already."""
        last = changes[-1].position
        touched = states.touched(changes)
        with self.datastore.transaction(commit=True) as c:
            c.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, self.lock_key))
            c.execute(self.max_tracking_id_statement, (self.name,))
            found = c.fetchone()
            recorded = (found and next(iter(found.values()))) or 0
            if recorded >= last:
                return  # written by another follower (of this host or another) meanwhile
            c.execute(f"DELETE FROM {self.docs} WHERE ref = ANY(%s)", (list(touched),))
            rows = [schema.row(doc) for item in touched.values() for doc in documents(item)]
            if rows:
                c.executemany(self.insert, rows)
                words = sorted({w for r in rows for w in r[12]})
                c.execute(
                    f"INSERT INTO {self.words} (word) SELECT unnest(%s::text[]) "
                    "ON CONFLICT DO NOTHING",
                    (words,),
                )
            self._insert_tracking(c, Tracking(self.name, last))

    def reset(self) -> None:
        """Drop every row and the position."""
        with self.datastore.transaction(commit=True) as c:
            c.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, self.lock_key))
            c.execute(f"TRUNCATE {self.docs}, {self.words}")
            c.execute(
                f'DELETE FROM "{self.schema}".{self.tracking_table_name} '
                "WHERE application_name = %s",
                (self.name,),
            )

    def purge(self) -> None:
        """The words table from the live rows only, then both tables rewritten: no dead row
        version (an erased item's words) stays on disk."""
        with self.datastore.transaction(commit=True) as c:
            c.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, self.lock_key))
            c.execute(f"TRUNCATE {self.words}")
            c.execute(
                f"INSERT INTO {self.words} (word) SELECT DISTINCT unnest(spell) FROM {self.docs}"
            )
        rewrite_tables(self.conninfo, self.docs, self.words)

    def close(self) -> None:
        """Close the pool."""
        self.datastore.close()

    # -- searching -----------------------------------------------------------------

    @contextmanager
    def _snapshot(self, timed: Budget | None) -> Iterator[Any]:
        """A cursor in one read-only snapshot; the statements end when the budget does."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            if timed is not None:
                left = max(1, int((timed.deadline - time.monotonic()) * 1000))
                c.execute("SELECT set_config('statement_timeout', %s, true)", (f"{left}ms",))
            try:
                yield c
            except errors.QueryCanceled:
                raise QueryRefused(
                    f"De zoekvraag duurt te lang (meer dan {QUERY_SECONDS:g} seconden): "
                    "gebruik minder of langere woorden met * of ?."
                ) from None

    def search(
        self,
        q: str,
        *,
        kind: str | None = None,
        quality: str | None = None,
        assessment: str | None = None,
        year: int | None = None,
        limit: int = 20,
        offset: int = 0,
        consents: Sequence[str] = ("public",),
        today: str | None = None,
        sort: str | None = None,
    ) -> dict[str, Any]:
        """Items with marked snippets and their matching moments, and facet counts of every
        matching item (see `archive.ports.SearchView.search`)."""
        request = SearchRequest.of(
            q, kind=kind, quality=quality, assessment=assessment, year=year, limit=limit,
            offset=offset, consents=consents, today=today, sort=sort,
        )  # fmt: skip
        budget = Budget()
        with self._snapshot(None if request.browsing else budget) as c:
            c.execute(self.max_tracking_id_statement, (self.name,))
            found = c.fetchone()
            generation = (found and next(iter(found.values()))) or 0
            kept = self._browsing.kept(generation, request)
            if kept is not None:
                return kept
            answer = answer_or_corrected(
                request.text,
                self._answer(c, generation, request, budget),
                lambda: self._lexicon(c, request),
                lambda text: self._answer(c, generation, request.corrected(text), Budget()),
            )
        return self._browsing.answered(generation, request, answer)

    def _answer(
        self, c: Any, generation: int, request: SearchRequest, budget: Budget
    ) -> dict[str, Any]:
        """One page of item hits with their moments, the total and the facets."""
        parsed = QueryMaker(c, self.words).parse(request.text, budget)
        if not request.browsing:
            budget.check_time()
        if parsed.nothing:
            return {"total": 0, "hits": [], "facets": no_facets(), "sort": request.sort}
        where, params = self._where(request, parsed)
        focus = request.focus
        counted = self._browsing.counted(
            generation, request, lambda: self._facets(c, where, params, focus)
        )
        total = counted.pop("total", {}).get("", 0)
        if not total:
            return {"total": 0, "hits": [], "facets": no_facets(), "sort": request.sort}
        by_date = request.sort == "date"
        rank = (
            f"ts_rank('{RANK_WEIGHTS}', tsv, %(q)s::tsquery)" if parsed.tsquery is not None
            else "0"
        )  # fmt: skip
        order = "sortkey" if by_date else "score DESC, ref"
        c.execute(
            f"SELECT source::text AS source, {rank} AS score FROM {self.docs} WHERE {where} "
            f"ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s",
            {**params, "limit": max(request.limit, 0), "offset": max(request.offset, 0)},
        )
        docs = [
            (0.0 if by_date else float(r["score"]), orjson.loads(r["source"])) for r in c.fetchall()
        ]
        words = plain_words(request.text)
        found_hits, snippets = hits(parsed, docs, focus, words)
        place_moments(found_hits, self._moments(c, request, parsed, found_hits, snippets))
        if not request.browsing:
            budget.check_time()
        return {"total": total, "hits": found_hits, "facets": counted, "sort": request.sort}

    def _where(self, request: SearchRequest, parsed: Parsed) -> tuple[str, dict[str, Any]]:
        """The reader's consent scopes and day, the chosen facet values and the words."""
        clauses = ["doctype = 'item'", "consent = ANY(%(consents)s)"]
        params: dict[str, Any] = {"consents": list(request.consents)}
        if request.today is not None:
            clauses.append("embargo <= %(today)s")
            params["today"] = int(request.today.replace("-", ""))
        if request.kind:
            clauses.append("kind = %(kind)s")
            params["kind"] = request.kind
        for column, value in (
            ("assessed", request.assessed),
            ("assessment", None if request.assessed else request.assessment),
            ("quality", request.quality),
            ("year", None if request.year is None else str(request.year)),
        ):
            if value:
                clauses.append(f"{column} @> ARRAY[%({column})s]::text[]")
                params[column] = value
        if parsed.tsquery is not None:
            clauses.append("tsv @@ %(q)s::tsquery")
            params["q"] = parsed.tsquery
        return " AND ".join(clauses), params

    def _facets(self, c: Any, where: str, params: dict[str, Any], focus: str | None) -> Facets:
        """The total (`facets["total"][""]`) and the counts of every match per value."""
        fields = ["quality", "assessment", "year", *(["assessed"] if focus else [])]
        counts = " UNION ALL ".join(
            f"SELECT '{f}' AS field, v AS value, count(*) AS n FROM m, unnest({f}) AS v GROUP BY v"
            for f in fields
        )
        c.execute(
            f"WITH m AS MATERIALIZED (SELECT kind, {', '.join(fields)} FROM {self.docs} "
            f"WHERE {where}) SELECT 'total' AS field, '' AS value, count(*) AS n FROM m "
            f"UNION ALL SELECT 'kind', kind, count(*) FROM m GROUP BY kind UNION ALL {counts}",
            params,
        )
        pairs: dict[str, list[tuple[str, int]]] = {f: [] for f in ("total", "kind", *fields)}
        for r in c.fetchall():
            pairs[r["field"]].append((r["value"], int(r["n"])))
        facets: Facets = {f: ordered_counts(p) for f, p in pairs.items() if f != "total"}
        facets["total"] = dict(pairs["total"])
        if focus:
            facets["assessment"] = focused(facets.pop("assessed"), focus)
        return facets

    def _moments(
        self,
        c: Any,
        request: SearchRequest,
        parsed: Parsed,
        page: list[SearchHit],
        snippets: Snippets,
    ) -> list[tuple[int, str, Moment]]:
        """The happenings of the page's items that match the words (and the year)."""
        if not page or (request.browsing and request.year is None):
            return []
        clauses = ["doctype = 'happening'", "ref = ANY(%(refs)s)"]
        params: dict[str, Any] = {"refs": [h["ref"] for h in page], "n": MOMENTS_PER_PAGE}
        if parsed.tsquery is not None:
            clauses.append("tsv @@ %(q)s::tsquery")
            params["q"] = parsed.tsquery
        if request.year is not None:
            clauses.append("year @> ARRAY[%(year)s]::text[]")
            params["year"] = str(request.year)
        c.execute(
            f"SELECT source::text AS source FROM {self.docs} WHERE {' AND '.join(clauses)} "
            "LIMIT %(n)s",
            params,
        )
        words = plain_words(request.text)
        moments = []
        for r in c.fetchall():
            doc = orjson.loads(r["source"])
            snippet = moment_snippet(snippets, doc, words)
            moments.append((int(doc["sortdate"]), str(doc["ref"]), make_moment(doc, snippet)))
        return moments

    def _lexicon(self, c: Any, request: SearchRequest) -> Lexicon:
        """The view's words as the spelling tolerance asks about them, for this reader."""
        where, params = self._where(request.corrected(""), Parsed(None))

        def known(word: str) -> bool:
            # In an item the reader may read: a word only hidden items hold is as unknown to
            # them as a word in no item (corrected alike), so no answer tells it exists.
            c.execute(
                "SELECT numnode(q) = 0 OR EXISTS (SELECT 1 FROM "
                f"{self.docs} WHERE {where} AND doctype = 'item' AND tsv @@ q) AS known "
                f"FROM plainto_tsquery('{schema.CONFIG}', %(word)s) AS q",
                {**params, "word": word},
            )
            return bool(c.fetchone()["known"])

        def starting(prefix: str) -> Iterable[str]:
            like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            c.execute(
                f"SELECT word FROM {self.words} WHERE word LIKE %s ORDER BY word LIMIT %s",
                (like, MAX_CANDIDATES),
            )
            return [r["word"] for r in c.fetchall()]

        def readable(term: str) -> bool:
            c.execute(
                f"SELECT EXISTS (SELECT 1 FROM {self.docs} WHERE {where} "
                "AND spell @> ARRAY[%(term)s]::text[]) AS found",
                {**params, "term": term},
            )
            return bool(c.fetchone()["found"])

        return Lexicon(known, starting, readable)
