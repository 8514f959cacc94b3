"""The catalogue: every item's current state as plain data, a tracked view of the log.

One row per item (`ref` = `kind/id`) holding the item's `as_dict()` as JSON, written with
the eventsourcing tracking record of the page in the same transaction (the library's own
`SQLiteTrackingRecorder` / `PostgresTrackingRecorder`, extended with one table, as in its
full-text-search projection example). On SQLite it has a file of its own because the
library's tracking table name is fixed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import orjson
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder
from psycopg.sql import SQL, Identifier

from archive.config import Settings
from archive.pgstore import TrackingRecorder, bounded, rewrite_tables
from archive.projection import Change, ItemStates

VIEW_NAME = "catalogue"
# Events per transaction when far behind (a rebuild): fewer commits.
BULK_PAGE_SIZE = 5000
REFS_PER_READ = 500  # refs in one `IN (...)` of SQLite (its limit of variables: 32,766)


def _dump(data: dict[str, Any]) -> str:
    """Compact JSON with sorted keys (orjson: the same text as `json.dumps`, ~10× faster)."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()


class SQLiteCatalogue(SQLiteTrackingRecorder):
    """The catalogue in its own SQLite file."""

    name = VIEW_NAME
    bulk_page_size = BULK_PAGE_SIZE

    def __init__(self, settings: Settings) -> None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.path = settings.catalogue_path
        super().__init__(SQLiteDatastore(str(settings.catalogue_path)))
        self.create_table()

    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements.append(
            "CREATE TABLE IF NOT EXISTS catalogue_items ("
            "ref TEXT PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL)"
        )
        statements.append(
            "CREATE INDEX IF NOT EXISTS catalogue_items_kind ON catalogue_items (kind, key)"
        )
        return statements

    def position(self) -> int:
        return self.max_tracking_id(self.name) or 0

    def process(self, changes: Sequence[Change], states: ItemStates) -> None:
        rows = states.touched(changes)
        with self.datastore.transaction(commit=True) as c:
            for ref, data in rows.items():
                c.execute(
                    "INSERT INTO catalogue_items (ref, kind, key, data) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (ref) DO UPDATE SET data = excluded.data",
                    (ref, data["kind"], data["id"], _dump(data)),
                )
            self._insert_tracking(c, Tracking(self.name, changes[-1].position))

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM catalogue_items")
            c.execute("DELETE FROM tracking WHERE application_name = ?", (self.name,))

    def purge(self) -> None:
        """Leave no old row versions on disk (after an erasure): vacuum, empty the WAL."""
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()

    def items(self, kind: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item (of one kind), ordered by kind and key."""
        with self.datastore.transaction(commit=False) as c:
            if kind is None:
                c.execute("SELECT data FROM catalogue_items ORDER BY kind, key")
            else:
                c.execute("SELECT data FROM catalogue_items WHERE kind = ? ORDER BY key", (kind,))
            rows = c.fetchall()
        for row in rows:
            yield orjson.loads(row[0])

    def item(self, kind: str, key: str) -> dict[str, Any] | None:
        """One item, or None."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT data FROM catalogue_items WHERE ref = ?", (f"{kind}/{key}",))
            row = c.fetchone()
        return orjson.loads(row[0]) if row else None

    def by_refs(self, refs: list[str]) -> dict[str, dict[str, Any]]:
        """The items of these refs (`kind/key`) that exist, in one read."""
        found: dict[str, dict[str, Any]] = {}
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(refs), REFS_PER_READ):
                part = refs[start : start + REFS_PER_READ]
                c.execute(
                    "SELECT ref, data FROM catalogue_items WHERE ref IN "
                    f"({', '.join('?' * len(part))})",
                    part,
                )
                found.update((ref, orjson.loads(data)) for ref, data in c.fetchall())
        return found

    def close(self) -> None:
        self.datastore.close()


class PostgresCatalogue(TrackingRecorder):
    """The catalogue in PostgreSQL, beside the event store (JSONB rows): eventsourcing's
    tracking recorder on a bounded pool, without the library's retry loop."""

    name = VIEW_NAME
    bulk_page_size = BULK_PAGE_SIZE
    # One table for every host: written by the leading projector (archive.leader).
    shared = True

    def __init__(self, settings: Settings) -> None:
        pg = settings.postgres()
        self.conninfo = settings.pg_conninfo()
        datastore = PostgresDatastore(
            dbname=pg["dbname"],
            host=pg["host"],
            port=pg["port"],
            user=pg["user"],
            password=pg["password"],
            schema=settings.database_schema,
            pool_size=2,
        )
        # As the event store: a bounded wait for a connection, never a dead one handed out.
        bounded(datastore, settings.database_wait)
        super().__init__(datastore, tracking_table_name="catalogue_tracking")
        self.schema = datastore.schema or "public"
        self.table = f'"{self.schema}".catalogue_items'
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.catalogue_items ("
                "ref text PRIMARY KEY, kind text NOT NULL, key text NOT NULL, data jsonb NOT NULL)"
            ).format(Identifier(self.schema))
        )
        with settings.schema_lock():  # several processes may start at once
            self.create_table()

    def position(self) -> int:
        return self.max_tracking_id(self.name) or 0

    def process(self, changes: Sequence[Change], states: ItemStates) -> None:
        rows = states.touched(changes)
        with self.datastore.transaction(commit=True) as c:
            # In one order of rows for every writer: two hosts' writers of one page wait
            # for each other instead of deadlocking (the loser's tracking is refused).
            for ref, data in sorted(rows.items()):
                c.execute(
                    f"INSERT INTO {self.table} (ref, kind, key, data) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT (ref) DO UPDATE SET data = EXCLUDED.data",
                    (ref, data["kind"], data["id"], _dump(data)),
                )
            self._insert_tracking(c, Tracking(self.name, changes[-1].position))

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {self.table}")
            c.execute(
                f'DELETE FROM "{self.schema}".{self.tracking_table_name} '
                "WHERE application_name = %s",
                (self.name,),
            )

    def purge(self) -> None:
        """Rewrite the table so no dead row versions keep erased text (after an erasure)."""
        rewrite_tables(self.conninfo, self.table)

    def items(self, kind: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item (of one kind), ordered by kind and key."""
        with self.datastore.transaction(commit=False) as c:
            if kind is None:
                c.execute(f"SELECT data::text AS data FROM {self.table} ORDER BY kind, key")
            else:
                c.execute(
                    f"SELECT data::text AS data FROM {self.table} WHERE kind = %s ORDER BY key",
                    (kind,),
                )
            rows = c.fetchall()
        for row in rows:
            yield orjson.loads(row["data"])

    def item(self, kind: str, key: str) -> dict[str, Any] | None:
        """One item, or None."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT data::text AS data FROM {self.table} WHERE ref = %s",
                (f"{kind}/{key}",),
            )
            row = c.fetchone()
        return orjson.loads(row["data"]) if row else None

    def by_refs(self, refs: list[str]) -> dict[str, dict[str, Any]]:
        """The items of these refs (`kind/key`) that exist, in one statement."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT ref, data::text AS data FROM {self.table} WHERE ref = ANY(%s)", (refs,)
            )
            rows = c.fetchall()
        return {row["ref"]: orjson.loads(row["data"]) for row in rows}

    def close(self) -> None:
        self.datastore.close()


Catalogue = SQLiteCatalogue | PostgresCatalogue


def open_catalogue(settings: Settings) -> Catalogue:
    """The catalogue for the configured store."""
    if settings.uses_postgres:
        return PostgresCatalogue(settings)
    return SQLiteCatalogue(settings)
