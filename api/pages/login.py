"""Logging in and out: a token holder (curator or researcher) starts a session of its own.

The session itself is `api.pages.auth`; a client that failed too often waits first
(`api.deps.too_many`). Both forms are POSTs that must come from this site.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import client_of, sessions_of, too_many
from api.pages.auth import archive_of, end_session, safe_next, same_origin, start_session
from api.pages.curator import Text
from api.pages.templating import HEADERS, render

router = APIRouter(include_in_schema=False)


@router.get("/inloggen", response_class=HTMLResponse)
def login_form(request: Request, volgende: str = "/") -> Response:
    """The login form: a curator's or researcher's token."""
    return render(request, "login.html", {"next": safe_next(volgende), "error": None})


@router.post("/inloggen", response_class=HTMLResponse)
def login(request: Request, token: Text = "", volgende: Text = "/") -> Response:
    """Check the token and start a session; a client that failed too often waits first."""
    target = safe_next(volgende)

    def refuse(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        answer = render(request, "login.html", {"next": target, "error": message}, status=status)
        answer.headers.update(headers or {})
        return answer

    if not same_origin(request):
        return refuse(403, "Dit formulier kwam niet van deze website. Probeer het hier opnieuw.")
    sessions = sessions_of(request)
    client = client_of(request)
    wait = sessions.wait(client)
    if wait:
        return refuse(429, too_many(wait), {"Retry-After": str(wait)})
    found = archive_of(request).authenticate(token.strip()) if token.strip() else None
    response = RedirectResponse(target, status_code=303, headers=HEADERS)
    if found is None or not start_session(request, response, *found):
        wait = sessions.failed(client)
        if wait:
            return refuse(429, too_many(wait), {"Retry-After": str(wait)})
        return refuse(
            401,
            "Dit token is onbekend of ingetrokken. Controleer het en probeer het opnieuw "
            "(het ziet eruit als NAAM.GEHEIM).",
        )
    return response


@router.get("/uitloggen", response_class=HTMLResponse)
def logout_form(request: Request) -> Response:
    """A button to log out (logging out is a POST)."""
    return render(request, "logout.html", {})


@router.post("/uitloggen", response_class=HTMLResponse)
def logout(request: Request) -> Response:
    """End the session on the server and forget the cookie."""
    if not same_origin(request):
        return render(request, "logout.html", {}, status=403)
    response = RedirectResponse("/", status_code=303, headers=HEADERS)
    end_session(request, response)
    return response
