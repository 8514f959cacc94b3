"""Searching the archive: Dutch analysis, snippets, facets and who may see what, on each store
and each search backend (Whoosh, tantivy)."""

from __future__ import annotations

import pytest

from archive.service import Archive
from events.errors import InvalidInput

pytestmark = pytest.mark.usefixtures("search_backend")


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


def test_dutch_words_are_found_in_every_form(archive: Archive) -> None:
    # An episode with Dutch text, assessed on institutional flexibility.
    _episode(archive)

    # The singular finds the plural (stemming), and the hit is the episode itself.
    found = archive.search("vrijwilliger")
    assert [(h["kind"], h["id"]) for h in found["hits"]] == [("episodes", "duimdrop")]
    assert '<mark class="match term0">vrijwilligers</mark>' in found["hits"][0]["snippet"]

    # A happening is found on its own, with its date, and points at its episode.
    petitie = archive.search("handtekening")["hits"]
    found_where = [(h["id"], h["happening"], h["date"]) for h in petitie]
    assert found_where == [("duimdrop", "h1", "2020-11")]

    # The quality's English label finds the item assessed on it.
    english = archive.search("institutional flexibility")
    assert {h["ref"] for h in english["hits"]} == {"episodes/duimdrop"}

    # A word that is nowhere finds nothing, with empty facets.
    nothing = archive.search("kernfusiecentrale")
    assert nothing["total"] == 0 and nothing["hits"] == []
    assert nothing["facets"] == {"kind": {}, "quality": {}, "assessment": {}, "year": {}}


def test_facets_count_and_filters_narrow(archive: Archive) -> None:
    # The episode (two documents: the case and its happening) and a public story of 2019.
    _episode(archive)
    archive.register(
        "stories",
        {"number": "0001", "title": "De buurtsuper", "body_markdown": "Vrijwilligers hielpen.",
         "date": "2019", "consent": "public"},
        actor="anna",
    )  # fmt: skip

    # Facets count every match by kind, quality, assessment and year.
    facets = archive.search("vrijwilligers")["facets"]
    assert facets["kind"] == {"episodes": 1, "stories": 1}
    assert facets["year"] == {"2019": 1, "2020": 1}
    assert facets["quality"] == {"institutionele-souplesse": 1}

    # Filters narrow the hits and the counts alike; a quality may be named in English.
    only_2019 = archive.search("vrijwilligers", year=2019)
    assert [h["ref"] for h in only_2019["hits"]] == ["stories/0001"]
    assert only_2019["facets"]["kind"] == {"stories": 1}
    lacking = archive.search("", quality="Institutional Flexibility", assessment="lacking")
    assert {h["ref"] for h in lacking["hits"]} == {"episodes/duimdrop"}
    assert archive.search("", quality="betrouwbaarheid")["total"] == 0


def test_snippets_cannot_carry_markup(archive: Archive) -> None:
    # A curator's text with a script tag in it.
    archive.register(
        "stories",
        {"number": "0002", "title": "Markup", "consent": "public",
         "body_markdown": "De buurt <script>alert(1)</script> vierde feest."},
        actor="anna",
    )  # fmt: skip

    # The snippet escapes it; only the archive's own <mark> is markup.
    snippet = archive.search("feest")["hits"][0]["snippet"]
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


def test_readers_find_only_what_they_may_read(archive: Archive) -> None:
    # A story for curators only, one for researchers, and one under embargo.
    for number, consent in (("0003", "curators"), ("0004", "research"), ("0005", "public")):
        archive.register(
            "stories",
            {"number": number, "title": f"Verhaal {number} over de markt", "consent": consent},
            actor="anna",
        )
    archive.embargo("stories", "0005", "2999-01-01", actor="anna")

    # Each role finds what its consent scope allows; the embargo hides from all but curators.
    def refs(role: str) -> list[str]:
        return sorted(h["ref"] for h in archive.search("markt", role=role)["hits"])

    assert refs("public") == []
    assert refs("researcher") == ["stories/0004"]
    assert refs("curator") == ["stories/0003", "stories/0004", "stories/0005"]

    # A withdrawn story leaves the index, facets included, for every role.
    archive.withdraw("stories", "0004", reason="verzoek", policy="AVG art. 7 lid 3", actor="anna")
    assert refs("curator") == ["stories/0003", "stories/0005"]
    assert archive.search("markt", role="curator")["facets"]["kind"] == {"stories": 2}


def test_a_write_is_searchable_before_the_next_read(archive: Archive) -> None:
    # A revision of the title is searchable as soon as the command returns.
    _episode(archive)
    archive.revise("episodes", "duimdrop", {"title": "Speeltuinwerk op het Grote Visserijplein"},
                   actor="anna")  # fmt: skip
    assert [h["ref"] for h in archive.search("speeltuinwerk")["hits"]] == ["episodes/duimdrop"]
    assert archive.search("behoud")["total"] == 0


