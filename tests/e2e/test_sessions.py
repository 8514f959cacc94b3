"""Web sessions are not tokens, and guessing is throttled (issue 15), on both stores.

Through the real ASGI stack: the login form starts a session of its own (random id, only
its hash stored), which ends at logout on the server, after 8 h idle or 12 h in all, and
when its token is revoked or reissued; a second app over the same store (another worker)
sees the same sessions and the same failure counts. Clients are told apart by address
(httpx's ASGITransport `client`); a trusted proxy's X-Forwarded-* count only when configured.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal
from fastapi import FastAPI

from api.main import create_app
from archive import sessions as session_module
from archive.service import Archive
from archive.sessions import Sessions
from tests.e2e.conftest import BASE, PortalTransport

SAME_SITE = {"Origin": BASE}


class Clock:
    """A clock the test moves on (seconds since the epoch)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class From(PortalTransport):
    """Requests to an app from one client address, on the portal's event loop."""

    def __init__(self, app: FastAPI, portal: BlockingPortal, address: str) -> None:
        super().__init__(app, portal, client=(address, 50000))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(archive: Archive, portal: BlockingPortal, clock: Clock) -> Iterator[Any]:
    """The app, its sessions on a test clock, and tokens: anna (curator), rita (researcher)."""
    app = create_app(archive)
    pool = getattr(archive.recorder, "datastore", None)
    app.state.sessions = Sessions(archive.settings, pool, clock=clock)
    tokens = {
        "anna": archive.issue_token("anna", "curator"),
        "rita": archive.issue_token("rita", "researcher"),
    }
    clients: list[httpx.Client] = []

    def client(address: str = "10.0.0.1", on: FastAPI = app) -> httpx.Client:
        opened = httpx.Client(transport=From(on, portal, address), base_url=BASE)
        clients.append(opened)
        return opened

    yield type("Web", (), {"app": app, "archive": archive, "tokens": tokens, "client": client})
    for opened in clients:
        opened.close()
    app.state.sessions.close()


def login(client: httpx.Client, token: str, **headers: str) -> httpx.Response:
    return client.post(
        "/inloggen", data={"token": token, "volgende": "/"}, headers={**SAME_SITE, **headers}
    )


def signed_in_as(client: httpx.Client) -> str | None:
    """The name in the page header, or None for the public."""
    page = client.get("/uitloggen").text
    if "U bent niet ingelogd" in page:
        return None
    return page.split("<strong>", 2)[2].split("</strong>", 1)[0]


def test_login_sets_a_session_cookie_that_is_not_the_token(web: Any) -> None:
    browser = web.client()
    response = login(browser, web.tokens["anna"])
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    session_id = browser.cookies["wijkarchief_sessie"]
    assert web.tokens["anna"].split(".", 1)[1] not in cookie
    assert len(session_id) >= 40
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Max-Age=43200" in cookie
    assert "Secure" not in cookie  # plain http, no trusted proxy
    assert signed_in_as(browser) == "anna"
    assert browser.get("/verhalen/nieuw").status_code == 200
    # The old kind of cookie (the token itself) no longer signs anyone in.
    stranger = web.client()
    stranger.cookies.set("wijkarchief_token", web.tokens["anna"])
    assert signed_in_as(stranger) is None


def test_only_a_hash_of_the_session_id_is_stored(web: Any) -> None:
    browser = web.client()
    login(browser, web.tokens["anna"])
    session_id = browser.cookies["wijkarchief_sessie"]
    settings = web.archive.settings
    if settings.uses_postgres:
        import psycopg

        with psycopg.connect(settings.pg_conninfo()) as conn:
            rows = conn.execute(
                f'SELECT * FROM "{settings.database_schema}".wijkarchief_sessions'
            ).fetchall()
        stored = repr(rows)
    else:
        stored = repr(b"".join(p.read_bytes() for p in settings.data_dir.glob("sessions.sqlite*")))
    assert "anna" in stored  # the row is there ...
    assert session_id not in stored  # ... but not the id that opens it


def test_logout_ends_the_session_on_the_server(web: Any) -> None:
    browser = web.client()
    login(browser, web.tokens["anna"])
    copied = browser.cookies["wijkarchief_sessie"]
    thief = web.client("10.0.0.9")
    thief.cookies.set("wijkarchief_sessie", copied)
    assert signed_in_as(thief) == "anna"

    response = browser.post("/uitloggen", headers=SAME_SITE)
    assert response.status_code == 303
    assert 'wijkarchief_sessie=""' in response.headers["set-cookie"]
    assert signed_in_as(thief) is None
    refused = thief.get("/verhalen/nieuw")
    assert refused.status_code == 303 and refused.headers["location"].startswith("/inloggen")


