"""The web pages through the ASGI stack (httpx's ASGITransport), without a browser.

Each page answers with one h1 in Dutch; unknown items get a Dutch 404 page and withdrawn
ones a 410 page with the tombstone; facets are toggle links; curator forms redirect
strangers to the login page, refuse forms from other sites, keep what was typed when the
archive refuses it, and keep the typed text of an edit that came too late.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import anyio
import httpx
import pytest
from fastapi import FastAPI

from api.main import create_app
from archive.service import Archive

BASE = "http://testserver"
SAME_SITE = {"Origin": BASE}


class Pages:
    """The app with the pages, and a way to call it as the public or as a curator."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.app: FastAPI = create_app(archive)  # the pages included, as served
        self.token = archive.issue_token("anna", "curator")
        self.researcher = archive.issue_token("rita", "researcher")
        self._session: str | None = None

    @property
    def session(self) -> str:
        """The session id of curator anna, logged in through the form once."""
        if self._session is None:
            response = self.post("/inloggen", data={"token": self.token}, headers=SAME_SITE)
            assert response.status_code == 303, response.text
            self._session = response.cookies["wijkarchief_sessie"]
        return self._session

    def request(
        self, method: str, url: str, *, curator: bool = False, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if curator:
            headers["Cookie"] = f"wijkarchief_sessie={self.session}"

        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
                return await client.request(method, url, headers=headers, **kwargs)

        return anyio.run(call)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


@pytest.fixture
def site(seeded: Archive) -> Iterator[Pages]:
    yield Pages(seeded)


def h1(response: httpx.Response) -> str:
    found = re.findall(r"<h1[^>]*>(.*?)</h1>", response.text, flags=re.S)
    assert len(found) == 1, f"expected one h1, got {len(found)}"
    return html.unescape(re.sub(r"<[^>]+>", "", found[0])).strip()


def textarea(response: httpx.Response, name: str) -> str:
    found = re.search(
        rf'<textarea id="{name}" name="{name}"[^>]*>(.*?)</textarea>', response.text, re.S
    )
    assert found, f"no textarea {name}"
    return html.unescape(found[1])


STORY = {
    "number": "0042",
    "title": "De speelgoedcontainer",
    "date": "najaar 2020",
    "storytellers": "Fatima\nKees",
    "consent": "public",
    "rights": "Wijkcollectie BoTu",
    "body_markdown": "Het was **vet** druk bij de container.",
}


# -- public pages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/", "Wijkarchief Bospolder-Tussendijken"),
        ("/search?q=duimdrop", "Zoeken: duimdrop"),
        ("/search", "Zoeken"),
        ("/episodes/duimdrop", "Acties voor het behoud van Duimdrop"),
        ("/stories/0001", "Dirck Slabbekoorn, Jumbo"),
        ("/media/foto-duimdrop", None),
        ("/matrix", "Matrix: episodes × kwaliteiten"),
        ("/inloggen", "Inloggen"),
        ("/uitloggen", "Uitloggen"),
    ],
)
def test_each_page_answers_with_its_h1(site: Pages, url: str, title: str | None) -> None:
    response = site.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="nl">' in response.text
    heading = h1(response)
    if title is not None:
        assert heading == title
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("url", "api"),
    [
        ("/", "/api/episodes"),
        ("/search?q=duimdrop&kind=episodes", "/api/search?q=duimdrop&amp;kind=episodes"),
        ("/episodes/duimdrop", "/api/episodes/duimdrop"),
        ("/stories/0001", "/api/stories/0001"),
        ("/matrix", "/api/episodes"),
    ],
)
def test_each_page_links_its_json(site: Pages, url: str, api: str) -> None:
    response = site.get(url)
    assert f'href="{api}" class="json"' in response.text


def test_timeline_and_kronieken_are_the_archive_pages_with_downloads(site: Pages) -> None:
    timeline = site.get("/timelines/2020")
    assert timeline.status_code == 200
    assert h1(timeline) == "Governancetijdlijn 2020"
    for fmt in ("json", "markdown", "timelinejs"):
        assert f'href="/api/timelines/2020?format={fmt}"' in timeline.text
    assert timeline.text.index('class="wa-downloads"') < timeline.text.index("<h1")

    kronieken = site.get("/kronieken")
    assert kronieken.status_code == 200
    assert "Corona Kronieken" in h1(kronieken)
    assert "<svg" in kronieken.text
    for fmt in ("json", "markdown"):
        assert f'href="/api/kronieken?format={fmt}"' in kronieken.text


