"""One writer of the shared views across hosts: a PostgreSQL advisory-lock leader.

On PostgreSQL the catalogue is one table for every host, while each host keeps its own
search index on local disk. With one `wijkarchief project` per host (the runbook's shape)
every projector writes its host's index, and the projector that holds this lock also
writes the shared views (`View.shared`). The lock is `pg_try_advisory_lock` on a
connection of its own, held for as long as that connection lives: when the leader dies
(`kill -9` included) or loses its connection, the server ends the session and releases
the lock, and a standby's next try takes it (within `RETRY_SECONDS`).

Leading is an optimisation, not what keeps the views right: a view records its position
only forward in the transaction of its rows, and a writer that loses a race on it goes on
from the position the other recorded (`archive.projection._moved_on`). So an old leader
that has not yet noticed it lost its connection, or API workers that follow the log
themselves (`serve` without `--no-follow`), do no harm; they only do the work twice.

On SQLite there is one host and no shared view: every projector feeds every view.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Sequence
from typing import Any

from archive.config import Settings
from archive.ports import View

log = logging.getLogger("wijkarchief.leader")
# The class id of the leader's advisory lock ("wijl"); the object id is the schema's CRC-32
# (as the table-creation lock, `Settings.schema_lock`, whose class differs).
LEADER_LOCK_CLASS = 0x77696A6C
# Seconds between two tries of a standby to take the lock (and of a leader to check it has it).
RETRY_SECONDS = 1.0


def is_shared(view: View) -> bool:
    """Whether the view lives in the shared database (written by one projector at a time)."""
    return bool(getattr(view, "shared", False))


class SharedViewsLeader:
    """Whether this process writes the shared views now; see the module's docstring."""

    def __init__(self, settings: Settings, *, retry_seconds: float = RETRY_SECONDS) -> None:
        self.settings = settings
        self.retry_seconds = retry_seconds
        self._conn: Any = None  # the psycopg connection that holds the lock
        self._checked = -float("inf")  # monotonic time of the last try or check
        schema = settings.database_schema or "public"
        self.key = zlib.crc32(schema.encode()) - (1 << 31)  # a signed 32-bit int

    @property
    def leading(self) -> bool:
        """True while this process holds the lock (as far as it last checked)."""
        return self._conn is not None

    def feeds(self, views: Sequence[View]) -> list[View]:
        """The views this process should feed now: all of them while it leads (or when
        none is shared), else only its host's own."""
        if not any(is_shared(view) for view in views) or self.holds():
            return list(views)
        return [view for view in views if not is_shared(view)]

    def holds(self) -> bool:
        """Take the lock, or check it is still held: at most every `retry_seconds`."""
        if not self.settings.uses_postgres:
            return True
        now = time.monotonic()
        if now - self._checked < self.retry_seconds:
            return self.leading
        self._checked = now
        if self._conn is not None:
            if self._alive():
                return True
            log.warning("Lost the connection that held the leader lock; no longer leading")
            self.release()
        return self._try()

    def _alive(self) -> bool:
        try:
            self._conn.execute("SELECT 1")
        except Exception:
            return False
        return True

    def _try(self) -> bool:
        import psycopg

        try:
            conn = psycopg.connect(self.settings.pg_conninfo(), autocommit=True)
        except psycopg.Error as error:  # the database is away: the catch-up will say so
            log.debug("Could not dial PostgreSQL for the leader lock: %s", error)
            return False
        try:
            row = conn.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (LEADER_LOCK_CLASS, self.key)
            ).fetchone()
        except psycopg.Error:
            conn.close()
            return False
        if row and row[0]:
            self._conn = conn
            return True
        conn.close()
        return False

    def release(self) -> None:
        """Give the lock up (closing its connection ends the session and the lock)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # already gone: so is the lock
                pass

    def close(self) -> None:
        """Release the lock, if held."""
        self.release()
