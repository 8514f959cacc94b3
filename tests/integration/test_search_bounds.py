"""Searches that cannot crash or stall the archive: an empty index, any text a reader types,
queries too long or too broad, and a slow search beside a write, on each store and each search
backend (Whoosh, tantivy)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from archive import open_archive
from archive.config import Settings
from archive.service import Archive
from events.errors import InvalidInput
from search_index.core import budget

pytestmark = pytest.mark.usefixtures("search_backend")

# The query: single-character wildcards and infix ones, ~390 characters.
WILDCARDS = " OR ".join(
    ["?", "??", "???", "*e*", "*a*", "*o*", "*i*", "*n*", "?e?", "?a?", "*n?"]
    + [f"{c}*" for c in "dlkmughvbwpjzcfyeaointrs"]
)


def _story(archive: Archive, number: str, title: str, body: str) -> None:
    archive.register(
        "stories",
        {"number": number, "title": title, "body_markdown": body, "date": "2020",
         "consent": "public"},
        actor="anna",
    )  # fmt: skip


def test_an_empty_archive_answers_every_search(archive: Archive) -> None:
    # Nothing was ever written: browsing, words, a prefix and a filter find nothing.
    for q in ("", "vrijwilligers", "vrij*", '"de buurt"'):
        found = archive.search(q, kind="stories", year=2020)
        assert found["total"] == 0 and found["hits"] == []
        assert found["facets"] == {"kind": {}, "quality": {}, "assessment": {}, "year": {}}
    assert archive.search("", role="curator")["total"] == 0


def test_a_query_that_cannot_be_read_is_invalid_input(archive: Archive) -> None:
    # `NOT NOT a` broke Whoosh's parser (IndexError): now a Dutch reason, field q.
    _story(archive, "0001", "De buurtsuper", "Vrijwilligers hielpen.")
    for q in ("NOT NOT a", "NOT NOT NOT vrijwilligers", "vrijwilligers NOT NOT (a"):
        try:
            archive.search(q)
        except InvalidInput as error:
            assert error.field == "q" and error.message
    assert archive.search("vrijwilligers NOT buurt")["total"] == 1


def test_queries_longer_than_the_cap_are_refused(archive: Archive) -> None:
    _story(archive, "0001", "De buurtsuper", "Vrijwilligers hielpen.")
    at_cap = "vrijwilligers".ljust(budget.MAX_QUERY_CHARS, " ")
    assert archive.search(at_cap)["total"] == 1
    with pytest.raises(InvalidInput) as refused:
        archive.search(at_cap + "x")
    assert refused.value.field == "q"
    assert str(budget.MAX_QUERY_CHARS) in refused.value.message


def test_leading_and_lone_wildcards_are_refused(archive: Archive) -> None:
    _story(archive, "0001", "De buurtsuper", "Vrijwilligers hielpen in de buurt.")
    # The query took 9-17 s with Whoosh; it is refused before it is run.
    for q in (WILDCARDS, "*e*", "?", "b?urt", "(*uurt)", "-*x"):
        with pytest.raises(InvalidInput) as refused:
            archive.search(q)
        assert refused.value.field == "q"
        assert "twee letters" in refused.value.message
    # A wildcard after two letters or more is a search like any other.
    assert archive.search("vr*")["total"] == 1
    assert archive.search("bu*t")["total"] == 1


def test_a_query_expanding_beyond_the_budget_is_refused(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    _story(archive, "0001", "Buurtsuper", "buurthuis buurtfeest buurtwerk buurtkrant buurtbus")
    monkeypatch.setattr(budget, "MAX_EXPANDED_TERMS", 3)
    with pytest.raises(InvalidInput) as refused:
        archive.search("buurt*")
    assert "te veel" in refused.value.message and refused.value.field == "q"
    assert archive.search("buurtf*")["total"] == 1  # one term: within the budget


def test_a_query_over_its_time_budget_is_refused(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    _story(archive, "0001", "De buurtsuper", "Vrijwilligers hielpen.")
    monkeypatch.setattr(budget, "QUERY_SECONDS", 0.0)
    with pytest.raises(InvalidInput) as refused:
        archive.search("vrijwilligers OR buurt*")
    assert "te lang" in refused.value.message
    assert archive.search("")["total"] == 1  # browsing runs no query text: not timed


# -- any text a reader can type -------------------------------------------------------------

WORDS = st.sampled_from(
    ["a", "de", "buurt", "vrijwilligers", "Duimdrop", "coöperatie", "2020", "x1", "ĳs", "é"]
)
TOKENS = st.one_of(
    WORDS,
    st.sampled_from(["AND", "OR", "NOT", "and", "or", "not", "(", ")", '"', "'", "-", "+", "^2"]),
    st.sampled_from(["*", "?", "**", "*:*", "[a TO z]", "{", "}", "~", "~2", "\\", ":", "/"]),
    st.builds(lambda w, s: w + s, WORDS, st.sampled_from(["*", "?", "?*", "*x", "~", "^3"])),
    st.builds(lambda w: f'"{w} buurt"', WORDS),
    st.builds(
        lambda f, w: f"{f}:{w}", st.sampled_from(["title", "body", "kind", "docid", "x"]), WORDS
    ),
    st.text(max_size=3),
)
QUERIES = st.lists(TOKENS, max_size=12).map(" ".join) | st.lists(TOKENS, max_size=8).map("".join)


@pytest.fixture
def small(sqlite_settings: Settings) -> Iterator[Archive]:
    """An archive with two stories (the parser's answers must be searched, not only parsed)."""
    opened = open_archive(sqlite_settings)
    _story(opened, "0001", "De buurtsuper", "Vrijwilligers hielpen in de buurt, elke zaterdag.")
    _story(opened, "0002", "Duimdrop", "De coöperatie leende speelgoed uit, in 2020.")
    try:
        yield opened
    finally:
        opened.close()


@settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=QUERIES)
def test_any_query_answers_or_is_invalid_input(small: Archive, q: str) -> None:
    try:
        found: dict[str, Any] = small.search(q, role="curator")
    except InvalidInput as error:
        assert error.field == "q" and error.message
        event(f"refused: {error.message[:30]}")
    else:
        assert found["total"] >= len(found["hits"])
        event("answered" + (" with hits" if found["hits"] else ""))


