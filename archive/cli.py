"""The command line: `wijkarchief COMMAND`.

Exit status 0 on success; otherwise non-zero with a one-line reason on stderr. Long work
(seed, rebuild, export, import) shows a progress bar on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, PersistenceError

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


def _archive(args: argparse.Namespace, *, follow: bool = True) -> Any:
    from bootstrap import open_archive

    return open_archive(follow=follow)


def _settle(archive: Any) -> None:
    """After a command that wrote: the views catch up before the process ends.

    A server catches its views up on its next read anyway; here the data directory is
    complete (catalogue and search index included) when the command returns, for whoever
    copies it or opens it without following.
    """
    if archive.follow:
        archive.catch_up()


def _existing_store() -> None:
    """Before a read of the local store: ArchiveError when there is none (nothing is made).

    Opening a store creates it; a read must not leave an empty data directory (or an empty
    `events.sqlite`) behind, e.g. `./var` where the user merely mistyped WIJKARCHIEF_DATA.
    """
    from archive.config import Settings

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


def _reader(args: argparse.Namespace) -> Any:
    """The archive to read from: the local store, or a remote server with `--server URL`."""
    if getattr(args, "server", None):
        from archive.remote import Remote

        return Remote(args.server, token=args.token or os.environ.get("WIJKARCHIEF_TOKEN"))
    _existing_store()
    return _archive(args)


def cmd_seed(args: argparse.Namespace) -> int:
    from stories.loader import seed

    archive = _archive(args)
    try:
        if args.if_empty and archive.position() > 0:
            print(f"Archief bevat al {archive.position()} gebeurtenissen; niets geladen.")
            return 0
        with progress_bar("seed") as update:
            report = seed(archive, progress=update)
        _settle(archive)
        print(
            f"{len(report.registered)} items vastgelegd, {len(report.skipped)} bestonden al, "
            f"{report.linked} koppelingen gemaakt; positie {archive.position()}."
        )
    finally:
        archive.close()
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from stories.loader import load

    archive = _archive(args)
    try:
        with progress_bar("load") as update:
            report = load(archive, [Path(p) for p in args.paths], actor=args.actor, progress=update)
        _settle(archive)
        print(f"{len(report.registered)} items vastgelegd, {len(report.skipped)} bestonden al.")
    finally:
        archive.close()
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from archive.application import Wijkarchief

    app = Wijkarchief()
    try:
        if args.token_command == "create":
            print(app.issue_token(args.name, args.role, replace=args.replace))
        else:
            app.revoke_token(args.name)
            print(f"Token {args.name} ingetrokken.")
    finally:
        app.close()
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    archive = _archive(args, follow=False)
    try:
        with progress_bar("rebuild") as update:
            count = archive.rebuild(progress=update)
        print(f"Leesmodellen herbouwd: {count} gebeurtenissen verwerkt over {len(archive.views)}.")
    finally:
        archive.close()
    return 0


def cmd_project(args: argparse.Namespace) -> int:
    import time

    archive = _archive(args, follow=False)
    if args.page_size is not None:  # the same size for every page, far behind or not
        archive.followers.page_size = archive.followers.bulk_page_size = args.page_size
    outage: float | None = None  # since when the store has been unreachable
    try:
        print("Projector volgt het logboek (Ctrl-C stopt).", file=sys.stderr)
        while True:
            try:
                processed = archive.catch_up()
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
        archive.close()


def cmd_consent(args: argparse.Namespace) -> int:
    kind, key = ("stories", args.item) if args.item.isdigit() else _split_ref(args.item)
    archive = _archive(args)
    try:
        if args.command == "erase":
            archive.erase(kind, key, actor=args.actor, reason=args.reason or "")
            print(f"Persoonsgegevens van {kind}/{key} gewist; de sleutel is vernietigd.")
        elif args.command == "withdraw":
            archive.withdraw(kind, key, reason=args.reason, policy=args.policy, actor=args.actor)
            print(f"Toestemming voor {kind}/{key} ingetrokken; lezers zien een grafsteen.")
        elif args.lift:
            archive.lift_embargo(kind, key, actor=args.actor, reason=args.reason or "")
            print(f"Embargo op {kind}/{key} opgeheven.")
        else:
            if not args.until:
                raise ArchiveError("Geef --until JJJJ-MM-DD of --lift.")
            archive.embargo(kind, key, args.until, actor=args.actor, reason=args.reason or "")
            print(f"{kind}/{key} onder embargo tot {args.until}.")
        _settle(archive)
    finally:
        archive.close()
    return 0


def cmd_erase_person(args: argparse.Namespace) -> int:
    archive = _archive(args)
    try:
        found = archive.forget_person(args.name, actor=args.actor, reason=args.reason or "")
        _settle(archive)
    finally:
        archive.close()
    if not found["items"]:
        print("Geen item noemt deze naam; er is niets veranderd.")
        return 0
    print(f"De naam is uit {len(found['items'])} item(s) gehaald (oude sleutels vernietigd):")
    for ref in found["items"]:
        print(f"  {ref}")
    if found["unsealed"]:
        print(
            "Let op: oudere gebeurtenissen van deze items bevatten de naam onversleuteld "
            "(vastgelegd voor alle tekst werd versleuteld); zie docs/privacy.md:",
            file=sys.stderr,
        )
        for ref in found["unsealed"]:
            print(f"  {ref}", file=sys.stderr)
    return 0


def _split_ref(value: str) -> tuple[str, str]:
    from events.rules import parse_ref

    return parse_ref(value)


def cmd_export(args: argparse.Namespace) -> int:
    from archive.application import Wijkarchief
    from archive.exchange import export_keys, export_to

    target = Path(args.file)
    keys = Path(args.keys) if args.keys else None
    if keys is not None and keys.resolve() == target.resolve():
        raise ArchiveError("Het sleutelbestand moet een ander bestand zijn dan de export.")
    if keys is not None and not keys.resolve().parent.is_dir():
        raise ArchiveError(f"Map {keys.parent} voor het sleutelbestand bestaat niet.")
    app = Wijkarchief()
    try:
        tmp = target.with_name(target.name + ".partial")
        with tmp.open("w", encoding="utf-8") as out, progress_bar("export") as update:
            count = export_to(app, out, progress=update)
        tmp.replace(target)
        if keys is not None:
            # After the log: a key made during the export is in the file, harmlessly.
            rows = export_keys(app, keys)
            print(
                f"{count} gebeurtenissen geëxporteerd naar {target}, {rows} sleutels naar "
                f"{keys} (alleen voor de eigenaar leesbaar: bewaar het als de gegevens zelf)."
            )
        else:
            print(f"{count} gebeurtenissen geëxporteerd naar {target}.")
            if app.keys.count():
                print(
                    "wijkarchief: let op: zonder --keys SLEUTELBESTAND gaan de teksten en "
                    "vertellers van verhalen en media niet mee (alleen versleuteld).",
                    file=sys.stderr,
                )
    finally:
        app.close()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from archive.exchange import import_log

    path = Path(args.file)
    if not path.is_file():
        raise ArchiveError(f"Bestand {path} bestaat niet.")
    keys = Path(args.keys) if args.keys else None
    archive = _archive(args, follow=False)
    try:
        with progress_bar("import") as update:
            imported = import_log(archive, path, update, keys=keys, without_keys=args.without_keys)
        # The data directory may hold views of another store: rebuild them from this log.
        with progress_bar("rebuild") as update:
            archive.rebuild(progress=update)
    finally:
        archive.close()
    keys_note = f" en {imported.keys} sleutels" if keys is not None else ""
    print(f"{imported.events} gebeurtenissen{keys_note} geïmporteerd; leesmodellen herbouwd.")
    if imported.destroyed:
        print(
            f"{imported.destroyed} sleutel(s) van gewiste items uit het sleutelbestand "
            "opnieuw vernietigd."
        )
    if imported.keyless:
        print(
            f"wijkarchief: let op: {imported.keyless} item{'s' if imported.keyless != 1 else ''} "
            "zonder sleutel: hun tekst en vertellers zijn leeg.",
            file=sys.stderr,
        )
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    from archive.service import parse_as_of

    archive = _reader(args)
    as_of = args.as_of if args.server else parse_as_of(args.as_of)
    try:
        output = archive.timeline(args.year, fmt=args.format, as_of=as_of)
    finally:
        archive.close()
    _print(output)
    return 0


def cmd_kronieken(args: argparse.Namespace) -> int:
    from archive.service import parse_as_of

    archive = _reader(args)
    as_of = args.as_of if args.server else parse_as_of(args.as_of)
    try:
        output = archive.kronieken(fmt=args.format, as_of=as_of)
    finally:
        archive.close()
    _print(output)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from archive import terminal

    archive = _reader(args)
    try:
        result = archive.search(
            args.query, kind=args.kind, quality=args.quality, year=args.year, limit=args.limit
        )
    finally:
        archive.close()
    if args.json:
        _print(result)
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
        remote = _reader(args)
        try:
            _print({"items": remote.history(args.kind, args.id)})
        finally:
            remote.close()
        return 0
    from archive.application import Wijkarchief

    _existing_store()
    app = Wijkarchief()
    try:
        _print({"items": app.recorded_history(args.kind, args.id)})
    finally:
        app.close()
    return 0


def cmd_qualities(args: argparse.Namespace) -> int:
    from events import qualities

    if args.skos:
        _print(qualities.skos_jsonld())
    else:
        _print({"items": [q.as_dict() for q in (*qualities.QUALITIES, *qualities.ELEMENTS)]})
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from archive.config import Settings

    if args.no_follow:
        # The workers are spawned with factory=True and read their settings from the
        # environment: each opens the archive with follow=False (a projector keeps the views).
        os.environ["WIJKARCHIEF_FOLLOW"] = "0"
    Settings.from_env()  # a bad setting is one line here, not a traceback in every worker
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers if args.workers > 1 else None,
        log_level="info",
        # Forwarded headers are believed only from WIJKARCHIEF_TRUSTED_PROXIES (api.main).
        proxy_headers=False,
    )
    return 0


def _print(output: Any) -> None:
    if isinstance(output, str):
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
    else:
        json.dump(output, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")


def _page_size(value: str) -> int:
    """A page size for the projector: a whole number from 1 to 5000."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 5000:
        raise argparse.ArgumentTypeError(f"{value!r}: een geheel getal van 1 tot 5000")
    return number


