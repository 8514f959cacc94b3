"""HTTP conformance beyond the schema: `Allow` on 405, security headers, optional read
security, and absolute URLs from the configured base URL instead of the client's Host."""

from __future__ import annotations

from pathlib import Path

import pytest
from anyio.from_thread import BlockingPortal

from api.main import create_app
from archive.config import Settings
from bootstrap import open_archive
from events.errors import InvalidInput
from tests.e2e.conftest import Api, PortalTransport

SPEC = create_app().openapi()
PATHS = sorted(SPEC["paths"])
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
FILLED = {"kind": "episodes", "target_kind": "stories", "year": "2020"}


def _concrete(path: str) -> str:
    """The path with its parameters filled in."""
    for name in ("kind", "target_kind", "year", "episode_id", "number", "media_id", "key",
                 "assessment_id", "happening_id", "target_key"):  # fmt: skip
        path = path.replace(f"{{{name}}}", FILLED.get(name, "x1"))
    return path


@pytest.mark.parametrize("path", PATHS)
def test_a_405_allows_every_method_the_path_serves(api: Api, path: str) -> None:
    served = {method.upper() for method in SPEC["paths"][path]}
    refused = next(m for m in METHODS if m not in served)
    response = api.http.request(refused, _concrete(path), headers=api.curator)
    api.problem(response, 405)
    assert set(response.headers["allow"].split(", ")) == served


def test_put_on_the_episodes_allows_get_and_post(api: Api) -> None:
    response = api.http.put("/api/episodes", headers=api.curator)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


@pytest.mark.parametrize(
    "address",
    [
        "/api/timelines/2020?format=html",
        "/api/kronieken?format=html",
        "/docs",
        "/docs/oauth2-redirect",
        "/",
        "/search?q=duimdrop",
        "/stories/9999",  # the Dutch 404 page
    ],
)
def test_every_html_answer_has_the_security_headers(api: Api, address: str) -> None:
    response = api.get(address)
    assert response.headers["content-type"].startswith("text/html"), address
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    directives = dict(d.strip().partition(" ")[::2] for d in policy.split(";"))
    assert directives["script-src"].startswith("'self'")
    assert "unsafe-inline" not in directives["script-src"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_json_answers_are_not_sniffed(api: Api) -> None:
    for address in ("/api/health", "/api/episodes", "/api/bestaat-niet"):
        assert api.get(address).headers["x-content-type-options"] == "nosniff"


def test_docs_come_from_the_server_itself(api: Api) -> None:
    page = api.get("/docs").text
    assert "cdn" not in page.lower() and "https://" not in page
    assert api.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert api.get("/docs-assets/swagger-ui.css").status_code == 200
    moved = api.get("/redoc", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == "/docs"


def test_reads_take_a_token_but_do_not_need_one() -> None:
    for path, operations in SPEC["paths"].items():
        for method, operation in operations.items():
            security = operation.get("security")
            if method == "get":
                assert security in (None, [{}, {"HTTPBearer": []}]), (method, path)
            else:
                assert security == [{"HTTPBearer": []}], (method, path)


def test_the_change_feed_uses_the_configured_base_url(
    tmp_path: Path, portal: BlockingPortal
) -> None:
    import httpx

    settings = Settings(data_dir=tmp_path / "data", base_url="https://archief.example.nl")
    archive = open_archive(settings)
    try:
        archive.register("media", {"id": "nrc-1", "title": "Laat Duimdrop"}, actor="anna")
        transport = PortalTransport(create_app(archive), portal)
        with httpx.Client(transport=transport, base_url="http://testserver") as http:
            feed = http.get("/api/changes", headers={"Host": "evil.example"}).json()
    finally:
        archive.close()
    urls = [a["id"] for a in feed["items"]] + [a["object"]["id"] for a in feed["items"]]
    assert urls
    assert all(url.startswith("https://archief.example.nl/api/") for url in urls), urls
    assert "https://archief.example.nl/api/media/nrc-1" in urls


def test_the_base_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WIJKARCHIEF_BASE_URL", raising=False)
    assert Settings.from_env().base_url == "http://127.0.0.1:8000"
    monkeypatch.setenv("WIJKARCHIEF_BASE_URL", "https://archief.example.nl/")
    assert Settings.from_env().base_url == "https://archief.example.nl"
    for wrong in ("archief.example.nl", "ftp://archief.example.nl", "https://a.nl/?x=1"):
        monkeypatch.setenv("WIJKARCHIEF_BASE_URL", wrong)
        with pytest.raises(InvalidInput, match="WIJKARCHIEF_BASE_URL"):
            Settings.from_env()
