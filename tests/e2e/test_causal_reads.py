"""Causal reads: a read that names a position is answered once this host's views have it.

`X-Archive-Min-Position: N` (or `?min_position=N`, or the cookie the pages get after a write)
makes a read wait for the write at position N on whichever worker or host answers it, or
answers 503 with Retry-After. The Python client sends the position of its last write itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from pathlib import Path

import httpx
import pytest

from api.client import Client
from api.main import create_app
from archive.config import Settings
from bootstrap import open_archive
from tests.conftest import postgres_schema_settings
from tests.e2e.conftest import STORY, PortalTransport


def test_a_read_waits_for_the_position_it_names(api) -> None:
    # A curator's write answers its log position, and hands the pages a cookie with it.
    written = api.post("/api/stories", json=STORY, headers=api.curator)
    position = int(written.headers["X-Archive-Position"])
    assert f"wijkarchief_positie={position}" in written.headers["set-cookie"]
    # A read that names it is answered (this host has it) ...
    for asked in ({"headers": {"X-Archive-Min-Position": str(position)}},
                  {"params": {"min_position": position}}):  # fmt: skip
        answer = api.get("/api/stories/0042", **asked)
        assert answer.status_code == 200 and answer.json()["title"] == STORY["title"]
    # ... a position the log does not hold is the client's mistake, said at once ...
    started = time.monotonic()
    ahead = api.get("/api/stories", headers={"X-Archive-Min-Position": str(position + 1000)})
    assert time.monotonic() - started < 2
    assert api.problem(ahead, 422)["field"] == "min_position"
    # ... and so is what is no position at all.
    api.problem(api.get("/api/stories", params={"min_position": "gisteren"}), 422)
    # The Python client reads its own writes: it sends the position of its last write.
    with Client("http://testserver", api.curator["Authorization"].split()[1],
                transport=api.transport) as client:  # fmt: skip
        client.add_story("0043", "Een tweede verhaal", "Tekst.", consent="public")
        assert client.last_write > position
        assert client.story("0043")["number"] == "0043"


def test_a_web_form_write_hands_the_pages_its_position(api) -> None:
    # A curator signs in on the pages; a public story is there to withdraw.
    api.add_story()
    page = httpx.Client(transport=api.transport, base_url="http://testserver")
    same_site = {"Origin": "http://testserver"}
    token = api.archive.issue_token("carla", "curator")
    assert page.post("/inloggen", data={"token": token}, headers=same_site).status_code == 303
    # Signing in writes nothing to the log: no position is handed out.
    assert "wijkarchief_positie" not in page.cookies
    # The withdraw form records an event and redirects (303) to the story's page ...
    done = page.post(
        "/stories/0042/intrekken", data={"reason": "verzoek", "policy": "AVG"}, headers=same_site
    )
    assert done.status_code == 303
    # ... with the write's position, as an API write gives it: header and the pages' cookie.
    position = api.archive.position()
    assert done.headers["X-Archive-Position"] == str(position)
    assert page.cookies["wijkarchief_positie"] == str(position)
    # A refused form (no reason) writes nothing and hands out nothing.
    page.cookies.delete("wijkarchief_positie")
    refused = page.post(
        "/stories/0042/embargo", data={"until": "gisteren", "reason": ""}, headers=same_site
    )
    assert refused.status_code == 422 and "wijkarchief_positie" not in page.cookies
    assert api.archive.position() == position
    page.close()


@pytest.mark.postgres
def test_a_second_host_reads_a_write_made_through_the_first(tmp_path: Path, portal) -> None:
    # Two hosts on one PostgreSQL database, each with a search index of its own: A follows
    # the log in its process; B leaves its views to its projector (here: a thread, later).
    schema: Generator[Settings, None, None] = postgres_schema_settings(tmp_path / "a")  # type: ignore[assignment]
    settings = next(schema)
    host_b = Settings(
        data_dir=tmp_path / "b", database_url=settings.database_url,
        database_schema=settings.database_schema,
    )  # fmt: skip
    a = open_archive(settings)
    b = open_archive(host_b, follow=False)
    try:
        token = a.issue_token("anna", "curator")
        transport = PortalTransport(create_app(b), portal)
        with httpx.Client(transport=transport, base_url="http://b") as on_b:
            # A curator writes through host A.
            position = a.register(
                "stories", {**STORY, "number": "0044", "consent": "public",
                            "body_markdown": "Over de zeepkistenrace."},
                actor="anna",
            )  # fmt: skip
            # Host B's own search index does not have it yet: a plain read there misses it.
            assert on_b.get("/api/search", params={"q": "zeepkistenrace"}).json()["total"] == 0
            # Without its projector B would not reach the position: such a read is answered 503.
            assert not b.reached(position, timeout=0.2)
            # B's projector catches up a little later; a read naming the position waits for it.
            projector = threading.Timer(0.5, b.catch_up)
            projector.start()
            asked = {"X-Archive-Min-Position": str(position), "Authorization": f"Bearer {token}"}
            found = on_b.get("/api/search", params={"q": "zeepkistenrace"}, headers=asked)
            projector.join()
            assert found.status_code == 200, found.text
            assert [hit["id"] for hit in found.json()["hits"]] == ["0044"]
    finally:
        a.close()
        b.close()
        schema.close()  # the schema is dropped
