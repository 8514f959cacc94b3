"""The application layer: the event-sourced application, its read models and the command line."""

from __future__ import annotations

from archive.config import Settings
from archive.service import Archive


def open_archive(settings: Settings | None = None, *, follow: bool = True) -> Archive:
    """The archive with every read model it has (catalogue and search index)."""
    settings = settings or Settings.from_env()
    archive = Archive(settings, follow=follow)
    try:
        from search_index import SearchIndex
    except ImportError:  # the search projection is optional while it is being built
        return archive
    archive.add_view(SearchIndex(settings))
    return archive
