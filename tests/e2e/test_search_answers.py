"""Search over HTTP answers items: the API's item hits with moments, the quality-aware
assessment filter, sort and "bedoelde u …?", and the same on the search page; on each store
and each search backend."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import Api

pytestmark = pytest.mark.usefixtures("search_backend")


def _cases(api: Api) -> None:
    """Two cases assessed oppositely on institutional flexibility, one with two moments."""

    def assessed(grade: str, evidence: str) -> list[dict[str, str]]:
        return [{"quality": "institutionele-souplesse", "element": "betrokken-bestuur",
                 "assessment": grade, "evidence": evidence,
                 "source": "monitor-veerkracht-botu-2021.txt:1"}]  # fmt: skip

    api.add_episode(
        id="botu12", title="BoTu12", date="2020", consent="public",
        assessments=assessed("shown", "De gemeente paste haar regels aan."),
        happenings=[
            {"date": "2020-04", "title": "Laptops uitgedeeld", "text": "In de coronacrisis."},
            {"date": "2020-05", "title": "Meer laptops", "text": "Nog veertig."},
        ],
    )  # fmt: skip
    api.add_episode(
        id="duimdrop", title="Duimdrop", date="2020-09", consent="public",
        assessments=assessed("lacking", "De gemeente hield vast aan haar besluit."),
        happenings=[], people=["Cormac Rusell"],
    )  # fmt: skip


def test_the_api_answers_items_with_moments_and_the_quality_asked(api: Api) -> None:
    _cases(api)
    # Words naming the quality: `assessment` is that quality's grade; `assessed` shows it.
    shown = api.get("/api/search", params={"q": "institutional flexibility",
                                           "assessment": "shown"}).json()  # fmt: skip
    assert [h["id"] for h in shown["hits"]] == ["botu12"] and shown["total"] == 1
    assert shown["hits"][0]["assessed"][0]["assessment"] == "shown"
    assert shown["hits"][0]["assessed"][0]["evidence"] == "De gemeente paste haar regels aan."

    # A hit is an item; its matching moments inside it (a compound's part finds them).
    corona = api.get("/api/search", params={"q": "corona laptops"}).json()
    assert [h["id"] for h in corona["hits"]] == ["botu12"] and corona["total"] == 1
    assert [m["happening"] for m in corona["hits"][0]["moments"]] == ["h1"]

    # Sorting: by date on request, browsing by date; an unknown order is a 422 problem.
    by_date = api.get("/api/search", params={"q": "gemeente", "sort": "date"}).json()
    assert [h["id"] for h in by_date["hits"]] == ["botu12", "duimdrop"]
    assert by_date["sort"] == "date"
    assert api.get("/api/search").json()["sort"] == "date"
    api.problem(api.get("/api/search", params={"sort": "alfabet"}), 422)

    # A misspelled name: the index's own spelling is suggested and searched.
    fixed = api.get("/api/search", params={"q": "Russell"}).json()
    assert (fixed["suggestion"], fixed["corrected"]) == ("Rusell", True)
    assert [h["id"] for h in fixed["hits"]] == ["duimdrop"]


def test_the_search_page_shows_items_moments_sort_and_suggestion(api: Api) -> None:
    _cases(api)
    page = api.get("/search", params={"q": "laptops"}).text
    assert "1 resultaat" in page and "resultaaten" not in page
    assert 'href="/episodes/botu12#happening-h1"' in page  # the moments, inside the hit
    assert 'href="/episodes/botu12#happening-h2"' in page
    assert re.search(r'<strong aria-current="true">relevantie</strong>', page)
    assert 'href="/search?q=laptops&amp;sort=date"' in page

    browse = api.get("/search").text
    assert "2 resultaten" in browse and "resultaaten" not in browse
    assert re.search(r'<strong aria-current="true">datum</strong>', browse)

    flexible = api.get("/search", params={"q": "institutional flexibility",
                                          "assessment": "shown"}).text  # fmt: skip
    assert "1 resultaat" in flexible and "De gemeente paste haar regels aan." in flexible

    misspelled = api.get("/search", params={"q": "Russell"}).text
    assert "Bedoelde u" in misspelled and 'href="/search?q=Rusell"' in misspelled

    refused = api.get("/search", params={"q": "x", "sort": "alfabet"})
    assert refused.status_code == 422 and "volgorde" in refused.text
