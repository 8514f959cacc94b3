"""The search projection: a Whoosh index of the archive, following the event log."""

from search_index.index import SearchIndex

__all__ = ["SearchIndex"]
