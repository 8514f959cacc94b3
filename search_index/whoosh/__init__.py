"""The Whoosh backend of the search view (pure Python, embedded; the default)."""

from __future__ import annotations

from search_index.whoosh.view import WhooshSearchView

__all__ = ["WhooshSearchView"]