def test_a_kept_browsing_answer_follows_every_write(archive: Archive) -> None:
    # Browsing (no words): the public sees the episode and its happening.
    _episode(archive)
    first = archive.search("")
    assert (first["total"], first["facets"]["kind"]) == (2, {"episodes": 2})

    # The same browse again gives the same answer, and what a caller does to it stays its own.
    first["hits"].clear()
    first["facets"]["kind"]["episodes"] = 99
    again = archive.search("")
    assert again["total"] == 2 and len(again["hits"]) == 2
    assert again["facets"]["kind"] == {"episodes": 2}

    # A story registered for the public: the next browse has it, and so do its facets.
    archive.register("stories", {"number": "0001", "title": "Op de markt", "consent": "public"},
                     actor="anna")  # fmt: skip
    after = archive.search("")
    assert after["total"] == 3
    assert "stories/0001" in {h["ref"] for h in after["hits"]}
    assert after["facets"]["kind"] == {"episodes": 2, "stories": 1}

    # Under an embargo it is gone from the public's browsing, not from the curators'.
    archive.embargo("stories", "0001", "2999-01-01", actor="anna")
    assert "stories/0001" not in {h["ref"] for h in archive.search("")["hits"]}
    assert "stories/0001" in {h["ref"] for h in archive.search("", role="curator")["hits"]}

    # Another page of the same browse is its own answer.
    assert [h["ref"] for h in archive.search("", limit=1, offset=1)["hits"]] == [
        [h["ref"] for h in archive.search("", limit=2)["hits"]][1]
    ]


def test_the_configured_backend_answers(archive: Archive, search_backend: str) -> None:
    # The archive searches with the backend WIJKARCHIEF_SEARCH_BACKEND names: a write is
    # found, and the index on disk is that backend's own directory (README), never the other's.
    archive.register("episodes", {"id": "qzbackend", "title": "Qzbackend"}, actor="anna")
    assert [h["id"] for h in archive.search("qzbackend")["hits"]] == ["qzbackend"]
    data = archive.settings.data_dir
    directories = {"whoosh": data / "search-index", "tantivy": data / "search-index-tantivy"}
    assert any(directories.pop(search_backend).iterdir())
    assert not any(path.exists() for path in directories.values())


def test_an_unknown_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from search_index import open_search_index

    monkeypatch.setenv("WIJKARCHIEF_SEARCH_BACKEND", "elasticsearch")
    with pytest.raises(InvalidInput, match="WIJKARCHIEF_SEARCH_BACKEND"):
        open_search_index(None)  # type: ignore[arg-type]  # refused before it is used


def test_what_readers_type_is_text_never_syntax(archive: Archive) -> None:
    _episode(archive)

    # Whatever a reader types, the search answers (no syntax errors, no field names)...
    odd = ('"behoud', "behoud (", "AND", "OR", "NOT", "[a TO z]", "((", "\\",
           '"', "-", "kind:episodes", "consent:curators markt", "{!}", "^2 ~")  # fmt: skip
    for q in odd:
        found = archive.search(q)
        assert set(found) == {"total", "hits", "facets"}
    # ... except a wildcard before two letters: a walk over every word (issue 17), refused.
    for q in ("title:*", "*", "^2 ~ ?"):
        with pytest.raises(InvalidInput, match="twee letters"):
            archive.search(q)
    assert archive.search("kind:episodes")["total"] == 0  # not a filter: the words

    # Words are all needed; a phrase keeps its words in order; OR and NOT work.
    assert archive.search("petitie gemeenteraad")["total"] == 1
    assert archive.search("petitie kernfusie")["total"] == 0
    assert archive.search('"1.425 handtekeningen"')["total"] == 1
    assert archive.search('"handtekeningen 1.425"')["total"] == 0
    assert archive.search("petitie OR kernfusie")["total"] == 1
    assert [h["happening"] for h in archive.search("duimdrop NOT petitie")["hits"]] == [None]

    # A prefix finds the longer words, highlighted.
    found = archive.search("speelgoed*")
    assert [h["ref"] for h in found["hits"]] == ["episodes/duimdrop"]
    assert "speelgoedcontainer</mark>" in found["hits"][0]["snippet"]

    # Pages past the end are empty, however far (and the total is still there).
    for offset in (3, 2**40, 2**53 - 1):
        far = archive.search("petitie", offset=offset)
        assert far["hits"] == [] and far["total"] == 1

    # Only stop words find nothing; no words at all find everything the reader may see.
    assert archive.search("de")["total"] == 0
    assert archive.search("")["total"] == 2


def test_equal_scores_keep_a_stable_order(archive: Archive) -> None:
    # Five stories that match a word equally well.
    for n in range(5):
        archive.register(
            "stories",
            {"number": f"00{n + 10}", "title": f"Verhaal {n}", "body_markdown": "Op de markt.",
             "consent": "public"},
            actor="anna",
        )  # fmt: skip

    # Pages of two follow one order, the same every time.
    pages = [archive.search("markt", limit=2, offset=o)["hits"] for o in (0, 2, 4)]
    refs = [h["ref"] for page in pages for h in page]
    assert sorted(refs) == [f"stories/00{n + 10}" for n in range(5)]
    assert refs == [h["ref"] for h in archive.search("markt", limit=5)["hits"]]


def test_facet_counts_stay_exact_through_revisions_and_merges(archive: Archive) -> None:
    # Twelve public stories of 2019, one commit each (a segment each, merged along the way).
    for number in range(1, 13):
        archive.register(
            "stories",
            {"number": f"{number:04d}", "title": f"Verhaal {number}",
             "body_markdown": "Buurtbewoners vertellen.", "date": "2019", "consent": "public"},
            actor="anna",
        )  # fmt: skip
        # After every commit the counts are those of the archive as it now is.
        assert archive.search("")["facets"]["year"] == {"2019": number}

    # Half of them are redated to 2021: their documents leave older segments.
    for number in range(1, 13, 2):
        archive.revise("stories", f"{number:04d}", {"date": "2021"}, actor="anna")
    # The counts, filters and totals follow, with no document counted twice or lost.
    found = archive.search("buurtbewoners")
    assert found["facets"]["year"] == {"2019": 6, "2021": 6}
    assert found["total"] == 12
    assert archive.search("", year=2021)["total"] == 6
    assert archive.search("", year=2021)["facets"]["kind"] == {"stories": 6}
