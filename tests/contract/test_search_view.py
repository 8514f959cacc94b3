"""The contract of `archive.ports.SearchView`: the same cases against every implementation.

As eventsourcing tests each of its recorders with one set of cases, every search backend runs
these; a new backend adds its class to IMPLEMENTATIONS and passes them. The view under test is
fed from a real log (each store) by the archive's followers, and searched through the port
itself: a reader is a set of consent scopes and a day, as the archive's read policy passes them.
Cases of one engine (Whoosh's merge policy, tantivy's files on disk) stay beside that engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from archive.config import Settings
from archive.ports import SearchView, View
from archive.service import Archive
from events.errors import InvalidInput
from search_index.core import budget
from search_index.tantivy import TantivySearchView
from search_index.whoosh import WhooshSearchView

# Every implementation of the port, as the composition root opens it on the settings.
IMPLEMENTATIONS: list[Callable[[Settings], SearchView]] = [WhooshSearchView, TantivySearchView]
PUBLIC = ("public",)
RESEARCHER = ("public", "research")
CURATOR = ("public", "research", "curators")
TODAY = "2026-06-01"
# Issue 17's query: single-character wildcards and infix ones, ~390 characters (9-17 s with
# Whoosh before the budget).
WILDCARDS = " OR ".join(
    ["?", "??", "???", "*e*", "*a*", "*o*", "*i*", "*n*", "?e?", "?a?", "*n?"]
    + [f"{c}*" for c in "dlkmughvbwpjzcfyeaointrs"]
)
NO_FACETS: dict[str, dict[str, int]] = {"kind": {}, "quality": {}, "assessment": {}, "year": {}}


class Fed:
    """An archive to write with, and the view under test following its log."""

    def __init__(self, settings: Settings, open_view: Callable[[Settings], SearchView]) -> None:
        self.settings = settings
        self.open_view = open_view
        self.view = open_view(settings)
        # The composition this test needs: the view follows the log beside the catalogue.
        self.archive = Archive(settings, search=self.view)

    def search(
        self, q: str, *, consents: tuple[str, ...] = PUBLIC, today: str | None = TODAY, **kw: Any
    ) -> dict[str, Any]:
        """The view brought up to the log, then searched as the reader."""
        self.archive.catch_up()
        return self.view.search(q, consents=consents, today=today, **kw)

    def refs(self, q: str, **kw: Any) -> list[str]:
        """The refs of the hits, in order."""
        return [h["ref"] for h in self.search(q, **kw)["hits"]]


@pytest.fixture(params=IMPLEMENTATIONS, ids=lambda open_view: getattr(open_view, "__name__", ""))
def fed(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Fed]:
    """Each implementation of the port, on each store."""
    opened = Fed(settings, request.param)
    try:
        yield opened
    finally:
        opened.archive.close()


def _episode(archive: Archive) -> None:
    archive.register(
        "episodes",
        {
            "id": "duimdrop",
            "title": "Acties voor het behoud van Duimdrop",
            "summary": "Bewoners en vrijwilligers hielden de speelgoedcontainer open.",
            "date": "2020-23",
            "assessments": [
                {
                    "quality": "institutionele-souplesse",
                    "element": "betrokken-bestuur",
                    "assessment": "lacking",
                    "evidence": "De gemeente bleek niet in staat haar besluit aan te passen.",
                }
            ],
            "happenings": [
                {
                    "date": "2020-11",
                    "title": "Petitie met 1.425 handtekeningen overhandigd",
                    "text": "De petitie ging naar de gemeenteraad.",
                }
            ],
        },
        actor="anna",
    )


def _story(archive: Archive, number: str, title: str, body: str = "", **fields: Any) -> None:
    data = {"number": number, "title": title, "body_markdown": body, "consent": "public"}
    archive.register("stories", {**data, **fields}, actor="anna")


def test_every_implementation_is_a_search_view(fed: Fed) -> None:
    # The port, checked at run time as the composition root relies on it.
    assert isinstance(fed.view, SearchView) and isinstance(fed.view, View)
    assert fed.view.name == "search" and fed.view.bulk_page_size > 0


def test_an_empty_view_answers_every_search(fed: Fed) -> None:
    # Nothing was ever written: browsing, words, a prefix and a filter find nothing.
    for q in ("", "vrijwilligers", "vrij*", '"de buurt"'):
        found = fed.search(q, kind="stories", year=2020)
        assert found["total"] == 0 and found["hits"] == [] and found["facets"] == NO_FACETS
    assert fed.search("", consents=CURATOR, today=None)["total"] == 0
    assert fed.view.position() == 0


def test_dutch_words_are_found_in_every_form(fed: Fed) -> None:
    # An episode with Dutch text, assessed on institutional flexibility.
    _episode(fed.archive)

    # The singular finds the plural (stemming), and the hit is the episode itself.
    found = fed.search("vrijwilliger")
    assert [(h["kind"], h["id"]) for h in found["hits"]] == [("episodes", "duimdrop")]
    assert '<mark class="match term0">vrijwilligers</mark>' in found["hits"][0]["snippet"]
    assert set(found["hits"][0]) == {
        "kind", "id", "ref", "happening", "title", "date", "snippet", "score",
    }  # fmt: skip

    # A happening is found on its own, with its date, and points at its episode.
    petitie = fed.search("handtekening")["hits"]
    found_where = [(h["id"], h["happening"], h["date"]) for h in petitie]
    assert found_where == [("duimdrop", "h1", "2020-11")]

    # The quality's English label finds the item assessed on it; its evidence is the snippet.
    english = fed.search("institutional flexibility")["hits"]
    assert [h["ref"] for h in english] == ["episodes/duimdrop"]
    assert "De gemeente bleek niet in staat" in english[0]["snippet"]

    # A word that is nowhere finds nothing, with empty facets.
    nothing = fed.search("kernfusiecentrale")
    assert (nothing["total"], nothing["hits"], nothing["facets"]) == (0, [], NO_FACETS)


def test_facets_count_every_match_and_filters_narrow(fed: Fed) -> None:
    # The episode (two documents: the case and its happening) and a public story of 2019.
    _episode(fed.archive)
    _story(fed.archive, "0001", "De buurtsuper", "Vrijwilligers hielpen.", date="2019")

    # Facets count every match by kind, quality, assessment and year, beyond the page too.
    facets = fed.search("vrijwilligers", limit=1)["facets"]
    assert facets["kind"] == {"episodes": 1, "stories": 1}
    assert facets["year"] == {"2019": 1, "2020": 1}
    assert facets["quality"] == {"institutionele-souplesse": 1}
    assert facets["assessment"] == {"lacking": 1}

    # Filters narrow the hits and the counts alike; quality and assessment combine.
    only_2019 = fed.search("vrijwilligers", year=2019)
    assert [h["ref"] for h in only_2019["hits"]] == ["stories/0001"]
    assert only_2019["facets"]["kind"] == {"stories": 1}
    lacking = fed.refs("", quality="institutionele-souplesse", assessment="lacking")
    assert set(lacking) == {"episodes/duimdrop"}
    assert fed.search("", quality="institutionele-souplesse", assessment="shown")["total"] == 0
    assert fed.search("", quality="betrouwbaarheid")["total"] == 0
    assert fed.refs("", kind="stories") == ["stories/0001"]


def test_snippets_cannot_carry_markup(fed: Fed) -> None:
    # A curator's text with a script tag in it: the snippet escapes it, only <mark> is markup.
    _story(fed.archive, "0002", "Markup", "De buurt <script>alert(1)</script> vierde feest.")
    snippet = fed.search("feest")["hits"][0]["snippet"]
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert '<mark class="match term0">feest</mark>' in snippet


def test_readers_find_what_their_consent_scopes_and_day_allow(fed: Fed) -> None:
    # A story for curators only, one for researchers, and one public under embargo.
    for number, consent in (("0003", "curators"), ("0004", "research"), ("0005", "public")):
        _story(fed.archive, number, f"Verhaal {number} over de markt", consent=consent)
    fed.archive.embargo("stories", "0005", "2999-01-01", actor="anna")

    assert fed.refs("markt") == []
    assert fed.refs("markt", consents=RESEARCHER) == ["stories/0004"]
    assert sorted(fed.refs("markt", consents=CURATOR)) == ["stories/0003", "stories/0004"]
    # The embargo hides until its day, from that day on it does not; no day: never hidden.
    assert fed.refs("markt", today="2998-12-31") == []
    assert fed.refs("markt", today="2999-01-01") == ["stories/0005"]
    everything = fed.search("markt", consents=CURATOR, today=None)
    assert sorted(h["ref"] for h in everything["hits"]) == [
        "stories/0003", "stories/0004", "stories/0005",
    ]  # fmt: skip
    assert everything["facets"]["kind"] == {"stories": 3}
    assert fed.search("", today="2998-12-31")["total"] == 0  # browsing filters alike


def test_a_withdrawn_item_is_gone_for_every_reader(fed: Fed) -> None:
    _story(fed.archive, "0004", "Verhaal over de markt", consent="research")
    _story(fed.archive, "0005", "Nog een verhaal over de markt")
    fed.archive.withdraw("stories", "0004", reason="verzoek", policy="AVG art. 7 lid 3",
                         actor="anna")  # fmt: skip

    # Gone from hits, totals and facets, for every reader, with words or without.
    for q in ("markt", ""):
        found = fed.search(q, consents=CURATOR, today=None)
        assert [h["ref"] for h in found["hits"]] == ["stories/0005"]
        assert found["facets"]["kind"] == {"stories": 1}


def test_what_readers_type_is_text_never_syntax(fed: Fed) -> None:
    _episode(fed.archive)

    # Whatever a reader types, the search answers (no syntax errors, no field names).
    odd = ('"behoud', "behoud (", "AND", "OR", "NOT", "[a TO z]", "((", "\\",
           '"', "-", "kind:episodes", "consent:curators markt", "{!}", "^2 ~")  # fmt: skip
    for q in odd:
        assert set(fed.search(q)) >= {"total", "hits", "facets"}
    assert fed.search("kind:episodes")["total"] == 0  # not a filter: the words

    # Words are all needed; a phrase keeps its words in order; OR and NOT work.
    assert fed.search("petitie gemeenteraad")["total"] == 1
    assert fed.search("petitie kernfusie")["total"] == 0
    assert fed.search('"1.425 handtekeningen"')["total"] == 1
    assert fed.search('"handtekeningen 1.425"')["total"] == 0
    assert fed.search("petitie OR kernfusie")["total"] == 1
    assert [h["happening"] for h in fed.search("duimdrop NOT petitie")["hits"]] == [None]

    # A prefix finds the longer words, highlighted.
    found = fed.search("speelgoed*")
    assert [h["ref"] for h in found["hits"]] == ["episodes/duimdrop"]
    assert "speelgoedcontainer</mark>" in found["hits"][0]["snippet"]

    # Only stop words find nothing; no words at all find everything the reader may see.
    assert fed.search("de")["total"] == 0
    assert fed.search("")["total"] == 2


def test_queries_beyond_the_budget_are_refused_as_invalid_input(
    fed: Fed, monkeypatch: pytest.MonkeyPatch
) -> None:
    _story(fed.archive, "0001", "Buurtsuper", "buurthuis buurtfeest buurtwerk buurtkrant buurtbus")

    def refused(q: str) -> str:
        with pytest.raises(InvalidInput) as refusal:
            fed.search(q)
        assert refusal.value.field == "q"
        return refusal.value.message

    # Too long: at the cap it is a search, one character more is refused.
    at_cap = "buurtfeest".ljust(budget.MAX_QUERY_CHARS, " ")
    assert fed.search(at_cap)["total"] == 1
    assert str(budget.MAX_QUERY_CHARS) in refused(at_cap + "x")

    # A wildcard before two letters would walk every word: refused before it runs.
    for q in (WILDCARDS, "*", "?", "*e*", "b?urt", "(*uurt)", "-*x", "title:*", "^2 ~ ?"):
        assert "twee letters" in refused(q)
    assert fed.search("bu*")["total"] == fed.search("bu*t")["total"] == 1

    # A prefix standing for more terms than the budget's: refused; one term is not.
    monkeypatch.setattr(budget, "MAX_EXPANDED_TERMS", 3)
    assert "te veel" in refused("buurt*")
    assert fed.search("buurtf*")["total"] == 1

    # Past its time: refused; browsing runs no text of the reader's and is not timed.
    monkeypatch.setattr(budget, "QUERY_SECONDS", 0.0)
    assert "te lang" in refused("buurthuis OR buurtf*")
    assert fed.search("")["total"] == 1


def test_pages_follow_one_stable_order(fed: Fed) -> None:
    # Five stories that match a word equally well.
    for n in range(5):
        _story(fed.archive, f"00{n + 10}", f"Verhaal {n}", "Op de markt.")

    # Pages of two follow one order, the same every time; the total is every match.
    pages = [fed.search("markt", limit=2, offset=o) for o in (0, 2, 4)]
    assert {page["total"] for page in pages} == {5}
    refs = [h["ref"] for page in pages for h in page["hits"]]
    assert sorted(refs) == [f"stories/00{n + 10}" for n in range(5)]
    assert refs == fed.refs("markt", limit=5)

    # Pages past the end are empty, however far, and the total is still there.
    for offset in (5, 2**40, 2**53 - 1):
        far = fed.search("markt", offset=offset)
        assert far["hits"] == [] and far["total"] == 5


def test_browsing_lists_what_changed_last_last_and_follows_every_write(fed: Fed) -> None:
    # Browsing (no words): the public sees the episode and its happening, in write order.
    _episode(fed.archive)
    _story(fed.archive, "0001", "Op de markt")
    fed.archive.revise("episodes", "duimdrop", {"title": "Duimdrop blijft"}, actor="anna")
    first = fed.search("")
    assert first["total"] == 3 and first["hits"][0]["ref"] == "stories/0001"
    assert first["facets"]["kind"] == {"episodes": 2, "stories": 1}

    # The same browse again gives the same answer; what a caller does to it stays its own.
    first["hits"].clear()
    first["facets"]["kind"]["episodes"] = 99
    again = fed.search("")
    assert again["total"] == 3 and len(again["hits"]) == 3
    assert again["facets"]["kind"] == {"episodes": 2, "stories": 1}

    # Another page of the same browse is its own answer.
    assert fed.refs("", limit=1, offset=1) == [fed.refs("", limit=2)[1]]

    # A write: the next browse has it, facets included.
    _story(fed.archive, "0002", "In de buurt")
    after = fed.search("")
    assert after["total"] == 4 and after["hits"][-1]["ref"] == "stories/0002"
    assert after["facets"]["kind"] == {"episodes": 2, "stories": 2}


def test_facet_counts_stay_exact_through_revisions_and_merges(fed: Fed) -> None:
    # Twelve public stories of 2019, one commit each (a segment each, merged along the way).
    for number in range(1, 13):
        _story(fed.archive, f"{number:04d}", f"Verhaal {number}", "Buurtbewoners vertellen.",
               date="2019")  # fmt: skip
        assert fed.search("")["facets"]["year"] == {"2019": number}

    # Half of them are redated to 2021: their documents leave older segments.
    for number in range(1, 13, 2):
        fed.archive.revise("stories", f"{number:04d}", {"date": "2021"}, actor="anna")
    found = fed.search("buurtbewoners")
    assert found["facets"]["year"] == {"2019": 6, "2021": 6} and found["total"] == 12
    assert fed.search("", year=2021)["total"] == 6
    assert fed.search("", year=2021)["facets"]["kind"] == {"stories": 6}


def test_the_tracked_position_reset_and_purge(fed: Fed) -> None:
    # The view's position is the log's after it caught up, and survives reopening.
    _episode(fed.archive)
    _story(fed.archive, "0001", "De buurtsuper", "Vrijwilligers hielpen.")
    before = fed.search("vrijwilligers")
    head = fed.archive.position()
    assert fed.view.position() == head > 0
    again = fed.open_view(fed.settings)
    try:
        assert again.position() == head
        assert again.search("vrijwilligers")["total"] == before["total"] == 2
    finally:
        again.close()

    # Reset drops everything, the position too; catching up gives the same answers back.
    fed.view.reset()
    assert fed.view.position() == 0
    assert fed.view.search("vrijwilligers", today=TODAY)["total"] == 0
    assert fed.search("vrijwilligers") == before and fed.view.position() == head

    # An erased item leaves the view; purge keeps the position and every other document.
    fed.archive.erase("stories", "0001", actor="anna")
    fed.search("")
    fed.view.purge()
    assert fed.view.position() == fed.archive.position() > head
    assert fed.refs("vrijwilligers") == ["episodes/duimdrop"]
    assert fed.search("buurtsuper")["total"] == 0
