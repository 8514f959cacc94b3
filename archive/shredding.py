"""Crypto-shredding: every item's free text encrypted under its own key, kept outside the log.

The log never forgets, so erasure (AVG/GDPR art. 17) destroys a key instead of an event.
Every item (episode, story, media item) gets a random 256-bit key when it is registered;
the free text of its events and snapshots (`events.personal`: title, summary, text, themes,
people, places, source, rights, storytellers, outlet, link, reasons, a withdrawal's reason
and policy, happenings' and assessments' words) is stored as AES-GCM ciphertext
(`cryptography`'s AEAD, the item id as associated data). A value's prefix names the key's
generation: `wa-enc:v1:` the first key, `wa-enc:gN:` the key made when a person was
forgotten for the Nth time (`key_id`); forgetting destroys the older generations, so the
name is in no readable byte of the log any more. A write whose words would have no key is
refused (`KeyMissing`): nothing is ever stored unsealed.

`KeyStore.destroy` deletes the key for good (SQLite: `secure_delete`,
`VACUUM`, then a truncating WAL checkpoint, so neither `keys.sqlite` nor `keys.sqlite-wal`
holds it; PostgreSQL: followed by `VACUUM FULL` of the key table); after that those fields
read back as empty, in every process, replay, rebuild and export.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from contextlib import nullcontext, suppress
from contextvars import ContextVar
from typing import Any
from uuid import UUID, uuid5

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from archive.config import Settings
from events.errors import KeyMissing
from events.items import ArchiveItem, Episode, MediaItem, Story
from events.personal import SEALED_FIELDS, SEALED_PARTS, SNAPSHOT_PARTS, WITHDRAWN_TEXT

log = logging.getLogger("wijkarchief.keys")
PREFIX = "wa-enc:v1:"  # sealed under the item's first key (generation 0)
SEALED = b"wa-enc:"  # every sealed value's prefix, as it appears in a stored event's bytes
_GENERATION = re.compile(r"^wa-enc:(?:v1|g(\d+)):")
GENERATIONS_IN_BYTES = re.compile(rb"wa-enc:g(\d+):")
CACHE_SECONDS = 2.0
BUSY_TIMEOUT_MS = 10_000  # how long a key store statement waits for another writer
CHECKPOINT_WAIT = 0.1  # seconds one truncating checkpoint waits for readers
CHECKPOINT_ATTEMPTS = 25  # with a pause of CHECKPOINT_WAIT between them: at most ~5 s
CACHE_SIZE = 20_000  # past this many cached keys, the expired ones are dropped
BATCH = 500  # keys per statement (SQLite allows 32,766 parameters)
KEYED_CLASSES = (Story, MediaItem, Episode)
KEYED_TOPICS = frozenset(get_topic(cls) for cls in KEYED_CLASSES)
# The key generation of each item a `save()` writes (set by the application around it).
generations: ContextVar[dict[UUID, int] | None] = ContextVar("generations", default=None)


def key_id(item_id: UUID, generation: int = 0) -> UUID:
    """The key store's id of an item's key of a generation (0: the item's own id)."""
    return item_id if generation == 0 else uuid5(item_id, f"key-generation-{generation}")


def prefix(generation: int) -> str:
    """The prefix of a value sealed under a key of this generation."""
    return PREFIX if generation == 0 else f"wa-enc:g{generation}:"


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
            self._execute(f"VACUUM FULL {self._table}")
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
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        return False
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)


def encrypt_value(key: bytes, item_id: UUID, value: Any, generation: int = 0) -> str:
    """A field value as AES-GCM ciphertext text (the prefix names the key's generation)."""
    nonce = os.urandom(12)
    plain = json.dumps(value, ensure_ascii=False).encode()
    sealed = AESGCM(key).encrypt(nonce, plain, item_id.bytes)
    return prefix(generation) + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt_value(key: bytes | None, item_id: UUID, value: str, empty: Any) -> Any:
    """The field's value, or its empty form when the key is gone."""
    if key is None:
        return type(empty)()
    raw = base64.b64decode(value[value.index(":", len("wa-enc:")) + 1 :])
    try:
        return json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], item_id.bytes))
    except InvalidTag:  # another key of the same id: unreadable, as if destroyed
        log.error("A sealed value of %s does not open with its key; read as empty", item_id)
        return type(empty)()


def generation_of(value: str) -> int:
    """The key generation a sealed value names."""
    found = _GENERATION.match(value)
    return int(found[1] or 0) if found else 0


def key_ids_in(item_id: UUID, state: bytes) -> set[UUID]:
    """The key ids a stored event's bytes need (for reading a page's keys at once)."""
    ids = {key_id(item_id, int(g)) for g in GENERATIONS_IN_BYTES.findall(state)}
    if PREFIX.encode() in state:
        ids.add(item_id)
    return ids


