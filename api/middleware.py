"""The app's pure-ASGI middleware: a limit on request bodies, and security headers.

`BodyLimit`: a declared `Content-Length` over the limit is refused before the body is read;
a body sent without one (chunked) is counted as it streams in and refused once it passes the
limit. Either way the answer is a 413 problem.

`CausalReads`: a read that names a position (`X-Archive-Min-Position: N`, `?min_position=N`,
or the `wijkarchief_positie` cookie the pages get after a write) is answered once this
host's views have that position — read-your-writes across workers and hosts without sticky
sessions — or with `503` and `Retry-After` when they do not reach it in
`WIJKARCHIEF_WAIT_TIMEOUT` seconds. A position the log does not hold is a client's mistake
(every host reads the one log, where a write is before it is answered): `422`.

`SecurityHeaders`: every HTML answer (web pages, `?format=html` of the API, `/docs`) gets
the pages' Content-Security-Policy (with `frame-ancestors 'none'`), `Referrer-Policy` and
`X-Content-Type-Options` unless it set its own; every other answer gets `nosniff`.
"""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import UNAVAILABLE, problem, unavailable_problem
from api.pages.templating import HEADERS as PAGE_HEADERS
from api.state import archive_of_state, serves_an_archive
from archive.keeping import writes_noted

MAX_BODY = 1024 * 1024  # 1 MiB: a long story is some tens of kilobytes


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        413, f"Het verzoek is te groot: hoogstens {limit // 1024} KiB per verzoek."
    )


class BodyLimit:
    """Refuse request bodies larger than `limit` bytes with 413."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int = MAX_BODY,
        wider: Callable[[Scope], int | None] | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        # The limit of a route that takes more (a file upload: api/uploads.py), or None.
        self.wider = wider

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and not declared.isdigit():
            answer = problem(400, "Ongeldige Content-Length.", instance=scope.get("path"))
            await answer(scope, receive, send)
            return
        limit = (self.wider(scope) if self.wider else None) or self.limit
        if declared is not None and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI passes an HTTPException raised while reading the body on to the
                    # exception handlers, which answer with the 413 problem.
                    raise _too_large(limit)
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
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        error = _too_large(limit)
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


MIN_POSITION_HEADER = b"x-archive-min-position"
MIN_POSITION_PARAM = "min_position"
POSITION_COOKIE = "wijkarchief_positie"
POSITION_COOKIE_SECONDS = 120  # a later page read waits for the write at most this long after


def _min_position(scope: Scope) -> str | None:
    """The position a read asks for: header, query parameter or the pages' cookie."""
    for name, value in scope.get("headers") or []:
        if name == MIN_POSITION_HEADER:
            return str(value.decode("latin-1"))
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get(MIN_POSITION_PARAM):
        return query[MIN_POSITION_PARAM][-1]
    for name, value in scope.get("headers") or []:
        if name == b"cookie":
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header: no position asked
                return None
            if POSITION_COOKIE in cookie:
                return cookie[POSITION_COOKIE].value
    return None


class CausalReads:
    """Reads wait for the position they name; writes hand the pages that position back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD"):
            asked = _min_position(scope)
            if asked is not None:
                refused = await self._wait(scope, asked)
                if refused is not None:
                    await refused(scope, receive, send)
                    return
            await self.app(scope, receive, send)
            return

        async def remembered(message: Message) -> None:
            # A write's position, for the pages: their next reads wait for it (a cookie).
            # A route that does not say it (a web form's redirect) wrote it all the same.
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                found = dict(headers).get(b"x-archive-position")
                if found is None and written:
                    found = str(max(written)).encode("latin-1")
                    headers.append((b"x-archive-position", found))
                if found and 200 <= message["status"] < 400:
                    cookie = (
                        f"{POSITION_COOKIE}={found.decode('latin-1')}; Path=/; "
                        f"Max-Age={POSITION_COOKIE_SECONDS}; HttpOnly; SameSite=Strict"
                    )
                    headers.append((b"set-cookie", cookie.encode("latin-1")))
                    message = {**message, "headers": headers}
            await send(message)

        with writes_noted() as written:
            await self.app(scope, receive, remembered)

    async def _wait(self, scope: Scope, asked: str) -> ASGIApp | None:
        """None when the views have the position; else the problem answer to give."""
        if not asked.isascii() or not asked.isdigit() or len(asked) > 15:
            return problem(
                422,
                f"X-Archive-Min-Position (min_position) {asked[:40]!r} is geen positie: "
                "een geheel getal, bv. 42.",
                field="min_position",
            )
        state = scope["app"].state
        if not serves_an_archive(state):  # the routes and OpenAPI document only
            return None
        try:
            archive = await anyio.to_thread.run_sync(archive_of_state, state)
            return await self._compare(archive, int(asked))
        except UNAVAILABLE as error:  # outside the routes' handlers: answer as they do
            return unavailable_problem(scope["path"], error)

    @staticmethod
    async def _compare(archive: Any, asked: int) -> ASGIApp | None:
        """None when the views have the position; else the problem answer to give."""
        head = await anyio.to_thread.run_sync(archive.position)
        if asked > head:
            # Every host reads one log: a write's position is in it the moment it is answered.
            return problem(
                422,
                f"Positie {asked} staat niet in het logboek van dit archief (het "
                f"hoogste is {head}): stuur de X-Archive-Position van een wijziging.",
                field="min_position",
            )
        reached = await anyio.to_thread.run_sync(archive.reached, asked)
        if reached:
            return None
        return problem(
            503,
            f"Dit deel van het archief heeft positie {asked} nog niet; probeer het zo nog eens.",
            title="Nog niet bijgewerkt",
            headers={"Retry-After": "1"},
        )
