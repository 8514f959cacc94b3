"""The FastAPI application: JSON under /api, web pages elsewhere."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api.routes import changes, episodes, health
from archive import open_archive
from archive.config import Settings
from archive.service import Archive


def create_app(archive: Archive | None = None, settings: Settings | None = None) -> FastAPI:
    """The app over `archive` (or one opened from the settings / environment)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = archive is None
        app.state.archive = archive or open_archive(settings)
        try:
            yield
        finally:
            if owned:
                app.state.archive.close()

    app = FastAPI(
        title="wijkarchief",
        summary="Het wijkarchief van Bospolder-Tussendijken, Rotterdam",
        version="0.1.0",
        lifespan=lifespan,
    )
    if archive is not None:
        app.state.archive = archive
    errors.install(app)
    app.include_router(health.router)
    app.include_router(episodes.router)
    app.include_router(changes.router)
    return app
