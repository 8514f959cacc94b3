"""The app's pure-ASGI middleware: a limit on request bodies, and security headers.

`BodyLimit`: a declared `Content-Length` over the limit is refused before the body is read;
a body sent without one (chunked) is counted as it streams in and refused once it passes the
limit. Either way the answer is a 413 problem.

`SecurityHeaders`: every HTML answer (web pages, `?format=html` of the API, `/docs`) gets
the pages' Content-Security-Policy (with `frame-ancestors 'none'`), `Referrer-Policy` and
`X-Content-Type-Options` unless it set its own; every other answer gets `nosniff`.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from api.pages.templating import HEADERS as PAGE_HEADERS

MAX_BODY = 1024 * 1024  # 1 MiB: a long story is some tens of kilobytes


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        413, f"Het verzoek is te groot: hoogstens {limit // 1024} KiB per verzoek."
    )


class BodyLimit:
    """Refuse request bodies larger than `limit` bytes with 413."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and not declared.isdigit():
            answer = problem(400, "Ongeldige Content-Length.", instance=scope.get("path"))
            await answer(scope, receive, send)
            return
        if declared is not None and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # FastAPI passes an HTTPException raised while reading the body on to the
                    # exception handlers, which answer with the 413 problem.
                    raise _too_large(self.limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except HTTPException as error:
            if error.status_code != 413 or started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = _too_large(self.limit)
        answer = problem(413, str(error.detail), instance=scope.get("path"))
        await answer(scope, receive, send)


NOSNIFF = (b"x-content-type-options", b"nosniff")
HTML_HEADERS = [(k.lower().encode(), v.encode()) for k, v in PAGE_HEADERS.items()]


class SecurityHeaders:
    """Add the security headers of the web pages to every HTML answer (nosniff to all)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                content_type = dict(headers).get(b"content-type", b"").lower()
                wanted = HTML_HEADERS if content_type.startswith(b"text/html") else [NOSNIFF]
                headers += [(k, v) for k, v in wanted if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, secured)
