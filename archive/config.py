"""Settings from the environment: where the data lives and which store to use.

- `WIJKARCHIEF_DATA` (default `./var`): the SQLite event store `events.sqlite`, the
  catalogue read model `catalogue.sqlite` and the search index `search-index/`.
- `WIJKARCHIEF_DATABASE_URL=postgresql://USER[:PASSWORD]@HOST:PORT/DB`: the event store
  (and the catalogue read model) on PostgreSQL instead. `WIJKARCHIEF_DATABASE_SCHEMA`
  puts the tables in a schema of their own (the tests use one schema per test).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from events.errors import InvalidInput


@dataclass(frozen=True)
class Settings:
    """Where the archive keeps its data."""

    data_dir: Path
    database_url: str | None = None
    database_schema: str = ""

    @classmethod
    def from_env(cls) -> Settings:
        """Read `WIJKARCHIEF_DATA`, `WIJKARCHIEF_DATABASE_URL`, `WIJKARCHIEF_DATABASE_SCHEMA`."""
        return cls(
            data_dir=Path(os.environ.get("WIJKARCHIEF_DATA", "var")),
            database_url=os.environ.get("WIJKARCHIEF_DATABASE_URL") or None,
            database_schema=os.environ.get("WIJKARCHIEF_DATABASE_SCHEMA", ""),
        )

    @property
    def uses_postgres(self) -> bool:
        """True when the event store is PostgreSQL."""
        return self.database_url is not None

    @property
    def events_path(self) -> Path:
        """The SQLite event store."""
        return self.data_dir / "events.sqlite"

    @property
    def catalogue_path(self) -> Path:
        """The SQLite catalogue read model (its own file: SQLite table names are fixed)."""
        return self.data_dir / "catalogue.sqlite"

    @property
    def index_dir(self) -> Path:
        """The Whoosh search index."""
        return self.data_dir / "search-index"

    def postgres(self) -> dict[str, str]:
        """Connection parameters parsed from the database URL."""
        assert self.database_url is not None
        parts = urlsplit(self.database_url)
        if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
            raise InvalidInput(
                "WIJKARCHIEF_DATABASE_URL moet de vorm postgresql://USER@HOST:PORT/DB hebben."
            )
        return {
            "dbname": parts.path.strip("/"),
            "host": parts.hostname or "127.0.0.1",
            "port": str(parts.port or 5432),
            "user": unquote(parts.username or "postgres"),
            # eventsourcing wants a password even with trust authentication.
            "password": unquote(parts.password or "trust"),
        }

    def pg_conninfo(self) -> str:
        """A libpq connection string for direct psycopg connections."""
        from psycopg.conninfo import make_conninfo

        pg = self.postgres()
        return make_conninfo(
            dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=pg["user"],
            password=pg["password"],
        )  # fmt: skip

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing persistence settings for this store."""
        if self.uses_postgres:
            pg = self.postgres()
            env = {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": pg["dbname"],
                "POSTGRES_HOST": pg["host"],
                "POSTGRES_PORT": pg["port"],
                "POSTGRES_USER": pg["user"],
                "POSTGRES_PASSWORD": pg["password"],
                "POSTGRES_POOL_SIZE": "4",
                "POSTGRES_MAX_OVERFLOW": "4",
            }
            if self.database_schema:
                if not re.fullmatch(r"[a-z_][a-z0-9_]*", self.database_schema):
                    raise InvalidInput("WIJKARCHIEF_DATABASE_SCHEMA: kleine letters, cijfers, _.")
                env["POSTGRES_SCHEMA"] = self.database_schema
            return env
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(self.events_path),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
