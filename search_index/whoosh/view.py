"""The Whoosh search view: an index that follows the log, and the searches readers make.

The index keeps its tracked position as a document of its own (`docid=__position__`),
written in the same `commit()` as the page of changes it belongs to. Whoosh commits are
atomic renames of its table of contents, so after a `kill -9` the index is never ahead of or
behind its position: the next start resumes from there.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.qparser import AndGroup, FieldsPlugin, MultifieldParser
from whoosh.query import Every, MultiTerm, NullQuery, Query, Term
from whoosh.searching import Searcher

from archive.config import Settings
from archive.ports import Moment, SearchHit
from archive.projection import Change, ItemStates
from search_index.core.budget import Budget, unreadable
from search_index.core.documents import SCHEMA_VERSION, documents
from search_index.core.kept import Browsing
from search_index.core.request import SearchRequest
from search_index.core.shape import (
    POSITION_DOC,
    SEARCH_FIELDS,
    SNIPPET_CHARS,
    SNIPPET_FIELDS,
    WRITE_LOCK_TIMEOUT,
    fallback_snippet,
    make_hit,
    make_moment,
    marked,
    place_moments,
)
from search_index.core.spelling import Lexicon, answer_or_corrected, plain_words
from search_index.whoosh.merging import BULK, SMALL, merge_tiers
from search_index.whoosh.schema import build_schema
from search_index.whoosh.searchers import Generation, Searchers
from search_index.whoosh.sets import DocumentSets


class WhooshSearchView:
    """A Whoosh index under `WIJKARCHIEF_DATA/search-index`, kept as a view of the log."""

    name = "search"
    # Events per transaction when the follower rebuilds or catches up from far behind:
    # fewer commits, fewer merges (3k items: 539 ev/s at 5000, 372 at 500; committing
    # unmerged and merging once at the end measured slower, 356).
    bulk_page_size = 5000

    def __init__(self, settings: Settings) -> None:
        self.path: Path = settings.index_dir
        self.schema = build_schema()
        self._lock = threading.RLock()  # the writer's: one page, purge or reset at a time
        self._sets = DocumentSets()
        self._browsing = Browsing()  # answers and facet counts of searches without words
        self.parser = MultifieldParser(list(SEARCH_FIELDS), self.schema, group=AndGroup)
        # No `field:value` syntax: readers search text; filters are parameters of their own.
        self.parser.remove_plugin_class(FieldsPlugin)
        self._epoch = 0
        self.index = self._open()
        self._searchers = Searchers(self.index, self._epoch)

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
            self._searchers = Searchers(self.index, self._epoch)

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
        sort: str | None = None,
    ) -> dict[str, Any]:
        """Items with highlighted snippets and their matching moments, and facet counts of
        every matching item (see `archive.ports.SearchView.search`)."""
        request = SearchRequest.of(
            q, kind=kind, quality=quality, assessment=assessment, year=year, limit=limit,
            offset=offset, consents=consents, today=today, sort=sort,
        )  # fmt: skip
        # No lock while the query runs: a searcher of its own (a commit never waits for it).
        with self._searchers.lease() as (searcher, generation):
            kept = self._browsing.kept(generation, request)
            if kept is not None:
                return kept
            answer = answer_or_corrected(
                request.text,
                self._answer(searcher, generation, request),
                lambda: self._lexicon(searcher, generation, request),
                lambda text: self._answer(searcher, generation, request.corrected(text)),
            )
            return self._browsing.answered(generation, request, answer)

    def _answer(
        self, searcher: Searcher, generation: Generation, request: SearchRequest
    ) -> dict[str, Any]:
        """One page of item hits with their moments, the total and the facets."""
        text = request.text
        query, budget = self._parse(text, searcher) if text else (Every(), None)
        matched = self._matched(searcher, generation, request, query, budget)
        hits: list[SearchHit] = []
        focus = request.focus
        if matched:  # (an empty set would filter nothing)
            # Whoosh takes a `set` (not a frozenset) of document numbers as a filter.
            end = request.offset + request.limit
            by_date = "sortkey" if request.sort == "date" else None
            results = searcher.search(
                query, filter=matched, limit=end, terms=True, sortedby=by_date
            )
            _mark(results)
            words = plain_words(text)
            hits = [_hit(hit, focus, words, not by_date) for hit in results[request.offset : end]]
            place_moments(hits, self._moments(searcher, generation, request, query, hits))
        facets = self._browsing.counted(
            generation,
            request,
            lambda: self._sets.facets(searcher, generation, matched, focus),
        )
        return {"total": len(matched), "hits": hits, "facets": facets, "sort": request.sort}

    def _moments(
        self,
        searcher: Searcher,
        generation: Generation,
        request: SearchRequest,
        query: Query,
        hits: list[SearchHit],
    ) -> list[tuple[int, str, Moment]]:
        """The happenings of the page's items that match the words (and the year)."""
        if not hits or (request.browsing and request.year is None):
            return []
        sets = self._sets.values(searcher, generation)
        docs: set[int] = set()
        for hit in hits:
            docs.update(searcher.docs_for_query(Term("ref", hit["ref"])))
        docs &= sets["doctype"].get("happening", frozenset())
        if request.year is not None:
            docs &= sets["year"].get(str(request.year), frozenset())
        if not docs:
            return []
        results = searcher.search(query, filter=docs, limit=None, terms=True)
        _mark(results)
        words = plain_words(request.text)
        found = []
        for hit in results:
            snippet = hit.highlights("body", top=2) if hit.get("body") else ""
            snippet = snippet or marked(hit.get("body") or "", words)
            found.append((hit["sortdate"], hit["ref"], make_moment(hit, snippet)))
        return found

    def _matched(
        self,
        searcher: Searcher,
        generation: Any,
        request: SearchRequest,
        query: Query,
        budget: Budget | None,
    ) -> set[int]:
        """The items the reader may see that pass the filters and match the query."""
        # The filters as document sets: visibility cached per commit, the facet fields
        # from their cached value sets (the position document has no consent: never in).
        allowed = self._sets.visible(searcher, generation, request.consents, request.today)
        sets = self._sets.values(searcher, generation)
        wanted: list[frozenset[int]] = [sets["doctype"].get("item", frozenset())]
        if request.kind:
            wanted.append(sets["kind"].get(request.kind, frozenset()))
        if request.assessed:
            wanted.append(sets["assessed"].get(request.assessed, frozenset()))
        elif request.assessment:
            wanted.append(sets["assessment"].get(request.assessment, frozenset()))
        if request.quality:
            wanted.append(sets["quality"].get(request.quality, frozenset()))
        if request.year is not None:
            wanted.append(sets["year"].get(str(request.year), frozenset()))
        for docs in sorted(wanted, key=len):
            allowed = allowed & docs
        if budget is None:
            return set(allowed)
        return _matching(searcher, query, budget) & allowed

    def _lexicon(
        self, searcher: Searcher, generation: Generation, request: SearchRequest
    ) -> Lexicon:
        """The index's words as the spelling tolerance asks about them, for this reader."""
        reader = searcher.reader()
        items = self._sets.visible(searcher, generation, request.consents, request.today)
        items = items & self._sets.values(searcher, generation)["doctype"].get("item", frozenset())

        def known(word: str) -> bool:
            # In an item the reader may read: a word only hidden items hold is as unknown to
            # them as a word in no item (corrected alike), so no answer tells it exists.
            tokens = [t.text for t in self.schema["body"].analyzer(word, mode="query")]
            return not tokens or all(
                any(
                    reader.doc_frequency(field, token)
                    and items.intersection(searcher.docs_for_query(Term(field, token)))
                    for field in SEARCH_FIELDS
                )
                for token in tokens
            )

        def starting(prefix: str) -> Iterable[str]:
            # (Whoosh gives a field's terms as bytes)
            return (term.decode() for term in reader.expand_prefix("spelling", prefix))

        def readable(term: str) -> bool:
            return bool(items.intersection(searcher.docs_for_query(Term("spelling", term))))

        return Lexicon(known, starting, readable)

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


def _mark(results: Any) -> None:
    """Highlight matches as `<mark class="match termN">`, in fragments of SNIPPET_CHARS."""
    results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
    results.formatter = HtmlFormatter(tagname="mark", classname="match", between=" … ")


def _hit(hit: Any, focus: str | None, words: list[str], scored: bool) -> SearchHit:
    """A Whoosh hit as the view answers it: the first matched field's highlights (a hit
    sorted by date has no score: Whoosh's `score` is then its sort key)."""
    snippet = ""
    for field in SNIPPET_FIELDS:
        if hit.get(field):
            snippet = hit.highlights(field, top=2)
            if snippet:
                break
    return make_hit(
        hit, snippet or fallback_snippet(hit, focus, words), hit.score if scored else 0.0, focus
    )


def _matching(searcher: Searcher, query: Query, budget: Budget) -> set[int]:
    """The documents matching `query`, segment by segment, within the budget's time."""
    matched: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        budget.check_time()
        matched.update(doc + offset for doc in leaf.docs_for_query(query))
    budget.check_time()
    return matched
