"""The event store's PostgreSQL connections: a bounded wait, and never a dead connection.

eventsourcing's PostgreSQL recorders retry every statement 10 times, 0.2 s apart, each
attempt waiting for a pooled connection: with the server down a request took ~12 s to fail.
And after a restart psycopg_pool's pre-ping found a pooled connection dead, slept its 1 s
back-off, and gave up with the wait spent: the first request on an idle pool answered 503
although the server was back. Here instead:

- a request waits at most `Settings.database_wait` seconds for a connection (the pool's
  `timeout`), once: the recorders' methods run without the library's retry loop;
- every connection is dialled with libpq's `connect_timeout` (`Settings.connect_timeout`);
- a connection is pinged before use; a dead one is thrown away, the pool's other idle
  connections are checked at once (they died with it), and the request gets a fresh one,
  within the same wait;
- once a request has waited its whole wait while the pools' connection attempts failed, the
  server is known to be down: until a connection succeeds again, requests wait at most
  `KNOWN_DOWN_WAIT` (long enough to dial a server that is back). So a request that goes on
  after a failed statement (a write that waits for the views) does not wait twice, and a
  long outage does not hold a thread per request for the whole wait.

`Factory` is the persistence module's factory (`PERSISTENCE_MODULE=archive.pgstore:Factory`,
set by `archive.config.Settings.event_store_env`); the catalogue's own pool is bounded the
same way (`bounded`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from time import monotonic
from typing import Any, ClassVar

from eventsourcing.postgres import (
    ConnectionPool,
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
    PostgresTrackingRecorder,
)
from eventsourcing.utils import Environment, EnvType
from psycopg_pool import PoolTimeout

from archive.config import RECONNECT_TIMEOUT, connect_timeout
from archive.owed import rewrite_tables  # the erasure's rewrites (owed when not clean)

log = logging.getLogger("wijkarchief.store")
WAIT_KEY = "WIJKARCHIEF_DATABASE_WAIT"  # the event store's environment carries the wait
FRESH_MINIMUM = 0.1  # seconds a request waits for a fresh connection after a dead one at least
KNOWN_DOWN_WAIT = 0.5  # seconds a request waits for a connection to a server known to be down


@dataclass
class Server:
    """What this process's pools know of one PostgreSQL server."""

    dialling_fails: bool = False  # the last connection attempt failed
    down: bool = False  # and a request has since waited its whole wait in vain


class Pool(ConnectionPool[Any]):
    """eventsourcing's connection pool, handing out only connections that answer a ping."""

    servers: ClassVar[dict[str, Server]] = {}  # by address: every pool to a server shares one

    @property
    def server(self) -> Server:
        """What is known of this pool's server."""
        kwargs = self.kwargs if isinstance(self.kwargs, dict) else {}
        address = f"{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('dbname')}"
        return self.servers.setdefault(address, Server())

    def getconn(self, timeout: float | None = None) -> Any:
        """A live connection within `timeout` (the pool's own by default), or PoolTimeout."""
        wait = self.timeout if timeout is None else timeout
        server = self.server
        if server.down:
            wait = min(wait, KNOWN_DOWN_WAIT)
        deadline = monotonic() + wait
        try:
            conn = super().getconn(wait)
            if _alive(conn):
                return conn
            # The server went away since this connection was last used, and took the pool's
            # other idle connections with it: throw them out now, and take a fresh one (once).
            log.warning("A pooled PostgreSQL connection was dead; replacing the pool's ones")
            self.putconn(conn)  # closed: the pool discards it and dials a replacement
            self.check()
            return super().getconn(max(deadline - monotonic(), FRESH_MINIMUM))
        except PoolTimeout:
            if server.dialling_fails:  # not merely busy: unreachable
                server.down = True
            raise

    def _connect(self, timeout: float | None = None) -> Any:
        server = self.server
        try:
            conn = super()._connect(timeout=timeout)
        except Exception:
            server.dialling_fails = True
            raise
        server.dialling_fails = server.down = False
        return conn


def _alive(conn: Any) -> bool:
    """True when the connection answers an empty statement (eventsourcing's are autocommit)."""
    try:
        conn.execute("")
    except Exception:
        return False
    return True


def bounded(datastore: PostgresDatastore, wait: float) -> PostgresDatastore:
    """Give `datastore` a `Pool` of the same size: `wait` seconds for a connection at most,
    connections dialled with a connect timeout, a lost one given up after RECONNECT_TIMEOUT.

    Called before the datastore's first use (its pool is not open yet).
    """
    old = datastore.pool
    assert old.closed, "bound the pool before it is opened"
    assert isinstance(old.kwargs, dict), "eventsourcing passes the connection settings as a dict"
    datastore.pool = Pool(
        get_password_func=old.get_password_func,
        connection_class=old.connection_class,
        kwargs={**old.kwargs, "connect_timeout": connect_timeout(wait)},
        min_size=old.min_size,
        max_size=old.max_size,
        open=False,
        configure=datastore.after_connect_func(),
        timeout=wait,
        max_waiting=old.max_waiting,
        max_lifetime=old.max_lifetime,
        # psycopg_pool's default is 300 s, with a back-off doubling to minutes: after this
        # the slot is given up and the next request dials at once.
        reconnect_timeout=RECONNECT_TIMEOUT,
    )
    datastore.pre_ping = False  # `Pool` pings; psycopg_pool's own check would back off 1 s
    return datastore


# The library's recorder methods without their retry loop (10 attempts, 0.2 s apart): a
# statement that finds no connection within the wait fails at once, answered 503.
class AggregateRecorder(PostgresAggregateRecorder):
    """The snapshot store."""

    insert_events = PostgresAggregateRecorder.insert_events.__wrapped__
    select_events = PostgresAggregateRecorder.select_events.__wrapped__


class ApplicationRecorder(PostgresApplicationRecorder):
    """The event log."""

    insert_events = PostgresApplicationRecorder.insert_events.__wrapped__
    select_events = PostgresAggregateRecorder.select_events.__wrapped__
    select_notifications = PostgresApplicationRecorder.select_notifications.__wrapped__
    max_notification_id = PostgresApplicationRecorder.max_notification_id.__wrapped__


class TrackingRecorder(PostgresTrackingRecorder):
    """A read model's tracked position (the catalogue's)."""

    insert_tracking = PostgresTrackingRecorder.insert_tracking.__wrapped__
    max_tracking_id = PostgresTrackingRecorder.max_tracking_id.__wrapped__
    has_tracking_id = PostgresTrackingRecorder.has_tracking_id.__wrapped__


class Factory(PostgresFactory):
    """eventsourcing's PostgreSQL factory with the bounded pool and the recorders above."""

    aggregate_recorder_class = AggregateRecorder
    application_recorder_class = ApplicationRecorder
    tracking_recorder_class = TrackingRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        bounded(self.datastore, float(self.env.get(WAIT_KEY) or self.datastore.pool.timeout))


__all__ = ["Factory", "Pool", "bounded", "rewrite_tables", "TrackingRecorder"]
