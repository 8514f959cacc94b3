"""What the commands share: opening the archive, progress bars, printing, the store's errors."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, PersistenceError

from archive.config import Settings
from events.errors import ArchiveError

# The database cannot be reached (restarting, network): the key store raises psycopg's own.
UNREACHABLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
# The store cannot be opened or written.
STORE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, PersistenceError, *UNREACHABLE)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[..., None]]:
    """A tqdm progress bar on stderr, fed by (done, total) or (name, done, total) calls."""
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(*args: Any) -> None:
        name, done, total = args if len(args) == 3 else (description, *args)
        bar = bars.get(name)
        if bar is None:
            bar = bars[name] = tqdm(
                total=total,
                desc=name,
                unit="ev",
                file=sys.stderr,
                leave=True,
                # Like pip: a bar for people at a terminal, silence in logs and pipes.
                disable=not sys.stderr.isatty(),
            )
        bar.total = max(total, done)
        bar.n = done
        if not bar.disable:
            bar.refresh()

    try:
        yield update
    finally:
        for bar in bars.values():
            bar.close()


def open_archive(*, follow: bool = True) -> Any:
    """The archive with its read models, from the environment's settings."""
    from bootstrap import open_archive

    return open_archive(follow=follow)


def open_log() -> Any:
    """The event log and its keys without read models (tokens, export, history)."""
    from bootstrap import open_log

    return open_log()


def settle(archive: Any) -> None:
    """After a command that wrote: the views catch up before the process ends.

    A server catches its views up on its next read anyway; here the data directory is
    complete (catalogue and search index included) when the command returns, for whoever
    copies it or opens it without following.
    """
    if archive.follow:
        archive.catch_up()


def existing_store() -> None:
    """Before a read of the local store: ArchiveError when there is none (nothing is made).

    Opening a store creates it; a read must not leave an empty data directory (or an empty
    `events.sqlite`) behind, e.g. `./var` where the user merely mistyped WIJKARCHIEF_DATA.
    """
    settings = Settings.from_env()
    if not settings.data_dir.is_dir():
        raise ArchiveError(
            f"Geen archief in {settings.data_dir}: de map bestaat niet "
            "(zet WIJKARCHIEF_DATA, of maak het archief met `wijkarchief seed`)."
        )
    if not settings.uses_postgres and not settings.events_path.is_file():
        raise ArchiveError(
            f"Geen archief in {settings.data_dir}: {settings.events_path.name} ontbreekt "
            "(zet WIJKARCHIEF_DATA, of maak het archief met `wijkarchief seed`)."
        )


def reader(args: argparse.Namespace) -> Any:
    """The archive to read from: the local store, or a remote server with `--server URL`."""
    if getattr(args, "server", None):
        from entrypoints.remote import Remote

        return Remote(args.server, token=args.token or os.environ.get("WIJKARCHIEF_TOKEN"))
    existing_store()
    return open_archive()


def emit(output: Any) -> None:
    """Text as it is (one final newline), anything else as indented JSON, on stdout."""
    if isinstance(output, str):
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
    else:
        json.dump(output, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