@pytest.mark.parametrize("change", ["revoke", "reissue"])
def test_a_session_ends_when_its_token_is_revoked_or_reissued(web: Any, change: str) -> None:
    browser = web.client()
    login(browser, web.tokens["anna"])
    assert signed_in_as(browser) == "anna"
    if change == "revoke":
        web.archive.revoke_token("anna")
    else:
        web.archive.issue_token("anna", "curator", replace=True)
    assert signed_in_as(browser) is None
    assert browser.get("/verhalen/nieuw").status_code == 303


def test_a_session_ends_after_8_hours_idle_and_12_hours_in_all(web: Any, clock: Clock) -> None:
    idle = web.client()
    login(idle, web.tokens["anna"])
    busy = web.client("10.0.0.2")
    login(busy, web.tokens["anna"])
    for _ in range(4):  # busy keeps using it, every 2.5 hours
        clock.now += 2.5 * 3600
        assert signed_in_as(busy) == "anna"
    # 10 hours after login: idle ended after 8 hours unused; busy goes on until 12 hours.
    assert signed_in_as(idle) is None
    clock.now += 1.9 * 3600
    assert signed_in_as(busy) == "anna"
    clock.now += 0.2 * 3600
    assert signed_in_as(busy) is None


def research_story(web: Any, number: str, title: str) -> None:
    """A story only researchers and curators may read, registered by curator anna."""
    web.archive.register(
        "stories",
        {"number": number, "title": title, "body_markdown": "Tekst.", "consent": "research"},
        actor="anna",
    )


def test_a_researcher_logs_in_and_reads_but_may_not_edit(web: Any) -> None:
    research_story(web, "0050", "Voor onderzoek")
    browser = web.client()
    assert login(browser, web.tokens["rita"]).status_code == 303
    assert signed_in_as(browser) == "rita"
    assert "Onderzoeker <strong>rita</strong>" in browser.get("/").text
    assert browser.get("/stories/0050").status_code == 200
    assert web.client("10.0.0.3").get("/stories/0050").status_code != 200
    refused = browser.get("/verhalen/nieuw")
    assert refused.status_code == 403
    assert "alleen curatoren mogen het archief wijzigen" in refused.text


def test_the_json_of_a_page_reads_as_the_signed_in_reader(web: Any) -> None:
    # A research-only story: the page's "Deze pagina als JSON" is its /api/ twin.
    research_story(web, "0051", "Alleen voor onderzoek")
    browser = web.client()
    # The public gets the same 404 on the page and in the JSON.
    assert browser.get("/stories/0051").status_code == 404
    assert browser.get("/api/stories/0051").status_code == 404
    # Signed in as a researcher, the JSON shows what the page shows, history included.
    login(browser, web.tokens["rita"])
    assert "/api/stories/0051" in browser.get("/stories/0051").text
    read = browser.get("/api/stories/0051")
    assert read.status_code == 200 and read.json()["title"] == "Alleen voor onderzoek"
    assert browser.get("/api/stories/0051/history").status_code == 200
    # A write through the API still needs a token, session or not.
    refused = browser.patch(
        "/api/stories/0051", json={"title": "Anders"}, headers={**SAME_SITE, "If-Match": '"1"'}
    )
    assert refused.status_code == 401
    # A copied cookie stops working at logout, in the JSON as on the pages.
    thief = web.client("10.0.0.9")
    thief.cookies.set("wijkarchief_sessie", browser.cookies["wijkarchief_sessie"])
    assert thief.get("/api/stories/0051").status_code == 200
    browser.post("/uitloggen", headers=SAME_SITE)
    assert thief.get("/api/stories/0051").status_code == 404
    # A token, when sent, decides: a curator's token and a researcher's cookie read as the curator.
    login(browser, web.tokens["rita"])
    bearer = {"Authorization": f"Bearer {web.tokens['anna']}"}
    assert browser.get("/api/stories/0051", headers=bearer).status_code == 200


def test_a_second_worker_sees_the_same_sessions(web: Any) -> None:
    """Two apps over one store, as two API workers: login on one, logout on the other."""
    other = Archive(web.archive.settings, follow=False)
    try:
        second = create_app(other)
        browser = web.client()
        login(browser, web.tokens["anna"])
        there = web.client(on=second)
        there.cookies.set("wijkarchief_sessie", browser.cookies["wijkarchief_sessie"])
        assert signed_in_as(there) == "anna"
        there.post("/uitloggen", headers=SAME_SITE)
        assert signed_in_as(browser) is None
        second.state.sessions.close()
    finally:
        other.close()


