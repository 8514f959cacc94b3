"""The archive an app serves: opened at startup or, when the database was unreachable then,
on the first request that needs it.

A worker that uvicorn starts again during a database outage (one killed, one that stopped
answering its health check) must not fail its startup: uvicorn stops the whole server when a
worker does, and every request after is refused. So a worker that cannot reach the store
starts anyway, answers 503 (`api.errors.UNAVAILABLE`) while the store is down, and opens the
archive on the first request after it is back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from archive.service import Archive

log = logging.getLogger("wijkarchief.api")
_opening = threading.Lock()


def open_at_startup(state: Any, opener: Callable[[], Archive]) -> None:
    """Open the archive into `state`; if the store is unreachable, leave it for later."""
    from api.errors import UNAVAILABLE

    state.opener = opener
    try:
        state.archive = opener()
    except UNAVAILABLE as error:
        state.archive = None
        log.warning(
            "de database is niet bereikbaar bij het starten (%s); het archief opent bij het "
            "eerste verzoek daarna, tot dan antwoordt dit proces 503",
            str(error).splitlines()[0] if str(error) else type(error).__name__,
        )


def archive_of_state(state: Any) -> Archive:
    """The open archive, opened now if startup could not (raises UNAVAILABLE while down)."""
    archive: Archive | None = getattr(state, "archive", None)
    if archive is not None:
        return archive
    opener: Callable[[], Archive] | None = getattr(state, "opener", None)
    if opener is None:
        raise RuntimeError("the app serves no archive: create_app() with one or an opener")
    with _opening:
        archive = getattr(state, "archive", None)
        if archive is None:
            archive = state.archive = opener()
    return archive


def serves_an_archive(state: Any) -> bool:
    """Whether the app has an archive, open or to be opened (not a routes-only app)."""
    return getattr(state, "archive", None) is not None or getattr(state, "opener", None) is not None


def opened_archive(state: Any) -> Archive | None:
    """The archive if it is open, else None (for answers that must not wait on the store)."""
    archive: Archive | None = getattr(state, "archive", None)
    return archive
