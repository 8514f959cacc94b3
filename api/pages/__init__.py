"""The web pages: server-rendered HTML in Dutch for researchers and curators.

`router` holds every page (public and curator); `install(app)` serves the stylesheet and the
small script under `/static` and answers a curator's page that the guard refused
(`api.pages.curator`). `api.main.create_app` does both:

    app.include_router(pages.router)
    pages.install(app)
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from api.pages import (
    consent,
    curator,
    importing,
    item_forms,
    links,
    lists,
    login,
    public,
    reference,
    story_edit,
    story_new,
)

STATIC = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)
router.include_router(public.router)
for module in (
    login, curator, story_new, story_edit, item_forms, reference, lists, consent, links, importing,
):  # fmt: skip
    router.include_router(module.router)


def install(app: FastAPI) -> None:
    """The static files, and the answer to a write the curator's guard refused."""
    mount_static(app)
    curator.install(app)


def mount_static(app: FastAPI) -> None:
    """Serve `api/static/` under `/static` (once)."""
    if not any(getattr(route, "path", None) == "/static" for route in app.routes):
        app.mount("/static", StaticFiles(directory=STATIC), name="static")


__all__ = ["STATIC", "install", "mount_static", "router"]
