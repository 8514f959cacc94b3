"""The app's routes as one flat list, whatever FastAPI version keeps them nested."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import routing
from starlette.routing import BaseRoute, Match
from starlette.types import Scope


def flat_routes(routes: Sequence[BaseRoute]) -> list[Any]:
    """Every route, included routers' routes too (FastAPI ≥ 0.16x nests included routers).

    Each has `path_format`, `methods`, `matches(scope)` and, for API routes, `dependant`.
    """
    iterate = getattr(routing, "iter_route_contexts", None)
    return list(iterate(routes)) if iterate is not None else list(routes)


def allowed_methods(routes: Sequence[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route serves at the scope's path (for `Allow` on a 405).

    Starlette names only the methods of the first route whose path matched, but FastAPI
    makes a route per method: `GET` and `POST /api/episodes` are two routes.
    """
    methods: set[str] = set()
    for route in flat_routes(routes):
        found = getattr(route, "methods", None)
        if found and route.matches(scope)[0] != Match.NONE:
            methods.update(found)
    order = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
    return sorted(methods, key=lambda m: (order.index(m) if m in order else len(order), m))
