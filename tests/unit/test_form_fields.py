"""The curators' forms show dates as people write them and report every problem at once.

`date_as_written` gives the Dutch label only when the archive reads it back as the very same
EDTF date (so saving an untouched form never changes a date); the Dutch interval labels are
read back by `events.dates.from_dutch`.
"""

from __future__ import annotations

import pytest

from api.pages import form_fields, part_checks
from events import dates

SHOWN = {
    "2020-23": "najaar 2020",
    "2020-03": "maart 2020",
    "2020-03-16": "16 maart 2020",
    "2020-03/2020-06": "maart–juni 2020",
    "2020-09/2021-03": "september 2020 – maart 2021",
    "2019-01~/2019-04~": "ca. januari–april 2019",
    "2019/2020": "2019–2020",
    "2019/..": "vanaf 2019",
    "../2020-03": "tot maart 2020",
    "199X": "jaren negentig",
    "201X": "jaren 2010",
}


@pytest.mark.parametrize(("edtf", "words"), SHOWN.items())
def test_a_date_is_shown_in_words_that_read_back_as_the_same_date(edtf: str, words: str) -> None:
    assert form_fields.date_as_written(edtf) == words
    assert dates.from_dutch(words) == edtf


@pytest.mark.parametrize("edtf", ["19XX", "2020?", "2020-XX", ""])
def test_a_date_without_words_that_read_back_stays_edtf(edtf: str) -> None:
    shown = form_fields.date_as_written(edtf)
    assert shown == edtf
    assert not shown or dates.from_dutch(shown) == edtf


def test_words_and_code_of_one_date_are_the_same_value() -> None:
    date = form_fields.Field("date", "Datum", "date")
    assert form_fields.same(date, "najaar 2020", "2020-23")
    assert not form_fields.same(date, "najaar 2020", "2020-22")


def test_every_problem_of_an_item_form_at_once() -> None:
    errors = form_fields.check_all(
        "media",
        {"title": " ", "date": "dertiende maand", "url": "ftp://x", "consent": "wie",
         "media_kind": "boek", "themes": "corona\n\x00"},
    )  # fmt: skip
    assert set(errors) == {"title", "date", "url", "consent", "media_kind", "themes"}
    assert errors["title"] == "Het veld ‘Titel’ mag niet leeg zijn."


def test_every_problem_of_a_happening_and_an_assessment_at_once() -> None:
    assert set(part_checks.happening_errors({"date": "", "title": ""})) == {"date", "title"}
    errors = part_checks.assessment_errors(
        {"quality": "", "element": "onzin", "assessment": "", "basis": "reading", "note": "",
         "happenings": ["h9"]},
        ["h1"],
    )  # fmt: skip
    assert set(errors) == {"quality", "element", "assessment", "note", "happenings"}
