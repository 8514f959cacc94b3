"""Phase 5: curator commands through the full `Archive`, each one catching its views up.

`Archive.register` is what the API's POST does: the command writes its events in one
commit, then the catalogue and the search index catch up (read-your-writes) before it
returns. The time inside `app.register`, the catch-up, and within it the shared replay and
each view's own work (`split.Split`) is taken apart by wrapping those bound methods on this
one instance (no code outside benchmarks/ changes).
The baseline saves one new trivial aggregate (one event) per commit on the bare app.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from baseline import BareApp, save_one_by_one
from latency import percentiles
from split import Split
from synthetic import ItemSpec

from archive.service import Archive


def _timed(func: Callable[..., Any], into: list[float]) -> Callable[..., Any]:
    """`func`, adding the seconds of every call to `into`."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - started)

    return wrapper


def run_commands(
    archive: Archive,
    specs: list[ItemSpec],
    bare: BareApp,
    tick: Callable[[int], Any] | None = None,
) -> dict[str, Any]:
    """Register every spec through the archive; figures beside the bare one-event commits."""
    parts: dict[str, list[float]] = {"log write (app.register)": []}
    archive.app.register = _timed(archive.app.register, parts["log write (app.register)"])  # type: ignore[method-assign]
    followers = archive.followers
    followers.catch_up = _timed(followers.catch_up, parts.setdefault("catch-up (all views)", []))  # type: ignore[method-assign]
    split = Split(archive)  # inside the catch-up: the shared replay, each view's own share
    before = archive.position()
    samples = []
    for spec in specs:
        started = time.perf_counter()
        archive.register(spec.kind, spec.register_fields(), actor="bench")
        samples.append(time.perf_counter() - started)
        if tick:
            tick(1)
    events = archive.position() - before
    bare_samples = save_one_by_one(bare, len(specs))
    seconds = sum(samples)
    return {
        "commands": len(specs),
        "events": events,
        "seconds": seconds,
        "commands_per_second": len(specs) / seconds,
        "latency": percentiles(samples),
        "parts_seconds": {
            **{name: sum(values) for name, values in parts.items()},
            **{f"  of which {name}": seconds for name, seconds in split.seconds.items()},
        },
        "bare_commits_per_second": len(bare_samples) / sum(bare_samples),
        "bare_latency": percentiles(bare_samples),
    }
