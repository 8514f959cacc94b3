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
from events import qualities
from events.errors import InvalidInput
from search_index import open_search_index
from search_index.core import budget
from search_index.core.kept import Browsing
from search_index.postgres import PostgresSearchView
from search_index.tantivy import TantivySearchView
from search_index.whoosh import WhooshSearchView

# Every implementation of the port, as the composition root opens it on the settings.
IMPLEMENTATIONS: list[Callable[[Settings], SearchView]] = [
    WhooshSearchView, TantivySearchView, PostgresSearchView,
]  # fmt: skip
# Implementations that live in the PostgreSQL store itself (refused on SQLite).
IN_POSTGRES = (PostgresSearchView,)
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


@pytest.fixture(
    params=[
        pytest.param(view, marks=pytest.mark.postgres_store if view in IN_POSTGRES else ())
        for view in IMPLEMENTATIONS
    ],
    ids=lambda open_view: getattr(open_view, "__name__", ""),
)
def fed(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Fed]:
    """Each implementation of the port, on each store; one that lives in the PostgreSQL store
    (`postgres_store`) on PostgreSQL only: its SQLite cases are not generated (tests/conftest.py),
    its refusal there is `test_a_view_in_the_postgresql_store_is_refused_on_sqlite`."""
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


@pytest.mark.parametrize("open_view", IN_POSTGRES, ids=lambda view: view.__name__)
def test_a_view_in_the_postgresql_store_is_refused_on_sqlite(
    open_view: Callable[[Settings], SearchView], sqlite_settings: Settings
) -> None:
    # Opened on a SQLite store, it refuses in one clear line that names the setting to change.
    with pytest.raises(InvalidInput, match="WIJKARCHIEF_DATABASE_URL") as refused:
        open_view(sqlite_settings)
    assert refused.value.field == "WIJKARCHIEF_SEARCH_BACKEND"
    assert "\n" not in str(refused.value) and "whoosh of tantivy" in str(refused.value)


def test_the_postgres_search_backend_is_refused_on_sqlite(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # WIJKARCHIEF_SEARCH_BACKEND=postgres beside a SQLite store: the archive does not open.
    monkeypatch.setenv("WIJKARCHIEF_SEARCH_BACKEND", "postgres")
    with pytest.raises(InvalidInput, match="WIJKARCHIEF_DATABASE_URL"):
        open_search_index(sqlite_settings)


def test_every_implementation_is_a_search_view(fed: Fed) -> None:
    # The port, checked at run time as the composition root relies on it.
    assert isinstance(fed.view, SearchView) and isinstance(fed.view, View)
    assert fed.view.name == "search" and getattr(fed.view, "bulk_page_size", 0) > 0


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
        "kind", "id", "ref", "happening", "title", "date", "snippet", "score", "assessed",
        "moments",
    }  # fmt: skip

    # A happening's words find its item, the happening inside it as a moment with its date.
    petitie = fed.search("handtekening")
    assert petitie["total"] == 1
    hit = petitie["hits"][0]
    assert (hit["id"], hit["happening"], hit["date"]) == ("duimdrop", None, "2020-23")
    assert [(m["happening"], m["date"]) for m in hit["moments"]] == [("h1", "2020-11")]
    assert hit["moments"][0]["title"] == "Petitie met 1.425 handtekeningen overhandigd"

    # The quality's English label finds the item assessed on it; its evidence is the snippet,
    # and the hit says how the item was assessed on it.
    english = fed.search("institutional flexibility")["hits"]
    assert [h["ref"] for h in english] == ["episodes/duimdrop"]
    assert "De gemeente bleek niet in staat" in english[0]["snippet"]
    assert [(a["quality"], a["element"], a["assessment"]) for a in english[0]["assessed"]] == [
        ("institutionele-souplesse", "betrokken-bestuur", "lacking")
    ]
    assert english[0]["moments"] == []  # the label is not in the happening

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
    # The item holds its happening's words: NOT excludes the item.
    assert fed.search("duimdrop NOT petitie")["total"] == 0
    assert fed.refs("duimdrop NOT kernfusie") == ["episodes/duimdrop"]

    # A prefix finds the longer words, highlighted.
    found = fed.search("speelgoed*")
    assert [h["ref"] for h in found["hits"]] == ["episodes/duimdrop"]
    assert "speelgoedcontainer</mark>" in found["hits"][0]["snippet"]

    # Only stop words find nothing; no words at all find everything the reader may see.
    assert fed.search("de")["total"] == 0
    assert fed.search("")["total"] == 1


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


