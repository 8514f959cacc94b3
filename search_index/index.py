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
from collections.abc import Sequence
from html import escape
from typing import Any

from whoosh import index as whoosh_index
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.qparser import AndGroup, FieldsPlugin, MultifieldParser
from whoosh.query import Every, NullQuery, NumericRange, Query, Term
from whoosh.searching import Searcher

from archive.config import Settings
from archive.projection import Change, ItemStates
from events import qualities
from events.errors import UnknownQuality
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
        self._lock = threading.RLock()
        self._searcher: Searcher | None = None
        self._facet_sets: tuple[Searcher | None, dict[str, dict[str, frozenset[int]]]] = (None, {})
        self._visible: tuple[Searcher | None, dict[tuple[Any, ...], frozenset[int]]] = (None, {})
        self._segment_sets: dict[tuple[str, int, int], dict[str, dict[str, frozenset[int]]]] = {}
        self._segment_embargoes: dict[tuple[str, int, int, int], frozenset[int]] = {}
        self._browse = BrowseFacets()  # facet counts of searches without text
        self._pages = BrowsePages()  # whole answers of searches without text
        self.parser = MultifieldParser(SEARCH_FIELDS, self.schema, group=AndGroup)
        # No `field:value` syntax: readers search text; filters are parameters of their own.
        self.parser.remove_plugin_class(FieldsPlugin)
        self.index = self._open()

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

    def _current(self) -> Searcher:
        """A searcher that sees the last commit (refreshed only when the index changed)."""
        with self._lock:
            if self._searcher is not None and not self._searcher.up_to_date():
                # Not `refresh()`: it reuses segment readers whose segment gained deletions
                # since, and would still show the documents deleted in between.
                self._searcher.close()
                self._searcher = None
            if self._searcher is None:
                self._searcher = self.index.searcher()
            return self._searcher

    def close(self) -> None:
        """Release the searcher and the index."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self.index.close()

    # -- the view ------------------------------------------------------------

    def position(self) -> int:
        """The position of the last event the index has processed."""
        with self._lock:  # another thread may replace (close) the shared searcher meanwhile
            meta = self._current().document(docid=POSITION_DOC)
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
            self.index = self._open()

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
        query = self._parse(q)
        browsed = (tuple(consents), today, kind, quality, assessment, year)
        page_key = (*browsed, limit, offset)
        with self._lock:
            searcher = self._current()
            if isinstance(query, Every):
                kept = self._pages.get(searcher, page_key)
                if kept is not None:
                    return kept
            # The filters as document sets: visibility cached per searcher, the facet fields
            # from their cached value sets (the position document has no consent: never in).
            allowed = self._visible_docs(searcher, tuple(consents), today)
            sets = self._value_sets(searcher)
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
            if isinstance(query, Every):
                matched = set(allowed)
            else:
                matched = set(searcher.docs_for_query(query)) & allowed
            hits: list[dict[str, Any]] = []
            if matched:  # (an empty set would filter nothing)
                # Whoosh takes a `set` (not a frozenset) of document numbers as a filter.
                results = searcher.search(query, filter=matched, limit=offset + limit, terms=True)
                results.fragmenter = ContextFragmenter(maxchars=240, surround=60)
                results.formatter = HtmlFormatter(tagname="mark", classname="match", between=" … ")
                hinted = _quality_named(q)
                hits = [self._hit(hit, hinted) for hit in results[offset : offset + limit]]
            if isinstance(query, Every):  # browsing: the counts depend on the filters alone
                facets = self._browse.get(
                    searcher, browsed, lambda: self._facets(searcher, matched)
                )
            else:
                facets = self._facets(searcher, matched)
            answer = {"total": len(matched), "hits": hits, "facets": facets}
            if isinstance(query, Every):
                self._pages.keep(searcher, page_key, answer)
        return answer

    def _parse(self, q: str) -> Query:
        text = (q or "").strip()
        if not text:
            return Every()
        query: Query = self.parser.parse(text)
        return NullQuery if query is None else query

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

    def _facets(self, searcher: Searcher, matched: set[int]) -> dict[str, dict[str, int]]:
        sets = self._value_sets(searcher)
        facets: dict[str, dict[str, int]] = {}
        for field in FACETS:
            counts = {value: len(docs & matched) for value, docs in sets[field].items()}
            ordered = sorted(
                ((v, c) for v, c in counts.items() if c), key=lambda pair: (-pair[1], pair[0])
            )
            facets[field] = dict(ordered)
        return facets

    def _visible_docs(
        self, searcher: Searcher, consents: tuple[str, ...], today: str | None
    ) -> frozenset[int]:
        """The documents a reader may see: in one of `consents`, embargo passed (cached)."""
        cached_for, visible = self._visible
        if cached_for is not searcher:
            visible = {}
            self._visible = (searcher, visible)
        found = visible.get((consents, today))
        if found is None:
            by_consent = self._value_sets(searcher)["consent"]
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
            key = (reader.segment().segment_id(), reader.doc_count(), offset, after)
            docs = self._segment_embargoes.get(key)
            if docs is None:
                query = NumericRange("embargo", after, None)
                docs = frozenset(doc + offset for doc in leaf.docs_for_query(query))
            kept[key] = docs
            parts.append(docs)
        self._segment_embargoes = kept  # only the segments (and day) of the newest searcher
        return frozenset().union(*parts)

    def _value_sets(self, searcher: Searcher) -> dict[str, dict[str, frozenset[int]]]:
        """For each facet and filter field, the documents holding each value (cached).

        The union of per-segment sets, themselves cached by segment id, live document count
        (a deletion changes it; segments never get documents back) and offset in the
        searcher: after a commit only the new segment and the segments that lost documents
        are read again, not the whole index (~370 ms of posting iteration at 10,000 items).
        """
        cached_for, sets = self._facet_sets
        if cached_for is searcher:
            return sets
        parts: dict[str, dict[str, list[frozenset[int]]]] = {f: {} for f in CACHED_FIELDS}
        segment_sets: dict[tuple[str, int, int], dict[str, dict[str, frozenset[int]]]] = {}
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            key = (reader.segment().segment_id(), reader.doc_count(), offset)
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
        self._facet_sets = (searcher, sets)
        return sets


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
