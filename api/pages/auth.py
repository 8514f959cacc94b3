"""Who is reading a page: the reader of a login session, or the public.

Logging in with a token (curator or researcher) starts a session of its own
(`archive.sessions`): the cookie holds only the session's random id, is HttpOnly,
SameSite=Strict and, over https (also behind a trusted proxy), Secure. Every page looks the
session up again: it has ended after 8 hours unused, 12 hours after login, at logout, or
when its token was revoked or reissued; the reader is the public from then on. Writes are
POST forms that also have to come from this site: the Origin header (or, without it, the
Referer) must name the same origin as the request. With the SameSite=Strict cookie that is
enough against cross-site request forgery.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.deps import SESSION_COOKIE, sessions_of, signed_in
from api.state import archive_of_state
from archive.service import Archive
from archive.sessions import ABSOLUTE

COOKIE = SESSION_COOKIE


@dataclass(frozen=True)
class PageReader:
    """A page's reader: a token's name and role, or the public."""

    name: str
    role: str  # public | researcher | curator

    @property
    def curator(self) -> bool:
        return self.role == "curator"

    @property
    def signed_in(self) -> bool:
        return self.role != "public"


PUBLIC = PageReader("publiek", "public")


def archive_of(request: Request) -> Archive:
    """The archive the app serves."""
    return archive_of_state(request.app.state)


def token_version(archive: Archive, name: str) -> int | None:
    """The version of a live (unrevoked) token, or None: a revoke or reissue moves it on."""
    return archive.token_version(name)


def reader_of(request: Request) -> PageReader:
    """The reader of this request's session (looked up once per request), or the public."""
    cached = getattr(request.state, "page_reader", None)
    if isinstance(cached, PageReader):
        return cached
    found = signed_in(archive_of(request), request)
    reader = PageReader(found.name, found.role) if found else PUBLIC
    request.state.page_reader = reader
    return reader


def start_session(request: Request, response: Response, name: str, role: str) -> bool:
    """Log a token's holder in: a new session, its id in the cookie. False when the token
    was revoked in the meantime."""
    version = token_version(archive_of(request), name)
    if version is None:
        return False
    session_id = sessions_of(request).start(name, role, version)
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=ABSOLUTE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return True


def end_session(request: Request, response: Response) -> None:
    """Log out: the session ends on the server (a copy of the cookie is worthless) and the
    browser forgets the cookie."""
    session_id = request.cookies.get(COOKIE)
    if session_id:
        sessions_of(request).end(session_id)
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip


def origin_of(request: Request) -> str:
    """This request's own origin: `http://127.0.0.1:8000`."""
    return f"{request.url.scheme}://{request.url.netloc}".lower()


def same_origin(request: Request) -> bool:
    """True when the form was sent from a page of this site (Origin, else Referer)."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return origin.rstrip("/").lower() == origin_of(request)
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == origin_of(request)
    return False


def safe_next(value: str | None) -> str:
    """A local address to go back to after logging in (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def login_redirect(request: Request) -> RedirectResponse:
    """To the login page, coming back here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        here = request.headers.get("referer", "") or request.url.path
        here = urlsplit(here).path or "/"
    return RedirectResponse(f"/inloggen?volgende={quote(safe_next(here))}", status_code=303)
