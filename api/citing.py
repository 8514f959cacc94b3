"""Citations: a text, CSL-JSON and a permalink that fixes what was read (`as_of`, position).

The base of the permalinks is the archive's `WIJKARCHIEF_BASE_URL` (never the client's Host),
put in a context variable for the request by `CiteBase`, so the shaping functions stay pure.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.types import ASGIApp, Receive, Scope, Send

from archive.config import DEFAULT_BASE_URL

CONTAINER = "Wijkarchief Bospolder-Tussendijken"
BASE: ContextVar[str] = ContextVar("wijkarchief_base_url", default=DEFAULT_BASE_URL)

# The CSL type of each kind of item (media by their media kind).
CSL_TYPES = {"episodes": "document", "stories": "interview"}  # CSL 1.0.1 has no "event"
MEDIA_TYPES = {
    "article": "article-newspaper",
    "photo": "graphic",
    "drawing": "graphic",
    "report": "report",
    "video": "motion_picture",
    "audio": "song",
}
_EDTF_PART = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


class CiteBase:
    """ASGI middleware: the archive's base URL for the permalinks of this request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        archive = getattr(getattr(scope.get("app"), "state", None), "archive", None)
        settings = getattr(archive, "settings", None)
        base = getattr(settings, "base_url", None)
        token = BASE.set(str(base) if base else DEFAULT_BASE_URL)
        try:
            await self.app(scope, receive, send)
        finally:
            BASE.reset(token)


def permalink(path: str, params: dict[str, Any] | None = None) -> str:
    """An absolute address under the archive's base URL (empty parameters left out)."""
    query = urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})
    return f"{BASE.get()}{path}{'?' + query if query else ''}"


def now_iso() -> str:
    """This moment, as the `as_of` that fixes an answer computed now."""
    return datetime.now(UTC).isoformat()


def date_parts(value: str | None) -> dict[str, Any] | None:
    """An EDTF date as a CSL date: `date-parts` (one or two), `circa`, or a `literal`."""
    if not value:
        return None
    parts: list[list[int]] = []
    for side in value.split("/"):
        plain = side.strip("~?%")
        if plain in ("", ".."):
            continue
        found = _EDTF_PART.match(plain)
        if not found:
            return {"literal": value}
        year, month, day = found.groups()
        season = month is not None and int(month) > 12
        part = [int(year)] + ([int(month)] if month and not season else [])
        parts.append(part + ([int(day)] if day and not season else []))
    if not parts:
        return {"literal": value}
    date: dict[str, Any] = {"date-parts": parts}
    if any(mark in value for mark in "~%"):
        date["circa"] = True
    return date


def _authors(item: dict[str, Any]) -> list[dict[str, str]]:
    """The storytellers the item names (the answer holds only what the reader may read)."""
    return [{"literal": name} for name in item.get("storytellers") or [] if name]


def item_citation(item: dict[str, Any], position: int | None) -> dict[str, Any]:
    """The citation of an item answer: its recorded version, fixed by `as_of` and position."""
    kind, key = item["kind"], item["id"]
    recorded = item.get("modified_at") or item.get("created_at")
    link = permalink(f"/api/{kind}/{key}", {"as_of": recorded, "position": position})
    accessed = datetime.now(UTC).date()
    ref = item.get("ref") or f"{kind}/{key}"
    csl: dict[str, Any] = {
        "id": ref,
        "type": CSL_TYPES.get(kind)
        or MEDIA_TYPES.get(item.get("media_kind") or "article", "document"),
        "title": item.get("title") or ref,
        "container-title": CONTAINER,
        "URL": link,
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
        "version": str(item.get("version", "")),
    }
    issued = date_parts(item.get("date"))
    if issued:
        csl["issued"] = issued
    authors = _authors(item)
    if authors:
        csl["author"] = authors
    if kind == "episodes":
        csl["genre"] = "governance-episode"
    if kind == "stories":
        csl["number"] = f"BoTu nr. {key}"
    if item.get("outlet"):
        csl["publisher"] = item["outlet"]
    who = "; ".join(a["literal"] for a in authors)
    when = f" ({item['date']})" if item.get("date") else ""
    text = (
        f"{who + '. ' if who else ''}{csl['title']}{when}. {CONTAINER}, {ref}, versie "
        f"{item.get('version', '?')}, vastgelegd {recorded}. {link} "
        f"(geraadpleegd {accessed.isoformat()})."
    )
    return {"text": text, "csl": csl, "permalink": link}


def answer_citation(
    title: str, path: str, params: dict[str, Any], position: int, as_of: str | None
) -> dict[str, Any]:
    """The citation of a computed answer (search, timeline, Kronieken): its query fixed."""
    link = permalink(path, {**params, "as_of": as_of, "position": position})
    accessed = datetime.now(UTC).date()
    csl = {
        "id": f"{path}?{urlencode({k: v for k, v in params.items() if v not in (None, '')})}",
        "type": "dataset",
        "title": title,
        "container-title": CONTAINER,
        "URL": link,
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
    }
    text = (
        f"{title}. {CONTAINER}, logpositie {position}"
        f"{', zoals vastgelegd op ' + as_of if as_of else ''}. {link} "
        f"(geraadpleegd {accessed.isoformat()})."
    )
    return {"text": text, "csl": csl, "permalink": link}
