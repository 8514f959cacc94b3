"""The list pages `/episodes`, `/stories`, `/media` (issue 19): paging, sorting, filters, the
JSON twin, and the visibility policy, through the real ASGI stack on both stores.

A public reader, a researcher (logged in through the login form) and a curator read the same
lists; a curators-only story and an embargoed one never reach the public, not even as a count.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import BASE

SAME_SITE = {"Origin": BASE}


def logged_in(api: Any, role: str, name: str) -> httpx.Client:
    """A browser with a login session of a new token of `role`."""
    token = api.archive.issue_token(name, role)
    browser = httpx.Client(transport=api.transport, base_url=BASE)
    answer = browser.post("/inloggen", data={"token": token}, headers=SAME_SITE)
    assert answer.status_code == 303, answer.text
    return browser


@pytest.fixture
def stories(api: Any) -> Any:
    # 25 public stories, numbered 0101..0125, dated 2001..2025, titled in reverse.
    for i in range(1, 26):
        api.add_story(
            number=f"{100 + i:04d}", title=f"Verhaal {chr(ord('Z') - i)}", date=str(2000 + i),
            storytellers=[f"Verteller {i}"],
        )  # fmt: skip
    # A curators-only story, a research-only one, an embargoed public one, a withdrawn one.
    api.add_story(number="0900", title="Geheim verhaal Kwartiermaker", consent="curators")
    api.add_story(number="0901", title="Onderzoeksverhaal Zandloper", consent="research")
    api.add_story(number="0902", title="Verhaal Lantaarnpaal", consent="public")
    api.archive.embargo("stories", "0902", "2999-01-01", actor="anna")
    api.add_story(number="0903", title="Verhaal Vuurtoren", consent="public")
    api.archive.withdraw("stories", "0903", reason="op verzoek", policy="AVG", actor="anna")
    return api


def numbers(page: httpx.Response) -> list[str]:
    return re.findall(r'<td class="nr">(\d{4})</td>', page.text)


def test_a_list_pages_and_counts(stories: Any) -> None:
    # The first page: 20 rows of 26 (25 public stories and the tombstone of 0903).
    first = stories.get("/stories")
    assert first.status_code == 200
    assert "1–20 van 26" in first.text
    assert numbers(first)[:3] == ["0101", "0102", "0103"]
    assert len(numbers(first)) == 20
    # The next page holds the rest, and links back.
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    second = stories.get("/stories?offset=20")
    assert "21–26 van 26" in second.text
    assert numbers(second) == ["0121", "0122", "0123", "0124", "0125", "0903"]
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    # Another page size.
    assert "1–10 van 26" in stories.get("/stories?limit=10").text
    assert stories.get("/stories?limit=7").status_code == 422


def test_a_list_sorts_by_title_date_and_number(stories: Any) -> None:
    newest = numbers(stories.get("/stories?sort=-date"))
    assert newest[:2] == ["0125", "0124"]
    oldest = numbers(stories.get("/stories?sort=date"))
    assert oldest[:2] == ["0101", "0102"]
    by_title = numbers(stories.get("/stories?sort=title"))
    assert by_title[:2] == ["0903", "0125"]  # "BoTu nr. 0903 (ingetrokken)", "Verhaal A"
    assert stories.get("/stories?sort=nonsense").status_code == 422
    # Dates are shown as people write them.
    page = stories.get("/stories")
    assert '<time datetime="2001">2001</time>' in page.text


def test_the_public_never_sees_a_hidden_item_in_a_list(stories: Any) -> None:
    page = stories.get("/stories?limit=100")
    for word in ("Kwartiermaker", "Zandloper", "Lantaarnpaal", "0900", "0901", "0902"):
        assert word not in page.text
    # The withdrawn public story is its tombstone: a number, no title.
    assert "BoTu nr. 0903 (ingetrokken)" in page.text and "Vuurtoren" not in page.text
    # Filters and the JSON twin tell the same.
    assert "Kwartiermaker" not in stories.get("/stories?year=2020&limit=100").text
    twin = stories.get("/api/stories?limit=1000").json()
    assert twin["total"] == 26


def test_a_researcher_and_a_curator_see_what_their_role_allows(stories: Any) -> None:
    researcher = logged_in(stories, "researcher", "rosa")
    curator = logged_in(stories, "curator", "carla")
    seen = researcher.get("/stories?limit=100").text
    assert "Zandloper" in seen and "Kwartiermaker" not in seen and "Lantaarnpaal" not in seen
    everything = curator.get("/stories?limit=100").text
    assert "1–29 van 29" in everything
    assert "Kwartiermaker" in everything and "embargo tot 1 januari 2999" in everything
    assert "2999-01-01" not in everything  # the day in words, not its code
    researcher.close()
    curator.close()


def test_filters_and_the_json_twin(api: Any) -> None:
    # An episode assessed on reliability, and one without assessments.
    api.add_episode()
    api.add_episode(id="buurtpark", title="Het buurtpark", date="2019", assessments=[])
    page = api.get("/episodes?quality=institutional flexibility&assessment=shown")
    assert page.status_code == 200
    assert "Duimdrop" in page.text and "Het buurtpark" not in page.text
    # The twin: the API list with the same filters (canonical quality id), linked as alternate.
    twin = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)"', page.text)
    assert twin is not None
    href = twin.group(1).replace("&amp;", "&")
    assert href == "/api/episodes?quality=institutionele-souplesse&assessment=shown"
    assert [e["id"] for e in api.get(href).json()["items"]] == ["duimdrop"]
    # Year: 2019 keeps only the park; a bad year is a 422 page that says why.
    assert "Duimdrop" not in api.get("/episodes?year=2019").text
    bad = api.get("/episodes?year=twintig")
    assert bad.status_code == 422 and "year" in bad.text
    assert api.get("/episodes?quality=onzin").status_code == 422


def test_media_lists_newest_first(api: Any) -> None:
    for slug, date in (("oud", "2019-05"), ("nieuw", "2021-02"), ("zonder", None)):
        body: dict[str, Any] = {
            "id": slug,
            "title": f"Stuk {slug}",
            "kind": "photo",
            "consent": "public",
            "url": "https://example.org/x",
        }
        if date:
            body["date"] = date
        answer = api.post("/api/media", json=body, headers=api.curator)
        assert answer.status_code == 201, answer.text
    page = api.get("/media").text
    assert page.index("Stuk nieuw") < page.index("Stuk oud") < page.index("Stuk zonder")
    assert "foto" in page and "februari 2021" in page
    # The site navigation names the three lists.
    assert '<a href="/media" aria-current="page">Media</a>' in page
    assert '<a href="/stories">Verhalen</a>' in page


def test_a_media_item_page_names_its_kind_in_dutch(api: Any) -> None:
    """The item page says `foto`, as the list does, not the API's `photo`."""
    for slug, kind in (("plein", "photo"), ("schets", "drawing"), ("krant", "article")):
        body = {"id": slug, "title": f"Stuk {slug}", "kind": kind, "consent": "public"}
        assert api.post("/api/media", json=body, headers=api.curator).status_code == 201
    for slug, label in (("plein", "foto"), ("schets", "tekening"), ("krant", "artikel")):
        page = api.get(f"/media/{slug}").text
        assert f"<dt>Soort</dt><dd>{label}</dd>" in page, slug
    assert ">photo<" not in api.get("/media/plein").text


