"""The tantivy search view: the same view and the same searches as the Whoosh one.

Chosen with `WIJKARCHIEF_SEARCH_BACKEND=tantivy`; Whoosh stays the embedded default. The
same documents (`search_index.core.documents`) in a directory of its own
(`<data>/search-index-tantivy`); it rebuilds itself from the log when it is behind.

- Position: a document of its own, replaced in the same `commit()` as its page of changes
  (a commit atomically replaces `meta.json`: after a `kill -9` never ahead or behind).
- Writers: one per page, one indexing thread; its merges are waited for before `process()`
  returns, so rebuilds of one log give the same segments and no writer holds the lock.
- Analysis: `search_index.tantivy.analysis`; queries: `search_index.tantivy.query`.
- Threads: a search takes the current searcher under a short lock and runs without it.
- Filters are zero-score clauses; facets are terms aggregations over every match.
- Erasure (`purge`): every live document rewritten in one commit that drops every old
  segment; tantivy deletes the files no commit refers to.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import tantivy

from archive.config import Settings
from archive.ports import Moment, SearchHit
from archive.projection import Change, ItemStates
from search_index.core.budget import Budget
from search_index.core.documents import SCHEMA_VERSION, Document, documents
from search_index.core.kept import Browsing
from search_index.core.request import SearchRequest
from search_index.core.shape import (
    FACETS,
    POSITION_DOC,
    SEARCH_FIELDS,
    WRITE_LOCK_TIMEOUT,
    Facets,
    focused,
    make_moment,
    no_facets,
    ordered_counts,
    place_moments,
)
from search_index.core.spelling import (
    MAX_CANDIDATES,
    Lexicon,
    answer_or_corrected,
    plain_words,
)
from search_index.tantivy.analysis import ANALYZER, WORDS
from search_index.tantivy.query import QueryMaker, narrowed
from search_index.tantivy.schema import (
    DIRECTORY,
    TANTIVY_SCHEMA_VERSION,
    build_schema,
    every_document,
    position_doc,
    position_of,
    source,
    to_document,
)
from search_index.tantivy.snippets import hits, moment_snippets

WRITER_HEAP = 64_000_000
FACET_SIZE = 10_000
MOMENTS_PER_PAGE = 2_000  # happenings read for the moments of one page of hits
Occur = tantivy.Occur
Q = tantivy.Query


class TantivySearchView:
    """A tantivy index under `WIJKARCHIEF_DATA/search-index-tantivy`, kept as a view of the log."""

    name = "search"
    # Events per commit when the follower rebuilds or catches up from far behind: each
    # commit writes and syncs new segments (3k items: 23 commits were a third of a rebuild).
    bulk_page_size = 5000

    def __init__(self, settings: Settings) -> None:
        self.path: Path = settings.data_dir / DIRECTORY
        self.schema = build_schema()
        self.queries = QueryMaker(self.schema)
        self._lock = threading.RLock()  # the current searcher: taken or replaced, briefly
        self._write_lock = threading.RLock()  # the writer's: one page, purge or reset at a time
        self._searcher: tantivy.Searcher | None = None
        self._generation = 0  # counts the searchers made: the key of the browse caches
        self._stamp: tuple[int, int, int] | None = None
        self._browsing = Browsing()  # answers and facet counts of searches without words
        self.index = self._open()

    # -- storage -----------------------------------------------------------

    def _open(self) -> tantivy.Index:
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            index = self._load(reuse=True)
            index.reload()
            meta = position_of(index.searcher(), self.schema)
            if meta is None or (
                meta.get("schema_version") == SCHEMA_VERSION
                and meta.get("tantivy_schema_version") == TANTIVY_SCHEMA_VERSION
            ):
                return index
        except ValueError:  # another schema: start again, the follower rebuilds it
            pass
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True, exist_ok=True)
        return self._load(reuse=False)

    def _load(self, *, reuse: bool) -> tantivy.Index:
        index = tantivy.Index(self.schema, path=str(self.path), reuse=reuse)
        index.register_tokenizer(ANALYZER, self.queries.analyzer)
        index.register_tokenizer(WORDS, self.queries.folder)
        index.config_reader(reload_policy="Manual")
        self._searcher = None
        self._stamp = None
        return index

    def _meta_stamp(self) -> tuple[int, int, int]:
        try:
            stat = (self.path / "meta.json").stat()
        except FileNotFoundError:
            return (0, 0, 0)
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _current(self) -> tantivy.Searcher:
        """A searcher that sees the last commit, this process's or another's."""
        return self._current_generation()[0]

    def _current_generation(self) -> tuple[tantivy.Searcher, int]:
        """The current searcher and its generation (a new one after every commit)."""
        with self._lock:
            stamp = self._meta_stamp()  # before the reload: a commit in between reloads again
            if self._searcher is None or stamp != self._stamp:
                self._searcher = None
                self.index.reload()
                self._searcher = self.index.searcher()
                self._generation += 1
                self._stamp = stamp
            return self._searcher, self._generation

    def _writer(self) -> tantivy.IndexWriter:
        """The index's writer, waiting for another process's for up to WRITE_LOCK_TIMEOUT."""
        deadline = time.monotonic() + WRITE_LOCK_TIMEOUT
        while True:
            try:
                return self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as error:
                if "LockBusy" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _commit(self, writer: tantivy.IndexWriter) -> None:
        """Commit, wait for the merges it starts, and let the next search see it."""
        writer.commit()
        writer.wait_merging_threads()  # also releases the writer and its lock
        with self._lock:
            self._searcher = None

    def close(self) -> None:
        """Release the searcher (the index holds no writer between pages)."""
        with self._lock:
            self._searcher = None
            self._stamp = None

    # -- the view ------------------------------------------------------------

    def position(self) -> int:
        """The position of the last event the index has processed."""
        with self._lock:
            meta = position_of(self._current(), self.schema)
            return int(meta["position"]) if meta else 0

    def process(self, changes: Sequence[Change], states: ItemStates) -> None:
        """Re-index every item the page touched and record the page's position, atomically."""
        touched = states.touched(changes)
        with self._write_lock:
            writer = self._writer()
            try:
                for ref, item in touched.items():
                    writer.delete_documents_by_term("ref", ref)
                    for doc in documents(item):
                        writer.add_document(to_document(doc))
                writer.delete_documents_by_term("docid", POSITION_DOC)
                writer.add_document(to_document(position_doc(changes[-1].position)))
            except BaseException:
                writer.rollback()
                writer.wait_merging_threads()
                raise
            self._commit(writer)

    def reset(self) -> None:
        """Drop the whole index (position included)."""
        with self._write_lock, self._lock:
            self.close()
            shutil.rmtree(self.path, ignore_errors=True)
            self.index = self._open()

    def purge(self) -> None:
        """Write every live document again in one commit that drops every old segment.

        The old segments still hold the documents deleted since they were written (an
        erased item's text among them); once no commit refers to them tantivy deletes
        their files.
        """
        with self._write_lock, self._lock:
            sources = every_document(self._current())
            self._searcher = None
            writer = self._writer()
            try:
                writer.delete_all_documents()
                for doc in sources:
                    writer.add_document(to_document(doc))
            except BaseException:
                writer.rollback()
                writer.wait_merging_threads()
                raise
            writer.commit()
            self.index.reload()  # no searcher of this process holds the old segments now
            writer.garbage_collect_files()
            writer.wait_merging_threads()

    # -- searching ---------------------------------------------------------------

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
        """Items with highlighted snippets and their matching moments, and facet counts of
        every matching item (see `archive.ports.SearchView.search`)."""
        request = SearchRequest.of(
            q, kind=kind, quality=quality, assessment=assessment, year=year, limit=limit,
            offset=offset, consents=consents, today=today, sort=sort,
        )  # fmt: skip
        # The searcher is taken under the lock; the query runs without it (a commit meanwhile
        # gives the next search a new searcher, this one keeps its segments).
        searcher, generation = self._current_generation()
        kept = self._browsing.kept(generation, request)
        if kept is not None:
            return kept
        answer = answer_or_corrected(
            request.text,
            self._answer(searcher, generation, request),
            lambda: self._lexicon(searcher, request),
            lambda text: self._answer(searcher, generation, request.corrected(text)),
        )
        return self._browsing.answered(generation, request, answer)

    def _answer(
        self, searcher: tantivy.Searcher, generation: int, request: SearchRequest
    ) -> dict[str, Any]:
        """One page of item hits with their moments, the total and the facets."""
        budget = Budget()
        text = self.queries.parse(request.text, searcher, budget)
        if not request.browsing:  # (browsing runs no query of the reader's: not timed)
            budget.check_time()
        wanted = narrowed(text, [*self._filters(request), self._term("doctype", "item")])
        # tantivy sets aside room for `limit + offset` hits first: past the end of the
        # index (an offset of 2**40, say) that is an allocation that aborts the process.
        offset = max(request.offset, 0)
        window = min(request.limit, searcher.num_docs - offset)
        by_date = request.sort == "date"
        if window > 0 and by_date:
            found = searcher.search(
                wanted, window, count=True, offset=offset, order_by_field="sortkey",
                order=tantivy.Order.Asc,
            )  # fmt: skip
            page = found.hits
        elif window > 0:
            found = searcher.search(wanted, window, count=True, offset=offset)
            page = found.hits
        else:
            found, page = searcher.search(wanted, 1, count=True), []
        if not request.browsing:
            budget.check_time()
        docs: list[tuple[float, Document]] = [
            (0.0 if by_date else score, source(searcher.doc(address))) for score, address in page
        ]
        total: int = found.count  # type: ignore[attr-defined]  # (missing from the stubs)
        focus = request.focus
        words = plain_words(request.text)
        found_hits = hits(searcher, self.schema, text, docs, focus, words)
        place_moments(found_hits, self._moments(searcher, request, text, found_hits, words))
        return {
            "total": total,
            "hits": found_hits,
            "facets": self._browsing.counted(
                generation, request, lambda: self._facets(searcher, wanted, focus)
            )
            if total
            else no_facets(),
            "sort": request.sort,
        }

    def _moments(
        self,
        searcher: tantivy.Searcher,
        request: SearchRequest,
        text: tantivy.Query,
        page: list[SearchHit],
        words: list[str],
    ) -> list[tuple[int, str, Moment]]:
        """The happenings of the page's items that match the words (and the year)."""
        if not page or (request.browsing and request.year is None):
            return []
        refs = Q.boolean_query([(Occur.Should, self._term("ref", h["ref"])) for h in page])
        filters = [self._term("doctype", "happening"), refs]
        if request.year is not None:
            filters.append(self._term("year", str(request.year)))
        found = searcher.search(narrowed(text, filters), MOMENTS_PER_PAGE).hits
        docs = [(score, source(searcher.doc(address))) for score, address in found]
        return [
            (doc["sortdate"], doc["ref"], make_moment(doc, snippet))
            for doc, snippet in moment_snippets(searcher, self.schema, text, docs, words)
        ]

    def _lexicon(self, searcher: tantivy.Searcher, request: SearchRequest) -> Lexicon:
        """The index's words as the spelling tolerance asks about them, for this reader."""
        visible = [*self._filters(request.corrected("")), self._term("doctype", "item")]

        def found(query: tantivy.Query) -> bool:
            hits = searcher.search(narrowed(query, visible), 1, count=True)
            return bool(hits.count)  # type: ignore[attr-defined]

        def known(word: str) -> bool:
            # In an item the reader may read: a word only hidden items hold is as unknown to
            # them as a word in no item (corrected alike), so no answer tells it exists.
            tokens = self.queries.analyzer.analyze(word)
            return not tokens or all(
                any(searcher.doc_freq(f, t) and found(self._term(f, t)) for f in SEARCH_FIELDS)
                for t in tokens
            )

        def starting(prefix: str) -> Iterable[str]:
            terms = searcher.terms_with_prefix("spelling", prefix, limit=MAX_CANDIDATES)
            return (term for term, _ in terms)

        def readable(term: str) -> bool:
            return found(self._term("spelling", term))

        return Lexicon(known, starting, readable)

    def _term(self, field: str, value: str) -> tantivy.Query:
        return Q.term_query(self.schema, field, value)

    def _filters(self, request: SearchRequest) -> list[tantivy.Query]:
        """The reader's consent scopes and day, and the chosen facet values, as queries."""
        # The consent filter is always there, and the position document has no consent.
        filters = [
            Q.boolean_query(
                [(Occur.Should, Q.term_query(self.schema, "consent", c)) for c in request.consents]
            )
        ]
        if request.today is not None:
            until = int(request.today.replace("-", ""))
            filters.append(
                Q.range_query(self.schema, "embargo", tantivy.FieldType.Integer, 0, until)
            )
        if request.kind:
            filters.append(Q.term_query(self.schema, "kind", request.kind))
        if request.assessed:
            filters.append(Q.term_query(self.schema, "assessed", request.assessed))
        elif request.assessment:
            filters.append(Q.term_query(self.schema, "assessment", request.assessment))
        if request.quality:
            filters.append(Q.term_query(self.schema, "quality", request.quality))
        if request.year is not None:
            filters.append(Q.term_query(self.schema, "year", str(request.year)))
        return filters

    def _facets(
        self, searcher: tantivy.Searcher, wanted: tantivy.Query, focus: str | None
    ) -> Facets:
        """Terms aggregations over every match; with a quality in focus, its assessments."""
        fields = (*FACETS, "assessed") if focus else FACETS
        spec = {field: {"terms": {"field": field, "size": FACET_SIZE}} for field in fields}
        found = searcher.aggregate(wanted, spec)
        facets: Facets = {}
        for field in fields:
            buckets = found.get(field, {}).get("buckets", [])
            facets[field] = ordered_counts((str(b["key"]), int(b["doc_count"])) for b in buckets)
        if focus:
            facets["assessment"] = focused(facets.pop("assessed"), focus)
        return facets
