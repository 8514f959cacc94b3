"""One search as every backend receives it: the checked text, the filters and the page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from search_index.core.budget import check_text

BrowseKey = tuple[object, ...]


@dataclass(frozen=True)
class SearchRequest:
    """The arguments of `SearchView.search`, the text checked against the budget's limits."""

    text: str
    kind: str | None
    quality: str | None
    assessment: str | None
    year: int | None
    limit: int
    offset: int
    consents: tuple[str, ...]
    today: str | None

    @classmethod
    def of(
        cls,
        q: str,
        *,
        kind: str | None,
        quality: str | None,
        assessment: str | None,
        year: int | None,
        limit: int,
        offset: int,
        consents: Sequence[str],
        today: str | None,
    ) -> SearchRequest:
        """The request; QueryRefused when the text is too long or starts with a wildcard."""
        return cls(
            check_text(q or ""), kind, quality, assessment, year, limit, offset,
            tuple(consents), today,
        )  # fmt: skip

    @property
    def browsing(self) -> bool:
        """A search without words: its answer depends on the filters and page alone."""
        return not self.text

    @property
    def filters(self) -> BrowseKey:
        """What a browse's facet counts depend on."""
        return (self.consents, self.today, self.kind, self.quality, self.assessment, self.year)

    @property
    def page(self) -> BrowseKey:
        """What a browse's whole answer depends on."""
        return (*self.filters, self.limit, self.offset)
