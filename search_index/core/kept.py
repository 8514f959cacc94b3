"""Browsing answers kept for the searcher they were computed on, shared by every backend."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from search_index.core.request import BrowseKey, SearchRequest
from search_index.core.shape import Facets

# Filter combinations whose browsing facet counts (or pages) are kept per searcher.
BROWSE_KEPT = 256

Answer = dict[str, Any]


class _PerSearcher:
    """A bounded table of values computed on one searcher, emptied when the searcher changes
    (a commit gives a new searcher)."""

    def __init__(self, size: int = BROWSE_KEPT) -> None:
        self.size = size
        self._searcher: Hashable = None
        self._kept: dict[BrowseKey, Any] = {}

    def _lookup(self, searcher: Hashable, key: BrowseKey) -> Any:
        if self._searcher != searcher:
            self._searcher, self._kept = searcher, {}
        return self._kept.get(key)

    def _store(self, key: BrowseKey, value: Any) -> None:
        if len(self._kept) >= self.size:
            self._kept.clear()
        self._kept[key] = value


class BrowseFacets(_PerSearcher):
    """The facet counts of searches without text, per filters, for the current searcher.

    Browsing (an empty query) counts every visible document: ~70 ms at 100k items with
    tantivy. Those counts depend on the filters alone until the index changes, which gives
    a new searcher; then they are counted again.
    """

    def get(self, searcher: Hashable, key: BrowseKey, count: Callable[[], Facets]) -> Facets:
        """The counts for `key` on `searcher` (a copy the caller may change)."""
        facets: Facets | None = self._lookup(searcher, key)
        if facets is None:
            facets = count()
            self._store(key, facets)
        return _copy_facets(facets)


class BrowsePages(_PerSearcher):
    """Whole answers of searches without text (hits, total, facets), per filters and page,
    for the current searcher.

    A search without words (the search page as it opens, a facet clicked) gives the same
    answer until the index changes: at 100k items with tantivy the public one costs 22 ms
    (the visibility filter over 219k documents), a kept one a copy. The first browse after
    a commit computes it again.
    """

    def get(self, searcher: Hashable, key: BrowseKey) -> Answer | None:
        """The answer kept for `key` on `searcher` (a copy the caller may change), or None."""
        answer: Answer | None = self._lookup(searcher, key)
        return None if answer is None else _copy(answer)

    def keep(self, searcher: Hashable, key: BrowseKey, answer: Answer) -> None:
        """Keep a copy of `answer` for `key` on `searcher`."""
        self._lookup(searcher, key)  # a new searcher starts a new table
        self._store(key, _copy(answer))


class Browsing:
    """What a backend keeps of its searches without words, per searcher: facets and pages."""

    def __init__(self) -> None:
        self.facets = BrowseFacets()
        self.pages = BrowsePages()

    def kept(self, searcher: Hashable, request: SearchRequest) -> Answer | None:
        """The whole answer kept for a browse on `searcher`; None for a search with words."""
        return self.pages.get(searcher, request.page) if request.browsing else None

    def kept_facets(self, searcher: Hashable, request: SearchRequest) -> Facets | None:
        """The facet counts kept for a browse's filters on `searcher` (a copy), or None: not
        kept yet, or a search with words (whose counts are never kept)."""
        if not request.browsing:
            return None
        facets: Facets | None = self.facets._lookup(searcher, request.filters)
        return None if facets is None else _copy_facets(facets)

    def counted(
        self, searcher: Hashable, request: SearchRequest, count: Callable[[], Facets]
    ) -> Facets:
        """The facet counts: kept per filters for a browse, counted for a search with words."""
        if request.browsing:
            return self.facets.get(searcher, request.filters, count)
        return count()

    def answered(self, searcher: Hashable, request: SearchRequest, answer: Answer) -> Answer:
        """The answer, kept first when it is a browse's."""
        if request.browsing:
            self.pages.keep(searcher, request.page, answer)
        return answer

    def drop_pages(self) -> None:
        """Forget the kept pages (a benchmark measures the computed answer)."""
        self.pages = BrowsePages()


def _copy_facets(facets: Facets) -> Facets:
    return {field: dict(counts) for field, counts in facets.items()}


def _copy(answer: Answer) -> Answer:
    copied = dict(answer)
    copied["hits"] = [dict(hit) for hit in answer["hits"]]
    copied["facets"] = _copy_facets(answer["facets"])
    return copied
