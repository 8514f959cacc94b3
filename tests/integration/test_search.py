"""Searching through the archive, on each store and each search backend (Whoosh, tantivy, and
PostgreSQL on the PostgreSQL store): the
backend the environment names, a reader's role and a quality's label turned into what the search
view takes, a write searchable by the next read. What every backend's search does itself is the
contract test's (`tests/contract/test_search_view.py`)."""

from __future__ import annotations

import pytest

from archive.config import Settings
from archive.ports import SearchView
from archive.service import Archive
from events.errors import InvalidInput
from search_index import open_search_index
from search_index.postgres import PostgresSearchView
from search_index.tantivy import TantivySearchView
from search_index.whoosh import WhooshSearchView

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


def test_the_configured_backend_answers(settings: Settings, search_backend: str) -> None:
    # The one entry opens the search view of the backend WIJKARCHIEF_SEARCH_BACKEND names.
    expected = {
        "whoosh": WhooshSearchView, "tantivy": TantivySearchView, "postgres": PostgresSearchView,
    }[search_backend]  # fmt: skip
    view = open_search_index(settings)
    try:
        assert isinstance(view, expected) and isinstance(view, SearchView)
    finally:
        view.close()


def test_an_unknown_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIJKARCHIEF_SEARCH_BACKEND", "elasticsearch")
    with pytest.raises(InvalidInput, match="WIJKARCHIEF_SEARCH_BACKEND"):
        open_search_index(None)  # type: ignore[arg-type]  # refused before it is used


def test_the_postgres_backend_is_refused_on_sqlite(
    sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The postgres backend searches tables of the PostgreSQL store: with SQLite it is refused
    # with a reason naming what to set, by the search view and by the composition root.
    from bootstrap import open_archive

    monkeypatch.setenv("WIJKARCHIEF_SEARCH_BACKEND", "postgres")
    for opening in (open_search_index, open_archive):
        with pytest.raises(InvalidInput, match="WIJKARCHIEF_DATABASE_URL") as refused:
            opening(sqlite_settings)
        assert refused.value.field == "WIJKARCHIEF_SEARCH_BACKEND"


def test_the_archive_resolves_labels_and_roles_before_it_searches(archive: Archive) -> None:
    # A quality named by its English label, an assessment, a kind and a year, as a reader
    # passes them: the archive hands the view their ids.
    _episode(archive)
    found = archive.search("", quality="Institutional Flexibility", assessment="lacking")
    assert {h["ref"] for h in found["hits"]} == {"episodes/duimdrop"}
    assert archive.search("petitie", kind="episodes", year=2020)["total"] == 1

    # Under an embargo: gone from the public's browsing, not from the curators'.
    archive.embargo("episodes", "duimdrop", "2999-01-01", actor="anna")
    assert archive.search("")["total"] == 0
    assert archive.search("", role="curator")["total"] == 1  # the item (its moment inside)


def test_the_postgres_view_renews_the_planners_statistics(
    archive: Archive, search_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After many rows written (a rebuild, a bulk load) the postgres view ANALYZEs its tables:
    # without statistics (a new table; autovacuum off or not come round yet) the planner takes
    # thousands of rows for a few hundred and sorts every item of a browse instead of reading
    # the first entries of the sort-key index. Here "many" is two rows.
    if search_backend != "postgres":
        pytest.skip("the postgres backend's own tables")
    from search_index.postgres import view as postgres_view

    monkeypatch.setattr(postgres_view, "ANALYZE_ROWS", 2)
    index = archive.search_view
    assert isinstance(index, PostgresSearchView)

    def planned_rows() -> float:
        with index.datastore.transaction(commit=False) as c:
            c.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (index.docs,))
            found = c.fetchone()
            assert found is not None
            return float(found["reltuples"])

    assert planned_rows() <= 0  # never analysed (-1), or empty
    _episode(archive)  # the item and its happening: two rows
    assert archive.search("duimdrop")["total"] == 1
    assert planned_rows() == 2
