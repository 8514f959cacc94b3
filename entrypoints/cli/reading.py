"""The commands that read: timeline, kronieken, search, history, qualities."""

from __future__ import annotations

import argparse
import sys

from entrypoints import terminal
from entrypoints.cli.common import emit, existing_store, open_log, reader


def _as_of(args: argparse.Namespace) -> object:
    """`--as-of` as the local archive takes it (a datetime); a server parses its own."""
    from archive.service import parse_as_of

    return args.as_of if args.server else parse_as_of(args.as_of)


def cmd_timeline(args: argparse.Namespace) -> int:
    archive = reader(args)
    try:
        output = archive.timeline(args.year, fmt=args.format, as_of=_as_of(args))
    finally:
        archive.close()
    emit(output)
    return 0


def cmd_kronieken(args: argparse.Namespace) -> int:
    archive = reader(args)
    try:
        output = archive.kronieken(fmt=args.format, as_of=_as_of(args))
    finally:
        archive.close()
    emit(output)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    archive = reader(args)
    try:
        result = archive.search(
            args.query, kind=args.kind, quality=args.quality, year=args.year, limit=args.limit
        )
    finally:
        archive.close()
    if args.json:
        emit(result)
        return 0
    # Plain text: the snippets' <mark> as bold at a terminal (else unmarked), and nothing
    # from the archive's data may steer the terminal (escape sequences, bidi overrides).
    bold = sys.stdout.isatty()
    print(f"{result['total']} resultaten")
    for hit in result["hits"]:
        ref = terminal.clean(f"{hit['kind']}/{hit['id']}")
        print(f"- [{ref}] {terminal.clean(hit['title'])}  ({hit['score']:.2f})")
        if hit.get("snippet"):
            print(f"    {terminal.snippet(hit['snippet'], bold=bold)}")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    if args.server:
        remote = reader(args)
        try:
            emit({"items": remote.history(args.kind, args.id)})
        finally:
            remote.close()
        return 0
    existing_store()
    log = open_log()
    try:
        emit({"items": log.recorded_history(args.kind, args.id)})
    finally:
        log.close()
    return 0


def cmd_qualities(args: argparse.Namespace) -> int:
    from events import qualities

    if args.skos:
        emit(qualities.skos_jsonld())
    else:
        emit({"items": [q.as_dict() for q in (*qualities.QUALITIES, *qualities.ELEMENTS)]})
    return 0