def test_a_timeline_of_no_year_is_a_dutch_404(site: Pages) -> None:
    response = site.get("/timelines/twintig")
    assert response.status_code == 404
    assert h1(response) == "Niet gevonden"


def test_an_unknown_item_is_a_dutch_404_page(site: Pages) -> None:
    response = site.get("/episodes/bestaat-niet")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert h1(response) == "Niet gevonden"
    assert "bestaat-niet" in response.text and "Naar de homepagina" in response.text


def test_a_curators_only_story_is_not_found_by_the_public(site: Pages) -> None:
    site.archive.register(
        "stories", {"number": "0099", "title": "Privé", "body_markdown": "Geheim."}, actor="anna"
    )
    assert site.get("/stories/0099").status_code == 404
    assert site.get("/stories/0099", curator=True).status_code == 200


def test_a_withdrawn_story_is_a_410_page_with_its_tombstone(site: Pages) -> None:
    site.archive.withdraw(
        "stories", "0003", reason="verzoek verteller", policy="AVG art. 7", actor="anna"
    )
    response = site.get("/stories/0003")
    assert response.status_code == 410
    assert h1(response) == "Ingetrokken"
    assert "BoTu nr. 0003 (ingetrokken)" in response.text
    assert "AVG art. 7" in response.text


def test_an_item_page_shows_text_happenings_assessments_links_and_history(site: Pages) -> None:
    response = site.get("/episodes/duimdrop")
    text = response.text
    assert 'id="happening-h3"' in text
    assert 'id="assessment-a2"' in text
    assert "<blockquote>De subsidie voor Duimdrop is met een jaar verlengt" in text
    assert 'href="/media/nrc-2020-11-26-laat-duimdrop-een-les-zijn"' in text
    events = re.findall(r'<li class="event[ "]', text)
    assert len(events) == len(site.archive.history("episodes", "duimdrop"))
    assert 'name="as_of"' in text and 'type="datetime-local"' in text


def test_search_hits_link_to_items_and_happenings_with_marked_snippets(site: Pages) -> None:
    response = site.get("/search?q=speelgoed")
    assert 'href="/episodes/duimdrop#happening-h2"' in response.text
    assert 'href="/episodes/duimdrop"' in response.text
    assert '<mark class="match term0">speelgoed</mark>' in response.text


def test_facets_are_toggle_links_with_counts(site: Pages) -> None:
    response = site.get("/search?q=duimdrop")
    assert 'href="/search?q=duimdrop&amp;kind=episodes"' in response.text
    assert 'href="/search?q=duimdrop&amp;quality=institutionele-souplesse"' in response.text
    assert 'href="/search?q=duimdrop&amp;assessment=partial"' in response.text
    assert 'href="/search?q=duimdrop&amp;year=2020"' in response.text
    assert "institutional flexibility" in response.text  # the English label beside the Dutch

    on = site.get("/search?q=duimdrop&kind=episodes")
    link = re.search(r'<a href="/search\?q=duimdrop"[^>]*aria-current="true"', on.text)
    assert link, "an active facet links to the search without it"


@pytest.mark.parametrize("name", ["Institutional Flexibility", "institutionele souplesse"])
def test_a_quality_is_accepted_in_dutch_or_english(site: Pages, name: str) -> None:
    response = site.get(f"/search?q=&quality={quote(name)}")
    assert response.status_code == 200
    assert re.search(
        r'class="toggle active" aria-current="true">\s*<span class="check"[^>]*>☑</span>\s*'
        r'<span class="label">institutionele souplesse',
        response.text,
    )
    assert 'href="/episodes/duimdrop"' in response.text


def test_an_unknown_quality_is_explained_in_dutch(site: Pages) -> None:
    response = site.get("/search?q=&quality=geluk")
    assert response.status_code == 422
    assert "Onbekende kwaliteit" in response.text


def test_the_matrix_colours_and_labels_cells_and_links_the_evidence(site: Pages) -> None:
    response = site.get("/matrix")
    assert 'href="/episodes/duimdrop#assessment-a2"' in response.text
    assert "cell-partial" in response.text and "cell-shown" in response.text
    assert "Resilience Framework" in response.text
    assert "niet beoordeeld" in response.text
    assert response.text.count("<table") == 2


# -- logging in ---------------------------------------------------------------


