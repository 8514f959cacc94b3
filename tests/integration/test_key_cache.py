"""The key store's cache stays small however many items are read (a rebuild of a million
items must not keep every key it ever read), and never serves a key past its time."""

from __future__ import annotations

import uuid

import pytest

from archive import keystore
from archive.config import Settings
from archive.keystore import KeyStore


def test_the_key_cache_forgets_expired_keys(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A key store whose cache is cut back past 100 keys, and a clock we move by hand.
    monkeypatch.setattr(keystore, "CACHE_SIZE", 100)
    now = [1000.0]
    monkeypatch.setattr("archive.keystore.time.monotonic", lambda: now[0])
    keys = KeyStore(settings)
    items = [uuid.uuid5(uuid.NAMESPACE_URL, f"botu/{n}") for n in range(400)]

    # Keys made for 400 items, 50 at a time, a cache lifetime apart.
    made = {}
    for start in range(0, 400, 50):
        made.update(keys.create_many(items[start : start + 50]))
        now[0] += keystore.CACHE_SECONDS + 0.1
        # The cache holds at most the limit plus the keys of the last reads.
        assert len(keys._cache) <= 100 + 50

    # Every key still reads back the same, from the store when the cache forgot it.
    assert keys.get_many(items) == made
    keys.close()
