"""The composition root: the one place that builds the archive with its read models.

The server, the command line and the projector all open the archive here, so which store,
which search backend and which views plug in is decided once (`Settings`, from the
environment). Layers, from the top: `entrypoints` (command line, server, remote client) →
`api` → `bootstrap` → `search_index` | `stories` → `archive` → `events`; no layer imports one
above it (checked by `make lint`).
"""

from __future__ import annotations

from archive.application import Wijkarchief
from archive.config import Settings
from archive.service import Archive, followers_lock
from search_index import open_search_index


def open_archive(settings: Settings | None = None, *, follow: bool = True) -> Archive:
    """The archive with every read model: the catalogue and the configured search view."""
    settings = settings or Settings.from_env()
    # Opening creates the index on first use; processes of one host that start together
    # (`serve --workers N`) take turns, or Whoosh's table of contents collides.
    with followers_lock(settings):
        search = open_search_index(settings)  # the backend WIJKARCHIEF_SEARCH_BACKEND names
    try:
        return Archive(settings, follow=follow, search=search)
    except BaseException:
        search.close()
        raise


def open_log(settings: Settings | None = None) -> Wijkarchief:
    """The event log and its keys, without read models: tokens, export, an item's history."""
    return Wijkarchief(settings or Settings.from_env())


__all__ = ["open_archive", "open_log"]
