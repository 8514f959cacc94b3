"""The blob store port (`archive.ports.BlobStore`): one contract, every implementation.

The directory store (the embedded default) and the PostgreSQL store (shared by every worker
and host) must both: name a blob by the SHA-256 of its bytes, keep bytes exactly (across
their row and piece edges), serve any range, say what they hold, and delete for good.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.blobs import ROW, DirectoryBlobStore, PostgresBlobStore
from archive.ports import BlobMissing, BlobStore
from tests.conftest import postgres_schema_settings


@pytest.fixture(params=["directory", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param == "directory":
        opened: BlobStore = DirectoryBlobStore(tmp_path / "blobs")
        yield opened
        opened.close()
        return
    for settings in postgres_schema_settings(tmp_path / "data"):
        opened = PostgresBlobStore(settings)
        try:
            yield opened
        finally:
            opened.close()


def test_a_blob_is_named_by_its_bytes_and_kept_exactly(store: BlobStore) -> None:
    assert isinstance(store, BlobStore)
    # Bytes given in odd pieces, across the PostgreSQL row size: one address, the SHA-256.
    data = os.urandom(ROW * 2 + 12345)
    pieces = [data[i : i + 77_777] for i in range(0, len(data), 77_777)]
    address = store.put(iter(pieces))
    assert address == hashlib.sha256(data).hexdigest()
    assert store.exists(address) and store.size(address) == len(data)
    assert store.get(address) == data
    # Any range, also across rows; an open end; past the end: nothing more.
    for start, end in [(0, 1), (ROW - 3, ROW + 3), (5, None), (len(data) - 10, len(data) + 99)]:
        got = b"".join(store.stream(address, start, end))
        assert got == data[start:end], (start, end)
    # The same bytes again: the same address, stored once.
    assert store.put([data]) == address
    assert list(store.addresses()) == [address]
    # An empty blob is a blob too.
    empty = store.put([])
    assert store.get(empty) == b"" and store.size(empty) == 0


def test_a_deleted_blob_is_gone(store: BlobStore) -> None:
    address = store.put([b"verzegelde bytes"])
    other = store.put([b"andere bytes"])
    assert store.delete(address) is True
    assert store.delete(address) is False
    assert not store.exists(address)
    with pytest.raises(BlobMissing):
        store.get(address)
    with pytest.raises(BlobMissing):
        store.stream(address)
    with pytest.raises(BlobMissing):
        store.size(address)
    assert list(store.addresses()) == [other]
    # Not an address at all: missing, never a path or a query.
    assert not store.exists("../../etc/passwd")
    with pytest.raises(BlobMissing):
        store.get("' OR 1=1 --")
