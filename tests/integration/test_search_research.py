"""A researcher's questions to the seeded archive, asked through search, the episodes list and
the matrix: each gives the monitor's answer. Also the words of the sources (compounds, a
misspelled name) and counts that match the catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.pages import views
from archive.service import Archive
from bootstrap import open_archive
from events import qualities
from tests.conftest import postgres_schema_settings

RESPONSIVE = [q for q in qualities.QUALITIES if q.framework == qualities.RESPONSIVE]


@pytest.fixture(scope="module")
def seeded_in_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """The seed archive on PostgreSQL with the postgres search backend (seeded once)."""
    from stories.loader import seed

    data_dir: Path = tmp_path_factory.mktemp("seeded-pg")
    for settings in postgres_schema_settings(data_dir):
        # The backend is read once, at opening: set only then, or the variable would outlive
        # this fixture's setup and reach the Whoosh tests of the module that run after it.
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("WIJKARCHIEF_SEARCH_BACKEND", "postgres")
            opened = open_archive(settings)
        try:
            seed(opened)
            yield opened
        finally:
            opened.close()


@pytest.fixture(params=["whoosh", pytest.param("postgres", marks=pytest.mark.postgres)])
def seeded(request: pytest.FixtureRequest) -> Archive:
    """The seeded archive searched with Whoosh (SQLite) and with PostgreSQL's backend."""
    name = "seeded" if request.param == "whoosh" else "seeded_in_postgres"
    archive: Archive = request.getfixturevalue(name)
    return archive


def _search(archive: Archive, q: str, **filters: Any) -> dict[str, Any]:
    """Every hit of one search (one page large enough for the seed)."""
    return archive.search(q, limit=100, **filters)


def _episodes_with(archive: Archive, quality: str, grade: str) -> set[str]:
    """The episodes list's answer: episodes with an assessment of `quality` at `grade`."""
    return {e["id"] for e in archive.items("episodes", quality=quality, assessment=grade)}


def _matrix_with(archive: Archive, quality: str, grade: str) -> set[str]:
    """The matrix's answer: rows whose cell of `quality` holds an assessment at `grade`."""
    concept = qualities.get(quality)
    rows = views.matrix(archive.items("episodes"), [concept])
    return {
        row["episode"]["id"]
        for row in rows
        if any(a["assessment"] == grade for a in row["cells"][0]["assessments"])
    }


@pytest.mark.parametrize("concept", RESPONSIVE, ids=lambda c: c.id)
def test_where_did_the_city_show_each_quality_and_where_was_it_lacking(
    seeded: Archive, concept: qualities.Concept
) -> None:
    # "Where did the city show institutional flexibility, and where was it lacking?" — and
    # the same for the other three qualities of a responsive government (chapter 4).
    answered = 0
    for grade in qualities.ASSESSMENTS:
        listed = _episodes_with(seeded, concept.id, grade)
        assert listed == _matrix_with(seeded, concept.id, grade)
        # Search, with the quality's Dutch or English label as the words, `assessment` the
        # grade: exactly the episodes the list and the matrix give.
        for words in (concept.label_nl, concept.label_en):
            found = _search(seeded, words, assessment=grade, kind="episodes")
            assert {h["id"] for h in found["hits"]} == listed, (words, grade)
            assert found["total"] == len(listed)
            # Each hit shows how it was assessed on that quality, the grade asked among them.
            for hit in found["hits"]:
                assert {a["quality"] for a in hit["assessed"]} == {concept.id}
                assert grade in {a["assessment"] for a in hit["assessed"]}
                assert all(a["evidence"] and a["source"] for a in hit["assessed"])
        answered += len(listed)
    assert answered  # the monitor assesses every one of the four somewhere


def test_institutional_flexibility_was_shown_only_in_botu12(seeded: Archive) -> None:
    # The case: Duimdrop and Delfshaven Helpt are assessed on other qualities as shown.
    shown = _search(seeded, "institutional flexibility", assessment="shown")
    assert {h["ref"] for h in shown["hits"]} == {"episodes/botu12"}
    assert shown["facets"]["assessment"].get("shown") == 1


def test_compounds_of_the_sources_are_found_by_their_parts(seeded: Archive) -> None:
    # Delfshaven Helpt speaks of the "coronacrisis"; its laptops are in the same episode.
    assert "episodes/delfshaven-helpt" in {h["ref"] for h in _search(seeded, "corona")["hits"]}
    both = _search(seeded, "corona laptops")
    assert "episodes/delfshaven-helpt" in {h["ref"] for h in both["hits"]}


def test_a_name_the_source_misspells_is_found_under_its_right_spelling(seeded: Archive) -> None:
    # The monitor writes "Cormac Rusell"; a reader types Russell.
    found = _search(seeded, "Cormac Russell")
    assert "episodes/veerkrachtig-botu-2028" in {h["ref"] for h in found["hits"]}
    if found["corrected"]:  # (the seed may come to record the right spelling itself)
        assert found["suggestion"] == "Cormac Rusell"


def test_counts_match_the_catalogue(seeded: Archive) -> None:
    # Browsing episodes counts episodes, as the home page does; each is one hit.
    episodes = seeded.items("episodes")
    browsed = _search(seeded, "", kind="episodes")
    assert browsed["total"] == len(episodes) == len(browsed["hits"])
    assert browsed["facets"]["kind"] == {"episodes": len(episodes)}
    everything = _search(seeded, "")
    assert everything["total"] == len(seeded.all_items())
    # Browsing is in date order.
    keys = [h["date"] or "" for h in browsed["hits"]]
    assert browsed["sort"] == "date" and keys
