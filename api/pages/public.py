"""The public pages: home, search, item pages, the matrix, timelines and the Kronieken.

Every handler reads with the reader's role (a curator's cookie shows what curators may see)
and turns the archive's errors into a Dutch error page with the error's status: 404 for an
unknown item, 410 with the tombstone for a withdrawn one, 422 for a value it cannot use.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.pages import views
from api.pages.auth import PageReader, archive_of, reader_of
from api.pages.templating import HEADERS, query, render
from archive.service import parse_as_of
from events import qualities
from events.errors import ArchiveError, InvalidInput, NotFound

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


def error_page(request: Request, error: ArchiveError, *, json_url: str | None = None) -> Response:
    """The archive's error as a Dutch page with its status."""
    tombstone = error.details.get("tombstone") if error.details else None
    titles = {404: "Niet gevonden", 410: "Ingetrokken"}
    return render(
        request,
        "error.html",
        {
            "title": titles.get(error.status, error.title),
            "message": error.message,
            "status": error.status,
            "tombstone": tombstone,
        },
        status=error.status,
        json_url=json_url,
    )


def item_or_error(
    request: Request, reader: PageReader, kind: str, key: str
) -> dict[str, Any] | Response:
    """The item as `reader` may read it, or the error page of why not (404, 410, 422)."""
    try:
        found: dict[str, Any] = archive_of(request).item(kind, key, role=reader.role)
    except ArchiveError as error:
        return error_page(request, error)
    return found


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    """Counts by kind and year, the episodes, the latest additions and a search box."""
    archive = archive_of(request)
    reader = reader_of(request)
    stats = archive.stats(role=reader.role)
    items = archive.all_items(role=reader.role)
    episodes = [i for i in items if i["kind"] == "episodes"]
    latest = sorted(items, key=lambda i: (i.get("created_at") or "", i["ref"]), reverse=True)
    years: dict[int, int] = stats["years"]
    return render(
        request,
        "home.html",
        {
            "stats": stats,
            "episodes": episodes,
            "latest": latest[:8],
            "years": years,
            "most": max(years.values(), default=1),
        },
        json_url="/api/episodes",
    )


def _int(value: str | None, name: str, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise InvalidInput(f"Ongeldige waarde voor '{name}': {value!r}.", field=name)
    return number


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    q: str = "",
    kind: str | None = None,
    quality: str | None = None,
    assessment: str | None = None,
    year: str | None = None,
    offset: str | None = None,
    sort: str | None = None,
) -> Response:
    """Items with highlighted snippets, their matching moments, facets as toggle links."""
    archive = archive_of(request)
    reader = reader_of(request)
    params: dict[str, Any] = {
        "q": q.strip(),
        "kind": kind or None,
        "quality": quality or None,
        "assessment": assessment or None,
        "year": year or None,
        "sort": sort or None,
    }
    error: ArchiveError | None = None
    result: dict[str, Any] = {"total": 0, "hits": [], "facets": {}}
    start = 0
    try:
        # Filters in their canonical form, so that the toggles recognise them.
        if params["quality"]:
            params["quality"] = qualities.resolve(params["quality"]).id
        if params["assessment"]:
            params["assessment"] = qualities.check_assessment(params["assessment"])
        if params["kind"] and params["kind"] not in views.KINDS:
            raise InvalidInput(
                f"Onbekende soort {kind!r}: episodes, stories of media.", field="kind"
            )
        start = _int(offset, "offset", 0, 10_000) or 0
        result = archive.search(
            params["q"],
            kind=params["kind"],
            quality=params["quality"],
            assessment=params["assessment"],
            year=_int(params["year"], "year", 1000, 2999),
            limit=PAGE_SIZE,
            offset=start,
            role=reader.role,
            sort=params["sort"],
        )
    except ArchiveError as failed:
        error = failed
    hits = [
        {
            **hit,
            "href": views.hit_href(hit),
            "snippet": views.safe_snippet(hit.get("snippet")),
            "moments": [
                {
                    **m,
                    "href": views.hit_href({**hit, "happening": m["happening"]}),
                    "snippet": views.safe_snippet(m.get("snippet")),
                }
                for m in hit.get("moments", [])
            ],
        }
        for hit in result["hits"]
    ]
    browsing = not params["q"]
    sorted_by = result.get("sort") or ("date" if browsing else "relevance")
    total = int(result["total"])
    pages = {
        "previous": "/search" + query(params, offset=max(start - PAGE_SIZE, 0) or None)
        if start > 0
        else None,
        "next": "/search" + query(params, offset=start + PAGE_SIZE)
        if start + PAGE_SIZE < total
        else None,
        "first": start + 1 if hits else 0,
        "last": start + len(hits),
    }
    return render(
        request,
        "search.html",
        {
            "params": params,
            "hits": hits,
            "total": total,
            "facets": views.facets(result["facets"], params),
            "filtered": any(params[f] for f in views.FACETS),
            "pages": pages,
            "error": error,
            "sorted_by": sorted_by,
            "sorts": {
                name: "/search" + query({**params, "sort": name}) for name in ("relevance", "date")
            },
            "suggestion": result.get("suggestion"),
            "corrected": result.get("corrected", False),
        },
        status=error.status if error else 200,
        json_url="/api/search" + query(params, offset=start or None),
    )


