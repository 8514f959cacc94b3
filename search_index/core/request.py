"""One search as every backend receives it: the checked text, the filters, the order and page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from events.errors import InvalidInput
from search_index.core.budget import check_text
from search_index.core.shape import SORTS, quality_named

BrowseKey = tuple[object, ...]


def check_sort(sort: str | None, *, browsing: bool) -> str:
    """`relevance` or `date`; None: relevance for words, date for browsing."""
    if not sort:
        return "date" if browsing else "relevance"
    if sort not in SORTS:
        raise InvalidInput(
            f"Onbekende volgorde {sort!r}: kies relevance (relevantie) of date (datum).",
            field="sort",
        )
    return sort


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
    sort: str = "relevance"

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
        sort: str | None = None,
    ) -> SearchRequest:
        """The request; QueryRefused when the text is too long or starts with a wildcard."""
        text = check_text(q or "")
        return cls(
            text, kind, quality, assessment, year, limit, offset, tuple(consents), today,
            check_sort(sort, browsing=not text),
        )  # fmt: skip

    def corrected(self, text: str) -> SearchRequest:
        """The same search with other words (a misspelled word corrected)."""
        return replace(self, text=text)

    @property
    def browsing(self) -> bool:
        """A search without words: its answer depends on the filters and page alone."""
        return not self.text

    @property
    def focus(self) -> str | None:
        """The quality asked about: `quality`, else the one the words name."""
        return self.quality or (quality_named(self.text) if self.text else None)

    @property
    def assessed(self) -> str | None:
        """The `quality:grade` the assessment filter asks for (None: no such filter)."""
        focus = self.focus
        return f"{focus}:{self.assessment}" if focus and self.assessment else None

    @property
    def filters(self) -> BrowseKey:
        """What a browse's facet counts depend on."""
        return (self.consents, self.today, self.kind, self.quality, self.assessment, self.year)

    @property
    def page(self) -> BrowseKey:
        """What a browse's whole answer depends on."""
        return (*self.filters, self.sort, self.limit, self.offset)
