"""The FastAPI application: JSON under /api, web pages elsewhere."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.types import Scope
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import docs, errors, pages
from api.citing import CiteBase
from api.deps import get_curator, trusted_proxies
from api.metrics import RequestMetrics, metrics
from api.middleware import MAX_BODY, BodyLimit, CausalReads, SecurityHeaders
from api.routes import (
    assessments,
    changes,
    episodes,
    events,
    files,
    health,
    imports,
    items,
    media,
    people,
    search,
    sources,
    stories,
    suggestions,
    timelines,
)
from api.routing import flat_routes
from api.state import open_at_startup, opened_archive
from api.uploads import upload_limit
from archive.service import Archive

DESCRIPTION = """\
Het gebeurtenislog van het wijkarchief van Bospolder-Tussendijken (Rotterdam): governance-
episodes, verhalen uit de Wijkcollectie en media, met beoordelingen van de kwaliteiten van een
responsieve overheid.

- Lezen van openbaar materiaal kan zonder token; een onderzoekerstoken ziet ook verhalen met
  toestemming voor onderzoek, een curatortoken alles.
- Schrijven vraagt `Authorization: Bearer TOKEN` van een curator. Een wijziging (PATCH) vraagt
  `If-Match: VERSIE` (de ETag van het item): 412 als iemand anders u voor was, 428 zonder.
- Elk leesantwoord noemt de positie in het log waarop het berekend is (`position`,
  `X-Archive-Position`); met `?as_of=` leest u het archief zoals het toen was vastgelegd.
- Fouten zijn `application/problem+json` (RFC 9457), met een Nederlandse uitleg.
"""

TAGS = [
    {"name": "archive", "description": "Gezondheid en de woordenlijst van kwaliteiten."},
    {"name": "episodes", "description": "Governance-episodes."},
    {"name": "stories", "description": "Verhalen uit de Wijkcollectie (BoTu nr. 0001)."},
    {"name": "media", "description": "Krantenartikelen, foto's, rapporten."},
    {"name": "assessments", "description": "Beoordelingen van kwaliteiten in een item."},
    {"name": "happenings", "description": "Gedateerde gebeurtenissen in een item."},
    {"name": "links", "description": "Koppelingen tussen items."},
    {"name": "history", "description": "De geschiedenis van een item."},
    {"name": "search", "description": "Zoeken in het hele archief."},
    {"name": "timelines", "description": "Tijdlijnen en de Corona Kronieken."},
    {"name": "sources", "description": "Geciteerde passages uit de brondocumenten."},
    {"name": "events", "description": "Het gebeurtenislog en de wijzigingenstroom."},
    {"name": "files", "description": "Bestanden bij items: foto's, scans, PDF's, geluid, video."},
    {"name": "imports", "description": "Bulkimport van verhalen of media uit een blad."},
]


def _wider(scope: Scope) -> int | None:
    """The body limit of the routes that take more: file uploads, and bulk imports."""
    return upload_limit(scope) or imports.import_limit(
        scope.get("path", ""), scope.get("method", "")
    )


def operation_id(route: APIRoute) -> str:
    """Stable operation ids for generated clients: `stories-create_story`."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