def item_page(
    request: Request,
    kind: str,
    key: str,
    *,
    as_of: str | None = None,
    notice: str | None = None,
    warning: str | None = None,
) -> Response:
    """An item's page: text, happenings, assessments, links, history, the as-of picker."""
    archive = archive_of(request)
    reader = reader_of(request)
    try:
        moment = parse_as_of(as_of)
        context = views.item_context(archive, kind, key, reader.role, moment)
    except ArchiveError as error:
        return error_page(request, error, json_url=views.api_path(kind, key))
    context["notice"], context["warning"] = notice, warning
    return render(request, "item.html", context, json_url=context["json_url"])


SAVED = {
    "opgeslagen": "De wijziging is opgeslagen.",
    "nieuw": "Het verhaal is vastgelegd.",
    "beoordeeld": "De beoordeling is vastgelegd.",
    "gekoppeld": "De koppeling is vastgelegd.",
    "ontkoppeld": "De koppeling is verwijderd.",
    "ingetrokken": "De toestemming is ingetrokken: lezers zien nu de grafsteen.",
    "embargo": "Het embargo is vastgelegd.",
    "embargo-opgeheven": "Het embargo is opgeheven.",
    "gewist": "De woorden zijn gewist; de sleutel is vernietigd.",
    "gebeurtenis": "De gebeurtenis is vastgelegd.",
    "gebeurtenis-gecorrigeerd": "De correctie van de gebeurtenis is opgeslagen.",
    "gecorrigeerd": "De correctie van de beoordeling is opgeslagen.",
    "beoordeling-ingetrokken": "De beoordeling is ingetrokken; de geschiedenis bewaart haar.",
}


def _item_route(kind: str) -> None:
    def page(
        request: Request, key: str, as_of: str | None = None, gedaan: str | None = None
    ) -> Response:
        warning = None
        if gedaan == "gewist" and reader_of(request).role == "curator":
            # PostgreSQL: old copies of the erased words may still be in the table files
            # (another session held an older snapshot); said as the command line says it.
            warning = archive_of(request).owed.report()["message"]
        notice = SAVED.get(gedaan or "")
        return item_page(request, kind, key, as_of=as_of, notice=notice, warning=warning)

    page.__name__ = f"{kind}_page"
    router.add_api_route(f"/{kind}/{{key}}", page, methods=["GET"], response_class=HTMLResponse)


for _kind in views.KINDS:
    _item_route(_kind)


