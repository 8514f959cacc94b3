"""Every error answer in one place: RFC 9457 `application/problem+json`.

Domain errors (`events.errors.ArchiveError`) carry their own status and a message a curator
understands; request validation errors name the field. Anything else is a bug: it is logged
and answered with a 500 problem (and deserves a test).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import eventsourcing.persistence as es_persistence
import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.routing import allowed_methods
from events.errors import ArchiveError

PROBLEM = "application/problem+json"
# The store cannot be reached (a restart, a network fault): 503, not a 500 with a traceback.
UNAVAILABLE: tuple[type[Exception], ...] = (
    es_persistence.OperationalError,
    es_persistence.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
log = logging.getLogger("wijkarchief.api")

TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet aangemeld",
    403: "Niet toegestaan",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    409: "Conflict",
    412: "Verouderde versie",
    413: "Verzoek te groot",
    415: "Niet-ondersteund formaat",
    422: "Ongeldige invoer",
    428: "Versie vereist",
    429: "Te veel pogingen",
    500: "Interne fout",
    503: "Database niet bereikbaar",
}


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    members: dict[str, object] | None = None,
    **extra: object,
) -> JSONResponse:
    """An RFC 9457 problem answer."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Fout"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in {**(members or {}), **extra}.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def unavailable_problem(path: str, error: Exception) -> JSONResponse:
    """The database is restarting or unreachable: not a bug, and worth another try (503)."""
    log.warning("Database unavailable on %s: %s", path, error)
    return problem(
        503,
        "De database is even niet bereikbaar. Probeer het over enkele seconden opnieuw; "
        "kijk na een schrijfopdracht eerst of die toch is vastgelegd.",
        title="Database niet bereikbaar",
        instance=path,
        headers={"Retry-After": "5"},
    )


MISSING_IF_MATCH = (
    "Stuur If-Match: VERSIE mee (de versie die u bewerkte, zie de ETag), zodat u niemands "
    "wijziging overschrijft."
)

# What Starlette's own errors (with only the English reason phrase) say instead.
DETAILS = {
    404: "Er is niets op dit adres. De API staat onder /api; zie /docs.",
    405: "Deze methode kan op dit adres niet.",
}


# English details of FastAPI's own errors, in Dutch.
ENGLISH = {
    "There was an error parsing the body": "De inhoud van het verzoek is geen geldige JSON "
    "(UTF-8).",
}


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


# Pydantic's error types in Dutch; `{…}` is filled from the error's context.
DUTCH: dict[str, str] = {
    "missing": "dit veld is verplicht",
    "extra_forbidden": "onbekend veld",
    "string_type": "moet tekst zijn",
    "int_type": "moet een geheel getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_from_float": "moet een geheel getal zijn",
    "float_parsing": "moet een getal zijn",
    "bool_parsing": "moet true of false zijn",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een object zijn",
    "model_type": "moet een object zijn",
    "model_attributes_type": "moet een JSON-object zijn",
    "literal_error": "kies uit {expected}",
    "enum": "kies uit {expected}",
    "greater_than_equal": "moet minstens {ge} zijn",
    "less_than_equal": "mag hoogstens {le} zijn",
    "greater_than": "moet groter zijn dan {gt}",
    "less_than": "moet kleiner zijn dan {lt}",
    "string_too_long": "is te lang (hoogstens {max_length} tekens)",
    "string_too_short": "is te kort (minstens {min_length} tekens)",
    "too_long": "is te lang (hoogstens {max_length} elementen)",
    "json_invalid": "ongeldige JSON ({error})",
    "json_type": "ongeldige JSON",
    "string_unicode": "moet geldige UTF-8-tekst zijn",
    "literal_true": "moet true zijn",
    "string_pattern_mismatch": "heeft niet de juiste vorm",
}
# What a field with a pattern should look like.
SHAPES = {
    "number": "vier cijfers, bv. 0001",
    "id": "kleine letters, cijfers en streepjes, bv. duimdrop",
}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def _where(error: dict[str, Any]) -> str:
    """The field a validation error is about (text checks name it in their context)."""
    context = error.get("ctx") or {}
    if error.get("type") == "unstorable_text" and context.get("field"):
        return str(context["field"])
    return _field_name(error.get("loc", ()))


def _dutch(error: dict[str, Any]) -> str:
    """A validation error's message in Dutch (pydantic's English when there is none)."""
    kind = str(error.get("type", ""))
    loc = tuple(error.get("loc") or ())
    if kind == "string_pattern_mismatch" and loc and str(loc[-1]) in SHAPES:
        return f"heeft niet de juiste vorm: {SHAPES[str(loc[-1])]}"
    template = DUTCH.get(kind)
    if template is None:
        return str(error.get("msg", "ongeldig"))
    try:
        return template.format(**{k: v for k, v in (error.get("ctx") or {}).items()})
    except (KeyError, IndexError, ValueError):
        return str(error.get("msg", "ongeldig"))


def _unknown_kind(error: RequestValidationError) -> str | None:
    """The kind in the path when that is what is wrong (an unknown kind is a 404)."""
    for e in error.errors():
        loc = tuple(e.get("loc", ()))
        if loc and loc[0] == "path" and loc[-1] in ("kind", "target_kind"):
            return str(e.get("input", ""))
    return None


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem answer."""

    @app.exception_handler(ArchiveError)
    async def archive_error(request: Request, error: ArchiveError) -> JSONResponse:
        return problem(
            error.status,
            error.message,
            title=error.title,
            instance=request.url.path,
            members={"field": error.field, **error.details},
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        if any(
            tuple(e.get("loc", ())) == ("header", "if-match") and e.get("type") == "missing"
            for e in error.errors()
        ):
            return problem(428, MISSING_IF_MATCH, instance=request.url.path, field="If-Match")
        kind = _unknown_kind(error)
        if kind is not None:
            return problem(
                404,
                f"Onbekende soort {kind!r}: episodes, stories of media.",
                instance=request.url.path,
                field="kind",
            )
        errors = [{"field": _where(e), "message": _dutch(e)} for e in error.errors()]
        first = errors[0] if errors else {"field": "body", "message": "ongeldig"}
        return problem(
            422,
            f"Ongeldige waarde voor '{first['field']}': {first['message']}",
            instance=request.url.path,
            field=first["field"],
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail: str | None = error.detail if isinstance(error.detail, str) else None
        if not detail or detail == _phrase(error.status_code):
            detail = DETAILS.get(error.status_code) or TITLES.get(error.status_code)
        detail = ENGLISH.get(detail or "", detail)
        headers = getattr(error, "headers", None)
        if error.status_code == 405:
            allowed = allowed_methods(request.app.routes, request.scope)
            headers = {**(headers or {}), "Allow": ", ".join(allowed)}
        return problem(error.status_code, detail or "Fout", instance=request.url.path,
                       headers=headers)  # fmt: skip

    async def unavailable(request: Request, error: Exception) -> JSONResponse:
        return unavailable_problem(request.url.path, error)

    for error_class in UNAVAILABLE:
        app.add_exception_handler(error_class, unavailable)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("Unexpected error on %s", request.url.path)
        return problem(
            500,
            "Er ging iets mis in het archief. Dit is een fout in de software. Wat al was "
            "vastgelegd blijft bewaard; kijk na een schrijfopdracht eerst of die is vastgelegd "
            "voordat u hem herhaalt.",
            instance=request.url.path,
        )
