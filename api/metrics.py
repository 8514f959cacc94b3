"""`/metrics`: Prometheus text format through prometheus_client.

What is counted, per request: `wijkarchief_http_requests_total{route, method, status}` and
the latency histogram `wijkarchief_http_request_duration_seconds{route, method}`. `route` is
the route's *template* (`/api/stories/{number}`), never the path asked: no item id, story
number or search word ends up in a label (an unknown path is `<unmatched>`, a method outside
the usual ones `OTHER`). What is read at each scrape, from this host: the log's newest
position (`wijkarchief_log_position`), each view's position (`wijkarchief_view_position
{view}`) and its lag behind the log (`wijkarchief_view_lag_events{view}`); and on
PostgreSQL the tables whose rewrite after an erasure is still owed
(`wijkarchief_owed_rewrites`: old copies of erased words on disk, `archive/owed.py`).

Several uvicorn workers (`serve --workers N`): each worker is a process with counters of its
own, and a scrape reaches one of them. So `wijkarchief serve` points
`PROMETHEUS_MULTIPROC_DIR` at a fresh directory before the workers start (prometheus_client's
multiprocess mode: each process writes its samples to memory-mapped files there, and a
scrape sums them over every worker, those that exited included). Without that variable (a
test's in-process app, `uvicorn` started by hand with one worker) the counters are this
process's own. The positions are read from the store at the scrape, not kept in files.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.state import opened_archive

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
UNMATCHED = "<unmatched>"
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "wijkarchief_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "wijkarchief_http_request_duration_seconds",
    "Seconds from a request's arrival to the end of its answer, by route template and method.",
    ["route", "method"],
    buckets=BUCKETS,
)


def route_template(scope: Scope) -> str:
    """The template of the route that answered (`/api/stories/{number}`), or `<unmatched>`."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else UNMATCHED


class RequestMetrics:
    """Count every HTTP request and time it, labelled by route template (pure ASGI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before an answer started is answered 500 further out

        async def measured(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, measured)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            route = route_template(scope)
            REQUESTS.labels(route, method, str(status)).inc()
            LATENCY.labels(route, method).observe(time.perf_counter() - started)


class ViewPositions(Collector):
    """The log's position and each view's position and lag, read at the scrape."""

    def __init__(self, archive: Any) -> None:
        self.archive = archive

    def collect(self) -> Iterator[Metric]:
        head = int(self.archive.position())
        log = GaugeMetricFamily("wijkarchief_log_position", "The newest position of the event log.")
        log.add_metric([], head)
        positions = GaugeMetricFamily(
            "wijkarchief_view_position",
            "The last position each view of this host has processed.",
            labels=["view"],
        )
        lags = GaugeMetricFamily(
            "wijkarchief_view_lag_events",
            "Events of the log each view of this host has not processed yet.",
            labels=["view"],
        )
        for view in self.archive.views:
            position = int(view.position())
            positions.add_metric([view.name], position)
            lags.add_metric([view.name], max(0, head - position))
        owed = GaugeMetricFamily(
            "wijkarchief_owed_rewrites",
            "Tables whose rewrite after an erasure is owed: old copies of erased words on disk.",
        )
        owed.add_metric([], self.archive.owed.count())
        yield from (log, positions, lags, owed)


def exposition(archive: Any) -> bytes:
    """The text of a scrape: the requests of every worker, the positions of this host."""
    if os.environ.get(MULTIPROC_ENV):
        requests = CollectorRegistry()
        MultiProcessCollector(requests)  # sums the files of every worker process
    else:
        requests = REGISTRY
    views = CollectorRegistry(auto_describe=False)
    if archive is not None:
        views.register(ViewPositions(archive))
    return generate_latest(requests) + generate_latest(views)


async def metrics(request: Request) -> Response:
    """`GET /metrics`: Prometheus text format (version 0.0.4)."""
    import anyio.to_thread

    archive = opened_archive(request.app.state)  # none yet: the requests' figures only
    body = await anyio.to_thread.run_sync(exposition, archive)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
