"""Web sign-in sessions and failed sign-in counts, where every API worker sees them.

A session is not a token: the login page hands out a random id of its own, and only its
SHA-256 hash is stored, with the token's name, role and version at login. It ends after
`IDLE` without use, `ABSOLUTE` after login in any case, at logout (the row is deleted, so a
copied cookie stops working), and when its token is revoked or reissued (the token's
version moves on; the caller checks it). Failed sign-ins (login form, bearer tokens) are
counted per client address: after `FAILURES` within `WINDOW` that client waits until the
window ends.

Nothing here is an event: sessions are short-lived and carry no archive history. They live
beside the store: on PostgreSQL two tables in the event store's schema, through the
application's own connection pool (`wijkarchief_sessions`, `wijkarchief_failed_logins`); on
SQLite a file of their own, `sessions.sqlite` in the data directory (the event store keeps
its single writer).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.sqlite import SQLiteDatastore

from archive.config import Settings

IDLE = 8 * 3600  # seconds without a request before a session ends
ABSOLUTE = 12 * 3600  # seconds after login a session ends whatever happens
TOUCH = 60  # a session's last use is written at most this often (seconds)
FAILURES = 10  # failed sign-ins per client within WINDOW before it has to wait
WINDOW = 15 * 60  # seconds; counted from the client's first failure


@dataclass(frozen=True)
class Session:
    """Who a live session belongs to."""

    name: str
    role: str
    token_version: int


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    """The session and failed-sign-in tables of one archive (thread-safe)."""

    def __init__(
        self,
        settings: Settings,
        postgres_datastore: Any = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self._owned: SQLiteDatastore | None = None
        if settings.uses_postgres:
            assert postgres_datastore is not None, "PostgreSQL sessions use the event store's pool"
            self._datastore = postgres_datastore
            schema = f'"{settings.database_schema or "public"}"'
            self._sessions = f"{schema}.wijkarchief_sessions"
            self._failures = f"{schema}.wijkarchief_failed_logins"
            self._param = "%s"
        else:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self._owned = SQLiteDatastore(
                str(settings.data_dir / "sessions.sqlite"), lock_timeout=10, pool_size=2
            )
            self._datastore = self._owned
            self._sessions = "sessions"
            self._failures = "failed_logins"
            self._param = "?"
        with settings.schema_lock():  # several workers may start at once
            self._run(
                f"CREATE TABLE IF NOT EXISTS {self._sessions} (id_hash TEXT PRIMARY KEY, "
                "name TEXT NOT NULL, role TEXT NOT NULL, token_version INTEGER NOT NULL, "
                "created_at DOUBLE PRECISION NOT NULL, seen_at DOUBLE PRECISION NOT NULL)",
                commit=True,
            )
            self._run(
                f"CREATE TABLE IF NOT EXISTS {self._failures} (client TEXT PRIMARY KEY, "
                "failures INTEGER NOT NULL, since DOUBLE PRECISION NOT NULL)",
                commit=True,
            )

    def _run(
        self, sql: str, params: Sequence[Any] = (), *, commit: bool, rows: bool = False
    ) -> list[Any]:
        """One statement in a transaction of its own; its rows when asked for."""
        sql = sql.replace("?", self._param)
        with self._datastore.transaction(commit=commit) as cursor:
            cursor.execute(sql, tuple(params))
            return list(cursor.fetchall()) if rows else []

    def close(self) -> None:
        """Close the SQLite file (on PostgreSQL the pool is the event store's)."""
        if self._owned is not None:
            self._owned.close()

    # -- sessions -------------------------------------------------------------------

    def start(self, name: str, role: str, token_version: int) -> str:
        """A new session for a token; its id (shown once, to go into the cookie)."""
        now = self.clock()
        self._run(
            f"DELETE FROM {self._sessions} WHERE created_at < ? OR seen_at < ?",
            (now - ABSOLUTE, now - IDLE),
            commit=True,
        )
        session_id = secrets.token_urlsafe(32)
        self._run(
            f"INSERT INTO {self._sessions} "
            "(id_hash, name, role, token_version, created_at, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
            (_hash(session_id), name, role, token_version, now, now),
            commit=True,
        )
        return session_id

    def get(self, session_id: str) -> Session | None:
        """The live session with this id, or None (an expired one is ended)."""
        if not session_id or len(session_id) > 100:
            return None
        key = _hash(session_id)
        rows = self._run(
            f"SELECT name, role, token_version, created_at, seen_at FROM {self._sessions} "
            "WHERE id_hash = ?",
            (key,),
            commit=False,
            rows=True,
        )
        if not rows:
            return None
        row = rows[0]
        now = self.clock()
        if now - row["created_at"] >= ABSOLUTE or now - row["seen_at"] >= IDLE:
            self.end(session_id)
            return None
        if now - row["seen_at"] >= TOUCH:
            self._run(
                f"UPDATE {self._sessions} SET seen_at = ? WHERE id_hash = ?", (now, key),
                commit=True,
            )  # fmt: skip
        return Session(row["name"], row["role"], int(row["token_version"]))

    def end(self, session_id: str) -> None:
        """End one session (logout)."""
        self._run(
            f"DELETE FROM {self._sessions} WHERE id_hash = ?", (_hash(session_id),), commit=True
        )

    def end_all(self, name: str) -> int:
        """End every session of a token; how many there were."""
        rows = self._run(
            f"DELETE FROM {self._sessions} WHERE name = ? RETURNING id_hash",
            (name,),
            commit=True,
            rows=True,
        )
        return len(rows)

    # -- failed sign-ins ------------------------------------------------------------

    def wait(self, client: str) -> int:
        """Seconds this client must wait before it may sign in again (0: now)."""
        rows = self._run(
            f"SELECT failures, since FROM {self._failures} WHERE client = ?", (client,),
            commit=False, rows=True,
        )  # fmt: skip
        return self._wait(rows[0]["failures"], rows[0]["since"]) if rows else 0

    def failed(self, client: str) -> int:
        """Count a failed sign-in of this client; seconds it must now wait (0: none)."""
        now = self.clock()
        expired = now - WINDOW
        self._run(f"DELETE FROM {self._failures} WHERE since < ?", (expired,), commit=True)
        # One atomic upsert, so workers counting at once never lose a failure.
        rows = self._run(
            f"INSERT INTO {self._failures} AS f (client, failures, since) VALUES (?, 1, ?) "
            "ON CONFLICT (client) DO UPDATE SET "
            "failures = CASE WHEN f.since < ? THEN 1 ELSE f.failures + 1 END, "
            "since = CASE WHEN f.since < ? THEN ? ELSE f.since END "
            "RETURNING failures, since",
            (client, now, expired, expired, now),
            commit=True,
            rows=True,
        )
        return self._wait(rows[0]["failures"], rows[0]["since"])

    def _wait(self, failures: int, since: float) -> int:
        left = since + WINDOW - self.clock()
        return math.ceil(left) if failures >= FAILURES and left > 0 else 0
