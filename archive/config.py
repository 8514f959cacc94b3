"""Settings from the environment: where the data lives and which store to use.

- `WIJKARCHIEF_DATA` (default `./var`): the SQLite event store `events.sqlite`, the
  catalogue read model `catalogue.sqlite` and the search index `search-index/`.
- `WIJKARCHIEF_DATABASE_URL=postgresql://USER[:PASSWORD]@HOST:PORT/DB`: the event store
  (and the catalogue read model) on PostgreSQL instead. `WIJKARCHIEF_DATABASE_SCHEMA`
  puts the tables in a schema of their own (the tests use one schema per test).
- `WIJKARCHIEF_FOLLOW` (default `1`): `0` for API workers beside a separate projector
  (`wijkarchief project`): they do not catch the read models up themselves but wait for it,
  at most `WIJKARCHIEF_WAIT_TIMEOUT` seconds (default 5) per write.
- `WIJKARCHIEF_BASE_URL` (default `http://127.0.0.1:8000`): the address the archive is
  reached at, for the absolute URLs it hands out (`/api/changes`), never the client's Host.
- `WIJKARCHIEF_BLOB_STORE` (`directory` | `postgresql`, default: the event store's kind),
  `WIJKARCHIEF_BLOB_DIR` (default `DATA/blobs`): where files' sealed bytes live;
  `WIJKARCHIEF_MAX_IMAGE_MB` (25) and `WIJKARCHIEF_MAX_MEDIA_MB` (200): one file's limit.
- `WIJKARCHIEF_SEARCH_BACKEND` is read by `search_index.search_backend`: `postgres` keeps the
  search view in this PostgreSQL schema too, and is refused without a database URL.
- `WIJKARCHIEF_DATABASE_WAIT` (default 3): on PostgreSQL, the seconds a request waits for a
  connection before it is answered 503 (`archive.pgstore`); every connection is dialled
  with a connect timeout of as many whole seconds (at least 2, libpq's least).
- `WIJKARCHIEF_READY_LAG` (default 100): `/api/ready` answers 503 while a view of this host
  (the catalogue, the search index) is more than this many events behind the log.
- `WIJKARCHIEF_ERASURE_WAIT` (default 10): on PostgreSQL, the seconds an erasure waits for
  sessions with an older snapshot before it leaves the rewrite of a table owed
  (`archive.owed`: paid by itself once they have ended).
"""

from __future__ import annotations

import math
import os
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from events.errors import InvalidInput

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")
# The class id of the archive's advisory lock on table creation ("wijk"); the object id is
# the schema's CRC-32, so archives in different schemas do not wait for each other.
DDL_LOCK_CLASS = 0x77696A6B
DDL_LOCK_TIMEOUT = "120s"
# Seconds a pool keeps retrying a lost connection in the background (psycopg_pool's default
# is 300, with a back-off doubling to minutes): after that the slot is given up and the next
# request that needs a connection dials at once, so the archive is back within a moment of
# the server, not up to a back-off interval later.
RECONNECT_TIMEOUT = 3.0
# Seconds a request waits for PostgreSQL before it is answered 503 (WIJKARCHIEF_DATABASE_WAIT).
DATABASE_WAIT = 3.0
# Events a view may lag behind the log while `/api/ready` answers 200 (WIJKARCHIEF_READY_LAG).
READY_LAG = 100
# The event store's pool settings (eventsourcing's names) an operator may set instead.
TUNABLE = ("POSTGRES_POOL_SIZE", "POSTGRES_MAX_OVERFLOW")


def connect_timeout(wait: float) -> int:
    """libpq's `connect_timeout` for a wait: whole seconds, at least 2 (libpq reads 1 as 2)."""
    return max(2, math.ceil(wait))


