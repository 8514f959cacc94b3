"""Dependencies of the routes, as module-level `Annotated` aliases."""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import MISSING_IF_MATCH
from api.state import archive_of_state
from archive.service import Archive, parse_as_of
from archive.sessions import Sessions


def get_archive(request: Request) -> Archive:
    """The archive the app was created with."""
    return archive_of_state(request.app.state)


ArchiveDep = Annotated[Archive, Depends(get_archive)]

# Declares the bearer scheme in OpenAPI (the Authorize button of /docs); the header itself is
# read below, so that a malformed one is a 401 instead of being taken for the public.
bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="NAAM.GEHEIM",
    description="Een token van `wijkarchief token create`; curatoren schrijven, onderzoekers "
    "lezen ook verhalen met toestemming voor onderzoek.",
)


@dataclass(frozen=True)
class Reader:
    """Who is asking: a token's name and role, or the public."""

    name: str
    role: str  # public | researcher | curator


_sessions_lock = threading.Lock()


def sessions_of(request: Request) -> Sessions:
    """The app's sessions and failed sign-in counts (opened on first use)."""
    state = request.app.state
    found: Sessions | None = getattr(state, "sessions", None)
    if found is None:
        with _sessions_lock:
            found = getattr(state, "sessions", None)
            if found is None:
                archive = archive_of_state(state)
                pool = getattr(archive.recorder, "datastore", None)
                found = state.sessions = Sessions(archive.settings, pool)
    return found


def client_of(request: Request) -> str:
    """The client's address: the peer's, or a trusted proxy's X-Forwarded-For (see
    `trusted_proxies`), as uvicorn's ProxyHeadersMiddleware put it in the scope."""
    return request.client.host if request.client else "onbekend"


def trusted_proxies() -> list[str]:
    """`WIJKARCHIEF_TRUSTED_PROXIES`: addresses (or `*`) whose X-Forwarded-Proto and
    X-Forwarded-For are believed. Unset: none, the peer is the client."""
    value = os.environ.get("WIJKARCHIEF_TRUSTED_PROXIES", "")
    return [part.strip() for part in value.split(",") if part.strip()]


def too_many(wait: int) -> str:
    """The Dutch explanation of a refused sign-in, with how long to wait."""
    minutes = max(1, -(-wait // 60))
    return (
        "Te veel mislukte aanmeldpogingen vanaf dit adres. Probeer het over "
        f"{minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw."
    )


SESSION_COOKIE = "wijkarchief_sessie"
_READS = frozenset({"GET", "HEAD"})


def signed_in(archive: Archive, request: Request) -> Reader | None:
    """The reader of the web pages' login session (cookie `SESSION_COOKIE`), or None.

    A session that ended is None; one whose token was revoked or reissued since the login
    is ended here and is None too."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    sessions = sessions_of(request)
    session = sessions.get(session_id)
    if session is None:
        return None
    if archive.token_version(session.name) != session.token_version:
        sessions.end(session_id)
        return None
    return Reader(session.name, session.role)


def session_reader(archive: Archive, request: Request) -> Reader | None:
    """The session's reader for a read (GET, HEAD) of the API without a token.

    So "Deze pagina als JSON" shows a signed-in researcher or curator what the page showed.
    Writes through the API still need a token: the session cookie is SameSite=Strict and
    no answer allows another origin to read it (no CORS), but a write stays token-only."""
    return signed_in(archive, request) if request.method in _READS else None


def get_reader(
    archive: ArchiveDep,
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> Reader:
    """The caller, from `Authorization: Bearer TOKEN` (no header: the web pages' session on a
    read, else the public).

    A client whose tokens failed too often lately is refused (429 with Retry-After) before
    its token is looked at; a valid token is not slowed down otherwise.
    """
    authorization = request.headers.get("authorization")
    if not authorization:
        return session_reader(archive, request) or Reader("public", "public")
    sessions = sessions_of(request)
    client = client_of(request)
    wait = sessions.wait(client)
    if wait:
        raise HTTPException(429, too_many(wait), headers={"Retry-After": str(wait)})
    scheme, _sep, token = authorization.partition(" ")
    found = archive.authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        wait = sessions.failed(client)
        if wait:
            raise HTTPException(429, too_many(wait), headers={"Retry-After": str(wait)})
        raise HTTPException(
            401,
            "Ongeldig of ingetrokken token.",
            headers={"WWW-Authenticate": 'Bearer realm="wijkarchief"'},
        )
    return Reader(*found)


ReaderDep = Annotated[Reader, Depends(get_reader)]


def get_curator(reader: ReaderDep) -> Reader:
    """A curator, or 401 (no token) / 403 (another role)."""
    if reader.role == "public":
        raise HTTPException(
            401,
            "Schrijven vraagt een curatortoken: Authorization: Bearer TOKEN.",
            headers={"WWW-Authenticate": 'Bearer realm="wijkarchief"'},
        )
    if reader.role != "curator":
        raise HTTPException(403, "Alleen curatoren mogen het archief wijzigen.")
    return reader


CuratorDep = Annotated[Reader, Depends(get_curator)]


def get_as_of(
    as_of: Annotated[
        str | None,
        Query(
            description="Lees het archief zoals het op dit moment was vastgelegd (ISO 8601).",
            examples=["2021-01-01T00:00:00Z"],
        ),
    ] = None,
) -> datetime | None:
    """`?as_of=ISO-DATETIME` as an aware date-time (422 when it is not one)."""
    return parse_as_of(as_of)


AsOfDep = Annotated[datetime | None, Depends(get_as_of)]

Limit = Annotated[int, Query(ge=1, le=1000, description="Hoeveel items (hoogstens 1000).")]
Offset = Annotated[int, Query(ge=0, le=2**53 - 1, description="Hoeveel items overslaan.")]
# A position in the log: a whole number that the stores (64-bit) and JSON clients can hold.
MAX_POSITION = 2**53 - 1
After = Annotated[
    int, Query(ge=0, le=MAX_POSITION, description="De laatste positie die u al hebt.")
]

_ETAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')
_IF_MATCH_HELP = 'De versie die u bewerkte: 3, "3" of W/"3" (de ETag van het item).'


def _version(if_match: str) -> int | None:
    value = if_match.strip()
    if value == "*":
        return None
    found = _ETAG.match(value)
    if found is None:
        raise HTTPException(
            412,
            f"If-Match {value!r} is geen versie van dit item: stuur de versie (ETag) die u "
            "bewerkte, bv. If-Match: 3.",
        )
    return int(found[1])


def get_expected_version(
    if_match: Annotated[str, Header(description=_IF_MATCH_HELP)],
) -> int | None:
    """The version a change is based on, from `If-Match` (`*`: any version).

    Without the header the answer is 428 (see `api.errors`), an empty one is a 428 too.
    """
    if not if_match.strip():
        raise HTTPException(428, MISSING_IF_MATCH)
    return _version(if_match)


ExpectedVersion = Annotated[int | None, Depends(get_expected_version)]


def get_optional_version(
    if_match: Annotated[str | None, Header(description=_IF_MATCH_HELP)] = None,
) -> int | None:
    """The version from `If-Match` when given, else None (no check)."""
    if if_match is None or not if_match.strip():
        return None
    return _version(if_match)


OptionalVersion = Annotated[int | None, Depends(get_optional_version)]