def _row(page: str, title: str) -> str:
    """The table row of the item titled `title`."""
    rows = [r for r in page.split("<tr") if title in r]
    assert len(rows) == 1, title
    return rows[0].split("</tr>")[0]


RESEARCH = "alleen voor onderzoek: onderzoekers en curatoren zien dit"
CURATORS = "alleen voor curatoren: niet openbaar, ook niet voor onderzoekers"


def test_research_only_and_curators_only_rows_say_so(stories: Any) -> None:
    """A signed-in reader sees which rows are not public, as withdrawals and embargoes are
    marked; the public still never learns that such items exist."""
    api = stories
    api.add_episode(id="intern", title="Interne evaluatie", consent="curators")
    api.add_episode(id="studie", title="Studie Spoorsingel", consent="research")
    body = {"id": "scan", "title": "Scan Lantaarn", "kind": "photo", "consent": "research"}
    assert api.post("/api/media", json=body, headers=api.curator).status_code == 201
    curator = logged_in(api, "curator", "carla")
    researcher = logged_in(api, "researcher", "rosa")
    seen = curator.get("/stories?limit=100").text
    assert CURATORS in _row(seen, "Kwartiermaker") and RESEARCH in _row(seen, "Zandloper")
    assert CURATORS not in _row(seen, "Verhaal A<") and RESEARCH not in _row(seen, "Verhaal A<")
    episodes = curator.get("/episodes").text
    assert CURATORS in _row(episodes, "Interne evaluatie")
    assert RESEARCH in _row(episodes, "Studie Spoorsingel")
    assert RESEARCH in _row(curator.get("/media").text, "Scan Lantaarn")
    # A researcher sees the research rows marked, and no curators-only row at all.
    studied = researcher.get("/stories?limit=100").text
    assert RESEARCH in _row(studied, "Zandloper") and CURATORS not in studied
    assert RESEARCH in _row(researcher.get("/episodes").text, "Studie Spoorsingel")
    # The public: no such row, and no word of them.
    for kind in ("stories?limit=100", "episodes", "media"):
        public = api.get(f"/{kind}").text
        assert "alleen voor onderzoek" not in public and CURATORS not in public, kind
        for hidden in ("Kwartiermaker", "Zandloper", "Interne evaluatie", "Spoorsingel", "Scan"):
            assert hidden not in public, (kind, hidden)
    curator.close()
    researcher.close()
