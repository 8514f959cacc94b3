"""Phase 5: curator commands through the full `Archive`, then the reads that catch up.

`Archive.register` is what the API's POST does: the command writes its events in one
commit and returns; the catalogue and the search index catch up on the next read
(`Archive.fresh`, read-your-writes). Three figures, each beside the bare app's one-event
commits: the commands alone; the commands plus the one read after them that catches every
view up (a burst of writes, indexed in one go); and commands each followed by a read (a
curator who looks after every write: one catch-up, one search commit, per command). The
time inside `app.register`, the catch-up, and within it the shared replay and each view's
own work (`split.Split`) is taken apart by wrapping those bound methods on this one
instance (no code outside benchmarks/ changes).
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
    interleaved: int = 100,
) -> dict[str, Any]:
    """Register every spec through the archive; figures beside the bare one-event commits.

    The last `interleaved` specs are registered each followed by a read (`Archive.fresh`).
    """
    parts: dict[str, list[float]] = {"log write (app.register)": []}
    archive.register = _timed(archive.register, parts["log write (app.register)"])  # type: ignore[method-assign]
    followers = archive.followers
    followers.catch_up = _timed(followers.catch_up, parts.setdefault("catch-up (all views)", []))  # type: ignore[method-assign]
    split = Split(archive)  # inside the catch-up: the shared replay, each view's own share
    archive.fresh()  # start with every view at the log's head
    interleaved = min(interleaved, len(specs) // 2)
    burst, one_by_one = specs[: len(specs) - interleaved], specs[len(specs) - interleaved :]
    before = archive.position()
    samples = []
    for spec in burst:
        started = time.perf_counter()
        archive.register(spec.kind, spec.register_fields(), actor="bench")
        samples.append(time.perf_counter() - started)
        if tick:
            tick(1)
    events = archive.position() - before
    started = time.perf_counter()
    archive.fresh()  # the next read: every view catches up on the whole burst at once
    burst_catch_up = time.perf_counter() - started
    # A curator who reads after every write: each command followed by its catch-up.
    looked_at = []
    for spec in one_by_one:
        started = time.perf_counter()
        archive.register(spec.kind, spec.register_fields(), actor="bench")
        archive.fresh()
        looked_at.append(time.perf_counter() - started)
        if tick:
            tick(1)
    bare_samples = save_one_by_one(bare, len(specs))
    seconds = sum(samples)
    return {
        "commands": len(burst),
        "events": events,
        "seconds": seconds,
        "commands_per_second": len(burst) / seconds,
        "latency": percentiles(samples),
        "burst_catch_up_seconds": burst_catch_up,
        "commands_per_second_with_catch_up": len(burst) / (seconds + burst_catch_up),
        "interleaved_commands": len(one_by_one),
        "interleaved_commands_per_second": len(one_by_one) / sum(looked_at) if looked_at else 0,
        "interleaved_latency": percentiles(looked_at) if looked_at else {},
        "parts_seconds": {
            **{name: sum(values) for name, values in parts.items()},
            **{f"  of which {name}": seconds for name, seconds in split.seconds.items()},
        },
        "bare_commits_per_second": len(bare_samples) / sum(bare_samples),
        "bare_latency": percentiles(bare_samples),
    }