def reconnect_quickly(datastore: object) -> None:
    """Shorten the background reconnection of an eventsourcing PostgreSQL datastore's pool
    (`archive.pgstore.bounded` does this too)."""
    pool = getattr(datastore, "pool", None)
    if pool is not None and hasattr(pool, "reconnect_timeout"):
        pool.reconnect_timeout = RECONNECT_TIMEOUT


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise InvalidInput(f"{name} moet 1 of 0 zijn, niet {value!r}.", field=name)


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= 3600):
        raise InvalidInput(
            f"{name} moet een aantal seconden zijn (groter dan 0, hoogstens 3600), niet {value!r}.",
            field=name,
        )
    return seconds


def _count(name: str, default: int) -> int:
    """A whole number of events, 0 or more."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 12):
        raise InvalidInput(
            f"{name} moet een geheel getal (0 of meer) zijn, niet {value!r}.", field=name
        )
    return int(value)


def _choice(name: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip().lower()
    if value and value not in choices:
        raise InvalidInput(f"{name} moet {' of '.join(choices)} zijn, niet {value!r}.", field=name)
    return value


def _megabytes(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default * 1024 * 1024
    if not value.isdigit() or not 1 <= int(value) <= 100_000:
        raise InvalidInput(
            f"{name} moet een aantal MB zijn (1-100000), niet {value!r}.", field=name
        )
    return int(value) * 1024 * 1024


DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _base_url(name: str, default: str) -> str:
    """An absolute http(s) address without a trailing slash, query or fragment."""
    value = os.environ.get(name, "").strip() or default
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InvalidInput(
            f"{name} moet een adres als https://archief.example.nl zijn, niet {value!r}.",
            field=name,
        )
    return value.rstrip("/")


@dataclass(frozen=True)
class Settings:
    """Where the archive keeps its data."""

    data_dir: Path
    database_url: str | None = None
    database_schema: str = ""
    # False: a separate projector keeps the read models current; this process waits for it.
    follow: bool = True
    # How long a write waits for every read model to reach it when `follow` is False.
    wait_timeout: float = 5.0
    # Where the archive is reached: the base of the absolute URLs it hands out.
    base_url: str = DEFAULT_BASE_URL
    # On PostgreSQL: how long a request waits for a connection before it is answered 503.
    database_wait: float = DATABASE_WAIT
    # `/api/ready` answers 503 while a view of this host lags more events than this.
    ready_lag: int = READY_LAG
    # On PostgreSQL: how long an erasure waits for older snapshots before a rewrite is owed.
    erasure_wait: float = 10.0
    # Where the sealed bytes of files live (archive/blobs.py): `directory` or `postgresql`;
    # "" chooses the event store's kind. `blob_root` overrides `data_dir/blobs`.
    blob_store: str = ""
    blob_root: Path | None = None
    # Size limits of one file (archive/files.py), in bytes.
    max_image_bytes: int = 25 * 1024 * 1024
    max_media_bytes: int = 200 * 1024 * 1024

    @classmethod
    def from_env(cls) -> Settings:
        """Read the `WIJKARCHIEF_*` variables; InvalidInput (one line) for a bad value."""
        return cls(
            data_dir=Path(os.environ.get("WIJKARCHIEF_DATA", "var")),
            database_url=os.environ.get("WIJKARCHIEF_DATABASE_URL") or None,
            database_schema=os.environ.get("WIJKARCHIEF_DATABASE_SCHEMA", ""),
            follow=_flag("WIJKARCHIEF_FOLLOW", True),
            wait_timeout=_seconds("WIJKARCHIEF_WAIT_TIMEOUT", 5.0),
            base_url=_base_url("WIJKARCHIEF_BASE_URL", DEFAULT_BASE_URL),
            database_wait=_seconds("WIJKARCHIEF_DATABASE_WAIT", DATABASE_WAIT),
            ready_lag=_count("WIJKARCHIEF_READY_LAG", READY_LAG),
            erasure_wait=_seconds("WIJKARCHIEF_ERASURE_WAIT", 10.0),
            blob_store=_choice("WIJKARCHIEF_BLOB_STORE", ("directory", "postgresql")),
            blob_root=Path(os.environ["WIJKARCHIEF_BLOB_DIR"])
            if os.environ.get("WIJKARCHIEF_BLOB_DIR")
            else None,
            max_image_bytes=_megabytes("WIJKARCHIEF_MAX_IMAGE_MB", 25),
            max_media_bytes=_megabytes("WIJKARCHIEF_MAX_MEDIA_MB", 200),
        )

    @property
    def blob_backend(self) -> str:
        """`directory` or `postgresql`: where the sealed bytes of files are kept."""
        if self.blob_store:
            return self.blob_store
        return "postgresql" if self.uses_postgres else "directory"

    @property
    def blob_dir(self) -> Path:
        """The directory blob store's root (`WIJKARCHIEF_BLOB_DIR`, else `DATA/blobs`)."""
        return self.blob_root or self.data_dir / "blobs"

    @property
    def max_upload_bytes(self) -> int:
        """The most one upload may send (the larger of the two limits)."""
        return max(self.max_image_bytes, self.max_media_bytes)

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
        """The Whoosh search index (the tantivy backend keeps `search-index-tantivy` beside it)."""
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
        """A libpq connection string for direct psycopg connections (the key store's, ...),
        dialled with the connect timeout of `database_wait`."""
        from psycopg.conninfo import make_conninfo

        pg = self.postgres()
        return make_conninfo(
            dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=pg["user"],
            password=pg["password"], connect_timeout=connect_timeout(self.database_wait),
        )  # fmt: skip

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        """Hold the archive's PostgreSQL advisory lock while tables are created (no-op on SQLite).

        Every process that opens the store runs `CREATE TABLE IF NOT EXISTS`, `CREATE OR
        REPLACE FUNCTION`, `CREATE TYPE`; run at the same instant by several processes those
        fail (`tuple concurrently updated`, duplicate keys in the catalogues). Under this lock
        they take turns, on any number of hosts. A session lock on a short connection of its
        own: the server releases it when the connection ends, also when the process dies.
        """
        if not self.uses_postgres:
            yield
            return
        import psycopg
        from eventsourcing.persistence import OperationalError

        schema = self.database_schema or "public"
        key = zlib.crc32(schema.encode()) - (1 << 31)  # a signed 32-bit int
        try:
            conn = psycopg.connect(self.pg_conninfo(), autocommit=True)
        except psycopg.OperationalError as error:
            raise OperationalError(str(error).strip()) from error
        try:
            try:
                conn.execute(f"SET lock_timeout = '{DDL_LOCK_TIMEOUT}'")
                conn.execute("SELECT pg_advisory_lock(%s, %s)", (DDL_LOCK_CLASS, key))
            except psycopg.Error as error:
                raise OperationalError(str(error).strip()) from error
            yield
        finally:
            conn.close()  # ends the session, and with it the lock

    def event_store_env(self) -> dict[str, str]:
        """The eventsourcing persistence settings for this store."""
        if self.uses_postgres:
            pg = self.postgres()
            env = {
                # eventsourcing's PostgreSQL factory with a bounded wait and no dead
                # connections handed out (archive/pgstore.py).
                "PERSISTENCE_MODULE": "archive.pgstore:Factory",
                "POSTGRES_DBNAME": pg["dbname"],
                "POSTGRES_HOST": pg["host"],
                "POSTGRES_PORT": pg["port"],
                "POSTGRES_USER": pg["user"],
                "POSTGRES_PASSWORD": pg["password"],
                "POSTGRES_POOL_SIZE": "4",
                "POSTGRES_MAX_OVERFLOW": "4",
                # Seconds a statement waits for a pooled connection, once (the factory runs
                # the recorders without the library's 10 retries); the library reads whole
                # seconds, the factory sets the exact wait.
                "POSTGRES_CONNECT_TIMEOUT": str(math.ceil(self.database_wait)),
                "WIJKARCHIEF_DATABASE_WAIT": str(self.database_wait),
            }
            # A site may choose other values for these in the environment.
            for name in TUNABLE:
                if os.environ.get(name):
                    env[name] = os.environ[name]
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
