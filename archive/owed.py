"""Table rewrites an erasure owes on PostgreSQL: done at once when clean, else paid later.

After an erasure the tables that held its words (the catalogue, the PostgreSQL search view,
the key table with the destroyed key) are rewritten with `VACUUM FULL`. That copies a row
version another transaction might still read ("recently dead"): while a session holds a
snapshot older than the erasure (a long report, `pg_dump`, a REPEATABLE READ transaction of
another tool), a rewrite would carry the erased words into the new table files.

`rewrite_tables` records the debt first in `owed_rewrites` in the table's schema (the
table, the horizon every session must pass, since when, why), so a process killed while it
waits leaves it owed. Then it waits at most `WIJKARCHIEF_ERASURE_WAIT` seconds (default 10,
for one erasure's tables together: `waiting`) for every such session, rewrites, and drops
the record. When a session is still there, or the table stays locked, it does not rewrite
(the copy would keep the words): the record stays, and the log says who holds it up. `pay` rewrites
each owed table once its horizon has passed and drops its record. `Owed` is the archive's
side: after reads and in the projector's loop (`poke`, at most every `RETRY_SECONDS`, in a
thread of its own, so a read never waits for it), at start-up and at close. Processes of
several hosts may pay at once: an advisory try-lock lets one pay, the others skip; a rewrite
that still meets a lock gives up after `PAY_LOCK_TIMEOUT` and stays owed.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from archive.config import DDL_LOCK_CLASS, Settings

log = logging.getLogger("wijkarchief.store")
OWED = "owed_rewrites"
ERASURE_WAIT = 10.0  # seconds an erasure waits for older snapshots (WIJKARCHIEF_ERASURE_WAIT)
RETRY_SECONDS = 5.0  # an archive tries an owed rewrite at most this often
CHECK_SECONDS = 60.0  # and looks for debts other processes recorded (and left) this often
PAY_LOCK_TIMEOUT = "200ms"  # a retry never queues readers behind its lock for longer
PAY_LOCK_CLASS = DDL_LOCK_CLASS + 1  # the advisory try-lock of the payer (per schema)
_QUALIFIED = re.compile(r'^"([a-z_][a-z0-9_]*)"\.([a-z_][a-z0-9_]*)$')
_deadline: ContextVar[float | None] = ContextVar("erasure_deadline", default=None)
_recorded = [0]  # debts recorded by this process (an archive then tries again soon)

# Sessions, prepared transactions and replication slots that may still see row versions
# deleted before the horizon (an xid8): what VACUUM FULL would keep for them.
HOLDERS = """
SELECT 'sessie' AS kind, pid, application_name AS name, usename AS "user",
       client_addr::text AS client, coalesce(xact_start, backend_start) AS since
  FROM pg_stat_activity
 WHERE (datname = current_database() OR datname IS NULL) AND pid <> pg_backend_pid()
   AND (age(backend_xmin) > age(xid(%(h)s::xid8)) OR age(backend_xid) > age(xid(%(h)s::xid8)))
UNION ALL
SELECT 'voorbereide transactie', NULL, gid, owner::text, NULL, prepared FROM pg_prepared_xacts
 WHERE database = current_database() AND age(transaction) > age(xid(%(h)s::xid8))
UNION ALL
SELECT 'replicatieslot', active_pid, slot_name::text, NULL, NULL, NULL FROM pg_replication_slots
 WHERE age(xmin) > age(xid(%(h)s::xid8))
