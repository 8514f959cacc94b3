"""The base of every aggregate of the archive: its events say who did it, and why.

Who made a change, and for a correction why, travel on the base event (`actor`, `reason`),
filled from the context set by `acting_as` — the pattern of the eventsourcing
content-management example.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import field

from eventsourcing.domain import Aggregate

from events.errors import InvalidInput

actor_cvar: ContextVar[str] = ContextVar("actor", default="")
reason_cvar: ContextVar[str] = ContextVar("reason", default="")


@contextmanager
def acting_as(actor: str, reason: str = "") -> Iterator[None]:
    """Every event triggered inside this block names `actor` (and `reason`)."""
    if not actor or not actor.strip():
        raise InvalidInput("Elke wijziging heeft een actor nodig (wie deed het).", field="actor")
    actor_token = actor_cvar.set(actor.strip())
    reason_token = reason_cvar.set(reason or "")
    try:
        yield
    finally:
        actor_cvar.reset(actor_token)
        reason_cvar.reset(reason_token)


class ArchiveAggregate(Aggregate):
    """Base of every aggregate of the archive: its events say who and why."""

    class Event(Aggregate.Event):
        """Base of every event: who recorded it, and for a correction, why."""

        actor: str = field(default_factory=actor_cvar.get, init=False)
        reason: str = field(default_factory=reason_cvar.get, init=False)
