"""Keeping the read models in step with the log: catch-up, freshness, waiting, rebuilding.

A mixin of the archive (`archive.service.Archive`). Following in this process (the
embedded default), every read of a view first brings the views up to the log's newest
position (`fresh`); with a separate projector (`follow=False`), a write waits for it
(`wait_for`). `followers_lock` lets one follower at a time work on a host.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from archive.config import Settings
from archive.owed import Owed
from archive.ports import View
from archive.projection import Followers, Progress

log = logging.getLogger("wijkarchief.archive")
# After a failed catch-up before a read, reads at the same log position wait this long
# before trying again (a new write is tried at once).
FRESH_RETRY_SECONDS = 1.0
# The log positions written while a caller collects them (`writes_noted`).
_noted: ContextVar[list[int] | None] = ContextVar("wijkarchief_writes_noted", default=None)


@contextmanager
def writes_noted() -> Iterator[list[int]]:
    """Collect the log position of every write saved inside, whichever command saved it.

    The HTTP layer wraps each request in it and hands the last position back to the
    caller (a web form's write gets the pages' position cookie like an API write), so no
    route has to remember to. Worker threads that run a sync route get a copy of this
    context holding the same list, so their writes are collected too.
    """
    collected: list[int] = []
    token = _noted.set(collected)
    try:
        yield collected
    finally:
        _noted.reset(token)


@contextmanager
def followers_lock(settings: Settings) -> Iterator[None]:
    """One follower at a time on this host: API workers, the projector, a rebuild.

    Each view re-reads its own position once it holds the lock, so two processes never
    index the same page from different starting points (which would let an older state of
    an item overwrite a newer one). Opening a search index takes it too (processes of one
    host that start together take turns). An exclusive `flock` on a file in the data
    directory; the kernel releases it when a process dies, even by `kill -9`.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.data_dir / "followers.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class KeepsViews:
    """The views of an archive, kept in step with its log."""

    if TYPE_CHECKING:  # what the archive provides
        settings: Settings
        followers: Followers
        follow: bool
        owed: Owed
        _lock: threading.RLock
        _caught_up: int
        _failed: tuple[int, float] | None

        def position(self) -> int: ...

    @property
    def views(self) -> list[View]:
        """The read models that follow the log (the catalogue first)."""
        return self.followers.views

    def catch_up(
        self, progress: Progress | None = None, views: Sequence[View] | None = None
    ) -> int:
        """Bring every view (or only `views`: a standby projector's own, `archive.leader`)
        up to the end of the log; return the events processed. An owed table rewrite
        (`archive.owed`) is tried too, in the background, now and then (the projector's loop)."""
        self.owed.poke()
        with self._lock, self._followers_lock():
            head = self.position()
            processed = self.followers.catch_up(progress=progress, views=views)
            if views is None:
                self._caught_up = max(self._caught_up, head)
            return processed

    def fresh(self) -> None:
        """Before a read from the views: bring them up to the log's newest position.

        In follow mode one indexed read of the log's head when nothing was written since
        the last catch-up; otherwise the catch-up of everything written since (by this
        process or another). A catch-up that fails is logged (once per log position) and
        the read is answered from the views as they are: the event is in the log, and the
        views that did not fail have it. Reads try again after the next write, or after
        `FRESH_RETRY_SECONDS`. With a separate projector (`follow=False`) the views are
        that process's business. Now and then an owed table rewrite is tried in the
        background (`Owed.poke`: never waited for here).
        """
        self.owed.poke()
        if not self.follow:
            return
        head = self.position()
        if head <= self._caught_up:
            return
        failed = self._failed
        if failed and failed[0] == head and time.monotonic() - failed[1] < FRESH_RETRY_SECONDS:
            return
        try:
            self.catch_up()
        except Exception:
            if not failed or failed[0] != head:
                log.exception("Views did not catch up before a read; answering from where they are")
            self._failed = (head, time.monotonic())
        else:
            self._failed = None

    def rebuild(self, progress: Progress | None = None) -> int:
        """Drop every view and rebuild it from the log (in one pass over the log)."""
        with self._lock, self._followers_lock():
            self._caught_up = 0  # a rebuild that fails part-way is resumed by the next read
            head = self.position()
            processed = self.followers.rebuild(progress=progress)
            self._caught_up = head
            return processed

    def _followers_lock(self) -> AbstractContextManager[None]:
        """One follower at a time on this host (see `followers_lock`)."""
        return followers_lock(self.settings)

    def wait_for(self, position: int, timeout: float | None = None) -> bool:
        """Until every view has processed `position` (or the timeout passes).

        The timeout defaults to the settings' `wait_timeout` (`WIJKARCHIEF_WAIT_TIMEOUT`).
        """
        if self.follow:
            if position > self._caught_up:
                self.catch_up()
            return True
        deadline = time.monotonic() + (self.settings.wait_timeout if timeout is None else timeout)
        while time.monotonic() < deadline:
            if all(view.position() >= position for view in self.views):
                return True
            time.sleep(0.01)
        return False

    def reached(self, position: int, timeout: float | None = None) -> bool:
        """True once every view of this process or host has processed `position` (a causal
        read: `X-Archive-Min-Position`), False when the timeout passes first or the log itself
        does not hold that position (no waiting can bring it)."""
        if position > self.position():
            return False
        deadline = time.monotonic() + (self.settings.wait_timeout if timeout is None else timeout)
        while True:
            if self.follow:
                self.fresh()  # the catch-up itself, in this process
            if all(view.position() >= position for view in self.views):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    def _written(self, position: int) -> int:
        """After a saved write: with a projector, wait for it; never fail the write.

        Following in this process, the views catch up on the next read (`fresh`), not here:
        a command costs its own write only. With a projector, wait until the views have the
        write (`wait_for`), so the next request on any worker of this host reads it.
        The event is in the log; if catching up fails (the database went away, a view has a
        bug), the write is still acknowledged and the views catch up on the next read or in
        the projector. Failing here would make a curator repeat a write that was recorded.
        """
        collecting = _noted.get()
        if collecting is not None:
            collecting.append(position)
        if self.follow:
            return position
        try:
            self.wait_for(position)
        except Exception:
            log.exception("Views did not catch up to position %s after a saved write", position)
        return position

    def _purge_views(self) -> None:
        """After an erasure: the views hold it, then drop their old copies of the words."""
        self.fresh()
        with self._lock:
            for view in self.views:
                view.purge()
