"""The PostgreSQL backend of the search view (`WIJKARCHIEF_SEARCH_BACKEND=postgres`)."""

from __future__ import annotations

from search_index.postgres.view import PostgresSearchView, refuse_sqlite

__all__ = ["PostgresSearchView", "refuse_sqlite"]
