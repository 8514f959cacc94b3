"""Dependencies of the routes, as module-level `Annotated` aliases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from archive.service import Archive


def get_archive(request: Request) -> Archive:
    """The archive the app was created with."""
    archive: Archive = request.app.state.archive
    return archive


ArchiveDep = Annotated[Archive, Depends(get_archive)]


@dataclass(frozen=True)
class Reader:
    """Who is asking: a token's name and role, or the public."""

    name: str
    role: str  # public | researcher | curator


def get_reader(
    archive: ArchiveDep, authorization: Annotated[str | None, Header()] = None
) -> Reader:
    """The caller, from `Authorization: Bearer TOKEN` (no header: the public)."""
    if not authorization:
        return Reader("public", "public")
    scheme, _, token = authorization.partition(" ")
    found = archive.app.authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if found is None:
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
