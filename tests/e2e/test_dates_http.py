"""Dates through HTTP on each store: wrong dates are a 422 problem in Dutch, right ones kept."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import STORY


@pytest.mark.parametrize(
    ("date", "words"),
    [
        ("2021/2020", "loopt achteruit"),
        ("2020-03-16/2020-03-15", "loopt achteruit"),
        ("2021-02-29", "geen schrikkeljaar"),
        ("29 februari 2021", "geen schrikkeljaar"),
        ("2020-31", "niveau 2"),
    ],
)
def test_a_wrong_date_is_a_422_problem_naming_the_field(api, date: str, words: str) -> None:
    story = api.post("/api/stories", json={**STORY, "date": date}, headers=api.curator)
    problem = api.problem(story, 422)
    assert problem["field"] == "date" and words in problem["detail"]
    api.add_episode(happenings=[])
    happening = api.post(
        "/api/episodes/duimdrop/happenings",
        json={"date": date, "title": "Protest"},
        headers=api.curator,
    )
    assert words in api.problem(happening, 422)["detail"]


def test_a_decade_shows_in_each_of_its_years(api) -> None:
    api.add_episode(date="199X", happenings=[])
    for year in (1990, 1995, 1999):
        timeline = api.get(f"/api/timelines/{year}", headers=api.curator).json()
        assert [entry["date"] for entry in timeline["entries"]] == ["199X"], year
    assert api.get("/api/timelines/2000", headers=api.curator).json()["entries"] == []


def test_timelinejs_answers_unspecified_digits_as_periods(api) -> None:
    api.add_episode(date="199X", happenings=[{"date": "1995-XX", "title": "Ergens in 1995"}])
    answer = api.get("/api/timelines/1995", params={"format": "timelinejs"}, headers=api.curator)
    assert answer.status_code == 200, answer.text
    events = {event["display_date"]: event for event in answer.json()["events"]}
    # The decade is a period: in a year's timeline it is clipped to that year (so TimelineJS
    # opens on the year), and its label keeps the whole decade; a month unknown is the year.
    assert events["jaren negentig"]["start_date"] == {"year": 1995, "month": 1, "day": 1}
    assert events["jaren negentig"]["end_date"] == {"year": 1995, "month": 12, "day": 31}
    assert events["1995-XX"]["start_date"] == {"year": 1995}  # (2020-XX crashed)


def test_a_decade_reads_in_words_on_the_pages_and_is_typed_in_words(api) -> None:
    """199X is "jaren negentig" on the item page and in its edit form (the seed's Duimdrop
    began in 199X), never the bare code; "jaren 90" typed in a form is read as 199X."""
    api.add_episode(happenings=[{"date": "199X", "title": "Duimdrop ontstaat"}])
    page = api.get("/episodes/duimdrop").text
    assert '<time datetime="1990-01-01">jaren negentig</time>' in page
    assert "jaren negentig: Duimdrop ontstaat" in page  # the history too
    assert "199X: Duimdrop ontstaat" not in page
    hint = api.get("/pages-api/datum", params={"tekst": "jaren 90"})
    assert hint.status_code == 200 and "199X" in hint.text, hint.text
