"""The search projection: a Whoosh (default) or tantivy index of the archive, following the log.

`WIJKARCHIEF_SEARCH_BACKEND` chooses the backend: `whoosh` (the default, pure Python, embedded)
or `tantivy` (the `tantivy` package; faster at 100k items). Both are the same view with the
same searches; each keeps its own directory under `WIJKARCHIEF_DATA`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from archive.config import Settings
from events.errors import InvalidInput
from search_index.index import SearchIndex

if TYPE_CHECKING:
    from search_index.tantivy_index import TantivyIndex

BACKEND_VARIABLE = "WIJKARCHIEF_SEARCH_BACKEND"
BACKENDS = ("whoosh", "tantivy")


def search_backend() -> str:
    """The backend `WIJKARCHIEF_SEARCH_BACKEND` names (`whoosh` when unset or empty)."""
    backend = os.environ.get(BACKEND_VARIABLE, "").strip().lower() or "whoosh"
    if backend not in BACKENDS:
        raise InvalidInput(
            f"{BACKEND_VARIABLE} moet 'whoosh' of 'tantivy' zijn, niet {backend!r}.",
            field=BACKEND_VARIABLE,
        )
    return backend


def open_search_index(settings: Settings) -> SearchIndex | TantivyIndex:
    """The search index of the backend the environment chooses, opened on `settings`."""
    if search_backend() == "tantivy":
        from search_index.tantivy_index import TantivyIndex

        return TantivyIndex(settings)
    return SearchIndex(settings)


__all__ = ["BACKENDS", "SearchIndex", "open_search_index", "search_backend"]
