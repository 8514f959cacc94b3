"""The list pages `/episodes`, `/stories` and `/media`: paged, sorted, filtered.

Each page reads the same list as its JSON twin (`/api/{kind}` with the same filters, linked
as `rel=alternate`): `Archive.items(kind, role=…)`, so the visibility policy decides what a
reader sees (a public reader only public items; a withdrawn item they could read as its
tombstone, as the API lists it). Sorting and paging happen here, on that list.

Query parameters (all optional): `quality`, `assessment`, `year` (the API's filters),
`sort` (`title`, `date`, `-date`, and `number` for stories), `limit` (10, 20, 50 or 100 rows
a page) and `offset`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.pages import coding
from api.pages.auth import archive_of, reader_of
from api.pages.templating import MEDIA_KINDS, item_path, query, render
from events import dates, qualities
from events.errors import ArchiveError, InvalidInput

router = APIRouter(include_in_schema=False)

PAGE_SIZES = (10, 20, 50, 100)
DEFAULT_SIZE = 20
TITLES = {"episodes": "Episodes", "stories": "Verhalen", "media": "Media"}
INTROS = {
    "episodes": "Governance-episodes uit de monitor en het programma, met hun beoordelingen.",
    "stories": "Verhalen uit de Wijkcollectie BoTu, met hun vertellers.",
    "media": "Artikelen, foto’s, tekeningen en andere media over de wijk.",
}
# The orders each list offers: (value, label); the first is the default.
SORTS: dict[str, tuple[tuple[str, str], ...]] = {
    "episodes": (("date", "datum (oudste eerst)"), ("-date", "datum (nieuwste eerst)"),
                 ("title", "titel")),
    "stories": (("number", "nummer"), ("title", "titel"), ("date", "datum (oudste eerst)"),
                ("-date", "datum (nieuwste eerst)")),
    "media": (("-date", "datum (nieuwste eerst)"), ("date", "datum (oudste eerst)"),
              ("title", "titel")),
}  # fmt: skip


def _title_key(item: dict[str, Any]) -> tuple[str, str]:
    return ((item.get("title") or "").casefold(), item["id"])


def _date_key(item: dict[str, Any]) -> tuple[tuple[str, str, str], str]:
    try:
        key = dates.sort_key(item.get("date"))
    except ArchiveError:  # an odd old date sorts with the undated ones
        key = dates.sort_key(None)
    return (key, item["id"])


def ordered(items: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """The items in the order `sort` names (undated items last, also newest first)."""
    if sort == "title":
        return sorted(items, key=_title_key)
    if sort == "number":
        return sorted(items, key=lambda item: item["id"])
    dated = [item for item in items if item.get("date")]
    undated = sorted((item for item in items if not item.get("date")), key=_title_key)
    return sorted(dated, key=_date_key, reverse=sort == "-date") + undated


def _number(value: str | None, name: str, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(f"Ongeldige waarde voor '{name}': {value!r}.", field=name)
    return int(text)


def checked(kind: str, raw: dict[str, str | None]) -> dict[str, Any]:
    """The page's parameters in canonical form (raises InvalidInput for a value it cannot
    use); parameters at their default are None, so the links stay short."""
    sorts = [value for value, _ in SORTS[kind]]
    params: dict[str, Any] = dict.fromkeys(("quality", "assessment", "year", "sort", "limit"))
    if raw.get("quality"):
        params["quality"] = qualities.resolve(str(raw["quality"])).id
    if raw.get("assessment"):
        params["assessment"] = qualities.check_assessment(str(raw["assessment"]))
    params["year"] = _number(raw.get("year"), "year", 1000, 2999)
    sort = raw.get("sort") or sorts[0]
    if sort not in sorts:
        raise InvalidInput(
            f"Onbekende volgorde {sort!r}: kies uit {', '.join(sorts)}.", field="sort"
        )
    params["sort"] = None if sort == sorts[0] else sort
    size = _number(raw.get("limit"), "limit", 1, 1000) or DEFAULT_SIZE
    if size not in PAGE_SIZES:
        raise InvalidInput(
            f"Kies {', '.join(map(str, PAGE_SIZES))} items per pagina.", field="limit"
        )
    params["limit"] = None if size == DEFAULT_SIZE else size
    return params


def row(item: dict[str, Any]) -> dict[str, Any]:
    """What a row shows of an item (or of a tombstone)."""
    return {
        **item,
        "href": item_path(item["kind"], item["id"]),
        "groups": coding.groups(item.get("assessments")),
        "media_label": MEDIA_KINDS.get(item.get("media_kind") or "", item.get("media_kind")),
    }


def list_page(request: Request, kind: str, raw: dict[str, str | None]) -> Response:
    """A list page: the reader's items of one kind, filtered, sorted and paged."""
    archive = archive_of(request)
    reader = reader_of(request)
    error: ArchiveError | None = None
    params: dict[str, Any] = dict.fromkeys(("quality", "assessment", "year", "sort", "limit"))
    items: list[dict[str, Any]] = []
    start = 0
    try:
        params = checked(kind, raw)
        start = _number(raw.get("offset"), "offset", 0, 10_000_000) or 0
        items = archive.items(
            kind, role=reader.role, quality=params["quality"],
            assessment=params["assessment"], year=params["year"],
        )  # fmt: skip
    except ArchiveError as failed:
        error = failed
    size = params["limit"] or DEFAULT_SIZE
    sort = params["sort"] or SORTS[kind][0][0]
    total = len(items)
    if start >= total and total:  # past the end: the last page
        start = (total - 1) // size * size
    shown = [row(item) for item in ordered(items, sort)[start : start + size]]
    here = f"/{kind}"
    filters = {name: params[name] for name in ("quality", "assessment", "year")}
    pages = {
        "first": start + 1 if shown else 0,
        "last": start + len(shown),
        "previous": here + query(params, offset=max(start - size, 0) or None)
        if start > 0
        else None,
        "next": here + query(params, offset=start + size) if start + size < total else None,
    }
    return render(
        request,
        "list.html",
        {
            "kind": kind,
            "title": TITLES[kind],
            "intro": INTROS[kind],
            "rows": shown,
            "total": total,
            "params": params,
            "raw": {k: v or "" for k, v in raw.items()},
            "filtered": any(filters.values()),
            "sort": sort,
            "sorts": [
                (value, label, here + query({**params, "sort": value, "offset": None}))
                for value, label in SORTS[kind]
            ],
            "sizes": PAGE_SIZES,
            "size": size,
            "pages": pages,
            "error": error,
            "reset": here + query({"sort": params["sort"], "limit": params["limit"]}),
        },
        status=error.status if error else 200,
        json_url=f"/api/{kind}" + query(filters),
    )


def _list_route(kind: str) -> None:
    def page(
        request: Request,
        quality: str | None = None,
        assessment: str | None = None,
        year: str | None = None,
        sort: str | None = None,
        limit: str | None = None,
        offset: str | None = None,
    ) -> Response:
        raw = {"quality": quality, "assessment": assessment, "year": year, "sort": sort,
               "limit": limit, "offset": offset}  # fmt: skip
        return list_page(request, kind, raw)

    page.__name__ = f"{kind}_list"
    router.add_api_route(f"/{kind}", page, methods=["GET"], response_class=HTMLResponse)


for _kind in ("episodes", "stories", "media"):
    _list_route(_kind)
