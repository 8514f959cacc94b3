"""The web pages: server-rendered HTML in Dutch for researchers and curators.

`router` holds every page (public and curator); `mount_static(app)` serves the stylesheet and
the small script under `/static`. `api.main.create_app` includes both:

    app.include_router(pages.router)
    pages.mount_static(app)
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from api.pages import curator, public

STATIC = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)
router.include_router(public.router)
router.include_router(curator.router)


def mount_static(app: FastAPI) -> None:
    """Serve `api/static/` under `/static` (once)."""
    if not any(getattr(route, "path", None) == "/static" for route in app.routes):
        app.mount("/static", StaticFiles(directory=STATIC), name="static")


__all__ = ["STATIC", "mount_static", "router"]
