"""The Python client (`api.client.Client`): in-process on each store, and against a real server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from api.client import Client, ClientError
from entrypoints.cli import main as cli
from tests.servers import free_port, uvicorn


def _client(api, token: dict[str, str] | None = None) -> Client:
    secret = token["Authorization"].removeprefix("Bearer ") if token else None
    return Client("http://testserver", token=secret, transport=api.transport)


def _curate(archive: Client) -> None:
    """A curator's session through the client, checked step by step."""
    assert archive.health()["status"] == "ok"
    assert any(q["id"] == "betrouwbaarheid" for q in archive.qualities())

    story = archive.add_story(
        "0042",
        "De speelgoedcontainer",
        "Elke middag *leenden* wij speelgoed.",
        storytellers=["Fatima"],
        date="najaar 2020",
        consent="public",
    )
    assert story["number"] == "0042"
    assert story["body_html"] == "<p>Elke middag <em>leenden</em> wij speelgoed.</p>"
    revised = archive.revise_story("0042", story["version"], title="Op het plein", reason="bron")
    assert revised["title"] == "Op het plein"
    with pytest.raises(ClientError) as stale:
        archive.revise_story("0042", story["version"], title="Te laat")
    assert stale.value.status == 412
    assert stale.value.title == "Verouderde versie"
    assert "gewijzigd" in stale.value.detail

    assessed = archive.assess(
        "stories", "0042", "institutional flexibility", "partial", evidence="een jaar"
    )
    assert assessed["quality"] == "institutionele-souplesse"
    with pytest.raises(ClientError) as unknown:
        archive.assess("stories", "0042", "geluk", "shown")
    assert (unknown.value.status, unknown.value.field) == (422, "quality")
    with pytest.raises(ClientError) as taken:
        archive.add_story("0042", "Nog eens", "x")
    assert taken.value.status == 409

    assert [s["number"] for s in archive.stories()] == ["0042"]
    assert archive.story("0042")["title"] == "Op het plein"
    assert [h["type"] for h in archive.history("stories", "0042")] == [
        "Registered",
        "Retitled",
        "QualityAssessed",
    ]
    found = archive.search("speelgoed")
    assert [h["id"] for h in found["hits"]] == ["0042"]
    assert archive.search("speelgoed", kind="episodes")["total"] == 0
    timeline = archive.timeline(2020)
    assert [e["ref"] for e in timeline["entries"]] == ["stories/0042"]
    assert "Op het plein" in archive.timeline(2020, format="markdown")
    page = archive.events(after=0, limit=2)
    assert len(page["items"]) == 2 and page["next"] == page["items"][-1]["position"]
    assert archive.episodes() == []
    with pytest.raises(ClientError) as missing:
        archive.story("0999")
    assert missing.value.status == 404


def test_the_client_reads_and_writes_in_process(api) -> None:
    with _client(api, api.curator) as archive:
        _curate(archive)
    # Without a token the client reads and is refused writes.
    with _client(api) as anonymous:
        assert anonymous.story("0042")["number"] == "0042"
        assert anonymous.story("0042", as_of=anonymous.story("0042")["modified_at"])["version"]


def test_the_client_reports_problems_without_a_token(api) -> None:
    with _client(api) as anonymous:
        with pytest.raises(ClientError) as refused:
            anonymous.add_story("0001", "x", "y")
        assert refused.value.status == 401
        with pytest.raises(ClientError) as gone:
            anonymous.story("0001", as_of="2001-01-01T00:00:00Z")
        assert gone.value.status == 404
    with _client(api, api.researcher) as researcher:
        with pytest.raises(ClientError) as forbidden:
            researcher.assess("episodes", "duimdrop", "betrouwbaarheid", "shown")
        assert forbidden.value.status == 403


@pytest.mark.slow
def test_the_client_against_a_real_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("WIJKARCHIEF_DATA", str(data))
    monkeypatch.delenv("WIJKARCHIEF_DATABASE_URL", raising=False)
    monkeypatch.delenv("WIJKARCHIEF_DATABASE_SCHEMA", raising=False)
    assert cli(["token", "create", "--role", "curator", "--name", "anna"]) == 0
    token = capsys.readouterr().out.strip()

    env = {**os.environ, "WIJKARCHIEF_DATA": str(data)}
    with uvicorn(env, tmp_path / "server.log") as server:
        base = server.base
        with Client(base, token=token, timeout=10) as archive:
            _curate(archive)

        # The command line reads the same archive remotely with --server (its own data
        # directory stays empty), and names a server that does not answer in one line.
        monkeypatch.setenv("WIJKARCHIEF_DATA", str(tmp_path / "elsewhere"))
        capsys.readouterr()
        assert cli(["search", "speelgoed", "--json", "--server", base]) == 0
        hits = json.loads(capsys.readouterr().out)["hits"]
        assert [h["id"] for h in hits] == ["0042"]
        assert cli(["history", "stories", "0042", "--server", base, "--token", token]) == 0
        assert len(json.loads(capsys.readouterr().out)["items"]) >= 2
        assert cli(["timeline", "2020", "--format", "markdown", "--server", base]) == 0
        assert "Op het plein" in capsys.readouterr().out
        assert cli(["search", "x", "--server", f"http://127.0.0.1:{free_port()}"]) == 2
        assert "onbereikbaar" in capsys.readouterr().err
        assert not (tmp_path / "elsewhere" / "events.sqlite").exists()
        # The docs and the schema are served too.
        schema = httpx.get(f"{base}/openapi.json", timeout=10).json()
        assert "/api/stories/{number}" in schema["paths"]
        assert httpx.get(f"{base}/docs", timeout=10).status_code == 200
