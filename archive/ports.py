"""The ports of the archive: what a read model, and the search view, must offer.

The application (`archive.service.Archive`) talks to its read models only through these
Protocols; the composition root (`entrypoints.bootstrap`) decides which implementations plug in:
the catalogue (`archive.catalogue`), the search view of the configured backend
(`search_index.whoosh`, `search_index.tantivy`). A new backend implements `SearchView` and
passes `tests/contract/test_search_view.py`, which runs the same cases on every one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, runtime_checkable

if TYPE_CHECKING:
    from archive.projection import Change, ItemStates


@runtime_checkable
class View(Protocol):
    """A read model that follows the log with its own tracked position."""

    # A view may also say how many events a page should hold when it is far behind (a bulk
    # load or a rebuild): `bulk_page_size: int`; without it the followers' default applies.
    # A view kept in the shared database (the catalogue on PostgreSQL) says `shared = True`:
    # on several hosts one projector at a time writes it (`archive.leader`); without the
    # attribute a view is this host's own (a local search index) and every host writes it.
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


class Moment(TypedDict):
    """A dated moment (happening) of an item that matched the words (and the year)."""

    happening: str
    date: str | None
    title: str
    snippet: str


class Assessed(TypedDict):
    """How an item was assessed on the quality asked, on one framework element."""

    quality: str
    element: str | None
    assessment: str
    evidence: str | None
    source: str | None


class SearchHit(TypedDict):
    """One hit of a search: an item, its matching moments inside it."""

    kind: str
    id: str
    ref: str
    happening: str | None  # always None: a hit is an item (kept for older clients)
    title: str
    date: str | None
    snippet: str
    score: float
    assessed: list[Assessed]  # on the quality the words or `quality` name; else empty
    moments: list[Moment]


class SearchAnswer(TypedDict):
    """A page of hits (items), how many items matched, and facet counts of items."""

    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    sort: str  # relevance | date
    suggestion: str | None  # "bedoelde u …?": the words with a misspelled one corrected
    corrected: bool  # the hits are those of `suggestion` (the words as typed found nothing)


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
        sort: str | None = None,
    ) -> dict[str, Any]:
        """Items with snippets and matching moments, and facet counts, as `SearchAnswer`.

        `assessment` filters the assessment of the quality `quality` names, else of the
        quality the words of `q` name, else any assessment. `sort`: `relevance` or `date`
        (oldest first); None: relevance with words, date without. `consents`: the consent
        scopes the reader may see. `today` (ISO day): hide items under an embargo that has
        not passed; None shows them (curators).
        """
        ...


class BlobMissing(KeyError):
    """A blob the store does not hold (never stored, or deleted with an erased item)."""


@runtime_checkable
class BlobStore(Protocol):
    """Content-addressed bytes beside the log: the sealed files of items (archive/files.py).

    A blob's address is the SHA-256 (hex) of the bytes stored, computed by the store as they
    stream in, so any copy can be checked without a key. The archive only ever stores sealed
    bytes here. Implementations: `archive.blobs.DirectoryBlobStore` (files under the data
    directory, the embedded default) and `archive.blobs.PostgresBlobStore` (a table beside
    the event store, shared by every worker and host); both pass
    `tests/contract/test_blob_store.py`.
    """

    name: str

    def put(self, chunks: Iterable[bytes]) -> str:
        """Store the bytes (streamed, never held whole); return their address."""
        ...

    def get(self, address: str) -> bytes:
        """All the bytes of a blob (small blobs: thumbnails); `BlobMissing` if absent."""
        ...

    def stream(self, address: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes `start` up to (not including) `end` of a blob, in pieces; `BlobMissing`
        (raised before the first piece) if absent."""
        ...

    def size(self, address: str) -> int:
        """How many bytes the blob holds; `BlobMissing` if absent."""
        ...

    def exists(self, address: str) -> bool:
        """True when the store holds the blob."""
        ...

    def delete(self, address: str) -> bool:
        """Remove the blob for good; True when there was one."""
        ...

    def addresses(self) -> Iterator[str]:
        """Every address held (export, checks)."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...
