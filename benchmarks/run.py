"""`make bench`: measured numbers of the archive beside the bare engine, never asserted.

For each size: build a synthetic archive in a temporary store (bulk writes), then measure the
decoded replay, the rebuild of every view and of each view alone (each in its own process),
search latency per query shape, curator commands through the full `Archive`, and last the
archive over HTTP on one `wijkarchief serve` worker (write → searchable, and throughput of
the timeline and search endpoints). Prints a table per size; `--json PATH` (or `-` for
stdout) writes everything measured as JSON.

    .venv/bin/python benchmarks/run.py --sizes 10000,100000 --json bench.json
    .venv/bin/python benchmarks/run.py --store postgres --postgres-url postgresql://...
    .venv/bin/python benchmarks/run.py --store postgres --search-backend postgres ...
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import synthetic
from baseline import open_bare, replay, save_in_shape
from commands import run_commands
from http_phase import ENDPOINTS, run_http
from latency import ROLES, SHAPES, run_latency
from report import duration, table
from stores import Store, open_store
from tqdm import tqdm
from write import bulk_write, warm_dates

from archive.application import Wijkarchief
from bootstrap import open_archive

HERE = Path(__file__).resolve().parent
BATCH = 100
REVISION_SHARE = 0.2
STARTED = time.perf_counter()

Checkpoint = Callable[[], None]


def log(message: str) -> None:
    """A phase message on stderr, with the time since the start."""
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


@contextmanager
def bar(description: str, total: int, unit: str = "it") -> Iterator[Callable[[int], Any]]:
    """A tqdm bar on stderr; yields its `update`."""
    with tqdm(total=total, desc=description, unit=unit, file=sys.stderr, leave=False) as b:
        yield b.update


@contextmanager
def phase(run: dict[str, Any], name: str) -> Iterator[None]:
    """Note the wall time of a phase in `run["phase_seconds"]`."""
    started = time.perf_counter()
    before = os.getloadavg()
    try:
        yield
    finally:
        run.setdefault("phase_seconds", {})[name] = time.perf_counter() - started
        # The 1-, 5- and 15-minute load averages as the phase began and ended.
        run.setdefault("loadavg", {})[name] = [list(before), list(os.getloadavg())]


@contextmanager
def profiling(prefix: Path | None, name: str) -> Iterator[None]:
    """cProfile the block into `PREFIX-NAME.prof` when a prefix is given."""
    if prefix is None:
        yield
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(f"{prefix}-{name}.prof")


def probe(mode: str, store: Store, dates_file: Path, profile: Path | None) -> dict[str, Any]:
    """Run `rebuild_probe.py MODE` in a child process and return its JSON line."""
    settings = store.archive
    script = str(HERE / "rebuild_probe.py")
    command = [sys.executable, script, mode, "--data-dir", str(settings.data_dir)]
    if settings.database_url:
        command += ["--database-url", settings.database_url, "--schema", settings.database_schema]
    if mode != "replay":
        command += ["--warm-dates", str(dates_file)]
    if profile:
        command += ["--profile", f"{profile}-{mode}.prof"]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def disk_usage(root: Path) -> dict[str, float]:
    """MiB on disk per entry of the archive's data directory."""
    usage = {}
    for entry in sorted(root.iterdir()):
        files = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
        usage[entry.name] = round(sum(p.stat().st_size for p in files) / 2**20, 2)
    return usage


def write_phase(
    n: int, seed: int, store: Store, run: dict[str, Any], profile: Path | None = None
) -> list[synthetic.ItemSpec]:
    """Plan the items and write them in bulk; the same shape again on the bare app."""
    log(f"planning {n:,} items")
    started = time.perf_counter()
    specs = synthetic.plan_items(n, seed)
    revisions = synthetic.plan_revisions(specs, REVISION_SHARE, seed)
    batches = synthetic.schedule(len(specs), revisions, BATCH, seed)
    run["plan_seconds"] = time.perf_counter() - started
    distinct = synthetic.distinct_dates()
    run["edtf_warmup"] = {"distinct": len(distinct), "seconds": warm_dates(distinct)}
    log(f"bulk write: {len(batches)} commits of up to {BATCH} aggregates")
    app = Wijkarchief(store.archive)
    with (
        profiling(profile, "write"),
        bar("bulk write (archive)", len(batches), "commit") as tick,
    ):
        result, shape = bulk_write(app, specs, revisions, batches, tick)
    app.close()
    bare = open_bare(store.bare)
    with bar("bulk write (bare)", len(shape), "commit") as tick:
        bare_seconds = save_in_shape(bare, shape, tick)
    run["write"] = {
        **result.as_dict(),
        "bare_save_seconds": bare_seconds,
        "bare_events_per_second": result.events / bare_seconds,
    }
    count, seconds = replay(bare)
    run["bare_replay_events_per_second"] = count / seconds
    bare.close()
    return specs