def _sealable(state: dict[str, Any]) -> list[tuple[dict[str, Any], str, Any]]:
    """Every (container, field, empty form) of free text in an event's or snapshot's state."""
    found = [(state, name, empty) for name, empty in SEALED_FIELDS.items() if name in state]
    for name, fields in SEALED_PARTS.items():
        part = state.get(name)
        if isinstance(part, dict):
            found.extend((part, f, empty) for f, empty in fields.items() if f in part)
    for name, kind in SNAPSHOT_PARTS.items():
        parts = state.get(name)
        if isinstance(parts, dict):
            for part in parts.values():
                if isinstance(part, dict):
                    fields = SEALED_PARTS[kind]
                    found.extend((part, f, empty) for f, empty in fields.items() if f in part)
    withdrawn = state.get("withdrawn")
    if isinstance(withdrawn, dict):
        found.extend((withdrawn, f, empty) for f, empty in WITHDRAWN_TEXT.items() if f in withdrawn)
    return found


def _copied(state: dict[str, Any]) -> dict[str, Any]:
    """A copy of the state deep enough to seal its parts without touching the event."""
    copy = dict(state)
    for name in SEALED_PARTS:
        if isinstance(copy.get(name), dict):
            copy[name] = dict(copy[name])
    for name in SNAPSHOT_PARTS:
        if isinstance(copy.get(name), dict):
            copy[name] = {k: dict(v) if isinstance(v, dict) else v for k, v in copy[name].items()}
    if isinstance(copy.get("withdrawn"), dict):
        copy["withdrawn"] = dict(copy["withdrawn"])
    return copy


def has_words(state: dict[str, Any]) -> bool:
    """True when an event's state holds free text that would need a key."""
    return _unsealed_words(_sealable(state))


def _unsealed_words(fields: list[tuple[dict[str, Any], str, Any]]) -> bool:
    return any(
        container[name] not in (None, "", [], {})
        and not (isinstance(container[name], str) and container[name].startswith("wa-enc:"))
        for container, name, _ in fields
    )


class ShreddingMapper(Mapper[UUID]):
    """A mapper that seals the free text of items' events and snapshots under their keys."""

    keys: KeyStore

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        state = dict(vars(domain_event))
        item_id: UUID = state["originator_id"]
        if self._keyed(domain_event):
            snapshot = isinstance(state.get("state"), dict)
            if snapshot:
                state["state"] = _copied(state["state"])
                inner: dict[str, Any] = state["state"]
                generation = int(inner.get("key_generation") or 0)
            else:
                state = _copied(state)
                inner = state
                generation = (generations.get() or {}).get(item_id, 0)
            fields = _sealable(inner)
            if _unsealed_words(fields):
                key = self._key_for_writing(item_id, generation, state)
                for container, name, _ in fields:
                    value = container[name]
                    if value not in (None, "", [], {}):
                        container[name] = encrypt_value(key, item_id, value, generation)
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        stored = self.transcoder.encode(state)
        if self.compressor:
            stored = self.compressor.compress(stored)
        if self.cipher:
            stored = self.cipher.encrypt(stored)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=get_topic(domain_event.__class__),
            state=stored,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        domain_event = super().to_domain_event(stored_event)
        if not (self.cipher or self.compressor) and SEALED not in stored_event.state:
            return domain_event  # nothing sealed in it: no field to inspect
        state = vars(domain_event)
        item_id = state["originator_id"]
        for inner in (state, state.get("state")):
            if isinstance(inner, dict):
                for container, name, empty in _sealable(inner):
                    value = container[name]
                    if isinstance(value, str) and value.startswith("wa-enc:"):
                        key = self.keys.get(key_id(item_id, generation_of(value)))
                        container[name] = decrypt_value(key, item_id, value, empty)
        return domain_event

    @staticmethod
    def _keyed(domain_event: Any) -> bool:
        if isinstance(domain_event, ArchiveItem.Event):
            return True
        return isinstance(domain_event, Snapshot) and domain_event.topic in KEYED_TOPICS

    def _key_for_writing(self, item_id: UUID, generation: int, state: dict[str, Any]) -> bytes:
        """The key that seals this event; a first event makes the item's first key.

        Never stores words unsealed: without a key (restored without keys, or erased) the
        write is refused (`KeyMissing`) before anything is recorded.
        """
        if generation == 0 and state.get("originator_topic") in KEYED_TOPICS:
            return self.keys.create(item_id)
        key = self.keys.get(key_id(item_id, generation))
        if key is None:
            raise KeyMissing(
                "De sleutel van dit item ontbreekt (gewist, of hersteld zonder sleutels: "
                "wijkarchief import --keys); tekst wordt nooit onversleuteld opgeslagen. "
                "Er is niets vastgelegd."
            )
        return key