def test_browsing_lists_items_by_date_and_follows_every_write(fed: Fed) -> None:
    # Browsing (no words): the public sees the episode (autumn 2020) and an undated story.
    _episode(fed.archive)
    _story(fed.archive, "0001", "Op de markt")
    fed.archive.revise("episodes", "duimdrop", {"title": "Duimdrop blijft"}, actor="anna")
    first = fed.search("")
    assert first["sort"] == "date"
    assert [h["ref"] for h in first["hits"]] == ["episodes/duimdrop", "stories/0001"]
    assert first["total"] == 2 and first["facets"]["kind"] == {"episodes": 1, "stories": 1}

    # The same browse again gives the same answer; what a caller does to it stays its own.
    first["hits"].clear()
    first["facets"]["kind"]["episodes"] = 99
    again = fed.search("")
    assert again["total"] == 2 and len(again["hits"]) == 2
    assert again["facets"]["kind"] == {"episodes": 1, "stories": 1}

    # Another page of the same browse is its own answer.
    assert fed.refs("", limit=1, offset=1) == [fed.refs("", limit=2)[1]]

    # A write: the next browse has it in its place by date, facets included.
    _story(fed.archive, "0002", "In de buurt", date="2019-05")
    after = fed.search("")
    assert [h["ref"] for h in after["hits"]] == [
        "stories/0002", "episodes/duimdrop", "stories/0001",
    ]  # fmt: skip
    assert after["facets"]["kind"] == {"episodes": 1, "stories": 2}


def test_a_browse_answers_alike_with_its_counts_kept_or_counted(fed: Fed) -> None:
    # Five dated stories, one of them under embargo: a public browse in pages of two.
    for n, date in enumerate(("2021", "2019-03", "2020-05", "2018", "2022-01")):
        _story(fed.archive, f"00{n + 20}", f"Verhaal {n}", "Over de markt.", date=date)
    fed.archive.embargo("stories", "0022", "2999-01-01", actor="anna")

    # The first page counts the facets (and keeps them); later pages read only their rows.
    kept = [fed.search("", limit=2, offset=offset) for offset in (0, 2, 4)]
    refs = [h["ref"] for page in kept for h in page["hits"]]
    assert refs == ["stories/0023", "stories/0021", "stories/0020", "stories/0024"]
    assert {page["total"] for page in kept} == {4}

    # The same pages with nothing kept, last page first: the same answers, counts included.
    fed.view._browsing = Browsing()  # type: ignore[attr-defined]  # every backend keeps one
    counted = [fed.search("", limit=2, offset=offset) for offset in (4, 2, 0)]
    assert counted[::-1] == kept
    # A curator's browse is its own: the embargoed story in its place by date.
    assert fed.refs("", consents=CURATOR, today=None, limit=3) == [
        "stories/0023", "stories/0021", "stories/0022",
    ]  # fmt: skip


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


def _case(archive: Archive, slug: str, title: str, grades: dict[str, str], **fields: Any) -> None:
    """An episode assessed on the given qualities (quality id → grade)."""
    assessments = [
        {
            "quality": quality,
            "element": qualities.get(quality).elements[0],
            "assessment": grade,
            "evidence": f"Bewijs voor {quality} in {slug}.",
            "source": "monitor-veerkracht-botu-2021.txt:100",
        }
        for quality, grade in grades.items()
    ]
    data = {"id": slug, "title": title, "consent": "public", "assessments": assessments}
    archive.register("episodes", {**data, **fields}, actor="anna")


