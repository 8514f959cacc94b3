"""The one date rule: which EDTF strings the archive accepts, why it refuses the others."""

from __future__ import annotations

import pytest

from events import dates
from events.errors import InvalidDate, InvalidInput
from events.rules import optional_date


def reason(value: str) -> str:
    """The Dutch message of the refusal of `value` (failing when it is accepted)."""
    with pytest.raises(InvalidDate) as refused:
        dates.validate(value)
    return refused.value.message


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2021/2020", "loopt achteruit"),
        ("2020-03-16/2020-03-15", "loopt achteruit"),
        ("2020-23/2020-03", "loopt achteruit"),
        ("2020?/2019~", "loopt achteruit"),
        ("2021-02-29", "2021 is geen schrikkeljaar"),
        ("2021-02-29~", "2021 is geen schrikkeljaar"),
        ("2021-02-29/2021-03", "2021 is geen schrikkeljaar"),
        ("2020-01/2021-02-29", "2021 is geen schrikkeljaar"),
        ("2021-02-29T10:00:00", "2021 is geen schrikkeljaar"),
        ("2100-02-29", "2100 is geen schrikkeljaar"),
    ],
)
def test_reversed_intervals_and_days_that_do_not_exist_are_refused(value: str, words: str) -> None:
    assert words in reason(value)


@pytest.mark.parametrize(
    "value",
    [
        "2020-25", "2020-31", "2020-41",  # level-2 seasons, quarters, semesters
        "2020?-03", "?2020-03", "2020-03~-16", "2004-06~-11", "2020-?03-16",  # qualified parts
        "2020-XX-16", "XXXX", "XXXX-12", "156X-12-25", "1X0X",  # X not at the right end
        "[2020,2021]", "{2020,2021}", "[..2020]", "[2020..2021]",  # sets and lists
        "199X/200X", "Y-17E7", "1950S2", "2020S2",  # level-2 intervals, exponents, S
    ],
)  # fmt: skip
def test_level_2_is_refused_with_the_forms_that_are_accepted(value: str) -> None:
    message = reason(value)
    assert "niveau 2" in message
    assert "199X" in message  # it names the accepted forms


@pytest.mark.parametrize(
    "value", ["Y170000002", "-2020", "0000", "0000-12", "000X", "0000/2020", "9999/"]
)
def test_years_outside_0001_9999_are_refused(value: str) -> None:
    assert "0001–9999" in reason(value)


@pytest.mark.parametrize("value", ["../..", " 2020", "2020 ", "2020-13", "", "2020-1X"])
def test_no_known_end_stray_spaces_and_non_edtf_are_refused(value: str) -> None:
    assert reason(value)


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("199X", "1990-01-01", "1999-12-31"),
        ("19XX", "1900-01-01", "1999-12-31"),
        ("1XXX~", "1000-01-01", "1999-12-31"),
        ("2020-XX", "2020-01-01", "2020-12-31"),
        ("2021-02-XX", "2021-02-01", "2021-02-28"),
        ("2020-XX-XX?", "2020-01-01", "2020-12-31"),
        ("2020-24", "2020-12-01", "2020-12-31"),
        ("2024-02-29", "2024-02-29", "2024-02-29"),
        ("2000-02-29", "2000-02-29", "2000-02-29"),
        ("2020-03-16/2020-03-16", "2020-03-16", "2020-03-16"),
        ("2020-21~/2020-23", "2020-03-01", "2020-11-30"),
        ("2019/..", "2019-01-01", "9999-12-31"),
        ("../2020", "0001-01-01", "2020-12-31"),
        ("2020/", "2020-01-01", "2030-01-01"),  # the library's "unknown end": ten years on
        ("2020-03-16T10:00:00Z", "2020-03-16", "2020-03-16"),
    ],
)
def test_accepted_level_1_forms_span_what_the_library_says(
    value: str, start: str, end: str
) -> None:
    assert dates.validate(value) == value
    assert (dates.span(value).start, dates.span(value).end) == (start, end)


def test_unspecified_digits_span_their_decade_and_century_in_years() -> None:
    assert dates.span("199X").years == list(range(1990, 2000))
    assert dates.span("19XX").years == list(range(1900, 2000))


def test_dutch_phrases_get_the_same_rule() -> None:
    assert dates.from_dutch("najaar 2020") == "2020-23"
    assert dates.from_dutch("29 februari 2024") == "2024-02-29"
    with pytest.raises(InvalidDate, match="geen schrikkeljaar"):
        dates.from_dutch("29 februari 2021")
    with pytest.raises(InvalidDate, match="loopt achteruit"):
        dates.from_dutch("2021-2019")
    with pytest.raises(InvalidDate, match="loopt achteruit"):
        dates.from_dutch("2021/2020")
    with pytest.raises(InvalidDate, match="april heeft 30 dagen"):
        dates.from_dutch("2020-04-31")
    with pytest.raises(InvalidDate, match="april heeft 30 dagen"):
        dates.from_dutch("31 april 2020")
    with pytest.raises(InvalidDate, match="Onbekende datum"):
        dates.from_dutch("ergens in de zomer")


def test_an_item_date_field_is_refused_by_name() -> None:
    with pytest.raises(InvalidInput) as refused:
        optional_date("2021/2020", "date")
    assert refused.value.field == "date"
    assert refused.value.status == 422


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2021/2020", "2020-01-01", "2021-12-31"),
        ("2020-03-16/2020-03-15", "2020-03-15", "2020-03-16"),
        ("2021-02-29", "2021-02-29", "2021-02-29"),
        ("Y170000002", "9999-12-31", "9999-12-31"),
        ("-2020", "0001-01-01", "0001-01-01"),
    ],
)
def test_dates_recorded_before_the_rule_are_still_read(value: str, start: str, end: str) -> None:
    # Events already in a log keep their date: reading them never fails, and their span is
    # put in order and within 0001–9999, so a reversed interval shows in both its years.
    recorded = dates.span(value)
    assert (recorded.start, recorded.end) == (start, end)
    assert recorded.start[:4].isdigit() and recorded.end[:4].isdigit()


def test_is_a_unit_tells_one_year_month_or_day_from_a_period() -> None:
    assert dates.span("2020").unit == 1
    assert dates.span("2020-XX").unit == 1
    assert dates.span("2020-03~").unit == 2
    assert dates.span("2020-24").unit == 2  # winter is December only in EDTF
    assert dates.span("2020-03-16").unit == 3
    assert dates.span("199X").unit is None
    assert dates.span("2020-21").unit is None
    assert dates.span("2019/2020").unit is None
