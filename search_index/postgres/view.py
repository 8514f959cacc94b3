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

import logging
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
import psycopg
from eventsourcing.persistence import PersistenceError, Tracking
from eventsourcing.postgres import PostgresDatastore
from psycopg import errors
from psycopg.sql import SQL, Composable, Identifier, Literal

from archive.config import Settings
from archive.pgstore import TrackingRecorder, bounded, rewrite_tables
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
from search_index.postgres import schema, statements
from search_index.postgres.query import Parsed, QueryMaker
from search_index.postgres.snippets import hits, moment_snippet

log = logging.getLogger(__name__)
LOCK_CLASS = 0x77617376  # "wasv": the advisory lock a page of the view is written under
# Rows written before the planner's statistics are renewed (ANALYZE): at least this many, and
# at least as many as the table held at its last ANALYZE (a rebuild from empty: a few times).
ANALYZE_ROWS = 1_000
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
        self.position_statement = SQL(
            "SELECT max(notification_id) AS n FROM {}.{} WHERE application_name = {}"
        ).format(Identifier(self.schema), Identifier(schema.TRACKING), Literal(self.name))
        self._browsing = Browsing()
        with settings.schema_lock():  # several processes may start at once
            self._drop_other_versions()
            self.create_table()
        self._written = 0  # rows this process wrote since its last ANALYZE
        self._analyzed = self._rows_at_analyze()

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
        self._written += len(rows)
        if self._written >= max(ANALYZE_ROWS, self._analyzed):
            self._analyze()

    def _rows_at_analyze(self) -> int:
        """The rows the planner believes the table holds (0: never analysed)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (self.docs,))
            found = c.fetchone()
        return max(0, int(found["reltuples"])) if found else 0

    def _analyze(self) -> None:
        """Renew the planner's statistics of the tables after many rows were written.

        Without them (a new table, or autovacuum off or not yet come round) the planner takes
        a few hundred rows for thousands: it sorts every visible item for a browse instead of
        reading the first of the `(doctype, sortkey)` index. Best effort: the page is
        committed already, a failure is logged and the view goes on.
        """
        try:
            with self.datastore.transaction(commit=True) as c:
                c.execute(f"ANALYZE {self.docs}, {self.words}")
            self._analyzed = self._rows_at_analyze()
        except (psycopg.Error, PersistenceError):
            log.warning("ANALYZE of the search view's tables failed", exc_info=True)
        self._written = 0

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
        self._written, self._analyzed = 0, 0

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
    def _snapshot(self, timed: Budget | None) -> Iterator[tuple[Any, int]]:
        """A cursor in one read-only snapshot, and the view's position in it; the statements
        end when the budget does. One round trip opens it (isolation, timeout, position)."""
        with self.datastore.transaction(commit=False) as c:
            setup: list[Composable] = [
                SQL("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            ]
            if timed is not None:
                left = max(1, int((timed.deadline - time.monotonic()) * 1000))
                setup.append(SQL("SET LOCAL statement_timeout = {}").format(Literal(f"{left}ms")))
            setup.append(self.position_statement)
            c.execute(SQL("; ").join(setup))  # no parameters: one simple query
            while c.nextset():
                pass  # to the last statement's answer
            found = c.fetchone()
            try:
                yield c, int((found or {}).get("n") or 0)
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
        with self._snapshot(None if request.browsing else budget) as (c, generation):
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
        """One page of item hits with their moments, the total and the facets: one statement
        (`search_index.postgres.statements.answer`)."""
        parsed = QueryMaker(c, self.words).parse(request.text, budget)
        if not request.browsing:
            budget.check_time()
        nothing = {"total": 0, "hits": [], "facets": no_facets(), "sort": request.sort}
        if parsed.nothing:
            return nothing
        matching, params = statements.where(request, parsed)
        focus = request.focus
        # A browse's facets are kept per position: then only its page is read.
        kept = self._browsing.kept_facets(generation, request)
        if kept is not None and not kept["total"].get("", 0):
            return nothing
        fields = None if kept is not None else statements.facet_fields(focus)
        c.execute(
            statements.answer(self.docs, request, parsed, matching, fields),
            statements.page_params(request, params),
        )
        rows = c.fetchall()
        if fields is None:
            counted = kept or no_facets()
        else:
            counted = self._browsing.counted(
                generation, request, lambda: _facets(rows, fields, focus)
            )
        total = counted.pop("total", {}).get("", 0)
        if not total:
            return nothing
        by_date = request.sort == "date"
        page = sorted((r["n"], r["score"], r["source"]) for r in rows if r["field"] == "hit")
        docs = [(0.0 if by_date else float(score), orjson.loads(s)) for _, score, s in page]
        words = plain_words(request.text)
        found_hits, snippets = hits(parsed, docs, focus, words)
        moments = []
        for r in rows:
            if r["field"] == "moment":
                doc = orjson.loads(r["source"])
                snippet = moment_snippet(snippets, doc, words)
                moments.append((int(doc["sortdate"]), str(doc["ref"]), make_moment(doc, snippet)))
        place_moments(found_hits, moments)
        if not request.browsing:
            budget.check_time()
        return {"total": total, "hits": found_hits, "facets": counted, "sort": request.sort}

    def _lexicon(self, c: Any, request: SearchRequest) -> Lexicon:
        """The view's words as the spelling tolerance asks about them, for this reader."""
        where, params = statements.where(request.corrected(""), Parsed(None))

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


def _facets(rows: list[dict[str, Any]], fields: list[str], focus: str | None) -> Facets:
    """The total (`facets["total"][""]`) and the counts of every match per value."""
    pairs: dict[str, list[tuple[str, int]]] = {f: [] for f in ("total", "kind", *fields)}
    for r in rows:
        if r["field"] in pairs:
            pairs[r["field"]].append((r["value"], int(r["n"])))
    facets: Facets = {f: ordered_counts(p) for f, p in pairs.items() if f != "total"}
    facets["total"] = dict(pairs["total"])
    if focus:
        facets["assessment"] = focused(facets.pop("assessed"), focus)
    return facets
