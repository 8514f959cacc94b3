"""Running the archive behind a load balancer: liveness, readiness and `/metrics`.

`/api/health` says the process answers; `/api/ready` says whether this host's views are
within `WIJKARCHIEF_READY_LAG` events of the log's head (a load balancer sends readers
elsewhere while they are not); `/metrics` is Prometheus text, labelled by route template
only, summed over every worker of `serve --workers N`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.main import create_app
from archive.config import Settings
from bootstrap import open_archive, open_log
from tests.e2e.conftest import STORY, PortalTransport
from tests.servers import CLI, child_env, free_port, spawn, stop, wait_until_healthy


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, parsed by prometheus_client, by (name, sorted labels)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_ready_when_the_views_are_near_the_head(api) -> None:
    # With every view caught up the host is ready, and says how far each view is behind.
    answer = api.get("/api/ready")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "ready" and body["max_lag"] == 100
    assert {view["name"] for view in body["views"]} == {"catalogue", "search"}
    # (Following in this process, the views catch up on a read; the tokens' events are new.)
    assert all(view["lag"] == body["head"] - view["position"] <= 100 for view in body["views"])
    # Liveness stays what it was.
    assert api.get("/api/health").json()["status"] == "ok"


def test_not_ready_names_each_views_lag(tmp_path: Path, portal) -> None:
    # A host that leaves its views to a projector that is not running, allowed 2 events.
    settings = dataclasses.replace(Settings(data_dir=tmp_path / "host"), ready_lag=2)
    host = open_archive(settings, follow=False)
    writer = open_log(settings)
    try:
        with httpx.Client(transport=PortalTransport(create_app(host), portal),
                          base_url="http://host") as client:  # fmt: skip
            # Two writes behind: still ready.
            for number in ("0201", "0202"):
                writer.register("stories", {**STORY, "number": number}, actor="anna")
            assert client.get("/api/ready").status_code == 200
            # A third: the views are 3 behind, more than allowed — 503, naming each lag.
            writer.register("stories", {**STORY, "number": "0203"}, actor="anna")
            answer = client.get("/api/ready")
            assert answer.status_code == 503
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.headers["retry-after"]
            body = answer.json()
            assert body["max_lag"] == 2 and body["head"] == 3
            assert {v["name"]: v["lag"] for v in body["views"]} == {"catalogue": 3, "search": 3}
            assert "catalogue 3" in body["detail"]
            # The projector catches up: ready again.
            host.catch_up()
            assert client.get("/api/ready").status_code == 200
    finally:
        writer.close()
        host.close()


def test_metrics_count_requests_by_route_template_only(api) -> None:
    # A story, read by its number; a search for a word; a path that is no route.
    api.add_story(**{**STORY, "number": "0042", "title": "Zeepkistenrace"})
    for _ in range(3):
        api.get("/api/stories/0042")
    api.get("/api/search", params={"q": "zeepkistenrace"})
    api.get("/bestaat/niet/0042")
    scrape = api.get("/metrics")
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    samples = _samples(scrape.text)
    # Requests by route template, method and status; their latencies in a histogram.
    key = (("method", "GET"), ("route", "/api/stories/{number}"), ("status", "200"))
    assert samples[("wijkarchief_http_requests_total", key)] >= 3
    timed = (("method", "GET"), ("route", "/api/stories/{number}"))
    assert samples[("wijkarchief_http_request_duration_seconds_count", timed)] >= 3
    unmatched = (("method", "GET"), ("route", "<unmatched>"), ("status", "404"))
    assert samples[("wijkarchief_http_requests_total", unmatched)] >= 1
    # The log's position, each view's position and lag.
    head = api.archive.position()
    assert samples[("wijkarchief_log_position", ())] == head
    for view in ("catalogue", "search"):
        assert samples[("wijkarchief_view_position", (("view", view),))] == head
        assert samples[("wijkarchief_view_lag_events", (("view", view),))] == 0
    # No item id and no searched word in any label.
    labels = " ".join(str(key[1]) for key in samples)
    assert "0042" not in labels and "zeepkist" not in labels.lower()


@pytest.mark.slow
def test_metrics_sum_every_worker(tmp_path: Path) -> None:
    # `wijkarchief serve --workers 2`: a scrape reaches one worker, and counts both.
    settings = Settings(data_dir=tmp_path / "data")
    port = free_port()
    log = tmp_path / "serve.log"
    server = spawn([*CLI, "serve", "--port", str(port), "--workers", "2"], child_env(settings),
                   log, group=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, server, log, seconds=90)
        # Fresh connections, so both workers answer some of them.
        for _ in range(40):
            assert httpx.get(f"{base}/api/qualities", timeout=10).status_code == 200
        key = (("method", "GET"), ("route", "/api/qualities"), ("status", "200"))
        for _ in range(4):
            scrape = httpx.get(f"{base}/metrics", timeout=10)
            assert _samples(scrape.text)[("wijkarchief_http_requests_total", key)] == 40
    finally:
        stop(server, group=True)