def test_login_with_a_token_sets_a_strict_httponly_session_cookie(site: Pages) -> None:
    response = site.post(
        "/inloggen", data={"token": site.token, "volgende": "/matrix"}, headers=SAME_SITE
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/matrix"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("wijkarchief_sessie=")
    assert site.token not in cookie and site.token.split(".", 1)[1] not in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_login_refuses_an_unknown_token(site: Pages) -> None:
    response = site.post("/inloggen", data={"token": "anna.fout"}, headers=SAME_SITE)
    assert response.status_code == 401
    assert "onbekend of ingetrokken" in response.text
    assert "set-cookie" not in response.headers
    assert h1(response) == "Inloggen"


def test_a_researcher_logs_in_too_but_gets_no_curator_forms(site: Pages) -> None:
    response = site.post("/inloggen", data={"token": site.researcher}, headers=SAME_SITE)
    assert response.status_code == 303
    cookie = {"Cookie": f"wijkarchief_sessie={response.cookies['wijkarchief_sessie']}"}
    assert "Onderzoeker <strong>rita</strong>" in site.get("/", headers=cookie).text
    refused = site.get("/verhalen/nieuw", headers=cookie)
    assert refused.status_code == 403
    assert "alleen curatoren" in refused.text


def _guarded_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(METHOD, concrete path) of every page route that depends on the curator's guard."""
    from api.pages.curator import curator
    from api.routing import flat_routes

    found: list[Any] = []
    for route in flat_routes(app.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is not None and any(d.call is curator for d in dependant.dependencies):
            # The guard answers before any item is looked up: any key will do.
            path = route.path_format.replace("{number}", "0001").replace("{key}", "0001")
            path = path.replace("{aid}", "a1").replace("{hid}", "h1").replace("{file_id}", "f1")
            found.extend((method, path) for method in sorted(route.methods))
    return found


def test_every_curator_form_is_guarded(site: Pages) -> None:
    # Every form of the curator's pages (found by walking the app, so a new one cannot
    # forget it) sends the public to the login page and refuses a researcher.
    routes = _guarded_routes(site.app)
    story_routes = {("GET", "/verhalen/nieuw"), ("POST", "/stories/0001/bewerken")}
    # 16 before issue 19; +21 withdraw/embargo/erase (3 kinds), +3 link picker, +2 forget,
    # +2 import; +32 edit pages: episodes, media, happenings, assessments, files; +1 removing
    # a file.
    edit_routes = {("POST", "/episodes/0001/bewerken"), ("POST", "/media-items/nieuw"),
                   ("POST", "/media/0001/bestanden"), ("POST", "/episodes/0001/gebeurtenis/h1"),
                   ("POST", "/stories/0001/beoordeling/a1/intrekken"),
                   ("POST", "/media/0001/bestanden/f1/verwijderen")}  # fmt: skip
    assert story_routes | edit_routes <= set(routes) and len(routes) == 44 + 33, routes
    response = site.post("/inloggen", data={"token": site.researcher}, headers=SAME_SITE)
    researcher = {"Cookie": f"wijkarchief_sessie={response.cookies['wijkarchief_sessie']}"}
    for method, path in routes:
        public = site.request(method, path, headers=SAME_SITE)
        assert public.status_code == 303, (method, path, public.text)
        assert public.headers["location"].startswith("/inloggen?volgende="), (method, path)
        refused = site.request(method, path, headers={**SAME_SITE, **researcher})
        assert refused.status_code == 403, (method, path)
        assert "alleen curatoren" in refused.text, (method, path)
        if method == "POST":
            elsewhere = site.request(method, path, curator=True)  # no Origin, no Referer
            assert elsewhere.status_code == 403, (method, path)
            assert "niet van deze website" in elsewhere.text, (method, path)


def test_login_goes_back_only_to_this_site(site: Pages) -> None:
    response = site.post(
        "/inloggen", data={"token": site.token, "volgende": "//evil.example/"}, headers=SAME_SITE
    )
    assert response.headers["location"] == "/"


def test_logout_forgets_the_cookie_and_ends_the_session(site: Pages) -> None:
    response = site.post("/uitloggen", curator=True, headers=SAME_SITE)
    assert response.status_code == 303
    assert 'wijkarchief_sessie=""' in response.headers["set-cookie"]
    assert site.get("/verhalen/nieuw", curator=True).status_code == 303


# -- curator forms -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/verhalen/nieuw",
        "/stories/0001/bewerken",
        "/episodes/duimdrop/beoordeling",
        "/episodes/duimdrop/koppeling",
        "/pages-api/voorbeeld",
    ],
)
def test_a_curator_post_without_cookie_redirects_to_login(site: Pages, url: str) -> None:
    response = site.post(url, data={"title": "x"}, headers=SAME_SITE)
    if url.startswith("/pages-api"):
        assert response.status_code == 403
        return
    assert response.status_code == 303
    assert response.headers["location"].startswith("/inloggen?volgende=")


