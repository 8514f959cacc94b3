"""Links by choosing items: a curator adds a link by typing part of a title, removes one with
a button.

On an item page (and on `/{kind}/{key}/koppeling`) the link form has one text box. With the
script (`api/static/site.js`) it is a WAI-ARIA combobox: as the curator types it asks
`/pages-api/suggesties` (the session's reader, through the visibility policy) and offers a
listbox of items; choosing one fills the hidden `target` (`SOORT/ID`). Without the script the
form posts the words, and the answer is a plain list of matching items, each with a
"Koppelen" button. A pasted `SOORT/ID` or page address in the box still works.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.pages.auth import archive_of, reader_of
from api.pages.curator import Curator, Text, field_errors
from api.pages.public import item_or_error
from api.pages.templating import HEADERS, item_path, query, render
from api.suggesting import MAX_QUERY, suggest
from events.errors import ArchiveError
from events.rules import parse_ref

router = APIRouter(include_in_schema=False)
RESULTS = 25


@router.get("/pages-api/suggesties")
def suggestions(request: Request, q: str = "", kind: str | None = None) -> Response:
    """Up to 10 items the session's reader may read whose title holds the words (JSON)."""
    reader = reader_of(request)
    items = archive_of(request).all_items(role=reader.role)
    chosen = kind if kind in ("episodes", "stories", "media") else None
    found = suggest(items, q[:MAX_QUERY], chosen)
    return JSONResponse({"items": found[:10], "total": len(found)}, headers=HEADERS)


def normalise_ref(value: str) -> str:
    """`episodes/duimdrop` from what a curator pastes: a ref, a page path or its address."""
    target = value.strip()
    if "://" in target:
        target = target.split("://", 1)[1].partition("/")[2]
    return target.split("#", 1)[0].split("?", 1)[0].strip("/")


def _looks_like_ref(value: str) -> bool:
    try:
        parse_ref(normalise_ref(value))
    except ArchiveError:
        return False
    return True


def _links_page(
    request: Request,
    item: dict[str, Any],
    words: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    archive = archive_of(request)
    everything = archive.all_items(role="curator")
    by_ref = {other["ref"]: other for other in everything}
    linked = [
        {**by_ref[ref], "href": item_path(*ref.split("/", 1))}
        for ref in item.get("links") or []
        if ref in by_ref
    ]
    skip = {item["ref"], *(item.get("links") or [])}
    results = None
    already: list[dict[str, Any]] = []  # matches this item is linked to already
    itself = False  # the item itself matches (never linked to itself)
    if words.strip():
        matches = suggest(everything, words)
        results = [s for s in matches if s["ref"] not in skip][:RESULTS]
        already = [s for s in matches if s["ref"] in skip and s["ref"] != item["ref"]]
        itself = any(s["ref"] == item["ref"] for s in matches)
        for result in results + already:
            result["href"] = item_path(result["kind"], result["id"])
    return render(
        request,
        "link.html",
        {"item": item, "words": words, "results": results, "linked": linked,
         "already": already, "itself": itself, "errors": errors or {}},
        status=status,
    )  # fmt: skip


def _back(kind: str, key: str, what: str) -> Response:
    return RedirectResponse(
        f"{item_path(kind, key)}?gedaan={what}#koppelingen", status_code=303, headers=HEADERS
    )


def _add_routes(kind: str) -> None:
    def form(request: Request, reader: Curator, key: str, zoek: str = "") -> Response:
        item = item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        return _links_page(request, item, zoek[:MAX_QUERY])

    def link(
        request: Request, reader: Curator, key: str, target: Text = "", zoek: Text = ""
    ) -> Response:
        item = item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        chosen = target.strip() or (zoek if _looks_like_ref(zoek) else "")
        if not chosen:
            if not zoek.strip():
                message = "Typ een deel van de titel van het item dat u wilt koppelen."
                return _links_page(request, item, "", {"zoek": message}, 422)
            here = f"{item_path(kind, key)}/koppeling" + query({"zoek": zoek.strip()})
            return RedirectResponse(here + "#resultaten", status_code=303, headers=HEADERS)
        try:
            archive_of(request).link(f"{kind}/{key}", normalise_ref(chosen), actor=reader.name)
        except ArchiveError as error:
            errors = {"zoek": field_errors(error, ("target",)).popitem()[1]}
            return _links_page(request, item, zoek, errors, error.status)
        return _back(kind, key, "gekoppeld")

    def unlink(
        request: Request, reader: Curator, key: str, target: Text = "", reason: Text = ""
    ) -> Response:
        item = item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        try:
            archive_of(request).unlink(
                f"{kind}/{key}", normalise_ref(target), actor=reader.name, reason=reason.strip()
            )
        except ArchiveError as error:
            return _links_page(request, item, "", {"form": error.message}, error.status)
        return _back(kind, key, "ontkoppeld")

    for name, handler, method, path in (
        ("link_form", form, "GET", "koppeling"),
        ("link", link, "POST", "koppeling"),
        ("unlink", unlink, "POST", "koppeling/verwijderen"),
    ):
        handler.__name__ = f"{kind}_{name}"
        router.add_api_route(
            f"/{kind}/{{key}}/{path}", handler, methods=[method], response_class=HTMLResponse
        )


for _kind in ("episodes", "stories", "media"):
    _add_routes(_kind)
