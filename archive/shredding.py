"""Crypto-shredding: personal fields encrypted under a key per item, kept outside the log.

The log never forgets, so erasure (AVG/GDPR art. 17) destroys a key instead of an event.
Stories and media items get a random 256-bit key when they are registered; the personal
fields of their events and snapshots (`events.items.PERSONAL_FIELDS`: text, summary, people,
storytellers, contact) are stored as AES-GCM ciphertext (`cryptography`'s AEAD, the item id
as associated data). `KeyStore.destroy` deletes the key for good (SQLite with
`secure_delete` and no WAL; PostgreSQL followed by `VACUUM FULL` of the key table); after
that those fields read back as empty, in every process, replay, rebuild and export.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
import time
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from archive.config import Settings
from events.items import PERSONAL_FIELDS, MediaItem, Story

PREFIX = "wa-enc:v1:"
CACHE_SECONDS = 2.0
KEYED_CLASSES = (Story, MediaItem)


class KeyStore:
    """Per-item keys in a store of their own (not the event log)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._cache: dict[UUID, tuple[float, bytes | None]] = {}
        self._lock = threading.Lock()
        if settings.uses_postgres:
            import psycopg

            self._conninfo = settings.pg_conninfo()
            self._table = f'"{settings.database_schema or "public"}".wijkarchief_keys'
            with psycopg.connect(self._conninfo, autocommit=True) as conn:
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {self._table} "
                    "(item_id uuid PRIMARY KEY, key bytea NOT NULL)"
                )
        else:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._path = settings.data_dir / "keys.sqlite"
            with self._sqlite() as conn:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS keys (item_id TEXT PRIMARY KEY, key BLOB NOT NULL)"
                )

    def _sqlite(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, timeout=10, isolation_level=None)
        # No WAL (it would keep old pages) and zeroed pages on delete: a destroyed key is gone.
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA secure_delete=ON")
        return conn

    def get(self, item_id: UUID) -> bytes | None:
        """The item's key, or None (never had one, or destroyed)."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(item_id)
            if cached and now - cached[0] < CACHE_SECONDS:
                return cached[1]
        key = self._read(item_id)
        with self._lock:
            self._cache[item_id] = (now, key)
        return key

    def create(self, item_id: UUID) -> bytes:
        """A new random key for the item (or the one it already has)."""
        existing = self._read(item_id)
        if existing is not None:
            return existing
        key = AESGCM.generate_key(bit_length=256)
        if self.settings.uses_postgres:
            import psycopg

            with psycopg.connect(self._conninfo, autocommit=True) as conn:
                conn.execute(
                    f"INSERT INTO {self._table} (item_id, key) VALUES (%s, %s) "
                    "ON CONFLICT (item_id) DO NOTHING",
                    (item_id, key),
                )
        else:
            with self._sqlite() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO keys (item_id, key) VALUES (?, ?)", (str(item_id), key)
                )
        key = self._read(item_id) or key
        with self._lock:
            self._cache[item_id] = (time.monotonic(), key)
        return key

    def destroy(self, item_id: UUID) -> bool:
        """Delete the item's key for good; True when there was one."""
        existed = self._read(item_id) is not None
        if self.settings.uses_postgres:
            import psycopg

            with psycopg.connect(self._conninfo, autocommit=True) as conn:
                conn.execute(f"DELETE FROM {self._table} WHERE item_id = %s", (item_id,))
                conn.execute(f"VACUUM FULL {self._table}")
        else:
            with self._sqlite() as conn:
                conn.execute("DELETE FROM keys WHERE item_id = ?", (str(item_id),))
                conn.execute("VACUUM")
        with self._lock:
            self._cache[item_id] = (time.monotonic(), None)
        return existed

    def _read(self, item_id: UUID) -> bytes | None:
        if self.settings.uses_postgres:
            import psycopg

            with psycopg.connect(self._conninfo) as conn:
                row = conn.execute(
                    f"SELECT key FROM {self._table} WHERE item_id = %s", (item_id,)
                ).fetchone()
            return bytes(row[0]) if row else None
        with self._sqlite() as conn:
            found = conn.execute(
                "SELECT key FROM keys WHERE item_id = ?", (str(item_id),)
            ).fetchone()
        return bytes(found[0]) if found else None


def encrypt_value(key: bytes, item_id: UUID, value: Any) -> str:
    """A field value as AES-GCM ciphertext text."""
    nonce = os.urandom(12)
    plain = json.dumps(value, ensure_ascii=False).encode()
    sealed = AESGCM(key).encrypt(nonce, plain, item_id.bytes)
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt_value(key: bytes | None, item_id: UUID, value: str, empty: Any) -> Any:
    """The field's value, or its empty form when the key is gone."""
    if key is None:
        return type(empty)()
    raw = base64.b64decode(value[len(PREFIX) :])
    return json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], item_id.bytes))


class ShreddingMapper(Mapper[UUID]):
    """A mapper that encrypts the personal fields of keyed items' events and snapshots."""

    keys: KeyStore

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        state = dict(vars(domain_event))
        item_id: UUID = state["originator_id"]
        key = self._key_for_writing(item_id, state)
        if key is not None:
            _seal(state, key, item_id)
            if isinstance(state.get("state"), dict):  # a snapshot
                state["state"] = dict(state["state"])
                _seal(state["state"], key, item_id)
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
        state = vars(domain_event)
        item_id = state["originator_id"]
        if _has_sealed(state) or _has_sealed(state.get("state")):
            key = self.keys.get(item_id)
            _open(state, key, item_id)
            if isinstance(state.get("state"), dict):
                _open(state["state"], key, item_id)
        return domain_event

    def _key_for_writing(self, item_id: UUID, state: dict[str, Any]) -> bytes | None:
        topic = state.get("originator_topic", "")
        if topic in {get_topic(cls) for cls in KEYED_CLASSES}:
            return self.keys.create(item_id)
        return self.keys.get(item_id)


def _seal(state: dict[str, Any], key: bytes, item_id: UUID) -> None:
    for name in PERSONAL_FIELDS:
        if name in state and state[name] not in (None, "", []):
            state[name] = encrypt_value(key, item_id, state[name])


def _has_sealed(state: Any) -> bool:
    return isinstance(state, dict) and any(
        isinstance(state.get(name), str) and state[name].startswith(PREFIX)
        for name in PERSONAL_FIELDS
    )


def _open(state: dict[str, Any], key: bytes | None, item_id: UUID) -> None:
    for name, empty in PERSONAL_FIELDS.items():
        value = state.get(name)
        if isinstance(value, str) and value.startswith(PREFIX):
            state[name] = decrypt_value(key, item_id, value, empty)