def test_a_curator_form_without_cookie_redirects_to_login(site: Pages) -> None:
    response = site.get("/verhalen/nieuw")
    assert response.status_code == 303
    assert response.headers["location"] == "/inloggen?volgende=/verhalen/nieuw"


@pytest.mark.parametrize(
    "headers", [{"Origin": "https://elders.example"}, {"Referer": "https://elders.example/x"}, {}]
)
def test_a_form_from_another_site_is_refused(site: Pages, headers: dict[str, str]) -> None:
    response = site.post("/verhalen/nieuw", data=STORY, curator=True, headers=headers)
    assert response.status_code == 403
    assert "niet van deze website" in response.text
    assert site.get("/stories/0042").status_code == 404


def test_a_curator_adds_a_story(site: Pages) -> None:
    response = site.post("/verhalen/nieuw", data=STORY, curator=True, headers=SAME_SITE)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/stories/0042?gedaan=nieuw"
    story = site.get("/stories/0042?gedaan=nieuw")
    assert "<strong>vet</strong>" in story.text
    assert "Het verhaal is vastgelegd." in story.text
    stored = site.archive.item("stories", "0042", role="curator")
    assert stored["date"] == "2020-23"
    assert stored["storytellers"] == ["Fatima", "Kees"]
    assert site.archive.history("stories", "0042")[0]["actor"] == "anna"


def test_a_refused_story_keeps_what_was_typed_with_the_error_at_its_field(site: Pages) -> None:
    typed = {**STORY, "date": "gisteren ergens", "body_markdown": "Mijn <lange> tekst."}
    response = site.post("/verhalen/nieuw", data=typed, curator=True, headers=SAME_SITE)
    assert response.status_code == 422
    assert 'id="date-fout"' in response.text
    assert "Onbekende datum" in response.text
    assert 'aria-invalid="true"' in response.text
    assert textarea(response, "body_markdown") == "Mijn <lange> tekst."
    assert 'value="De speelgoedcontainer"' in response.text


def test_a_taken_number_is_a_field_error(site: Pages) -> None:
    response = site.post(
        "/verhalen/nieuw", data={**STORY, "number": "0001"}, curator=True, headers=SAME_SITE
    )
    assert response.status_code == 409
    assert 'id="number-fout"' in response.text


def test_the_preview_button_renders_the_markdown_on_the_server(site: Pages) -> None:
    response = site.post(
        "/verhalen/nieuw", data={**STORY, "action": "voorbeeld"}, curator=True, headers=SAME_SITE
    )
    assert response.status_code == 200
    assert "<strong>vet</strong>" in response.text
    assert "Wordt vastgelegd als <code>2020-23</code>" in response.text
    assert site.get("/stories/0042").status_code == 404


def test_the_live_preview_is_sanitised(site: Pages) -> None:
    response = site.post(
        "/pages-api/voorbeeld",
        data={"body_markdown": "**vet** <script>alert(1)</script>"},
        curator=True,
        headers=SAME_SITE,
    )
    assert response.status_code == 200
    assert "<strong>vet</strong>" in response.text
    assert "<script" not in response.text


def test_titles_are_escaped(site: Pages) -> None:
    evil = {**STORY, "title": "<script>alert(1)</script>"}
    assert site.post("/verhalen/nieuw", data=evil, curator=True, headers=SAME_SITE).is_redirect
    page = site.get("/stories/0042")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def _version(response: httpx.Response) -> str:
    found = re.search(r'name="version" value="(\d+)"', response.text)
    assert found
    return found[1]


def test_an_edit_shows_in_the_history_with_a_diff_and_as_it_was(site: Pages) -> None:
    site.post("/verhalen/nieuw", data=STORY, curator=True, headers=SAME_SITE)
    form = site.get("/stories/0042/bewerken", curator=True)
    assert form.status_code == 200
    assert textarea(form, "body_markdown") == STORY["body_markdown"]
    edited = {**STORY, "version": _version(form), "reason": "woordkeus",
              "body_markdown": "Het was **heel** druk bij de container."}  # fmt: skip
    response = site.post("/stories/0042/bewerken", data=edited, curator=True, headers=SAME_SITE)
    assert response.status_code == 303, response.text
    page = site.get("/stories/0042")
    assert "<del>**vet**</del>" in page.text and "<ins>**heel**</ins>" in page.text
    assert "woordkeus" in page.text
    first = site.archive.history("stories", "0042")[0]["recorded_at"]
    before = site.get(f"/stories/0042?as_of={quote(first)}")
    assert "<strong>vet</strong>" in before.text
    assert "zoals het was vastgelegd op" in before.text


