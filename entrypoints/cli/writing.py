"""The commands that write: seed, load, tokens, consent and erasure, export and import."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from entrypoints.cli.common import open_archive, open_log, progress_bar, settle
from events.errors import ArchiveError


def cmd_seed(args: argparse.Namespace) -> int:
    from stories.loader import seed

    archive = open_archive()
    try:
        if args.if_empty and archive.position() > 0:
            print(f"Archief bevat al {archive.position()} gebeurtenissen; niets geladen.")
            return 0
        with progress_bar("seed") as update:
            report = seed(archive, progress=update)
        settle(archive)
        print(
            f"{len(report.registered)} items vastgelegd, {len(report.skipped)} bestonden al, "
            f"{report.linked} koppelingen gemaakt; positie {archive.position()}."
        )
    finally:
        archive.close()
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from stories.loader import load

    archive = open_archive()
    try:
        with progress_bar("load") as update:
            report = load(archive, [Path(p) for p in args.paths], actor=args.actor, progress=update)
        settle(archive)
        print(f"{len(report.registered)} items vastgelegd, {len(report.skipped)} bestonden al.")
    finally:
        archive.close()
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    log = open_log()
    try:
        if args.token_command == "create":
            print(log.issue_token(args.name, args.role, replace=args.replace))
        else:
            log.revoke_token(args.name)
            print(f"Token {args.name} ingetrokken.")
    finally:
        log.close()
    return 0


def cmd_consent(args: argparse.Namespace) -> int:
    from events.rules import parse_ref

    kind, key = ("stories", args.item) if args.item.isdigit() else parse_ref(args.item)
    archive = open_archive()
    try:
        if args.command == "erase":
            archive.erase(kind, key, actor=args.actor, reason=args.reason or "")
            print(f"Persoonsgegevens van {kind}/{key} gewist; de sleutel is vernietigd.")
            old_copies(archive)
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
        settle(archive)
    finally:
        archive.close()
    return 0


def cmd_erase_person(args: argparse.Namespace) -> int:
    archive = open_archive()
    try:
        found = archive.forget_person(args.name, actor=args.actor, reason=args.reason or "")
        settle(archive)
        if found["items"]:
            old_copies(archive)
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


def old_copies(archive: Any) -> bool:
    """Say on stderr when old copies of erased words are still in the database's files
    (a table rewrite owed, `archive.owed`); True when none are."""
    report = archive.owed.report()
    if report["message"]:
        print(f"Let op: {report['message']}", file=sys.stderr)
    return bool(report["removed"])


def cmd_rewrite_owed(args: argparse.Namespace) -> int:
    """Rewrite now the tables an erasure left owed (PostgreSQL), waiting up to --wait s."""
    archive = open_archive()
    try:
        archive.owed.settle(args.wait)
        if not old_copies(archive):
            return 1
        print("Geen herschrijving open: geen oude kopieën van gewiste woorden op schijf.")
    finally:
        archive.close()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from archive.exchange import blobs_dir, export_blobs, export_keys, export_to

    target = Path(args.file)
    keys = Path(args.keys) if args.keys else None
    if keys is not None and keys.resolve() == target.resolve():
        raise ArchiveError("Het sleutelbestand moet een ander bestand zijn dan de export.")
    if keys is not None and not keys.resolve().parent.is_dir():
        raise ArchiveError(f"Map {keys.parent} voor het sleutelbestand bestaat niet.")
    log = open_log()
    try:
        tmp = target.with_name(target.name + ".partial")
        with tmp.open("w", encoding="utf-8") as out, progress_bar("export") as update:
            count = export_to(log, out, progress=update)
        tmp.replace(target)
        blobs = export_blobs(log, target)
        if blobs:
            print(f"{blobs} bestanden (versleuteld) naar {blobs_dir(target)}.")
        if keys is not None:
            # After the log: a key made during the export is in the file, harmlessly.
            rows = export_keys(log, keys)
            print(
                f"{count} gebeurtenissen geëxporteerd naar {target}, {rows} sleutels naar "
                f"{keys} (alleen voor de eigenaar leesbaar: bewaar het als de gegevens zelf)."
            )
        else:
            print(f"{count} gebeurtenissen geëxporteerd naar {target}.")
            if log.keys.count():
                print(
                    "wijkarchief: let op: zonder --keys SLEUTELBESTAND gaan de teksten en "
                    "vertellers van verhalen en media niet mee (alleen versleuteld).",
                    file=sys.stderr,
                )
    finally:
        log.close()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from archive.exchange import import_log

    path = Path(args.file)
    if not path.is_file():
        raise ArchiveError(f"Bestand {path} bestaat niet.")
    keys = Path(args.keys) if args.keys else None
    archive = open_archive(follow=False)
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
    if imported.blobs:
        print(f"{imported.blobs} versleutelde bestanden geïmporteerd.")
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


def cmd_import_rows(args: argparse.Namespace) -> int:
    """Import a sheet of stories or media items: a dry run, or all rows or none."""
    path = Path(args.file)
    if not path.is_file():
        raise ArchiveError(f"Bestand {path} bestaat niet.")
    data = path.read_bytes()
    archive = open_archive()
    try:
        with _file_source(args.files) as files:
            report = archive.import_sheet(
                args.kind, data, path.name, actor=args.actor, files=files, dry_run=args.dry_run
            )
        settle(archive)
    finally:
        archive.close()
    for item in report.items:
        files = f" (+ {', '.join(item['files'])})" if item["files"] else ""
        print(f"rij {item['row']}: {item['ref']} {item['title']}{files}")
    for error in report.errors:
        column = f", kolom {error.column}" if error.column else ""
        print(f"rij {error.row}{column}: {error.message}", file=sys.stderr)
    for attached in report.files:
        if not attached["attached"]:
            print(f"{attached['item']}: {attached['name']} niet bijgevoegd: "
                  f"{attached['message']}", file=sys.stderr)  # fmt: skip
    if report.errors:
        print(
            f"wijkarchief: {len(report.errors)} fout(en) in {path.name}; er is niets geïmporteerd.",
            file=sys.stderr,
        )
        return 2
    if report.imported:
        print(f"{len(report.items)} item(s) toegevoegd; positie {report.position}.")
    else:
        print(f"Proef: {len(report.items)} item(s) zouden worden toegevoegd; niets vastgelegd.")
    return 0


@contextmanager
def _file_source(where: str | None) -> Iterator[Any]:
    from archive.sheets import FileSource

    if not where:
        yield FileSource.none()
        return
    path = Path(where)
    if path.is_dir():
        yield FileSource.folder(path)
        return
    if not path.is_file():
        raise ArchiveError(f"{path} is geen map en geen zip-bestand.")
    with path.open("rb") as stream:
        yield FileSource.zip(stream, f"zip {path.name}")