def rebuild_phase(
    store: Store, run: dict[str, Any], args: argparse.Namespace, checkpoint: Checkpoint
) -> None:
    """The replay floor and the rebuilds, each in a child process."""
    dates_file = store.root / "dates.json"
    dates_file.write_text(json.dumps(synthetic.distinct_dates()))
    modes = ["replay", "catalogue", "search", "all"]
    if args.events_only:
        modes = ["replay"]
    elif args.quick:
        modes.remove("search")  # the split measured inside Archive.rebuild() stands in
    run["probes"] = {}
    for mode in modes:
        log(f"child process: {mode}")
        result = run["probes"][mode] = probe(mode, store, dates_file, args.profile)
        log(
            f"{mode}: {result['events'] / result['seconds']:,.0f} ev/s, "
            f"{duration(result['seconds'])}, peak RSS {result['peak_rss_kib'] / 1024:,.0f} MiB"
        )
        checkpoint()


def query_phase(
    store: Store,
    specs: list[synthetic.ItemSpec],
    args: argparse.Namespace,
    run: dict[str, Any],
    checkpoint: Checkpoint,
) -> None:
    """Search latency, then the curator commands (they add items, so they come after it),
    then, last, the HTTP phase (its curator adds items too) on the closed archive's store."""
    archive = open_archive(store.archive)
    tokens: dict[str, str] = {}
    bare = open_bare(store.bare)
    try:
        phrases = synthetic.sample_phrases(specs, 50, args.seed)
        log(
            f"search latency: {len(SHAPES)} shapes × {len(ROLES)} roles, {args.queries} queries"
            f" or {args.query_budget:g} s each"
        )
        with (
            phase(run, "search"),
            bar("search", len(SHAPES) * (len(ROLES) + 1), "shape×role") as tick,
        ):
            run["latency"] = run_latency(
                archive, args.queries, args.query_budget, args.seed, phrases, tick
            )
        commands = synthetic.plan_items(args.commands, args.seed + 7, "cmd-", 9_000)
        log(f"curator commands: {len(commands)} × Archive.register")
        with phase(run, "commands"), bar("commands", len(commands), "cmd") as tick:
            run["commands"] = run_commands(archive, commands, bare, tick)
        if args.http:
            tokens = {
                role: archive.issue_token(f"bench-http-{role}", role)
                for role in ("curator", "researcher")
            }
    finally:
        bare.close()
        archive.close()
    if args.http:
        checkpoint()
        http_phase(store, args, run, tokens)


def http_phase(
    store: Store, args: argparse.Namespace, run: dict[str, Any], tokens: dict[str, str]
) -> None:
    """Write → searchable and endpoint throughput on a real `wijkarchief serve` (one worker)."""
    steps = args.http_samples + len(ENDPOINTS)
    with phase(run, "http"), bar("HTTP", steps, "step") as tick:
        result = run["http"] = run_http(
            store.archive,
            tokens,
            search_backend=args.search_backend,
            workdir=store.root,
            samples=args.http_samples,
            clients=args.http_clients,
            seconds=args.http_seconds,
            seed=args.seed,
            log=log,
            tick=tick,
        )
    w = result["write_to_searchable"]
    if w.get("samples"):
        log(
            f"HTTP: write → searchable p50 {w['searchable']['p50_ms']:.0f} ms "
            f"(POST alone {w['post']['p50_ms']:.0f} ms)"
        )
    rates = ", ".join(
        f"{e['label']} {e['requests_per_second']:,.1f} req/s" for e in result["endpoints"].values()
    )
    log(f"HTTP: {rates}")


