"""Where a benchmark run keeps its data: a temporary directory, and for PostgreSQL fresh schemas.

The archive and the bare baseline application never share a store: on SQLite each has its own
file, on PostgreSQL each its own schema (both dropped when the run ends). The search index and
the SQLite key store always live in the temporary directory.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from archive.config import Settings


@dataclass
class Store:
    """The stores of one run: the archive's and the baseline's."""

    kind: str  # sqlite | postgres
    root: Path
    url: str | None = None
    schemas: list[str] = field(default_factory=list)

    @property
    def archive(self) -> Settings:
        """Settings of the archive under test."""
        data = self.root / "archive"
        if self.kind == "postgres":
            return Settings(data_dir=data, database_url=self.url, database_schema=self.schemas[0])
        return Settings(data_dir=data)

    @property
    def bare(self) -> Settings:
        """Settings whose event store the bare baseline application uses."""
        data = self.root / "bare"
        if self.kind == "postgres":
            return Settings(data_dir=data, database_url=self.url, database_schema=self.schemas[1])
        return Settings(data_dir=data)

    def describe(self) -> str:
        """A one-line description for the report."""
        if self.kind == "postgres":
            parts = urlsplit(self.url or "")
            where = f"{parts.hostname}:{parts.port or 5432}{parts.path}"  # no password
            return f"PostgreSQL {where} (schemas {', '.join(self.schemas)})"
        return f"SQLite files under {self.root}"

    def close(self) -> None:
        """Drop the schemas and the temporary directory."""
        if self.kind == "postgres" and self.schemas:
            _execute(self.archive, *(f"DROP SCHEMA IF EXISTS {s} CASCADE" for s in self.schemas))
        shutil.rmtree(self.root, ignore_errors=True)


def open_store(kind: str, url: str | None, workdir: Path | None = None) -> Store:
    """A fresh pair of stores of `kind` (PostgreSQL needs `url`)."""
    root = Path(tempfile.mkdtemp(prefix="wijkarchief-bench-", dir=workdir))
    if kind == "sqlite":
        return Store("sqlite", root)
    if not url:
        raise SystemExit("--store postgres needs --postgres-url or WIJKARCHIEF_DATABASE_URL")
    tag = uuid.uuid4().hex[:10]
    store = Store("postgres", root, url, [f"bench_{tag}", f"bench_{tag}_bare"])
    _execute(store.archive, *(f"CREATE SCHEMA {s}" for s in store.schemas))
    return store


def _execute(settings: Settings, *statements: str) -> None:
    """Run statements on the PostgreSQL server of `settings`, autocommitted."""
    import psycopg

    with psycopg.connect(settings.pg_conninfo(), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)
