"""The Whoosh search index: a view that follows the log, and the searches researchers make.

The index keeps its tracked position as a document of its own (`docid=__position__`),
written in the same `commit()` as the page of changes it belongs to. Whoosh commits are
atomic renames of its table of contents, so after a `kill -9` the index is never ahead of or
behind its position: the next start resumes from there.

Facet counts come from per-value document sets, cached for as long as the searcher is
current, intersected with the set of matching documents (`groupedby` recomputes them for
every query and is 25-70× slower here).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from html import escape
from itertools import islice
from typing import Any

from whoosh import index as whoosh_index
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.qparser import AndGroup, FieldsPlugin, MultifieldParser
from whoosh.query import Every, MultiTerm, NullQuery, NumericRange, Query, Term
from whoosh.searching import Searcher

from archive.config import Settings
from archive.projection import Change, ItemStates
from events import qualities
from events.errors import UnknownQuality
from search_index.budget import Budget, check_text, unreadable
from search_index.documents import documents
from search_index.kept import BrowseFacets, BrowsePages
from search_index.merging import BULK, SMALL, merge_tiers
from search_index.schema import SCHEMA_VERSION, build_schema

POSITION_DOC = "__position__"
SEARCH_FIELDS = ["title", "body", "evidence", "quality_text", "names"]
FACETS = ("kind", "quality", "assessment", "year")
# Fields whose per-value document sets are cached per searcher (facets and filters).
CACHED_FIELDS = (*FACETS, "consent")
SNIPPET_FIELDS = ("body", "evidence", "title")
WRITE_LOCK_TIMEOUT = 30.0
IDLE_SEARCHERS = 4  # searchers of the newest commit kept open between searches
Generation = tuple[int, int | None]  # (epoch of the index, generation of its commit)


class _Searchers:
    """Searchers of the newest commit, one for each search running at the same time.

    A Whoosh searcher reads its files with seek and read, so two threads must not use one
    at once; a search leases a searcher of its own instead of holding a lock while its query
    runs, and a write (its commit) never waits for a search. Searches on the same commit share
    one generation key: the caches of document sets follow the commit, not the searcher.
    """

    def __init__(self, index: Any, epoch: int) -> None:
        self.index = index
        self.epoch = epoch  # a new index (reset) starts a new epoch
        self._lock = threading.Lock()
        self._idle: list[Searcher] = []
        self._closed = False

    @contextmanager
    def lease(self) -> Iterator[tuple[Searcher, Generation]]:
        """A searcher that sees the last commit, for this thread alone, and its generation."""
        searcher = None
        with self._lock:
            while self._idle:
                candidate = self._idle.pop()
                if candidate.up_to_date():
                    searcher = candidate
                    break
                # An older commit's: closed, not `refresh()`ed (that reuses segment readers
                # whose segment gained deletions since, and would still show them).
                candidate.close()
        if searcher is None:
            searcher = self.index.searcher()
        try:
            yield searcher, (self.epoch, searcher.reader().generation())
        finally:
            with self._lock:
                keep = not self._closed and len(self._idle) < IDLE_SEARCHERS
                if keep and searcher.up_to_date():
                    self._idle.append(searcher)
                else:
                    searcher.close()

    def close(self) -> None:
        """Close the idle searchers; leased ones are closed when they come back."""
        with self._lock:
            self._closed = True
            for searcher in self._idle:
                searcher.close()
            self._idle = []


class SearchIndex:
    """A Whoosh index under `WIJKARCHIEF_DATA/search-index`, kept as a view of the log."""

    name = "search"
    # Events per transaction when the follower rebuilds or catches up from far behind:
    # fewer commits, fewer merges (3k items: 539 ev/s at 5000, 372 at 500; committing
    # unmerged and merging once at the end measured slower, 356).
    bulk_page_size = 5000

    def __init__(self, settings: Settings) -> None:
        self.path = settings.index_dir
        self.schema = build_schema()
        self._lock = threading.RLock()  # the writer's: one page, purge or reset at a time
        self._facet_sets: tuple[Generation | None, dict[str, dict[str, frozenset[int]]]] = (
            None,
            {},
        )
        self._visible: tuple[Generation | None, dict[tuple[Any, ...], frozenset[int]]] = (None, {})
        self._segment_sets: dict[tuple[str, int, int], dict[str, dict[str, frozenset[int]]]] = {}
        self._segment_embargoes: dict[tuple[str, int, int, int], frozenset[int]] = {}
        self._browse = BrowseFacets()  # facet counts of searches without text
        self._pages = BrowsePages()  # whole answers of searches without text
        self.parser = MultifieldParser(SEARCH_FIELDS, self.schema, group=AndGroup)
        # No `field:value` syntax: readers search text; filters are parameters of their own.
        self.parser.remove_plugin_class(FieldsPlugin)
        self._epoch = 0
        self.index = self._open()
        self._searchers = _Searchers(self.index, self._epoch)

    # -- storage -----------------------------------------------------------

    def _open(self) -> Any:
        self.path.mkdir(parents=True, exist_ok=True)
        if whoosh_index.exists_in(str(self.path)):
            index = whoosh_index.open_dir(str(self.path))
            with index.searcher() as searcher:
                meta = searcher.document(docid=POSITION_DOC)
            if meta is None or meta.get("schema_version") == SCHEMA_VERSION:
                return index
            index.close()  # another schema version: start again, the follower rebuilds it
        return whoosh_index.create_in(str(self.path), self.schema)

    def close(self) -> None:
        """Release the searchers and the index."""
        with self._lock:
            self._searchers.close()
            self.index.close()

    # -- the view ------------------------------------------------------------

    def position(self) -> int:
        """The position of the last event the index has processed."""
        with self._searchers.lease() as (searcher, _):
            meta = searcher.document(docid=POSITION_DOC)
        return int(meta["position"]) if meta else 0

    def process(self, changes: Sequence[Change], states: ItemStates) -> None:
        """Re-index every item the page touched and record the page's position, atomically."""
        touched = states.touched(changes)
        with self._lock:
            writer = self.index.writer(timeout=WRITE_LOCK_TIMEOUT)
            try:
                for ref, item in touched.items():
                    writer.delete_by_term("ref", ref)
                    for doc in documents(item):
                        writer.add_document(**doc)
                writer.update_document(
                    docid=POSITION_DOC,
                    doctype="meta",
                    position=changes[-1].position,
                    schema_version=SCHEMA_VERSION,
                )
            except BaseException:
                writer.cancel()
                raise
            # Small segments only: a big merge would hold this commit for minutes.
            big_page = len(changes) >= self.bulk_page_size // 5
            writer.commit(mergetype=merge_tiers(BULK if big_page else SMALL))

    def reset(self) -> None:
        """Drop the whole index (position included)."""
        with self._lock:
            self.close()
            shutil.rmtree(self.path, ignore_errors=True)
            self._epoch += 1
            self.index = self._open()
            self._searchers = _Searchers(self.index, self._epoch)

    def purge(self) -> None:
        """Merge every segment so deleted documents leave no terms on disk (after erasure)."""
        with self._lock:
            writer = self.index.writer(timeout=WRITE_LOCK_TIMEOUT)
            writer.commit(optimize=True)

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
    ) -> dict[str, Any]:
        """Ranked hits with highlighted snippets, and facet counts over every match.

        `consents`: the consent scopes the reader may see. `today` (ISO day): hide items
        under an embargo that has not passed; None shows them (curators).
        """
        text = check_text(q or "")
        browsing = not text
        browsed = (tuple(consents), today, kind, quality, assessment, year)
        page_key = (*browsed, limit, offset)
        # No lock while the query runs: a searcher of its own (a commit never waits for it).
        with self._searchers.lease() as (searcher, generation):
            if browsing:
                kept = self._pages.get(generation, page_key)
                if kept is not None:
                    return kept
            query, budget = self._parse(text, searcher) if text else (Every(), None)
            # The filters as document sets: visibility cached per commit, the facet fields
            # from their cached value sets (the position document has no consent: never in).
            allowed = self._visible_docs(searcher, generation, tuple(consents), today)
            sets = self._value_sets(searcher, generation)
            wanted: list[frozenset[int]] = []
            if kind:
                wanted.append(sets["kind"].get(kind, frozenset()))
            if quality and assessment:
                term = Term("assessed", f"{quality}:{assessment}")
                wanted.append(frozenset(searcher.docs_for_query(term)))
            elif quality:
                wanted.append(sets["quality"].get(quality, frozenset()))
            elif assessment:
                wanted.append(sets["assessment"].get(assessment, frozenset()))
            if year is not None:
                wanted.append(sets["year"].get(str(year), frozenset()))
            for docs in sorted(wanted, key=len):
                allowed = allowed & docs
            if budget is None:
                matched = set(allowed)
            else:
                matched = _matching(searcher, query, budget) & allowed
            hits: list[dict[str, Any]] = []
            if matched:  # (an empty set would filter nothing)
                # Whoosh takes a `set` (not a frozenset) of document numbers as a filter.
                results = searcher.search(query, filter=matched, limit=offset + limit, terms=True)
                results.fragmenter = ContextFragmenter(maxchars=240, surround=60)
                results.formatter = HtmlFormatter(tagname="mark", classname="match", between=" … ")
                hinted = _quality_named(q)
                hits = [self._hit(hit, hinted) for hit in results[offset : offset + limit]]
            if browsing:  # the counts depend on the filters alone
                facets = self._browse.get(
                    generation, browsed, lambda: self._facets(searcher, generation, matched)
                )
            else:
                facets = self._facets(searcher, generation, matched)
            answer = {"total": len(matched), "hits": hits, "facets": facets}
            if browsing:
                self._pages.keep(generation, page_key, answer)
        return answer

    def _parse(self, text: str, searcher: Searcher) -> tuple[Query, Budget]:
        """The reader's text as a query, and the budget it has left once its terms are known.

        QueryRefused when Whoosh's parser cannot read the text (`NOT NOT a` fails inside it)
        or its wildcards and ranges stand for too many terms.
        """
        budget = Budget()
        try:
            query: Query | None = self.parser.parse(text)
        except Exception as error:  # the parser's own failures: any type, e.g. IndexError
            raise unreadable() from error
        if query is None:
            return NullQuery, budget
        reader = searcher.reader()
        for leaf in query.leaves():
            if isinstance(leaf, MultiTerm):  # prefixes, wildcards, ranges: expanded terms
                budget.check_time()
                terms = islice(leaf._btexts(reader), budget.terms + 1)
                budget.expand(sum(1 for _ in terms))
        budget.check_time()
        return query, budget

    @staticmethod
    def _hit(hit: Any, quality: str | None) -> dict[str, Any]:
        snippet = ""
        for field in SNIPPET_FIELDS:
            if hit.get(field):
                snippet = hit.highlights(field, top=2)
                if snippet:
                    break
        evidence = (hit.get("evidence_by_quality") or {}).get(quality or "")
        if not snippet and evidence:
            # The query named a quality: the evidence for it is the passage to cite.
            snippet = escape(_shorten(evidence))
        if not snippet:
            snippet = escape(_shorten(hit.get("body") or ""))
        return {
            "kind": hit["kind"],
            "id": hit["key"],
            "ref": hit["ref"],
            "happening": hit.get("happening"),
            "title": hit["title"],
            "date": hit.get("date"),
            "snippet": snippet,
            "score": round(float(hit.score or 0.0), 4),
        }

    def _facets(
        self, searcher: Searcher, generation: Generation, matched: set[int]
    ) -> dict[str, dict[str, int]]:
        sets = self._value_sets(searcher, generation)
        facets: dict[str, dict[str, int]] = {}
        for field in FACETS:
            counts = {value: len(docs & matched) for value, docs in sets[field].items()}
            ordered = sorted(
                ((v, c) for v, c in counts.items() if c), key=lambda pair: (-pair[1], pair[0])
            )
            facets[field] = dict(ordered)
        return facets

    def _visible_docs(
        self,
        searcher: Searcher,
        generation: Generation,
        consents: tuple[str, ...],
        today: str | None,
    ) -> frozenset[int]:
        """The documents a reader may see: in one of `consents`, embargo passed (cached)."""
        cached_for, visible = self._visible
        if cached_for != generation:
            visible = {}
            self._visible = (generation, visible)
        found = visible.get((consents, today))
        if found is None:
            by_consent = self._value_sets(searcher, generation)["consent"]
            found = frozenset().union(*(by_consent.get(c, frozenset()) for c in consents))
            if today is not None:
                found = found.difference(self._embargoed(searcher, today))
            if len(visible) > 64:  # one entry per (roles × days); keep it small
                visible.clear()
            visible[(consents, today)] = found
        return found

    def _embargoed(self, searcher: Searcher, today: str) -> frozenset[int]:
        """The documents under an embargo that has not lifted by `today` (cached per segment)."""
        after = int(today.replace("-", "")) + 1
        kept: dict[tuple[str, int, int, int], frozenset[int]] = {}
        parts: list[frozenset[int]] = []
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            key = (_segment_id(reader), reader.doc_count(), offset, after)
            docs = self._segment_embargoes.get(key)
            if docs is None:
                query = NumericRange("embargo", after, None)
                docs = frozenset(doc + offset for doc in leaf.docs_for_query(query))
            kept[key] = docs
            parts.append(docs)
        self._segment_embargoes = kept  # only the segments (and day) of the newest searcher
        return frozenset().union(*parts)

    def _value_sets(
        self, searcher: Searcher, generation: Generation
    ) -> dict[str, dict[str, frozenset[int]]]:
        """For each facet and filter field, the documents holding each value (cached).

        The union of per-segment sets, themselves cached by segment id, live document count
        (a deletion changes it; segments never get documents back) and offset in the
        searcher: after a commit only the new segment and the segments that lost documents
        are read again, not the whole index (~370 ms of posting iteration at 10,000 items).
        """
        cached_for, sets = self._facet_sets
        if cached_for == generation:
            return sets
        parts: dict[str, dict[str, list[frozenset[int]]]] = {f: {} for f in CACHED_FIELDS}
        segment_sets: dict[tuple[str, int, int], dict[str, dict[str, frozenset[int]]]] = {}
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            key = (_segment_id(reader), reader.doc_count(), offset)
            local = self._segment_sets.get(key)
            if local is None:
                local = {
                    field: {
                        str(value): frozenset(
                            doc + offset for doc in leaf.docs_for_query(Term(field, value))
                        )
                        for value in reader.field_terms(field)
                    }
                    for field in CACHED_FIELDS
                }
            segment_sets[key] = local
            for field, values in local.items():
                for value, docs in values.items():
                    parts[field].setdefault(value, []).append(docs)
        self._segment_sets = segment_sets  # only the segments of the newest searcher
        sets = {
            field: {value: frozenset().union(*docs) for value, docs in values.items()}
            for field, values in parts.items()
        }
        self._facet_sets = (generation, sets)
        return sets


def _segment_id(reader: Any) -> str:
    """The id of a leaf reader's segment ("" for the reader of an index without segments)."""
    segment = reader.segment()
    return "" if segment is None else str(segment.segment_id())


def _matching(searcher: Searcher, query: Query, budget: Budget) -> set[int]:
    """The documents matching `query`, segment by segment, within the budget's time."""
    matched: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        budget.check_time()
        matched.update(doc + offset for doc in leaf.docs_for_query(query))
    budget.check_time()
    return matched


def _quality_named(q: str) -> str | None:
    """The quality id when the whole query names one (`institutional flexibility`)."""
    try:
        return qualities.resolve(q.strip().strip('"')).id
    except UnknownQuality:
        return None


def _shorten(text: str, limit: int = 240) -> str:
    """The text cut at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
