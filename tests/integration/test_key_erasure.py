"""A destroyed key is gone from the disk: not in `keys.sqlite`, not in its WAL.

The key store keeps its SQLite file in WAL mode (a new key is one append), and a WAL keeps
the page images a key was written in until a checkpoint. `KeyStore.destroy` deletes the row
with `secure_delete`, vacuums, and truncates the WAL; these tests read the raw bytes.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from pathlib import Path

import pytest

from archive import keystore
from archive.config import Settings
from archive.keystore import KeyStore


def _on_disk(data_dir: Path) -> bytes:
    """Every byte of the key store's files (the database, its WAL, its shared memory)."""
    return b"".join(
        path.read_bytes() for path in sorted(data_dir.glob("keys.sqlite*")) if path.is_file()
    )


def test_a_destroyed_key_leaves_no_bytes_behind(sqlite_settings: Settings) -> None:
    # Keys for 50 items, written one at a time as registrations do (each one a WAL append).
    keys = KeyStore(sqlite_settings)
    items = [uuid.uuid5(uuid.NAMESPACE_URL, f"botu/erase/{n}") for n in range(50)]
    made = {item: keys.create(item) for item in items}
    assert keys._execute("PRAGMA journal_mode")[0][0] == "wal"

    # Before the erasure the key is on disk (so the check below could fail).
    doomed = items[17]
    assert made[doomed] in _on_disk(sqlite_settings.data_dir)

    # Another process has the key store open and has just read from it ...
    other = sqlite3.connect(sqlite_settings.data_dir / "keys.sqlite", isolation_level=None)
    assert other.execute("SELECT count(*) FROM keys").fetchone()[0] == 50

    # ... when the key is destroyed.
    assert keys.destroy(doomed) is True

    # Its bytes are in neither the database nor the WAL; the other keys are all still there.
    on_disk = _on_disk(sqlite_settings.data_dir)
    assert made[doomed] not in on_disk
    assert keys.get(doomed) is None
    others = [item for item in items if item != doomed]
    assert keys.get_many(others) == {item: made[item] for item in others}
    assert other.execute("SELECT count(*) FROM keys").fetchone()[0] == 49
    other.close()
    keys.close()


def test_keys_survive_a_process_that_never_closed(sqlite_settings: Settings) -> None:
    # Keys written, and the key store left open (a worker killed before it could close).
    keys = KeyStore(sqlite_settings)
    items = [uuid.uuid5(uuid.NAMESPACE_URL, f"botu/kept/{n}") for n in range(20)]
    made = keys.create_many(items)

    # A new key store (the next process) reads every one of them back, from the WAL.
    again = KeyStore(sqlite_settings)
    assert again.get_many(items) == made
    again.close()
    keys.close()


def test_a_reader_holding_the_wal_delays_the_truncation_but_not_the_erasure(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Keys for ten items, and another process in the middle of a read of the key store.
    monkeypatch.setattr(keystore, "CHECKPOINT_ATTEMPTS", 2)
    keys = KeyStore(sqlite_settings)
    items = [uuid.uuid5(uuid.NAMESPACE_URL, f"botu/held/{n}") for n in range(10)]
    made = keys.create_many(items)
    other = sqlite3.connect(sqlite_settings.data_dir / "keys.sqlite", isolation_level=None)
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM keys").fetchone()

    # The erasure does not wait for it long, nor fail: the key is deleted, the error logged.
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="wijkarchief.keys"):
        assert keys.destroy(items[3]) is True
    assert time.monotonic() - started < 5
    assert keys.get(items[3]) is None
    assert "could not be truncated" in caplog.text

    # Once the reader is done, the next new key truncates the WAL: the bytes are gone.
    other.execute("COMMIT")
    other.close()
    keys.create(uuid.uuid5(uuid.NAMESPACE_URL, "botu/held/new"))
    assert made[items[3]] not in _on_disk(sqlite_settings.data_dir)
    keys.close()
