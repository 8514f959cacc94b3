"""One rebuild (or replay) in a process of its own, so its peak memory is its own.

Run by `run.py` as `python benchmarks/rebuild_probe.py MODE --data-dir D [...]`; prints one
JSON line on stdout, progress on stderr. Modes:

- `all`: `open_archive(settings, follow=False).rebuild()`, as `wijkarchief rebuild` does;
- `catalogue`, `search`: one view alone, with `Followers` of its own;
- `replay`: the floor, a decoded replay of the log in pages of 500 (no view).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from baseline import replay
from split import Split
from tqdm import tqdm

from archive.application import Wijkarchief
from archive.catalogue import open_catalogue
from archive.config import Settings
from archive.projection import Followers
from bootstrap import open_archive
from events import dates
from search_index import open_search_index


def status_kib(field: str) -> int | None:
    """A size from /proc/self/status in KiB (Linux), or None."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_kib() -> int:
    """The current resident set size in KiB."""
    return status_kib("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_rss_kib() -> int:
    """The peak resident set size of this process in KiB.

    `VmHWM`, not `ru_maxrss`: Linux carries the parent's peak over into the child's
    `ru_maxrss` across fork and exec, which would report the parent's memory here.
    """
    return status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Progress:
    """Drives one tqdm bar per view."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bars: dict[str, Any] = {}
        self.done: dict[str, int] = {}  # view name → events it has processed

    def __call__(self, name: str, done: int, total: int) -> None:
        """The (name, done, total) callback of `Archive.rebuild`."""
        self.done[name] = done
        bar = self.bars.get(name)
        if bar is None:
            desc = f"{self.label}: {name}"
            bar = self.bars[name] = tqdm(
                total=total, desc=desc, unit="ev", file=sys.stderr, leave=False
            )
        bar.total = max(bar.total or 0, total)
        bar.update(done - bar.n)

    def close(self) -> None:
        """Close the bars."""
        for bar in self.bars.values():
            bar.close()


def run(mode: str, settings: Settings) -> dict[str, Any]:
    """Do the work of `mode`: events processed, seconds of the work alone (and per view)."""
    progress = Progress(mode)
    try:
        if mode == "all":
            archive = open_archive(settings, follow=False)
            split = Split(archive)
            started = time.perf_counter()
            count = archive.rebuild(progress=progress)
            seconds = time.perf_counter() - started
            archive.close()
            # `rebuild` counts every view's events; the log's own count is each view's.
            return {
                "events": max(progress.done.values(), default=0),
                "events_all_views": count,
                "seconds": seconds,
                "views": split.result(seconds),
            }
        app = Wijkarchief(settings)
        if mode == "replay":
            count, seconds = replay(app)
            app.close()
            return {"events": count, "seconds": seconds}
        view: Any = open_catalogue(settings) if mode == "catalogue" else open_search_index(settings)
        follower = Followers(app, [view])
        started = time.perf_counter()
        count = follower.rebuild(progress=progress)
        seconds = time.perf_counter() - started
        view.close()
        app.close()
        return {"events": count, "seconds": seconds}
    finally:
        progress.close()


def main() -> int:
    """Parse the arguments, warm the date caches, run, print the JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["all", "catalogue", "search", "replay"])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--schema", default="")
    parser.add_argument("--warm-dates", type=Path, help="JSON list of dates to parse first")
    parser.add_argument("--profile", type=Path, help="write cProfile stats here")
    args = parser.parse_args()
    settings = Settings(args.data_dir, args.database_url, args.schema)
    warm = 0.0
    if args.warm_dates:
        started = time.perf_counter()
        for value in json.loads(args.warm_dates.read_text()):
            dates.from_dutch(value)
            dates.span(value)
        warm = time.perf_counter() - started
    before = rss_kib()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    result = run(args.mode, settings)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    peak = peak_rss_kib()
    report = {
        "mode": args.mode,
        **result,
        "date_warmup_seconds": warm,
        "rss_before_kib": before,
        "peak_rss_kib": peak,
        # At the end: the process's own memory, and file pages it maps (tantivy's segments).
        "rss_anon_kib": status_kib("RssAnon"),
        "rss_file_kib": status_kib("RssFile"),
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
