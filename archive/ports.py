"""The ports of the archive: what a read model, and the search view, must offer.

The application (`archive.service.Archive`) talks to its read models only through these
Protocols; the composition root (`entrypoints.bootstrap`) decides which implementations plug in:
the catalogue (`archive.catalogue`), the search view of the configured backend
(`search_index.whoosh`, `search_index.tantivy`). A new backend implements `SearchView` and
passes `tests/contract/test_search_view.py`, which runs the same cases on every one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, runtime_checkable

if TYPE_CHECKING:
    from archive.projection import Change, ItemStates


@runtime_checkable
class View(Protocol):
    """A read model that follows the log with its own tracked position."""

    # A view may also say how many events a page should hold when it is far behind (a bulk
    # load or a rebuild): `bulk_page_size: int`; without it the followers' default applies.
    name: str

    def position(self) -> int:
        """The position of the last event this view has processed (0: none)."""
        ...

    def process(self, changes: Sequence[Change], states: ItemStates) -> None:
        """Apply a page of changes and record the last position, atomically."""
        ...

    def reset(self) -> None:
        """Drop everything, position included."""
        ...

    def purge(self) -> None:
        """Leave no old copy of erased words on disk (after an erasure)."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...


class SearchHit(TypedDict):
    """One hit of a search: an item, or a dated moment of one."""

    kind: str
    id: str
    ref: str
    happening: str | None
    title: str
    date: str | None
    snippet: str
    score: float


class SearchAnswer(TypedDict):
    """A page of hits, how many matched, and facet counts over every match."""

    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]


@runtime_checkable
class SearchView(View, Protocol):
    """The search projection: Dutch full-text search with facets, filtered per reader."""

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
        """Ranked hits with snippets and facet counts, as `SearchAnswer` (and more fields).

        `consents`: the consent scopes the reader may see. `today` (ISO day): hide items under
        an embargo that has not passed; None shows them (curators).
        """
        ...
