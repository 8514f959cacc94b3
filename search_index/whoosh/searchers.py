"""Searchers of the newest commit of a Whoosh index, one for each search running at a time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from whoosh.searching import Searcher

IDLE_SEARCHERS = 4  # searchers of the newest commit kept open between searches
Generation = tuple[int, int | None]  # (epoch of the index, generation of its commit)


class Searchers:
    """Searchers of the newest commit, one for each search running at the same time.

    A Whoosh searcher reads its files with seek and read, so two threads must not use one
    at once; a search leases a searcher of its own instead of holding a lock while its query
    runs, and a write (its commit) never waits for a search. Searches on the same commit share
    one generation key: the caches of document sets follow the commit, not the searcher.
    """

    def __init__(self, index: Any, epoch: int) -> None:
        self.index = index
        self.epoch = epoch  # a new index (reset) starts a new epoch
        self._lock = threading.Lock()
        self._idle: list[Searcher] = []
        self._closed = False

    @contextmanager
    def lease(self) -> Iterator[tuple[Searcher, Generation]]:
        """A searcher that sees the last commit, for this thread alone, and its generation."""
        searcher: Searcher | None = None
        with self._lock:
            while self._idle:
                candidate = self._idle.pop()
                if candidate.up_to_date():
                    searcher = candidate
                    break
                # An older commit's: closed, not `refresh()`ed (that reuses segment readers
                # whose segment gained deletions since, and would still show them).
                candidate.close()
        if searcher is None:
            searcher = self.index.searcher()
        try:
            generation: int | None = searcher.reader().generation()
            yield searcher, (self.epoch, generation)
        finally:
            with self._lock:
                keep = not self._closed and len(self._idle) < IDLE_SEARCHERS
                if keep and searcher.up_to_date():
                    self._idle.append(searcher)
                else:
                    searcher.close()

    def close(self) -> None:
        """Close the idle searchers; leased ones are closed when they come back."""
        with self._lock:
            self._closed = True
            for searcher in self._idle:
                searcher.close()
            self._idle = []
