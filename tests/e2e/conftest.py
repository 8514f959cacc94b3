"""The HTTP API end to end: requests through the real ASGI stack onto an archive of each store.

`api` is a synchronous httpx client whose transport hands every request to the app through
httpx's ASGI transport, on an event loop in a thread of its own (an anyio blocking portal):
routes, dependencies, middleware, exception handlers and serialisation all run as they do
under uvicorn. Tokens: `anna` and `bram` are curators, `rita` a researcher.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI

from api.main import create_app
from archive.service import Archive

BASE = "http://testserver"


class PortalTransport(httpx.BaseTransport):
    """A synchronous transport that runs an ASGI app on a portal's event loop."""

    def __init__(
        self, app: FastAPI, portal: BlockingPortal, client: tuple[str, int] = ("127.0.0.1", 123)
    ) -> None:
        self.asgi = httpx.ASGITransport(app=app, client=client)  # `client`: the peer address
        self.portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()

        async def call() -> tuple[int, httpx.Headers, bytes]:
            forwarded = httpx.Request(
                request.method, request.url, headers=request.headers, content=body
            )
            response = await self.asgi.handle_async_request(forwarded)
            return response.status_code, response.headers, await response.aread()

        status, headers, content = self.portal.call(call)
        return httpx.Response(status, headers=headers, content=content, request=request)


@dataclass
class Api:
    """The app, a client for it, and the tokens' headers."""

    archive: Archive
    app: FastAPI
    http: httpx.Client
    curator: dict[str, str]
    curator2: dict[str, str]
    researcher: dict[str, str]
    transport: PortalTransport

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.patch(path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.delete(path, **kwargs)

    def add_story(self, **fields: Any) -> dict[str, Any]:
        """Register a story as curator anna (the example story, `fields` changed)."""
        response = self.post("/api/stories", json={**STORY, **fields}, headers=self.curator)
        assert response.status_code == 201, response.text
        story: dict[str, Any] = response.json()
        return story

    def add_episode(self, **fields: Any) -> dict[str, Any]:
        """Register an episode as curator anna (the example episode, `fields` changed)."""
        response = self.post("/api/episodes", json={**EPISODE, **fields}, headers=self.curator)
        assert response.status_code == 201, response.text
        episode: dict[str, Any] = response.json()
        return episode

    @staticmethod
    def problem(response: httpx.Response, status: int) -> dict[str, Any]:
        """The problem answer, checked: its status, media type, title and detail."""
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem: dict[str, Any] = response.json()
        assert problem["status"] == status
        assert problem["title"] and problem["detail"]
        return problem


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def portal() -> Iterator[BlockingPortal]:
    with start_blocking_portal() as running:
        yield running


@pytest.fixture
def api(archive: Archive, portal: BlockingPortal) -> Iterator[Api]:
    """The API over an empty archive of each store, with two curators and a researcher."""
    curator = bearer(archive.issue_token("anna", "curator"))
    curator2 = bearer(archive.issue_token("bram", "curator"))
    researcher = bearer(archive.issue_token("rita", "researcher"))
    app = create_app(archive)
    transport = PortalTransport(app, portal)
    with httpx.Client(transport=transport, base_url=BASE) as http:
        yield Api(archive, app, http, curator, curator2, researcher, transport)


STORY = {
    "number": "0042",
    "title": "De speelgoedcontainer",
    "body_markdown": "Elke middag *leenden* wij speelgoed.",
    "storytellers": ["Fatima"],
    "date": "najaar 2020",
    "consent": "public",
}

EPISODE = {
    "id": "duimdrop",
    "title": "Acties voor het behoud van Duimdrop",
    "date": "2020-09/2021-03",
    "summary": "Bewoners komen in actie voor de speelgoedcontainers.",
    "happenings": [
        {
            "date": "2020-11-26",
            "title": "NRC: ‘Laat Duimdrop een les zijn’",
            "text": "Een opiniestuk.",
            "source": "monitor-veerkracht-botu-2021.txt:7106-7115",
        }
    ],
    "assessments": [
        {
            "quality": "institutionele-souplesse",
            "element": "betrokken-bestuur",
            "assessment": "shown",
            "evidence": "de subsidie wordt met een jaar verlengd",
            "source": "monitor-veerkracht-botu-2021.txt:6510",
        }
    ],
}