"""


@contextmanager
def waiting(seconds: float) -> Iterator[None]:
    """The rewrites in this context (one erasure's: the key table, then each view) wait
    at most `seconds` for older snapshots, all of them together."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def _split(table: str) -> tuple[str, str]:
    found = _QUALIFIED.match(table)
    if not found:
        raise ValueError(f"not a schema-qualified table: {table!r}")
    return found[1], found[2]


def _owed_table(schema: str) -> str:
    return f'"{schema}".{OWED}'


def _one(conn: Any, sql: str, params: Any = None) -> Any:
    """The first column of a statement's one row."""
    return conn.execute(sql, params).fetchone()[0]


def holders(conn: Any, horizon: str) -> list[dict[str, Any]]:
    """Who may still read row versions deleted before `horizon` (see `HOLDERS`)."""
    cursor = conn.execute(HOLDERS, {"h": horizon})
    names = [c.name for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def describe(found: Sequence[dict[str, Any]]) -> str:
    """The holders in an operator's terms (Dutch): pid, application, user, since when."""
    now = datetime.now(UTC)
    parts = []
    for h in found:
        what = f"{h['kind']} {h['pid']}" if h["pid"] is not None else str(h["kind"])
        detail = [f"'{h['name']}'" if h["name"] else "zonder application_name"]
        detail += [f"gebruiker {h['user']}"] if h["user"] else []
        detail += [f"van {h['client']}"] if h["client"] else []
        if h["since"] is not None:
            minutes = max(0, int((now - h["since"]).total_seconds() // 60))
            detail.append(
                f"sinds {h['since'].astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC ({minutes} min)"
            )
        elif h["kind"] == "sessie":
            detail.append("begin niet zichtbaar voor deze rol: pg_read_all_stats")
        parts.append(f"{what} ({', '.join(detail)})")
    return "; ".join(parts)


def _record(conn: Any, tables: Sequence[str], horizon: str, reason: str) -> None:
    """Note that `tables` owe a clean rewrite past `horizon` (kept: the oldest `since`)."""
    for table in tables:
        schema, _ = _split(table)
        owed = _owed_table(schema)
        with conn.transaction():
            if _one(conn, "SELECT to_regclass(%s)", (owed,)) is None:
                key = _key(table)  # as Settings.schema_lock
                conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (DDL_LOCK_CLASS, key))
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {owed} (table_name text PRIMARY KEY, "
                    "horizon xid8 NOT NULL, since timestamptz NOT NULL DEFAULT now(), "
                    "reason text NOT NULL)"
                )
            conn.execute(
                f"INSERT INTO {owed} AS o (table_name, horizon, reason) "
                "VALUES (%s, %s::xid8, %s) ON CONFLICT (table_name) DO UPDATE SET "
                "horizon = GREATEST(o.horizon, EXCLUDED.horizon), reason = EXCLUDED.reason",
                (table, horizon, reason),
            )
        _recorded[0] += 1


def _paid(conn: Any, table: str, horizon: str) -> None:
    """A clean rewrite past `horizon`: drop the table's debts it covers."""
    owed = _owed_table(_split(table)[0])
    if _one(conn, "SELECT to_regclass(%s)", (owed,)) is not None:
        conn.execute(
            f"DELETE FROM {owed} WHERE table_name = %s AND horizon <= %s::xid8", (table, horizon)
        )


def _vacuum(conn: Any, table: str, horizon: str) -> bool:
    """`VACUUM FULL` the table; False (and the debt recorded) when its lock was not had."""
    import psycopg

    try:
        conn.execute(f"VACUUM FULL {table}")
    except psycopg.errors.LockNotAvailable:
        log.warning("%s stayed locked by another session; its rewrite is owed", table)
        _record(conn, [table], horizon, "vergrendeld")
        return False
    _paid(conn, table, horizon)
    return True


def rewrite_tables(conninfo: str, *tables: str, wait: float | None = None) -> bool:
    """`VACUUM FULL` the tables once no other transaction can still see their deleted rows.

    The debt is recorded first (reason `bezig`), so a process killed while it waits leaves
    it owed, not forgotten. Then, holding the payers' lock (they skip meanwhile), it waits
    at most `wait` seconds (default: to the end of `waiting`, else `ERASURE_WAIT`) until
    every other session of this database has a snapshot newer than now, and rewrites; a
    clean rewrite drops the debt. A session still older after the wait is logged by pid,
    application and since when, and the tables are not rewritten (the copy would keep the
    words): they stay owed, for `pay`, as does a table locked past the wait. True when all
    was clean.
    """
    import psycopg

    shared = _deadline.get()
    if wait is not None or shared is None:
        shared = time.monotonic() + (ERASURE_WAIT if wait is None else wait)
    deadline = shared
    with psycopg.connect(conninfo, autocommit=True) as conn:
        horizon = str(_one(conn, "SELECT pg_snapshot_xmax(pg_current_snapshot())"))
        _record(conn, tables, horizon, "bezig")
        conn.execute(f"SET lock_timeout = '{_lock_ms(deadline)}ms'")
        try:  # one rewriter of the schema at a time: a payer may be at work
            _one(conn, "SELECT pg_advisory_lock(%s, %s)", (PAY_LOCK_CLASS, _key(tables[0])))
        except psycopg.errors.LockNotAvailable:
            return False  # owed, and the payer at work or the next one will do it
        while found := holders(conn, horizon):
            if time.monotonic() >= deadline:
                log.warning(
                    "Old copies of erased words stay in %s until these end (the rewrite is "
                    "owed, and done by itself then): %s",
                    ", ".join(tables),
                    describe(found),
                )
                _record(conn, tables, horizon, "oudere momentopname")
                return False
            time.sleep(0.05)
        conn.execute(f"SET lock_timeout = '{_lock_ms(deadline)}ms'")
        return all([_vacuum(conn, table, horizon) for table in tables])


def _lock_ms(deadline: float) -> int:
    """A lock is waited for until the deadline, at least 0.2 s, at most 10 s."""
    return int(min(10.0, max(0.2, deadline - time.monotonic())) * 1000)


def _key(table: str) -> int:
    """The advisory lock key of the table's schema (a signed 32-bit int)."""
    return zlib.crc32(_split(table)[0].encode()) - (1 << 31)


def owed_rows(conn: Any, schema: str) -> list[tuple[str, str, datetime, str]]:
    """The schema's owed rewrites: (table, horizon, since, reason), oldest first."""
    owed = _owed_table(schema)
    if _one(conn, "SELECT to_regclass(%s)", (owed,)) is None:
        return []
    rows = conn.execute(
        f"SELECT table_name, horizon::text, since, reason FROM {owed} ORDER BY since, table_name"
    ).fetchall()
    return [(str(r[0]), str(r[1]), r[2], str(r[3])) for r in rows]


def pay(conninfo: str, schema: str, lock_timeout: str = PAY_LOCK_TIMEOUT) -> int:
    """Rewrite every owed table of the schema whose horizon has passed; the number left.

    One payer per schema at a time (an advisory try-lock: another payer means skip, not
    wait); a table still locked after `lock_timeout` stays owed for the next try.
    """
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = owed_rows(conn, schema)
        if not rows:
            return 0
        key = _key(f'"{schema}".{OWED}')
        if not _one(conn, "SELECT pg_try_advisory_lock(%s, %s)", (PAY_LOCK_CLASS, key)):
            return len(rows)  # another process is paying now
        conn.execute(f"SET lock_timeout = '{lock_timeout}'")
        for table, horizon, _, _ in owed_rows(conn, schema):  # again, under the lock
            if holders(conn, horizon):
                continue
            try:
                paid = _vacuum(conn, table, horizon)
            except psycopg.errors.UndefinedTable:  # dropped since: nothing left to rewrite
                _paid(conn, table, horizon)
                paid = True
            if paid:
                log.info("The owed rewrite of %s is done: no old copies left", table)
        return len(owed_rows(conn, schema))


class Owed:
    """An archive's owed rewrites: retried by themselves, counted and reported."""

    def __init__(self, settings: Settings) -> None:
        self.enabled = settings.uses_postgres
        self.conninfo = settings.pg_conninfo() if self.enabled else ""
        self.schema = settings.database_schema or "public"
        self._last = -CHECK_SECONDS
        self._left = 1  # owed after the last try (unknown at first: look at once)
        self._seen = _recorded[0]
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()
        self._failing = False
        self._closed = False

    def poke(self) -> None:
        """Try the owed rewrites in the background, at most every `RETRY_SECONDS`."""
        if not self.enabled or self._closed:
            return
        now = time.monotonic()
        with self._guard:
            owing = self._left != 0 or self._seen != _recorded[0]
            interval = RETRY_SECONDS if owing else CHECK_SECONDS
            if now - self._last < interval or (self._thread and self._thread.is_alive()):
                return
            self._last = now
            self._thread = threading.Thread(target=self.try_now, name="owed-rewrites", daemon=True)
            self._thread.start()

    def try_now(self) -> int:
        """Pay what can be paid now (never waiting for a session); the number left owed."""
        if not self.enabled:
            return 0
        self._seen = _recorded[0]
        try:
            left = pay(self.conninfo, self.schema)
        except Exception:
            if not self._failing:
                log.exception("Trying the owed table rewrites failed; trying again later")
            self._failing = True
            self._left = -1
            return -1
        self._failing = False
        self._left = left
        return left

    def join(self, timeout: float | None = None) -> None:
        """Until a background try has ended."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def close(self) -> None:
        """At close: the background try ended, then one more try if anything is owed."""
        with self._guard:
            if self._closed:  # closed again (eventsourcing's __del__ at exit): nothing more
                return
            self._closed = True  # no new background try
        self.join()
        if self.enabled and not self._failing and (self._left or self._seen != _recorded[0]):
            self.try_now()

    def settle(self, wait: float) -> int:
        """Pay now, trying for at most `wait` seconds while sessions hold it up; the number
        left owed (`wijkarchief rewrite-owed`)."""
        if not self.enabled:
            return 0
        deadline = time.monotonic() + wait
        self.join()
        while (left := pay(self.conninfo, self.schema, lock_timeout="2s")) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.2)
        self._left = left
        return left

    def count(self) -> int:
        """How many tables owe a rewrite (0 on SQLite; -1 when it could not be read)."""
        if not self.enabled:
            return 0
        import psycopg

        try:
            with psycopg.connect(self.conninfo, autocommit=True) as conn:
                return len(owed_rows(conn, self.schema))
        except psycopg.Error:
            log.warning("The owed table rewrites could not be counted", exc_info=True)
            return -1

    def report(self) -> dict[str, Any]:
        """The owed rewrites and who holds them up, with a Dutch message (None: none owed)."""
        if not self.enabled:
            return {"removed": True, "tables": [], "holders": [], "message": None}
        import psycopg

        try:
            with psycopg.connect(self.conninfo, autocommit=True) as conn:
                rows = owed_rows(conn, self.schema)
                newest = max((r[1] for r in rows), key=int, default=None)
                found = holders(conn, newest) if newest is not None else []
        except psycopg.Error as error:  # the erasure itself is done: say what is unknown
            log.warning("The owed table rewrites could not be read", exc_info=True)
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            unknown = f"Niet na te gaan of er nog oude kopieën op schijf staan: {reason}"
            return {"removed": False, "tables": [], "holders": [], "message": unknown}
        tables = [{"table": t, "since": s.isoformat(), "reason": r} for t, _, s, r in rows]
        holding = [
            {**h, "since": h["since"].isoformat() if h["since"] is not None else None}
            for h in found
        ]
        message: str | None = None
        if rows:
            why = f"Nog open: {describe(found)}." if found else "De volgende poging volgt vanzelf."
            message = (
                f"Oude kopieën van gewiste woorden staan nog in {len(rows)} tabel(len) van de "
                "database (een andere sessie kon ze nog lezen). Het archief herschrijft ze "
                f"vanzelf zodra dat kan. {why} Beëindig zo'n sessie om het nu te laten "
                "gebeuren (zie docs/runbook-postgresql.md)."
            )
        return {"removed": not rows, "tables": tables, "holders": holding, "message": message}