def run_size(n: int, args: argparse.Namespace, run: dict[str, Any], checkpoint: Checkpoint) -> None:
    """Every phase for one archive size, in a store of its own; `run` fills up as they end."""
    started = time.perf_counter()
    store = open_store(args.store, args.postgres_url, args.workdir)
    run.update({"items": n, "store": store.describe(), "complete": False})
    try:
        with phase(run, "write"):
            specs = write_phase(n, args.seed, store, run, args.profile)
        w = run["write"]
        rates = (w["events_per_second"], w["bare_events_per_second"])
        log("bulk write: {:,.0f} ev/s, bare app {:,.0f} ev/s".format(*rates))
        checkpoint()
        with phase(run, "replay and rebuilds"):
            rebuild_phase(store, run, args, checkpoint)
        if not args.events_only:
            query_phase(store, specs, args, run, checkpoint)
        run["disk_mib"] = disk_usage(store.archive.data_dir)
        run["complete"] = True
    finally:
        store.close()
        run["seconds"] = time.perf_counter() - started
        checkpoint()
    log(f"{n:,} items done in {duration(run['seconds'])}")


def write_json(report: dict[str, Any], path: str | None) -> None:
    """The report as JSON: to stdout for '-', else atomically to the file."""
    if path == "-":
        print(json.dumps(report, indent=2))
    elif path:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_text(json.dumps(report, indent=2) + "\n")
        partial.replace(target)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "eventsourcing": version("eventsourcing"),
        "whoosh": version("whoosh-reloaded"),
        "edtf": version("edtf"),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated item counts")
    parser.add_argument("--events-only", action="store_true", help="only writes and replays")
    parser.add_argument("--json", help="write the JSON report here ('-': stdout)")
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("WIJKARCHIEF_DATABASE_URL"))
    parser.add_argument(
        "--quick",
        action="store_true",
        help="no search-index-alone rebuild, 1 s per query shape, 100 commands",
    )
    parser.add_argument("--queries", type=int, default=200, help="queries per shape and role")
    parser.add_argument(
        "--query-budget",
        type=float,
        help="seconds per shape and role, default 4 (quick: 1); fewer queries (at least 10) "
        "when they are slower",
    )
    parser.add_argument(
        "--commands", type=int, help="Archive.register calls, default 300 (quick: 100)"
    )
    parser.add_argument(
        "--no-http",
        dest="http",
        action="store_false",
        help="skip the last phase: the archive over HTTP on one `wijkarchief serve` worker",
    )
    parser.add_argument(
        "--http-samples",
        type=int,
        default=50,
        help="write → searchable samples (POST, then search until found), default 50; fewer "
        "(at least 10) after 30 s",
    )
    parser.add_argument(
        "--http-seconds",
        type=float,
        help="seconds of load per HTTP endpoint, default 5 (quick: 2)",
    )
    parser.add_argument(
        "--http-clients", type=int, default=4, help="concurrent HTTP clients (threads), default 4"
    )
    parser.add_argument(
        "--search-backend",
        choices=["whoosh", "tantivy", "postgres"],
        default=os.environ.get("WIJKARCHIEF_SEARCH_BACKEND") or "whoosh",
        help="the search index (sets WIJKARCHIEF_SEARCH_BACKEND, the child processes' too)",
    )
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--workdir", type=Path, help="where the temporary stores go")
    parser.add_argument("--profile", type=Path, help="cProfile the children: PREFIX-MODE.prof")
    args = parser.parse_args(argv)
    os.environ["WIJKARCHIEF_SEARCH_BACKEND"] = args.search_backend
    if args.search_backend == "postgres" and args.store != "postgres":
        parser.error("--search-backend postgres needs --store postgres (its tables live there)")
    if args.query_budget is None:
        args.query_budget = 1.0 if args.quick else 4.0
    if args.commands is None:
        args.commands = 100 if args.quick else 300
    if args.http_seconds is None:
        args.http_seconds = 2.0 if args.quick else 5.0
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    return args


def main(argv: list[str] | None = None) -> int:
    """Run every size, print the tables, write the JSON."""
    args = parse_args(argv)
    # A plain `kill` still drops the temporary stores (the `finally` of run_size).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "arguments": {k: str(v) for k, v in vars(args).items() if k != "postgres_url"},
        "runs": [],
    }

    def checkpoint() -> None:
        """Keep the JSON file current, so a long run that is stopped still leaves numbers."""
        if args.json != "-":
            write_json(report, args.json)

    for n in args.sizes:
        run: dict[str, Any] = {}
        report["runs"].append(run)
        run_size(n, args, run, checkpoint)
        print(table(run), flush=True)
        print(flush=True)
    write_json(report, args.json)
    if args.json and args.json != "-":
        log(f"JSON report written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