def test_a_hit_is_an_item_with_its_matching_moments_inside(fed: Fed) -> None:
    # An episode with four moments over two years, two of them about laptops.
    fed.archive.register(
        "episodes",
        {
            "id": "hulp",
            "title": "Hulp in de wijk",
            "summary": "Bewoners hielpen elkaar.",
            "date": "2020/2021",
            "happenings": [
                {"date": "2021-02", "title": "Laptops voor scholieren", "text": "Nog meer."},
                {"date": "2020-04", "title": "Eerste laptops uitgedeeld", "text": "Veertig."},
                {"date": "2020-03", "title": "Voedselpakketten", "text": "Honderd pakketten."},
                {"date": "2021-06", "title": "Afsluiting", "text": "Een feest."},
            ],
        },
        actor="anna",
    )
    _story(fed.archive, "0001", "Mijn laptop", "Ik kreeg een laptop.", date="2020-05")

    # One hit per item, however many of its moments match; totals and facets count items.
    found = fed.search("laptops")
    assert found["total"] == 2 and found["facets"]["kind"] == {"episodes": 1, "stories": 1}
    episode = next(h for h in found["hits"] if h["ref"] == "episodes/hulp")
    # Its matching moments inside it, in date order.
    assert [(m["happening"], m["date"]) for m in episode["moments"]] == [
        ("h2", "2020-04"), ("h1", "2021-02"),
    ]  # fmt: skip
    assert episode["moments"][0]["title"] == "Eerste laptops uitgedeeld"

    # A year narrows the items and the moments shown inside them.
    in_2021 = fed.search("laptops", year=2021)
    assert [h["ref"] for h in in_2021["hits"]] == ["episodes/hulp"]
    assert [m["happening"] for m in in_2021["hits"][0]["moments"]] == ["h1"]

    # Browsing counts items too: two, not six; with a year, the moments of that year.
    assert fed.search("")["total"] == 2
    assert fed.search("")["hits"][0]["moments"] == []
    browse_2020 = fed.search("", year=2020)
    hulp = next(h for h in browse_2020["hits"] if h["ref"] == "episodes/hulp")
    assert [m["happening"] for m in hulp["moments"]] == ["h3", "h2"]


def test_words_naming_a_quality_filter_that_qualitys_assessment(fed: Fed) -> None:
    # Two cases assessed oppositely on two qualities, and one not on them at all.
    _case(fed.archive, "botu12", "BoTu12", {
        "institutionele-souplesse": "shown", "betrouwbaarheid": "lacking",
    })  # fmt: skip
    _case(fed.archive, "duimdrop", "Duimdrop", {
        "institutionele-souplesse": "lacking", "betrouwbaarheid": "shown",
    })  # fmt: skip
    _case(fed.archive, "helpt", "Delfshaven Helpt", {"mobiliserend-vermogen": "shown"})

    # The words name the quality (English, Dutch, id, any case): `assessment` is its grade.
    for named in ("institutional flexibility", "Institutionele Souplesse",
                  "institutionele-souplesse"):  # fmt: skip
        assert fed.refs(named, assessment="shown") == ["episodes/botu12"]
        assert fed.refs(named, assessment="lacking") == ["episodes/duimdrop"]
    assert fed.refs("betrouwbaarheid", assessment="shown") == ["episodes/duimdrop"]
    assert fed.refs("reliability", assessment="lacking") == ["episodes/botu12"]

    # Each hit shows how the item was assessed on the quality asked: element, evidence, source.
    hit = fed.search("institutional flexibility", assessment="shown")["hits"][0]
    assert hit["assessed"] == [
        {
            "quality": "institutionele-souplesse",
            "element": qualities.get("institutionele-souplesse").elements[0],
            "assessment": "shown",
            "evidence": "Bewijs voor institutionele-souplesse in botu12.",
            "source": "monitor-veerkracht-botu-2021.txt:100",
        }
    ]

    # The assessment facet counts that quality's grades, so a click gives what it says.
    facets = fed.search("institutional flexibility")["facets"]
    assert facets["assessment"] == {"lacking": 1, "shown": 1}

    # Words that name no quality: `assessment` is any assessment of the item, as before.
    assert sorted(fed.refs("", assessment="shown")) == [
        "episodes/botu12", "episodes/duimdrop", "episodes/helpt",
    ]  # fmt: skip
    # The `quality` filter names the quality itself, words or not.
    assert fed.refs("", quality="betrouwbaarheid", assessment="shown") == ["episodes/duimdrop"]


def test_dutch_compounds_are_found_by_their_parts(fed: Fed) -> None:
    # Words of the sources: the Delfshaven Helpt episode and a buurthuis.
    _story(fed.archive, "0001", "Delfshaven Helpt",
           "Tijdens de coronacrisis zamelden bewoners laptops in.", date="2020")  # fmt: skip
    _story(fed.archive, "0002", "Het buurthuis", "Een speelgoedcontainer op het plein.")

    # A part finds the compound, alone or with other words; the compound finds itself.
    assert fed.refs("corona") == ["stories/0001"]
    assert fed.refs("corona laptops") == ["stories/0001"]
    assert fed.refs("coronacrisis") == ["stories/0001"]
    assert fed.refs("crisis") == ["stories/0001"]
    for part in ("buurt", "huis", "speelgoed", "container"):
        assert fed.refs(part) == ["stories/0002"], part
    # The snippet marks the compound the part was found in.
    snippet = fed.search("corona")["hits"][0]["snippet"]
    assert '<mark class="match term0">coronacrisis</mark>' in snippet
    # Words that only look like compounds stay whole: `jaardag` is no part of `verjaardag`.
    _story(fed.archive, "0003", "Feest", "Oma vierde haar verjaardag.")
    assert fed.refs("jaardag") == [] and fed.refs("verjaardag") == ["stories/0003"]


