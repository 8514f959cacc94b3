"""Searches that cannot crash or stall the archive: text the parser cannot read, any text a
reader types, and a slow search beside a write, on each store and each search backend (Whoosh,
tantivy, PostgreSQL). The budget's refusals (too long, too broad, too slow) and an empty index
are cases of the contract test (`tests/contract/test_search_view.py`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from archive.config import Settings
from archive.service import Archive
from bootstrap import open_archive
from events.errors import InvalidInput

pytestmark = pytest.mark.usefixtures("search_backend")


def _story(archive: Archive, number: str, title: str, body: str) -> None:
    archive.register(
        "stories",
        {"number": number, "title": title, "body_markdown": body, "date": "2020",
         "consent": "public"},
        actor="anna",
    )  # fmt: skip


def test_a_query_that_cannot_be_read_is_invalid_input(archive: Archive) -> None:
    # `NOT NOT a` broke Whoosh's parser (IndexError): now a Dutch reason, field q.
    _story(archive, "0001", "De buurtsuper", "Vrijwilligers hielpen.")
    for q in ("NOT NOT a", "NOT NOT NOT vrijwilligers", "vrijwilligers NOT NOT (a"):
        try:
            archive.search(q)
        except InvalidInput as error:
            assert error.field == "q" and error.message
    assert archive.search("vrijwilligers NOT markt")["total"] == 1
    assert archive.search("vrijwilligers NOT buurt")["total"] == 0  # a part of buurtsuper


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
def small(backend_settings: Settings) -> Iterator[Archive]:
    """An archive with two stories (the parser's answers must be searched, not only parsed)."""
    opened = open_archive(backend_settings)
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
    import search_index.postgres.view as postgres_module
    import search_index.tantivy.view as tantivy_module
    import search_index.whoosh.view as whoosh_module
    from search_index.core.spelling import plain_words as original

    def stalled(q: str) -> list[str]:
        if q == "vrijwilligers" and threading.current_thread().name == "slow":
            inside.set()
            release.wait(20)
        return original(q)

    monkeypatch.setattr(whoosh_module, "plain_words", stalled)
    monkeypatch.setattr(tantivy_module, "plain_words", stalled)
    monkeypatch.setattr(postgres_module, "plain_words", stalled)

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