def create_app(
    archive: Archive | None = None, *, opener: Callable[[], Archive] | None = None
) -> FastAPI:
    """The app over `archive`, or over the one `opener` opens at startup (and closes at
    shutdown: `entrypoints.server`). With neither, its routes and OpenAPI document only."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if archive is not None:
            app.state.archive = archive
        elif opener is not None:
            open_at_startup(app.state, opener)  # or on the first request, if the store is down
        else:
            raise RuntimeError("create_app() without an archive serves nothing: pass one")
        try:
            yield
        finally:
            sessions = getattr(app.state, "sessions", None)
            if sessions is not None:
                app.state.sessions = None  # a later start (a test's next lifespan) opens anew
                sessions.close()
            opened = opened_archive(app.state)
            if archive is None and opened is not None:
                app.state.archive = None
                opened.close()

    app = FastAPI(
        title="wijkarchief",
        summary="Het wijkarchief van Bospolder-Tussendijken, Rotterdam",
        description=DESCRIPTION,
        version="0.1.0",
        openapi_tags=TAGS,
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
        docs_url=None,  # api.docs serves /docs and /redoc from packaged assets
        redoc_url=None,
    )
    if archive is not None:
        app.state.archive = archive
    errors.install(app)
    app.add_middleware(BodyLimit, limit=MAX_BODY, wider=_wider)  # uploads, imports
    app.add_middleware(CausalReads)  # X-Archive-Min-Position: read your writes on any host
    app.add_middleware(CiteBase)  # the permalinks' base: WIJKARCHIEF_BASE_URL
    app.add_middleware(SecurityHeaders)  # outermost: on every answer, the 413s too
    if trusted_proxies():  # X-Forwarded-Proto/-For only from these (WIJKARCHIEF_TRUSTED_PROXIES)
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted_proxies())
    app.add_middleware(RequestMetrics)  # counts and times every answer, by route template
    app.add_route("/metrics", metrics, methods=["GET"], include_in_schema=False)  # Prometheus
    routers = (
        health, episodes, stories, media, items, search, timelines, events, changes, people,
        assessments, sources, files, suggestions, imports,
    )  # fmt: skip
    for module in routers:
        app.include_router(module.router)
    app.include_router(pages.router)
    pages.install(app)
    docs.install(app)
    install_openapi(app)
    return app


def install_openapi(app: FastAPI) -> None:
    """OpenAPI whose error answers are what the API sends: problem+json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        writes = _curator_operations(app)
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                _document_common_answers(
                    operation, write=(method.upper(), path) in writes, read=method == "get"
                )
                # The summary is the route's one-line docstring (FastAPI makes the description).
                lines = (operation.get("description") or "").strip().splitlines()
                if lines:
                    operation["summary"] = lines[0].rstrip(".")
                for status, answer in operation.get("responses", {}).items():
                    if answer.get("description") == "Successful Response":
                        answer["description"] = "Gelukt."
                    if status[:1] in ("4", "5"):
                        answer["content"] = problem
                        if status == "422":
                            answer["description"] = "Ongeldige invoer; `field` noemt het veld."
        components = schema.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


# Answers any operation may give, whatever its route declares (see `_document_common_answers`).
COMMON = {
    "400": "Onleesbaar verzoek: de inhoud is geen geldige JSON (UTF-8) of de Content-Length "
    "klopt niet.",
    "401": "Een ongeldig of ingetrokken token (zonder token leest u als publiek).",
    "429": "Te veel mislukte aanmeldpogingen vanaf dit adres; probeer het na `Retry-After` "
    "seconden opnieuw (verzoeken zonder token gaan door).",
    "503": "De database is even niet bereikbaar; probeer het na `Retry-After` seconden opnieuw.",
}
MIN_POSITION: dict[str, Any] = {
    "name": "X-Archive-Min-Position",
    "in": "header",
    "required": False,
    "schema": {"type": "integer", "minimum": 0},
    "description": "Lees pas als dit deel van het archief deze positie heeft (de "
    "`X-Archive-Position` van uw laatste wijziging; ook als `?min_position=`): anders 503 "
    "met `Retry-After`; een positie die niet in het logboek staat: 422.",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconden.", "schema": {"type": "integer"}}}


def _curator_operations(app: FastAPI) -> set[tuple[str, str]]:
    """`(METHOD, path)` of every operation that needs a curator's token."""

    def needs_curator(dependant: Any) -> bool:
        return any(d.call is get_curator or needs_curator(d) for d in dependant.dependencies)

    return {
        (method, route.path_format)
        for route in flat_routes(app.routes)
        if isinstance(getattr(route, "original_route", route), APIRoute)
        and needs_curator(route.dependant)
        for method in route.methods or ()
    }


def _document_common_answers(operation: dict[str, Any], *, write: bool, read: bool) -> None:
    """Security and the error answers every operation shares, as the server gives them.

    Reads take a token but do not need one (the public reads without): their security is
    optional. Whatever reads a token answers a bad one with 401; whatever reads a body
    answers unreadable JSON with 400, and 429 to a client that guessed too many tokens (see
    `api.deps`); everything answers 503 while the database is away. Every read takes
    `X-Archive-Min-Position` (`api.middleware.CausalReads`).
    """
    responses = operation.setdefault("responses", {})
    parameters = operation.setdefault("parameters", []) if read else []
    if operation.get("security"):
        if not write:
            operation["security"] = [{}, *operation["security"]]
        responses.setdefault("401", {"description": COMMON["401"]})
        responses.setdefault("429", {"description": COMMON["429"], "headers": RETRY_AFTER})
    if "requestBody" in operation:
        responses.setdefault("400", {"description": COMMON["400"]})
    responses.setdefault("503", {"description": COMMON["503"], "headers": RETRY_AFTER})
    if read and not any(p.get("name") == MIN_POSITION["name"] for p in parameters):
        parameters.append(MIN_POSITION)
        responses.setdefault("422", {"description": "Ongeldige invoer; `field` noemt het veld."})
