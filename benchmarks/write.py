"""Phase 1: fill the archive's log fast, with `Wijkarchief.save` on batches of aggregates.

Not `Archive.register` one by one (that catches the views up after every command): the
aggregates are built in the domain (`events.items`, inside `acting_as`) and saved 100 per
commit, the way an import would. Time in the domain and time in `app.save` are kept apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from baseline import Shape
from synthetic import ItemSpec, Revision, apply, build

from archive.application import Wijkarchief
from events import dates
from events.items import ArchiveItem


@dataclass
class WriteResult:
    """What the bulk write did and how long it took."""

    items: int
    revisions: int
    commits: int
    events: int
    domain_seconds: float  # building aggregates and triggering their events
    save_seconds: float  # inside app.save (mapper, key store, recorder, commit)
    per_commit: list[tuple[int, float]]  # (events, seconds in app.save) of every commit

    def tenth(self, last: bool) -> float:
        """events/s in app.save over the first (or last) tenth of the commits."""
        n = max(1, len(self.per_commit) // 10)
        part = self.per_commit[-n:] if last else self.per_commit[:n]
        return sum(e for e, _ in part) / sum(s for _, s in part)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the JSON report, rates included."""
        both = self.save_seconds + self.domain_seconds
        figures = {k: v for k, v in vars(self).items() if k != "per_commit"}
        return {
            **figures,
            "events_per_second": self.events / self.save_seconds,
            "events_per_second_incl_domain": self.events / both,
            "first_tenth_events_per_second": self.tenth(last=False),
            "last_tenth_events_per_second": self.tenth(last=True),
        }


def warm_dates(values: list[str]) -> float:
    """Parse every distinct date once (the lru caches of `events.dates`); seconds taken."""
    started = time.perf_counter()
    for value in values:
        dates.from_dutch(value)
        dates.span(value)
    return time.perf_counter() - started


def bulk_write(
    app: Wijkarchief,
    specs: list[ItemSpec],
    revisions: list[Revision],
    batches: list[list[tuple[str, int]]],
    tick: Callable[[int], Any] | None = None,
) -> tuple[WriteResult, Shape]:
    """Save every batch in one commit; return the figures and the shape for the baseline."""
    items: dict[int, ArchiveItem] = {}
    shape: Shape = []
    per_commit: list[tuple[int, float]] = []
    domain = 0.0
    for ops in batches:
        started = time.perf_counter()
        batch, commit = _prepare(ops, specs, revisions, items)
        built = time.perf_counter()
        app.save(*batch)
        saved = time.perf_counter()
        domain += built - started
        per_commit.append((sum(count for _, count in commit), saved - built))
        shape.append(commit)
        if tick:
            tick(1)
    events = sum(e for e, _ in per_commit)
    save = sum(s for _, s in per_commit)
    result = WriteResult(len(specs), len(revisions), len(batches), events, domain, save, per_commit)
    return result, shape


def _prepare(
    ops: list[tuple[str, int]],
    specs: list[ItemSpec],
    revisions: list[Revision],
    items: dict[int, ArchiveItem],
) -> tuple[list[ArchiveItem], list[tuple[int, int]]]:
    """The aggregates of one commit, and (item slot, pending events) for each."""
    batch: list[ArchiveItem] = []
    commit: list[tuple[int, int]] = []
    for op, number in ops:
        if op == "create":
            slot = number
            item = items[slot] = build(specs[slot])
        else:
            slot = revisions[number].index
            item = items[slot]
            apply(revisions[number], item)
        batch.append(item)
        commit.append((slot, len(item.pending_events)))
    return batch, commit
