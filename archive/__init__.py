"""The application layer: the event-sourced application, its read models and the command line."""

from __future__ import annotations

from archive.config import Settings
from archive.service import Archive


def open_archive(settings: Settings | None = None, *, follow: bool = True) -> Archive:
    """The archive with every read model it has (catalogue and search index)."""
    settings = settings or Settings.from_env()
    archive = Archive(settings, follow=follow)
    try:
        from search_index import open_search_index
    except ImportError:  # the search projection is optional while it is being built
        return archive
    # Opening creates the index on first use; processes of one host that start together
    # (`serve --workers N`) take turns, or Whoosh's table of contents collides.
    with archive._followers_lock():
        index = open_search_index(settings)  # the backend WIJKARCHIEF_SEARCH_BACKEND names
    archive.add_view(index)
    return archive
