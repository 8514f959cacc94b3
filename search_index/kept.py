"""Browsing answers kept for the searcher they were computed on, shared by both backends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Facets = dict[str, dict[str, int]]

# Filter combinations whose browsing facet counts are kept per searcher.
BROWSE_KEPT = 256


class _PerSearcher:
    """A bounded table of values computed on one searcher, emptied when the searcher changes
    (a commit gives a new searcher)."""

    def __init__(self, size: int = BROWSE_KEPT) -> None:
        self.size = size
        self._searcher: Any = None
        self._kept: dict[tuple[Any, ...], Any] = {}

    def _lookup(self, searcher: Any, key: tuple[Any, ...]) -> Any:
        if self._searcher != searcher:
            self._searcher, self._kept = searcher, {}
        return self._kept.get(key)

    def _store(self, key: tuple[Any, ...], value: Any) -> None:
        if len(self._kept) >= self.size:
            self._kept.clear()
        self._kept[key] = value


class BrowseFacets(_PerSearcher):
    """The facet counts of searches without text, per filters, for the current searcher.

    Browsing (an empty query) counts every visible document: ~70 ms at 100k items with
    tantivy. Those counts depend on the filters alone until the index changes, which gives
    a new searcher; then they are counted again.
    """

    def get(self, searcher: Any, key: tuple[Any, ...], count: Callable[[], Facets]) -> Facets:
        """The counts for `key` on `searcher` (a copy the caller may change)."""
        facets = self._lookup(searcher, key)
        if facets is None:
            facets = count()
            self._store(key, facets)
        return _copy_facets(facets)


Answer = dict[str, Any]


class BrowsePages(_PerSearcher):
    """Whole answers of searches without text (hits, total, facets), per filters and page,
    for the current searcher.

    A search without words (the search page as it opens, a facet clicked) gives the same
    answer until the index changes: at 100k items with tantivy the public one costs 22 ms
    (the visibility filter over 219k documents), a kept one a copy. The first browse after
    a commit computes it again.
    """

    def get(self, searcher: Any, key: tuple[Any, ...]) -> Answer | None:
        """The answer kept for `key` on `searcher` (a copy the caller may change), or None."""
        answer = self._lookup(searcher, key)
        return None if answer is None else _copy(answer)

    def keep(self, searcher: Any, key: tuple[Any, ...], answer: Answer) -> None:
        """Keep a copy of `answer` for `key` on `searcher`."""
        self._lookup(searcher, key)  # a new searcher starts a new table
        self._store(key, _copy(answer))


def _copy_facets(facets: Facets) -> Facets:
    return {field: dict(counts) for field, counts in facets.items()}


def _copy(answer: Answer) -> Answer:
    copied = dict(answer)
    copied["hits"] = [dict(hit) for hit in answer["hits"]]
    copied["facets"] = _copy_facets(answer["facets"])
    return copied