@router.get("/matrix", response_class=HTMLResponse)
def matrix(request: Request) -> Response:
    """Episodes × qualities, each cell coloured and labelled by its assessment."""
    archive = archive_of(request)
    reader = reader_of(request)
    episodes = [e for e in archive.items("episodes", role=reader.role) if not e.get("tombstone")]
    responsive = [q for q in qualities.QUALITIES if q.framework == qualities.RESPONSIVE]
    resilience = [q for q in qualities.QUALITIES if q.framework == qualities.RESILIENCE]
    tables: list[dict[str, Any]] = [
        {
            "id": "responsief",
            "title": "Kwaliteiten van een responsieve overheid",
            "caption": "Hoofdstuk 4 van de monitor: vier kwaliteiten, elk met een element van "
            "het raamwerk ‘faciliteren van gemeenschapsveerkracht’.",
            "concepts": responsive,
        },
        {
            "id": "resilience",
            "title": "Resilience Framework",
            "caption": "De zeven kwaliteiten van veerkrachtig besturen (Rockefeller Foundation), "
            "uit de reflectie ‘Veerkrachtig besturen’.",
            "concepts": resilience,
        },
    ]
    for table in tables:
        table["rows"] = views.matrix(episodes, table["concepts"])
        table["notes"] = views.matrix_notes(table["rows"])
    return render(request, "matrix.html", {"tables": tables}, json_url="/api/episodes")


def _standalone(html: str, nav: Any) -> Response:
    return HTMLResponse(views.inject(html, nav), headers=HEADERS)


@router.get("/timelines/{year}", response_class=HTMLResponse)
def timeline(request: Request, year: str, as_of: str | None = None) -> Response:
    """The governance timeline of a year, with its other forms to download."""
    archive = archive_of(request)
    reader = reader_of(request)
    api = f"/api/timelines/{year}"
    try:
        number = _int(year, "year", 1000, 2999)
        if number is None or not year.isdigit():
            raise NotFound(f"Er is geen tijdlijn voor {year!r}: gebruik een jaartal.")
        moment = parse_as_of(as_of)
        html = archive.timeline(number, fmt="html", role=reader.role, as_of=moment)
    except InvalidInput:
        return error_page(
            request, NotFound(f"Er is geen tijdlijn voor {year!r}: gebruik een jaartal.")
        )
    except ArchiveError as error:
        return error_page(request, error, json_url=api)
    stamp = {"as_of": as_of or None}
    years = sorted(archive.stats(role=reader.role)["years"])
    extra = [("Kronieken", "/kronieken"), ("Matrix", "/matrix")]
    before = [y for y in years if y < number]
    after = [y for y in years if y > number]
    if before:
        extra.insert(0, (f"← {before[-1]}", f"/timelines/{before[-1]}"))
    if after:
        extra.insert(1 if before else 0, (f"{after[0]} →", f"/timelines/{after[0]}"))
    nav = views.downloads_nav(
        [
            ("JSON", api + query({"format": "json", **stamp})),
            ("Markdown", api + query({"format": "markdown", **stamp})),
            ("TimelineJS", api + query({"format": "timelinejs", **stamp})),
        ],
        extra,
    )
    return _standalone(str(html), nav)


@router.get("/kronieken", response_class=HTMLResponse)
def kronieken(request: Request, as_of: str | None = None) -> Response:
    """The Corona Kronieken, with its other forms to download."""
    archive = archive_of(request)
    reader = reader_of(request)
    try:
        html = archive.kronieken(fmt="html", role=reader.role, as_of=parse_as_of(as_of))
    except ArchiveError as error:
        return error_page(request, error, json_url="/api/kronieken")
    stamp = {"as_of": as_of or None}
    nav = views.downloads_nav(
        [
            ("JSON", "/api/kronieken" + query({"format": "json", **stamp})),
            ("Markdown", "/api/kronieken" + query({"format": "markdown", **stamp})),
        ],
        [("Tijdlijn 2020", "/timelines/2020"), ("Matrix", "/matrix")],
    )
    return _standalone(str(html), nav)
