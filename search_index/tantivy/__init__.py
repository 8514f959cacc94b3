"""The tantivy backend of the search view (`WIJKARCHIEF_SEARCH_BACKEND=tantivy`)."""

from __future__ import annotations

from search_index.tantivy.schema import DIRECTORY, stored_documents, stored_position
from search_index.tantivy.view import TantivySearchView

__all__ = ["DIRECTORY", "TantivySearchView", "stored_documents", "stored_position"]
