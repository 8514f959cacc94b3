"""The argument parser: every command and option (its help is the command-line reference)."""

from __future__ import annotations

import argparse
import os

from entrypoints.cli.reading import (
    cmd_history,
    cmd_kronieken,
    cmd_qualities,
    cmd_search,
    cmd_timeline,
)
from entrypoints.cli.running import cmd_project, cmd_rebuild, cmd_serve
from entrypoints.cli.writing import (
    cmd_consent,
    cmd_erase_person,
    cmd_export,
    cmd_import,
    cmd_import_rows,
    cmd_load,
    cmd_rewrite_owed,
    cmd_seed,
    cmd_token,
)


def page_size(value: str) -> int:
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
        type=page_size,
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

    s = sub.add_parser(
        "import-rows",
        help="add stories or media items from a CSV or .xlsx sheet, all rows or none "
        "(docs/bulk-import.md)",
    )
    s.add_argument("file", help="the sheet: .csv (; or , separated) or .xlsx, one row an item")
    s.add_argument("--kind", required=True, choices=["stories", "media"])
    s.add_argument(
        "--files", metavar="DIR|ZIP", help="folder or zip with the files the sheet names"
    )
    s.add_argument(
        "--dry-run", action="store_true", help="check every row and list what would be added"
    )
    s.add_argument("--actor", required=True, help="who is importing (recorded on every event)")
    s.set_defaults(func=cmd_import_rows)

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

    s = sub.add_parser(
        "rewrite-owed",
        help="rewrite now the tables an erasure left owed (PostgreSQL: old copies on disk)",
    )
    s.add_argument(
        "--wait", type=float, default=10.0, help="seconds to wait for sessions holding it up"
    )
    s.set_defaults(func=cmd_rewrite_owed)

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