# -- throttling -----------------------------------------------------------------------


def test_bad_bearer_tokens_are_throttled_per_client(web: Any, clock: Clock) -> None:
    attacker = web.client("10.0.0.66")
    good = {"Authorization": f"Bearer {web.tokens['anna']}"}
    for attempt in range(session_module.FAILURES - 1):
        answer = attacker.get("/api/stories", headers={"Authorization": f"Bearer anna.x{attempt}"})
        assert answer.status_code == 401
    answer = attacker.get("/api/stories", headers={"Authorization": "Bearer anna.laatste"})
    assert answer.status_code == 429
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(answer.headers["retry-after"]) <= session_module.WINDOW
    assert "Te veel mislukte aanmeldpogingen" in answer.json()["detail"]
    # While it waits, even a right token from that address is refused unseen ...
    assert attacker.get("/api/stories", headers=good).status_code == 429
    # ... but reading without a token goes on, and other clients are not affected.
    assert attacker.get("/api/stories").status_code == 200
    neighbour = web.client("10.0.0.67")
    started = time.perf_counter()
    assert neighbour.get("/api/stories", headers=good).status_code == 200
    assert time.perf_counter() - started < 1.0  # a success is not slowed down
    # After the window the client may try again.
    clock.now += session_module.WINDOW + 1
    assert attacker.get("/api/stories", headers=good).status_code == 200


def test_failed_logins_are_throttled_with_a_dutch_message(web: Any) -> None:
    attacker = web.client("10.0.0.70")
    for _ in range(session_module.FAILURES - 1):
        assert login(attacker, "anna.geraden").status_code == 401
    refused = login(attacker, "anna.geraden")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    assert "Te veel mislukte aanmeldpogingen vanaf dit adres" in refused.text
    assert "minuten opnieuw" in refused.text
    assert refused.headers["content-type"].startswith("text/html")
    # The right token now waits too; from elsewhere it signs in at once.
    assert login(attacker, web.tokens["anna"]).status_code == 429
    assert login(web.client("10.0.0.71"), web.tokens["anna"]).status_code == 303


def test_failures_counted_by_one_worker_hold_on_another(web: Any) -> None:
    other = Archive(web.archive.settings, follow=False)
    try:
        second = create_app(other)
        on_first, on_second = web.client("10.0.0.80"), web.client("10.0.0.80", on=second)
        for attempt in range(session_module.FAILURES):
            client = on_first if attempt % 2 else on_second
            client.get("/api/stories", headers={"Authorization": f"Bearer anna.x{attempt}"})
        assert (
            on_first.get("/api/stories", headers={"Authorization": "Bearer a.b"}).status_code == 429
        )
        assert (
            on_second.get("/api/stories", headers={"Authorization": "Bearer a.b"}).status_code
            == 429
        )
        second.state.sessions.close()
    finally:
        other.close()


# -- behind a proxy -------------------------------------------------------------------


def test_forwarded_headers_count_only_from_a_configured_proxy(
    archive: Archive, portal: BlockingPortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = archive.issue_token("anna", "curator")
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    https_origin = {"Origin": "https://testserver"}

    plain = create_app(archive)
    with httpx.Client(transport=From(plain, portal, "127.0.0.1"), base_url=BASE) as client:
        cookie = login(client, token, **forwarded).headers["set-cookie"]
        assert "Secure" not in cookie
        for _ in range(session_module.FAILURES):
            client.get("/api/stories", headers={**forwarded, "Authorization": "Bearer a.b"})
        # The header was not believed: the proxy's own address is the one that waits.
        assert plain.state.sessions.wait("127.0.0.1") > 0
        assert plain.state.sessions.wait("203.0.113.5") == 0
    plain.state.sessions.close()

    monkeypatch.setenv("WIJKARCHIEF_TRUSTED_PROXIES", "127.0.0.2")
    proxied = create_app(archive)
    with httpx.Client(transport=From(proxied, portal, "127.0.0.2"), base_url=BASE) as client:
        answer = login(client, token, **forwarded, **https_origin)
        assert answer.status_code == 303, answer.text
        assert "Secure" in answer.headers["set-cookie"]
        client.get("/api/stories", headers={**forwarded, "Authorization": "Bearer a.b"})
        assert proxied.state.sessions.wait("203.0.113.5") == 0
        for _ in range(session_module.FAILURES):
            client.get("/api/stories", headers={**forwarded, "Authorization": "Bearer a.b"})
        assert proxied.state.sessions.wait("203.0.113.5") > 0
    proxied.state.sessions.close()
