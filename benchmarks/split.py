"""Where a catch-up's time goes: reading the log, the shared replay, each view's own work."""

from __future__ import annotations

import time
from typing import Any


class Split:
    """Where a rebuild's time goes: the shared replay into item states, each view's own work.

    Wraps `ItemStates.touched` and each view's `process`; a view's share excludes the
    replay it triggered (the first view fed a page would otherwise carry everyone's).
    """

    STATES = "item states (replay, as_dict)"

    def __init__(self, archive: Any) -> None:
        self.seconds: dict[str, float] = {self.STATES: 0.0}
        self._inner = 0.0
        states = archive.followers.states
        states.touched = self._timed_states(states.touched)
        for view in archive.views:
            self.seconds[view.name] = 0.0
            view.process = self._timed_view(view.name, view.process)

    def _timed_states(self, touched: Any) -> Any:
        def wrapper(*args: Any) -> Any:
            started = time.perf_counter()
            try:
                return touched(*args)
            finally:
                elapsed = time.perf_counter() - started
                self.seconds[self.STATES] += elapsed
                self._inner += elapsed

        return wrapper

    def _timed_view(self, name: str, process: Any) -> Any:
        def wrapper(*args: Any) -> Any:
            self._inner = 0.0
            started = time.perf_counter()
            try:
                return process(*args)
            finally:
                self.seconds[name] += time.perf_counter() - started - self._inner

        return wrapper

    def result(self, total: float) -> dict[str, float]:
        """Seconds per part; what is left is reading and decoding the log."""
        return {"log read and decode": total - sum(self.seconds.values()), **self.seconds}
