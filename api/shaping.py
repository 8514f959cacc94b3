"""Shaping the archive's plain data into API answers (no archive calls here).

Item answers keep every field of the item and add what the contract names: `body_html`
(the Markdown rendered and sanitised), `qualities` (the assessments), the linked `episodes`,
`stories` and `media` by id, `number` for stories, `period` for episodes and, for media items,
`kind` as the kind of media. Every read answer carries the log position it was computed at,
in the body and in the `X-Archive-Position` header.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Response

from api.citing import item_citation
from archive.files import file_links
from archive.rendering import markdown_to_html
from events.items import KINDS

POSITION_HEADER = "X-Archive-Position"


def cite(response: Response, position: int) -> None:
    """Name the log position an answer was computed at."""
    response.headers[POSITION_HEADER] = str(position)


def tag(response: Response, version: int) -> None:
    """The item version as a strong ETag: send it back as If-Match to change the item."""
    response.headers["ETag"] = f'"{version}"'


def linked(links: list[str], kind: str) -> list[str]:
    """The ids of the linked items of one kind."""
    prefix = f"{kind}/"
    return [link[len(prefix) :] for link in links if link.startswith(prefix)]


def item_answer(
    item: dict[str, Any], position: int | None, as_of: datetime | None = None
) -> dict[str, Any]:
    """An item (or a tombstone) as the API gives it."""
    answer = dict(item)
    answer["position"] = position
    if as_of is not None:
        answer["as_of"] = as_of.isoformat()
    if item.get("tombstone"):
        return answer
    links = list(item.get("links") or [])
    answer["body_html"] = markdown_to_html(item.get("body_markdown"))
    answer["qualities"] = list(item.get("assessments") or [])
    answer["files"] = [file_links(item["kind"], item["id"], f) for f in item.get("files") or []]
    for kind in KINDS:
        answer[kind] = linked(links, kind)
    if item.get("kind") == "stories":
        answer.setdefault("number", item["id"])
    elif item.get("kind") == "episodes":
        answer["period"] = item.get("date")
    elif item.get("kind") == "media":
        answer["kind"] = item.get("media_kind", "article")
    answer["citation"] = item_citation(item, position)
    return answer


def page(
    items: list[Any],
    *,
    limit: int,
    offset: int,
    position: int,
    shape: Callable[[Any], Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One page of a list answer (`shape` applied to the items of the page only)."""
    chosen = items[offset : offset + limit]
    return {
        "items": [shape(item) for item in chosen] if shape else chosen,
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "position": position,
        **extra,
    }
