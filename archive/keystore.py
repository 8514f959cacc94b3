"""The key store: each item's keys, kept outside the log, and destroyed for good on erasure.

One row per key (an item's first key under the item's own id, later generations under
`archive.shredding.key_id`). SQLite (`keys.sqlite`, WAL mode, `secure_delete`) in the data
directory, or a table beside the event store on PostgreSQL. `destroy` deletes a key so that
neither the database file nor its WAL holds it any more (tested on the raw bytes in
`tests/integration/test_key_erasure.py`).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from contextlib import nullcontext, suppress
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from archive.config import Settings
from archive.pgstore import rewrite_tables

log = logging.getLogger("wijkarchief.keys")
CACHE_SECONDS = 2.0
BUSY_TIMEOUT_MS = 10_000  # how long a key store statement waits for another writer
CHECKPOINT_WAIT = 0.1  # seconds one truncating checkpoint waits for readers
CHECKPOINT_ATTEMPTS = 25  # with a pause of CHECKPOINT_WAIT between them: at most ~5 s
CACHE_SIZE = 20_000  # past this many cached keys, the expired ones are dropped
BATCH = 500  # keys per statement (SQLite allows 32,766 parameters)


class KeyStore:
    """Per-item keys in a store of their own (not the event log).

    Each thread keeps one connection (SQLite or psycopg), opened on first use and opened
    again after a failure (a PostgreSQL restart): a lookup is one indexed `SELECT`, and the
    keys of a whole `save()` or of a page of the log are written or read in one statement
    (`create_many`, `get_many`). Keys read are cached for `CACHE_SECONDS`, so an erasure in
    another process is seen within that time.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cache: dict[UUID, tuple[float, bytes | None]] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self._connections: list[Any] = []
        self._untruncated = False  # a destroyed key's page may still be in the WAL
        if settings.uses_postgres:
            self._conninfo = settings.pg_conninfo()
            self._table = f'"{settings.database_schema or "public"}".wijkarchief_keys'
            self._param = "%s"
            self._execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} "
                "(item_id uuid PRIMARY KEY, key bytea NOT NULL)"
            )
        else:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._path = settings.data_dir / "keys.sqlite"
            self._table = "keys"
            self._param = "?"
            self._execute(
                "CREATE TABLE IF NOT EXISTS keys (item_id TEXT PRIMARY KEY, key BLOB NOT NULL)"
            )

    # -- connections -----------------------------------------------------------

    def _connect(self) -> Any:
        if self.settings.uses_postgres:
            import psycopg

            # The conninfo carries libpq's connect_timeout (Settings.pg_conninfo): an
            # unreachable server is given up on within WIJKARCHIEF_DATABASE_WAIT.
            return psycopg.connect(self._conninfo, autocommit=True)
        conn = sqlite3.connect(
            self._path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        # WAL: a new key costs one append (0.35 ms here against 1.5 ms with a rollback
        # journal, the old setting). The WAL keeps old page images until a checkpoint, so
        # `destroy` ends with a truncating one; `secure_delete` zeroes the freed bytes.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")  # a key is as durable as the event it opens
        conn.execute("PRAGMA secure_delete=ON")
        return conn

    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            with self._lock:
                self._connections.append(conn)
        return conn

    def _drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._lock:
                if conn in self._connections:
                    self._connections.remove(conn)
            with suppress(Exception):
                conn.close()

    def _execute(self, *statements: tuple[str, Sequence[Any]] | str) -> list[Any]:
        """Run statements in one transaction; the rows of the last. One retry on a new
        connection when the old one broke (the server restarted)."""
        for attempt in (1, 2):
            conn = self._connection()
            try:
                return self._run(conn, statements)
            except Exception as error:
                if attempt == 2 or not _is_connection_error(error):
                    raise
                self._drop_connection()
        raise AssertionError("unreachable")

    def _run(self, conn: Any, statements: Sequence[tuple[str, Sequence[Any]] | str]) -> list[Any]:
        many = len(statements) > 1
        rows: list[Any] = []
        if self.settings.uses_postgres:
            context = conn.transaction() if many else nullcontext()
            with context:
                for statement in statements:
                    sql, params = (statement, ()) if isinstance(statement, str) else statement
                    cursor = conn.execute(sql, params)
                    rows = cursor.fetchall() if cursor.description else []
            return rows
        if many:
            conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                sql, params = (statement, ()) if isinstance(statement, str) else statement
                rows = conn.execute(sql, params).fetchall()
        except BaseException:
            if many:
                conn.execute("ROLLBACK")
            raise
        if many:
            conn.execute("COMMIT")
        return rows

    def close(self) -> None:
        """Close every connection this key store opened (the WAL truncated first if an
        erasure could not truncate it)."""
        if self._untruncated:
            with suppress(Exception):
                self._checkpoint(attempts=1)
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with suppress(Exception):
                conn.close()
        self._local = threading.local()

    # -- keys ------------------------------------------------------------------------

    def _ids(self, item_ids: Sequence[UUID]) -> list[Any]:
        return [i if self.settings.uses_postgres else str(i) for i in item_ids]

    def _select(self, item_ids: Sequence[UUID]) -> str:
        marks = ", ".join([self._param] * len(item_ids))
        return f"SELECT item_id, key FROM {self._table} WHERE item_id IN ({marks})"

    def _remember(self, item_ids: Sequence[UUID], rows: list[Any]) -> dict[UUID, bytes | None]:
        found = {UUID(str(row[0])): bytes(row[1]) for row in rows}
        now = time.monotonic()
        keys = {item_id: found.get(item_id) for item_id in item_ids}
        with self._lock:
            for item_id, key in keys.items():
                self._cache[item_id] = (now, key)
            if len(self._cache) > CACHE_SIZE:
                # Keys older than CACHE_SECONDS are read again anyway: forget them, or a
                # rebuild of a million items would keep every key it ever read (~290 MiB).
                self._cache = {
                    item_id: cached
                    for item_id, cached in self._cache.items()
                    if now - cached[0] < CACHE_SECONDS
                }
        return keys

    def get(self, item_id: UUID) -> bytes | None:
        """The item's key, or None (never had one, or destroyed)."""
        return self.get_many([item_id])[item_id]

    def get_many(self, item_ids: Iterable[UUID]) -> dict[UUID, bytes | None]:
        """The keys of several items, read in one query (those not cached)."""
        now = time.monotonic()
        keys: dict[UUID, bytes | None] = {}
        missing: list[UUID] = []
        with self._lock:
            for item_id in dict.fromkeys(item_ids):
                cached = self._cache.get(item_id)
                if cached and now - cached[0] < CACHE_SECONDS:
                    keys[item_id] = cached[1]
                else:
                    missing.append(item_id)
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            keys.update(
                self._remember(chunk, self._execute((self._select(chunk), self._ids(chunk))))
            )
        return keys

    def create(self, item_id: UUID) -> bytes:
        """A new random key for the item (or the one it already has)."""
        return self.create_many([item_id])[item_id]

    def create_many(self, item_ids: Iterable[UUID]) -> dict[UUID, bytes]:
        """Keys for several items, new ones made in one transaction (existing ones kept)."""
        wanted = list(dict.fromkeys(item_ids))
        keys: dict[UUID, bytes] = {}
        known = self.get_many(wanted)
        missing = [item_id for item_id in wanted if known[item_id] is None]
        keys.update({item_id: key for item_id, key in known.items() if key is not None})
        if self.settings.uses_postgres:
            insert = (
                f"INSERT INTO {self._table} (item_id, key) VALUES (%s, %s) "
                "ON CONFLICT (item_id) DO NOTHING"
            )
        else:
            insert = "INSERT OR IGNORE INTO keys (item_id, key) VALUES (?, ?)"
        for start in range(0, len(missing), BATCH):
            chunk = missing[start : start + BATCH]
            fresh = [(i, AESGCM.generate_key(bit_length=256)) for i in chunk]
            statements: list[tuple[str, Sequence[Any]] | str] = [
                (insert, (self._ids([i])[0], key)) for i, key in fresh
            ]
            # Read back: another process may have made the key first.
            statements.append((self._select(chunk), self._ids(chunk)))
            stored = self._remember(chunk, self._execute(*statements))
            for item_id in chunk:
                key = stored[item_id]
                assert key is not None
                keys[item_id] = key
        if missing and self._untruncated:
            self._checkpoint(attempts=1)  # an erasure's WAL still to truncate
        return keys

    def destroy(self, item_id: UUID) -> bool:
        """Delete the item's key for good; True when there was one."""
        with self._lock:
            self._cache.pop(item_id, None)
        existed = self.get(item_id) is not None
        ident = self._ids([item_id])[0]
        self._execute((f"DELETE FROM {self._table} WHERE item_id = {self._param}", (ident,)))
        if self.settings.uses_postgres:
            rewrite_tables(self._conninfo, self._table)
        else:
            self._execute("VACUUM")
            self._checkpoint()
        with self._lock:
            self._cache[item_id] = (time.monotonic(), None)
        return existed

    def _checkpoint(self, attempts: int | None = None) -> bool:
        """Copy the WAL into `keys.sqlite` and truncate it to nothing (SQLite only).

        Until then the WAL holds the page images a destroyed key was written in. A reader
        in the middle of a query holds the checkpoint back: each attempt waits at most
        `CHECKPOINT_WAIT` for it (writers get their turn in between). When every attempt
        found a reader, the error is logged and the truncation is tried again after the
        next new key and when the key store closes; the key itself is deleted already.
        """
        conn = self._connection()
        conn.execute(f"PRAGMA busy_timeout={int(CHECKPOINT_WAIT * 1000)}")
        try:
            for attempt in range(attempts or CHECKPOINT_ATTEMPTS):
                if attempt:
                    time.sleep(CHECKPOINT_WAIT)
                try:
                    busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                except sqlite3.OperationalError:  # another connection is writing
                    busy = 1
                if not busy:
                    self._untruncated = False
                    return True
        finally:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self._untruncated = True
        log.error(
            "keys.sqlite-wal could not be truncated after an erasure (a reader held it); "
            "the key is deleted, its old page stays in the WAL until the next try"
        )
        return False

    # -- moving the keys (export --keys / import --keys) -------------------------------

    def count(self) -> int:
        """How many rows the key table holds."""
        return int(self._execute(f"SELECT count(*) FROM {self._table}")[0][0])

    def dump(self) -> Iterable[dict[str, Any]]:
        """Every row of the key table as {column: value}, uninterpreted, streamed.

        Read on a connection of its own in one read transaction (a consistent snapshot; on
        PostgreSQL a server-side cursor, so a million keys are never all in memory).
        """
        conn = self._connect()
        try:
            if self.settings.uses_postgres:
                with conn.transaction(), conn.cursor(name="wijkarchief_keys_dump") as cursor:
                    cursor.execute(f"SELECT * FROM {self._table}")
                    names = [column.name for column in cursor.description]
                    for row in cursor:
                        yield dict(zip(names, row, strict=True))
            else:
                cursor = conn.execute(f"SELECT * FROM {self._table}")
                names = [column[0] for column in cursor.description]
                for row in cursor:
                    yield dict(zip(names, row, strict=True))
        finally:
            conn.close()

    def load(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert rows as `dump` gave them, all in one transaction; return how many.

        Every row must have the columns of the first. A row that collides with one already
        stored fails the whole load (nothing is written).
        """
        import itertools
        import re

        iterator = iter(rows)
        first = next(iterator, None)
        if first is None:
            return 0
        names = list(first)
        for name in names:
            if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):  # never SQL from a file
                raise ValueError(f"not a column name: {name!r}")
        count = 0

        def values() -> Iterable[tuple[Any, ...]]:
            nonlocal count
            for row in itertools.chain([first], iterator):
                if list(row) != names:
                    raise ValueError(f"row {count + 1} has columns {list(row)}, not {names}")
                count += 1
                yield tuple(row[name] for name in names)

        marks = ", ".join([self._param] * len(names))
        insert = f"INSERT INTO {self._table} ({', '.join(names)}) VALUES ({marks})"
        conn = self._connect()
        try:
            if self.settings.uses_postgres:
                with conn.transaction(), conn.cursor() as cursor:
                    cursor.executemany(insert, values())
            else:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany(insert, values())
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        finally:
            conn.close()
        with self._lock:
            self._cache.clear()  # keys looked up before the load were cached as missing
        return count


def _is_connection_error(error: Exception) -> bool:
    """True for a broken connection (worth one retry on a new one), not for a bad statement."""
    import psycopg  # a dependency of eventsourcing[postgres]; imported only when needed

    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)
