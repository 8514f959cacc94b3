"""The blob stores: where the sealed bytes of files live, beside the log.

Two implementations of `archive.ports.BlobStore`, chosen by `Settings.blob_backend`
(`WIJKARCHIEF_BLOB_STORE`, default: `postgresql` when the event store is PostgreSQL, else
`directory`):

- `DirectoryBlobStore`: one file per blob, `blobs/ab/abcdef…` under the data directory (or
  `WIJKARCHIEF_BLOB_DIR`), written to `blobs/tmp/` first and renamed into place, so a
  crash never leaves half a blob under an address.
- `PostgresBlobStore`: a table `wijkarchief_blobs (address, seq, data)` of 1 MiB rows in the
  event store's database (and schema), so every worker on every host serves a file
  uploaded through any other. A blob's rows are written in one transaction under a
  temporary name and renamed to their address at the end.

The address is the SHA-256 of the stored bytes, computed as they stream in: the stores hold
only sealed bytes (`archive/files.py`), so an address says nothing about the clean file.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

from archive.config import Settings
from archive.ports import BlobMissing, BlobStore

ROW = 1024 * 1024  # bytes per PostgreSQL row
PIECE = 256 * 1024  # bytes per piece read from a file
ROWS_PER_QUERY = 4


def _checked(address: str) -> str:
    if len(address) != 64 or any(c not in "0123456789abcdef" for c in address):
        raise BlobMissing(address)
    return address


def open_blob_store(settings: Settings) -> BlobStore:
    """The blob store the settings name."""
    if settings.blob_backend == "postgresql":
        return PostgresBlobStore(settings)
    return DirectoryBlobStore(settings.blob_dir)


class DirectoryBlobStore:
    """Blobs as files under a directory: `ab/abcdef…` by address."""

    name = "directory"

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "tmp").mkdir(parents=True, exist_ok=True)

    def _path(self, address: str) -> Path:
        address = _checked(address)
        return self.root / address[:2] / address

    def put(self, chunks: Iterable[bytes]) -> str:
        digest = hashlib.sha256()
        partial = self.root / "tmp" / secrets.token_hex(16)
        try:
            with partial.open("wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            address = digest.hexdigest()
            final = self._path(address)
            final.parent.mkdir(exist_ok=True)
            partial.replace(final)
        finally:
            partial.unlink(missing_ok=True)
        return address

    def get(self, address: str) -> bytes:
        return b"".join(self.stream(address))

    def stream(self, address: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        try:
            handle = self._path(address).open("rb")
        except FileNotFoundError:
            raise BlobMissing(address) from None
        return _pieces(handle, start, end)

    def size(self, address: str) -> int:
        try:
            return self._path(address).stat().st_size
        except FileNotFoundError:
            raise BlobMissing(address) from None

    def exists(self, address: str) -> bool:
        try:
            return self._path(address).is_file()
        except BlobMissing:
            return False

    def delete(self, address: str) -> bool:
        try:
            path = self._path(address)
        except BlobMissing:
            return False
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def addresses(self) -> Iterator[str]:
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and len(folder.name) == 2:
                yield from sorted(p.name for p in folder.iterdir() if len(p.name) == 64)

    def close(self) -> None:
        """Nothing to release: every read opens and closes its own file."""


def _pieces(handle: Any, start: int, end: int | None) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        left = None if end is None else max(0, end - start)
        while left is None or left > 0:
            piece = handle.read(PIECE if left is None else min(PIECE, left))
            if not piece:
                return
            if left is not None:
                left -= len(piece)
            yield piece


class PostgresBlobStore:
    """Blobs as rows of at most `ROW` bytes in a table beside the event store."""

    name = "postgresql"

    def __init__(self, settings: Settings) -> None:
        self._conninfo = settings.pg_conninfo()
        self.table = f'"{settings.database_schema or "public"}".wijkarchief_blobs'
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[Any] = []
        with settings.schema_lock():
            self._connection().execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (address text NOT NULL, "
                "seq integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (address, seq))"
            )

    def _connection(self) -> Any:
        import psycopg

        conn = getattr(self._local, "conn", None)
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        conn = self._local.conn = psycopg.connect(self._conninfo, autocommit=True)
        with self._lock:
            self._connections.append(conn)
        return conn

    def put(self, chunks: Iterable[bytes]) -> str:
        digest = hashlib.sha256()
        temporary = "tmp-" + secrets.token_hex(16)
        conn = self._connection()
        buffer = bytearray()
        seq = 0
        with conn.transaction():
            for chunk in chunks:
                digest.update(chunk)
                buffer += chunk
                while len(buffer) >= ROW:
                    self._insert(conn, temporary, seq, bytes(buffer[:ROW]))
                    del buffer[:ROW]
                    seq += 1
            if buffer or seq == 0:
                self._insert(conn, temporary, seq, bytes(buffer))
            address = digest.hexdigest()
            found = conn.execute(
                f"SELECT 1 FROM {self.table} WHERE address = %s LIMIT 1", (address,)
            ).fetchone()
            if found:  # the same bytes are stored already
                conn.execute(f"DELETE FROM {self.table} WHERE address = %s", (temporary,))
            else:
                conn.execute(
                    f"UPDATE {self.table} SET address = %s WHERE address = %s",
                    (address, temporary),
                )
        return address

    def _insert(self, conn: Any, address: str, seq: int, data: bytes) -> None:
        conn.execute(
            f"INSERT INTO {self.table} (address, seq, data) VALUES (%s, %s, %s)",
            (address, seq, data),
        )

    def get(self, address: str) -> bytes:
        return b"".join(self.stream(address))

    def size(self, address: str) -> int:
        row = (
            self._connection()
            .execute(
                f"SELECT count(*), coalesce(sum(length(data)), 0) FROM {self.table} "
                "WHERE address = %s",
                (_checked(address),),
            )
            .fetchone()
        )
        if not row or not row[0]:
            raise BlobMissing(address)
        return int(row[1])

    def stream(self, address: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        total = self.size(address)  # raises BlobMissing before the first piece
        end = total if end is None else min(end, total)
        return self._rows(address, start, end)

    def _rows(self, address: str, start: int, end: int) -> Iterator[bytes]:
        # Every row is ROW bytes but the last: the rows a range needs are known. Each query
        # runs on the connection of the thread asking (pieces may be asked for from several).
        seq = start // ROW
        while seq * ROW < end:
            last = min(seq + ROWS_PER_QUERY, -(-end // ROW))
            rows = (
                self._connection()
                .execute(
                    f"SELECT seq, data FROM {self.table} WHERE address = %s AND seq >= %s "
                    "AND seq < %s ORDER BY seq",
                    (address, seq, last),
                )
                .fetchall()
            )
            for number, data in rows:
                offset = number * ROW
                piece = bytes(data)[max(0, start - offset) : max(0, end - offset)]
                if piece:
                    yield piece
            seq = last

    def exists(self, address: str) -> bool:
        try:
            self.size(address)
        except BlobMissing:
            return False
        return True

    def delete(self, address: str) -> bool:
        try:
            address = _checked(address)
        except BlobMissing:
            return False
        conn = self._connection()
        deleted = conn.execute(f"DELETE FROM {self.table} WHERE address = %s", (address,)).rowcount
        # The deleted rows' old versions leave the table's pages (their ciphertext, already
        # unopenable once the item's keys are gone).
        conn.execute(f"VACUUM {self.table}")
        return bool(deleted)

    def addresses(self) -> Iterator[str]:
        rows = (
            self._connection()
            .execute(
                f"SELECT DISTINCT address FROM {self.table} WHERE address NOT LIKE 'tmp-%%' "
                "ORDER BY address"
            )
            .fetchall()
        )
        for row in rows:
            yield str(row[0])

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with suppress(Exception):
                conn.close()
        self._local = threading.local()
