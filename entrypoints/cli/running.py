"""The commands that run the archive: serve, project (the projector), rebuild."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.config import Settings
from archive.leader import SharedViewsLeader
from entrypoints.cli.common import UNREACHABLE, open_archive, progress_bar

LEADING = {
    True: "wijkarchief: deze projector schrijft nu ook de gedeelde leesmodellen (leider).",
    False: "wijkarchief: een andere projector schrijft de gedeelde leesmodellen; "
    "deze alleen die van deze host.",
}


def cmd_serve(args: argparse.Namespace) -> int:
    if args.no_follow:
        # The workers are spawned with factory=True and read their settings from the
        # environment: each opens the archive with follow=False (a projector keeps the views).
        os.environ["WIJKARCHIEF_FOLLOW"] = "0"
    Settings.from_env()  # a bad setting is one line here, not a traceback in every worker
    if args.workers > 1:
        # /metrics sums the requests of every worker (prometheus_client's multiprocess mode).
        with metrics_dir():
            return _run(args)
    return _run(args)


@contextmanager
def metrics_dir() -> Iterator[None]:
    """`PROMETHEUS_MULTIPROC_DIR` for the workers: the operator's (emptied, as
    prometheus_client asks before a start) or a fresh temporary one, removed afterwards."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield
        return
    made = tempfile.mkdtemp(prefix="wijkarchief-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    try:
        yield
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(made, ignore_errors=True)


def _run(args: argparse.Namespace) -> int:
    import uvicorn

    uvicorn.run(
        "entrypoints.server:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers if args.workers > 1 else None,
        log_level="info",
        # Forwarded headers are believed only from WIJKARCHIEF_TRUSTED_PROXIES (api.main).
        proxy_headers=False,
    )
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    archive = open_archive(follow=False)
    try:
        with progress_bar("rebuild") as update:
            count = archive.rebuild(progress=update)
        print(f"Leesmodellen herbouwd: {count} gebeurtenissen verwerkt over {len(archive.views)}.")
    finally:
        archive.close()
    return 0


def _log_to_stderr(*names: str) -> None:
    """What these loggers say at INFO and above, one line each on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("wijkarchief: %(message)s"))
    for name in names:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)


def cmd_project(args: argparse.Namespace) -> int:
    archive = open_archive(follow=False)
    if args.page_size is not None:  # the same size for every page, far behind or not
        archive.followers.page_size = archive.followers.bulk_page_size = args.page_size
    outage: float | None = None  # since when the store has been unreachable
    # On PostgreSQL one projector at a time writes the shared catalogue; every one writes
    # its host's own search index (archive/leader.py).
    leader = SharedViewsLeader(archive.settings)
    _log_to_stderr("wijkarchief.projection", "wijkarchief.leader")  # races lost, the lock lost
    leading: bool | None = None  # what was last said
    try:
        print("Projector volgt het logboek (Ctrl-C stopt).", file=sys.stderr)
        while True:
            try:
                views = leader.feeds(archive.views)
                if leader.leading != leading:
                    leading = leader.leading
                    print(LEADING[leading], file=sys.stderr)
                processed = archive.catch_up(views=views)
            except UNREACHABLE as error:
                # The database is restarting or unreachable: a page in progress was rolled
                # back whole; try again (the pools reconnect) for up to --outage seconds.
                now = time.monotonic()
                if outage is None:
                    outage = now
                    reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
                    print(f"wijkarchief: opslag onbereikbaar, opnieuw: {reason}", file=sys.stderr)
                if args.once or now - outage > args.outage:
                    raise
                time.sleep(min(1.0, max(args.interval, 0.2)))
                continue
            if outage is not None:
                print("wijkarchief: opslag weer bereikbaar.", file=sys.stderr)
                outage = None
            if processed == 0:
                if args.once:
                    return 0
                time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0
    finally:
        leader.close()
        archive.close()
