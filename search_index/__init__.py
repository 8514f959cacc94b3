"""The search view: a Whoosh (default), tantivy or PostgreSQL index of the archive, following
the log.

`WIJKARCHIEF_SEARCH_BACKEND` chooses the backend: `whoosh` (the default, pure Python, embedded),
`tantivy` (the `tantivy` package; faster at 100k items) or `postgres` (tables beside a
PostgreSQL event store: no state per host; refused on SQLite). All implement
`archive.ports.SearchView` over the same core (`search_index.core`) and pass the same contract
test (`tests/contract/test_search_view.py`); Whoosh and tantivy keep their own directory under
`WIJKARCHIEF_DATA`.
"""

from __future__ import annotations

import os

from archive.config import Settings
from archive.ports import SearchView
from events.errors import InvalidInput

BACKEND_VARIABLE = "WIJKARCHIEF_SEARCH_BACKEND"
BACKENDS = ("whoosh", "tantivy", "postgres")


def search_backend() -> str:
    """The backend `WIJKARCHIEF_SEARCH_BACKEND` names (`whoosh` when unset or empty)."""
    backend = os.environ.get(BACKEND_VARIABLE, "").strip().lower() or "whoosh"
    if backend not in BACKENDS:
        raise InvalidInput(
            f"{BACKEND_VARIABLE} moet 'whoosh', 'tantivy' of 'postgres' zijn, niet {backend!r}.",
            field=BACKEND_VARIABLE,
        )
    return backend


def open_search_index(settings: Settings) -> SearchView:
    """The search view of the backend the environment chooses, opened on `settings`."""
    backend = search_backend()
    if backend == "postgres":
        from search_index.postgres import PostgresSearchView

        return PostgresSearchView(settings)  # InvalidInput on SQLite
    if backend == "tantivy":
        from search_index.tantivy import TantivySearchView

        return TantivySearchView(settings)
    from search_index.whoosh import WhooshSearchView

    return WhooshSearchView(settings)


__all__ = ["BACKENDS", "BACKEND_VARIABLE", "open_search_index", "search_backend"]
