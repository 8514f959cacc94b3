"""Document sets of a Whoosh index, cached per commit: facet values, visibility, facet counts.

Facet counts come from per-value document sets, cached for as long as the commit is the
newest, intersected with the set of matching documents (`groupedby` recomputes them for
every query and is 25-70× slower here). The sets are the union of per-segment sets, cached
by segment: after a commit only the new segment and the segments that lost documents are
read again.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from whoosh.query import NumericRange, Term
from whoosh.searching import Searcher

from search_index.core.shape import FACETS, Facets, focused, ordered_counts
from search_index.whoosh.searchers import Generation

# Fields whose per-value document sets are cached per searcher (facets and filters).
CACHED_FIELDS = (*FACETS, "consent", "doctype", "assessed")
VISIBLE_KEPT = 64  # (consent scopes, day) combinations kept per commit

ValueSets = dict[str, dict[str, frozenset[int]]]  # field → value → documents


class DocumentSets:
    """The documents holding each facet or filter value, and those each reader may see."""

    def __init__(self) -> None:
        self._values: tuple[Generation | None, ValueSets] = (None, {})
        self._visible: tuple[Generation | None, dict[tuple[Any, ...], frozenset[int]]] = (None, {})
        self._segment_sets: dict[tuple[str, int, int], ValueSets] = {}
        self._segment_embargoes: dict[tuple[str, int, int, int], frozenset[int]] = {}

    def facets(
        self,
        searcher: Searcher,
        generation: Generation,
        matched: Set[int],
        focus: str | None = None,
    ) -> Facets:
        """How many of `matched` hold each value of each facet; with a quality in `focus`,
        the assessments are that quality's."""
        sets = self.values(searcher, generation)
        counts = {
            field: ordered_counts((value, len(docs & matched)) for value, docs in values.items())
            for field, values in ((f, sets[f]) for f in FACETS)
        }
        if focus:
            assessed = {value: len(docs & matched) for value, docs in sets["assessed"].items()}
            counts["assessment"] = focused(assessed, focus)
        return counts

    def visible(
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
            by_consent = self.values(searcher, generation)["consent"]
            found = frozenset[int]().union(*(by_consent.get(c, frozenset()) for c in consents))
            if today is not None:
                found = found.difference(self._embargoed(searcher, today))
            if len(visible) > VISIBLE_KEPT:  # one entry per (roles × days); keep it small
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
        return frozenset[int]().union(*parts)

    def values(self, searcher: Searcher, generation: Generation) -> ValueSets:
        """For each facet and filter field, the documents holding each value (cached).

        The union of per-segment sets, themselves cached by segment id, live document count
        (a deletion changes it; segments never get documents back) and offset in the
        searcher: after a commit only the new segment and the segments that lost documents
        are read again, not the whole index (~370 ms of posting iteration at 10,000 items).
        """
        cached_for, sets = self._values
        if cached_for == generation:
            return sets
        parts: dict[str, dict[str, list[frozenset[int]]]] = {f: {} for f in CACHED_FIELDS}
        segment_sets: dict[tuple[str, int, int], ValueSets] = {}
        for leaf, offset in searcher.leaf_searchers():
            reader = leaf.reader()
            key = (_segment_id(reader), reader.doc_count(), offset)
            local = self._segment_sets.get(key)
            if local is None:
                local = _segment_values(leaf, reader, offset)
            segment_sets[key] = local
            for field, values in local.items():
                for value, docs in values.items():
                    parts[field].setdefault(value, []).append(docs)
        self._segment_sets = segment_sets  # only the segments of the newest searcher
        sets = {
            field: {value: frozenset[int]().union(*docs) for value, docs in values.items()}
            for field, values in parts.items()
        }
        self._values = (generation, sets)
        return sets


def _segment_values(leaf: Searcher, reader: Any, offset: int) -> ValueSets:
    """One segment's documents for each value of each cached field, numbered in the searcher."""
    return {
        field: {
            str(value): frozenset(doc + offset for doc in leaf.docs_for_query(Term(field, value)))
            for value in reader.field_terms(field)
        }
        for field in CACHED_FIELDS
    }


def _segment_id(reader: Any) -> str:
    """The id of a leaf reader's segment ("" for the reader of an index without segments)."""
    segment = reader.segment()
    return "" if segment is None else str(segment.segment_id())
