"""Every error answer in one place: RFC 9457 `application/problem+json`.

Domain errors (`events.errors.ArchiveError`) carry their own status and a message a curator
understands; request validation errors name the field. Anything else is a bug: it is logged
and answered with a 500 problem (and deserves a test).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from events.errors import ArchiveError

PROBLEM = "application/problem+json"
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
    500: "Interne fout",
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


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


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
        errors = [
            {"field": _field_name(e.get("loc", ())), "message": e.get("msg", "")}
            for e in error.errors()
        ]
        first = errors[0] if errors else {"field": "body", "message": "ongeldig"}
        return problem(
            422,
            f"Ongeldige waarde voor '{first['field']}': {first['message']}",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = error.detail if isinstance(error.detail, str) else TITLES.get(error.status_code)
        return problem(
            error.status_code,
            detail or "Fout",
            instance=request.url.path,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("Unexpected error on %s", request.url.path)
        return problem(
            500,
            "Er ging iets mis in het archief. Dit is een fout in de software; er is niets "
            "verloren gegaan.",
            instance=request.url.path,
        )