# -- a slow search never holds up a write or another read ------------------------------------


def test_a_slow_search_does_not_hold_up_a_write_or_another_read(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    _story(archive, "0001", "De buurtsuper", "Vrijwilligers hielpen.")
    archive.search("vrijwilligers")  # the index has caught up
    inside, release = threading.Event(), threading.Event()
    events: list[str] = []

    # The slow search: it stops inside its query (while the hits are made) until released.
    import search_index.tantivy.view as tantivy_module
    import search_index.whoosh.view as whoosh_module

    original = whoosh_module.quality_named

    def stalled(q: str) -> str | None:
        if q == "vrijwilligers" and threading.current_thread().name == "slow":
            inside.set()
            release.wait(20)
        return original(q)

    monkeypatch.setattr(whoosh_module, "quality_named", stalled)
    monkeypatch.setattr(tantivy_module, "quality_named", stalled)

    def slow() -> None:
        archive.search("vrijwilligers")
        events.append("slow search done")

    def write_and_read() -> None:
        _story(archive, "0002", "Het buurthuis", "Buurtbewoners kookten samen.")
        assert archive.search("buurtbewoners")["total"] == 1  # the write's catch-up and a read
        events.append("write and read done")
        release.set()

    slow_thread = threading.Thread(target=slow, name="slow")
    slow_thread.start()
    assert inside.wait(60), "the slow search never started its query"
    other = threading.Thread(target=write_and_read, name="other")
    other.start()
    other.join(20)
    release.set()
    slow_thread.join(60)
    assert events == ["write and read done", "slow search done"]