def test_a_stale_edit_is_refused_and_keeps_the_typed_text(site: Pages) -> None:
    site.post("/verhalen/nieuw", data=STORY, curator=True, headers=SAME_SITE)
    loaded = _version(site.get("/stories/0042/bewerken", curator=True))
    site.archive.revise(
        "stories", "0042", {"body_markdown": "Bram was eerder."}, actor="bram", reason="sneller"
    )
    typed = "Mijn tekst, met veel <moeite> getypt."
    response = site.post(
        "/stories/0042/bewerken",
        data={**STORY, "version": loaded, "body_markdown": typed},
        curator=True,
        headers=SAME_SITE,
    )
    assert response.status_code == 412
    assert "iemand anders heeft dit verhaal intussen gewijzigd" in response.text
    assert textarea(response, "body_markdown") == typed
    assert "Bram was eerder." in response.text  # the stored text beside it
    assert "bram" in response.text
    assert _version(response) == str(
        site.archive.item("stories", "0042", role="curator")["version"]
    )
    assert (
        site.archive.item("stories", "0042", role="curator")["body_markdown"] == "Bram was eerder."
    )


def test_a_curator_assesses_a_quality(site: Pages) -> None:
    data = {"quality": "flexibility", "element": "", "assessment": "shown",
            "evidence": "Een citaat.", "source": "monitor.txt:1"}  # fmt: skip
    response = site.post(
        "/episodes/duimdrop/beoordeling", data=data, curator=True, headers=SAME_SITE
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/episodes/duimdrop?gedaan=beoordeeld#assessment-a5"
    page = site.get("/episodes/duimdrop")
    assert 'id="assessment-a5"' in page.text and "<blockquote>Een citaat.</blockquote>" in page.text


def test_a_refused_assessment_names_the_field(site: Pages) -> None:
    form = site.get("/episodes/duimdrop/beoordeling", curator=True)
    assert h1(form) == "Beoordeling toevoegen"
    data = {"quality": "geluk", "assessment": "shown", "evidence": "Mijn bewijs."}
    response = site.post(
        "/episodes/duimdrop/beoordeling", data=data, curator=True, headers=SAME_SITE
    )
    assert response.status_code == 422
    assert 'id="quality-fout"' in response.text
    assert textarea(response, "evidence") == "Mijn bewijs."


def test_a_curator_links_two_items(site: Pages) -> None:
    response = site.post(
        "/stories/0001/koppeling", data={"target": "/episodes/duimdrop"}, curator=True,
        headers=SAME_SITE,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    assert 'href="/stories/0001"' in site.get("/episodes/duimdrop").text
    refused = site.post(
        "/stories/0001/koppeling", data={"target": "nergens"}, curator=True, headers=SAME_SITE
    )
    assert refused.status_code == 422
    assert 'id="zoek-fout"' in refused.text  # the link picker's box says why


def test_static_files_are_served(site: Pages) -> None:
    assert site.get("/static/site.css").status_code == 200
    assert "fetch(" in site.get("/static/site.js").text


def test_an_edit_without_its_version_is_treated_as_stale(site: Pages) -> None:
    site.post("/verhalen/nieuw", data=STORY, curator=True, headers=SAME_SITE)
    data = {**STORY, "body_markdown": "Zonder versie."}
    response = site.post("/stories/0042/bewerken", data=data, curator=True, headers=SAME_SITE)
    assert response.status_code == 412
    assert textarea(response, "body_markdown") == "Zonder versie."
    assert (
        site.archive.item("stories", "0042", role="curator")["body_markdown"]
        == STORY["body_markdown"]
    )


def test_a_bad_as_of_is_explained_in_dutch(site: Pages) -> None:
    response = site.get("/episodes/duimdrop?as_of=gisteren")
    assert response.status_code == 422
    assert "Ongeldige as_of" in response.text


def test_an_item_before_it_was_recorded_is_not_found(site: Pages) -> None:
    response = site.get("/episodes/duimdrop?as_of=2000-01-01T00:00:00Z")
    assert response.status_code == 404
    assert "nog niet vastgelegd" in response.text
