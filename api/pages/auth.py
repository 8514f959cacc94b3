"""Who is reading a page: the curator token in a cookie, or the public.

The login form puts a curator's token in an HttpOnly, SameSite=Strict cookie; every page
authenticates it again (a revoked token is the public from then on). Writes are POST forms
that also have to come from this site: the Origin header (or, without it, the Referer) must
name the same origin as the request. With the SameSite=Strict cookie that is enough against
cross-site request forgery.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse

from archive.service import Archive

COOKIE = "wijkarchief_token"


@dataclass(frozen=True)
class PageReader:
    """A page's reader: a token's name and role, or the public."""

    name: str
    role: str  # public | researcher | curator

    @property
    def curator(self) -> bool:
        return self.role == "curator"


PUBLIC = PageReader("publiek", "public")


def archive_of(request: Request) -> Archive:
    """The archive the app serves."""
    archive: Archive = request.app.state.archive
    return archive


def reader_of(request: Request) -> PageReader:
    """The reader of this request (the cookie's token, authenticated once per request)."""
    cached = getattr(request.state, "page_reader", None)
    if isinstance(cached, PageReader):
        return cached
    reader = PUBLIC
    token = request.cookies.get(COOKIE)
    if token:
        found = archive_of(request).app.authenticate(token.strip())
        if found is not None:
            reader = PageReader(*found)
    request.state.page_reader = reader
    return reader


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