def parser() -> argparse.ArgumentParser:
    """The argument parser (its help is the command-line reference)."""
    p = argparse.ArgumentParser(
        prog="wijkarchief",
        description="Het wijkarchief van Bospolder-Tussendijken: een archief dat niets vergeet.",
    )
    sub = p.add_subparsers(dest="command", required=True)
    remote = argparse.ArgumentParser(add_help=False)
    remote.add_argument(
        "--server", metavar="URL", help="read from a remote archive (http://host:port) instead"
    )
    remote.add_argument("--token", help="token for --server (default: $WIJKARCHIEF_TOKEN)")

    s = sub.add_parser("serve", help="serve the web pages and the JSON API")
    s.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    s.add_argument("--workers", type=int, default=1)
    s.add_argument(
        "--no-follow",
        action="store_true",
        help="workers do not update the read models themselves but wait for `wijkarchief "
        "project` (sets WIJKARCHIEF_FOLLOW=0; the wait: WIJKARCHIEF_WAIT_TIMEOUT, default 5 s)",
    )
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("seed", help="load the source-document archive (idempotent)")
    s.add_argument("--if-empty", action="store_true", help="only when the store is empty")
    s.set_defaults(func=cmd_seed)

    s = sub.add_parser("load", help="load content files (Markdown with front matter)")
    s.add_argument("paths", nargs="+")
    s.add_argument("--actor", required=True, help="who is loading (recorded on every event)")
    s.set_defaults(func=cmd_load)

    s = sub.add_parser("token", help="create or revoke API tokens")
    tsub = s.add_subparsers(dest="token_command", required=True)
    t = tsub.add_parser("create", help="create a token (printed once)")
    t.add_argument("--role", required=True, choices=["curator", "researcher"])
    t.add_argument("--name", required=True)
    t.add_argument(
        "--replace",
        action="store_true",
        help="replace the active token of that name (the old one stops working)",
    )
    t = tsub.add_parser("revoke", help="revoke a token by name")
    t.add_argument("name")
    s.set_defaults(func=cmd_token)

    s = sub.add_parser("rebuild", help="drop and rebuild every read model and the search index")
    s.set_defaults(func=cmd_rebuild)

    s = sub.add_parser("project", help="follow the log and keep the read models up to date")
    s.add_argument("--interval", type=float, default=0.2)
    s.add_argument("--once", action="store_true", help="catch up once and stop")
    s.add_argument(
        "--outage",
        type=float,
        default=300.0,
        help="seconds to keep retrying while the database is unreachable (default 300)",
    )
    s.add_argument(
        "--page-size",
        type=_page_size,
        default=None,
        help="events per transaction (1-5000; default 500, and the search index takes 5000 "
        "at a time while it is far behind)",
    )
    s.set_defaults(func=cmd_project)

    s = sub.add_parser("export", help="write the whole event log as JSON Lines")
    s.add_argument("file")
    s.add_argument(
        "--keys",
        metavar="KEYFILE",
        help="also write every per-item key to KEYFILE (mode 0600; as secret as the data: "
        "without it stories and media lose their text and storytellers on import)",
    )
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("import", help="read an exported event log into an empty store")
    s.add_argument("file")
    keys = s.add_mutually_exclusive_group()
    keys.add_argument("--keys", metavar="KEYFILE", help="the key file written by export --keys")
    keys.add_argument(
        "--without-keys",
        action="store_true",
        help="import even though items without a key lose their text and storytellers",
    )
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("timeline", help="the governance timeline of a year", parents=[remote])
    s.add_argument("year", type=int)
    s.add_argument("--format", default="json", choices=["json", "markdown", "html", "timelinejs"])
    s.add_argument("--as-of", help="as recorded at this ISO date-time")
    s.set_defaults(func=cmd_timeline)

    s = sub.add_parser(
        "kronieken", help="the Corona Kronieken: BoTu in the corona crisis", parents=[remote]
    )
    s.add_argument("--format", default="json", choices=["json", "markdown", "html"])
    s.add_argument("--as-of", help="as recorded at this ISO date-time")
    s.set_defaults(func=cmd_kronieken)

    s = sub.add_parser("search", help="full-text search (Dutch)", parents=[remote])
    s.add_argument("query")
    s.add_argument("--kind", choices=["episodes", "stories", "media"])
    s.add_argument("--quality")
    s.add_argument("--year", type=int)
    s.add_argument("--limit", type=int, default=10)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("erase", help="erase an item's words for good (AVG art. 17)")
    s.add_argument("item", help="a story number (0001) or KIND/ID")
    s.add_argument("--actor", required=True)
    s.add_argument("--reason")
    s.set_defaults(func=cmd_consent)

    s = sub.add_parser(
        "erase-person", help="take a person's name out of every item that names it (AVG art. 17)"
    )
    s.add_argument("name", help="the name as it is written, e.g. 'Henk Vermeulen'")
    s.add_argument("--actor", required=True)
    s.add_argument("--reason", help="why (the name itself is taken out of it)")
    s.set_defaults(func=cmd_erase_person)

    s = sub.add_parser("withdraw", help="record a withdrawal of consent (a tombstone remains)")
    s.add_argument("item", help="a story number (0001) or KIND/ID")
    s.add_argument("--actor", required=True)
    s.add_argument("--reason", required=True)
    s.add_argument("--policy", required=True, help="e.g. 'AVG art. 7 lid 3'")
    s.set_defaults(func=cmd_consent)

    s = sub.add_parser("embargo", help="hide an item from readers until a day")
    s.add_argument("item", help="a story number (0001) or KIND/ID")
    s.add_argument("--until", help="YYYY-MM-DD")
    s.add_argument("--lift", action="store_true", help="end the embargo now")
    s.add_argument("--actor", required=True)
    s.add_argument("--reason")
    s.set_defaults(func=cmd_consent)

    s = sub.add_parser("history", help="every event of an item, oldest first", parents=[remote])
    s.add_argument("kind", choices=["episodes", "stories", "media"])
    s.add_argument("id")
    s.set_defaults(func=cmd_history)

    s = sub.add_parser("qualities", help="the quality vocabulary")
    s.add_argument("--skos", action="store_true", help="as a SKOS concept scheme (JSON-LD)")
    s.set_defaults(func=cmd_qualities)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; print a one-line reason and exit non-zero on failure."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ArchiveError as error:
        print(f"wijkarchief: {error.message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except STORE_ERRORS as error:
        # The store cannot be opened or written (read-only or full disk, server gone).
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        print(f"wijkarchief: de opslag is niet bruikbaar: {reason}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"wijkarchief: {error.strerror or error}: {error.filename or ''}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