def test_a_misspelled_word_is_corrected_from_words_the_reader_may_read(fed: Fed) -> None:
    # The source spells a name wrong ("Rusell"); a hidden story has a word of its own.
    _story(fed.archive, "0001", "BoTu Bruist", "Een avond met Cormac Rusell.",
           people=["Cormac Rusell"])  # fmt: skip
    _story(fed.archive, "0002", "Geheim", "De kwartiermaker vertelt.", consent="curators")

    # The right spelling finds nothing as typed: the answer is the index's own word's.
    found = fed.search("Russell")
    assert found["corrected"] is True and found["suggestion"] == "Rusell"
    assert [h["ref"] for h in found["hits"]] == ["stories/0001"]
    assert fed.search("cormac russell bruist")["suggestion"] == "cormac rusell bruist"
    # A word that is found is never corrected; words far from any are not either.
    exact = fed.search("Rusell")
    assert (exact["suggestion"], exact["corrected"], exact["total"]) == (None, False, 1)
    assert fed.search("xylofoonles")["suggestion"] is None

    # A word of an item the reader may not read is never suggested to them.
    hidden = fed.search("kwartiermakr")
    assert (hidden["total"], hidden["suggestion"]) == (0, None)
    curator = fed.search("kwartiermakr", consents=CURATOR, today=None)
    assert curator["suggestion"] == "kwartiermaker" and curator["total"] == 1


def test_a_hidden_word_answers_as_if_it_were_in_no_item(fed: Fed) -> None:
    # A public story names "Bakker"; a story only curators may read names "Backer".
    _story(fed.archive, "0001", "De markt", "Meneer Bakker verkocht vis.")
    _story(fed.archive, "0002", "Geheim", "Meneer Backer vertelt.", consent="curators")

    # The public reader types the hidden word: the answer is that of a word in no item
    # ("Bakzer"), a correction to the public one, so it never tells the hidden word exists.
    hidden = fed.search("Backer")
    nowhere = fed.search("Bakzer")
    assert (hidden["suggestion"], hidden["corrected"]) == ("Bakker", True)
    assert (nowhere["suggestion"], nowhere["corrected"]) == ("Bakker", True)
    assert [h["ref"] for h in hidden["hits"]] == [h["ref"] for h in nowhere["hits"]]
    assert [h["ref"] for h in hidden["hits"]] == ["stories/0001"]
    # A curator finds the word itself, uncorrected.
    curator = fed.search("Backer", consents=CURATOR, today=None)
    assert (curator["suggestion"], curator["corrected"], curator["total"]) == (None, False, 1)


def test_sort_by_relevance_or_date(fed: Fed) -> None:
    # Three stories about the market: 2021, 2019 and undated; one says it three times.
    _story(fed.archive, "0001", "Markt", "De markt, de markt, de markt.", date="2021")
    _story(fed.archive, "0002", "Zaterdag", "Naar de markt.", date="2019-03")
    _story(fed.archive, "0003", "Zonder datum", "Over de markt.")

    # By date: oldest first, undated last; by relevance: the best match first.
    by_date = fed.search("markt", sort="date")
    assert [h["ref"] for h in by_date["hits"]] == ["stories/0002", "stories/0001", "stories/0003"]
    assert by_date["sort"] == "date"
    assert fed.refs("markt", sort="relevance")[0] == "stories/0001"
    assert fed.search("markt")["sort"] == "relevance"
    # Pages by date follow the same order.
    assert fed.refs("markt", sort="date", limit=1, offset=1) == ["stories/0001"]
    # Browsing sorts by date unless asked otherwise.
    assert fed.refs("") == ["stories/0002", "stories/0001", "stories/0003"]

    # An unknown order is refused with its field.
    with pytest.raises(InvalidInput) as refused:
        fed.search("markt", sort="alfabet")
    assert refused.value.field == "sort"
