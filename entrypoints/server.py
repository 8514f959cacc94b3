"""The server uvicorn starts: `uvicorn entrypoints.server:create_app --factory`.

`wijkarchief serve` runs it (in every worker with `--workers N`). Each worker opens the
archive through the composition root at startup, with the settings of the environment.
"""

from __future__ import annotations

from fastapi import FastAPI

from api import main
from archive.config import Settings
from bootstrap import open_archive


def create_app() -> FastAPI:
    """The HTTP app over the archive the environment names (`WIJKARCHIEF_*`)."""
    settings = Settings.from_env()
    # WIJKARCHIEF_FOLLOW=0 (`serve --no-follow`): a projector keeps the read models.
    return main.create_app(opener=lambda: open_archive(settings, follow=settings.follow))
