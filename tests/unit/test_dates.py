"""EDTF dates: validation, Dutch phrases, sort order."""

from __future__ import annotations

import itertools

import edtf
import pytest

from events import dates
from events.errors import InvalidDate


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("voorjaar 2020", "2020-21"),
        ("najaar 2020", "2020-23"),
        ("Herfst 2020", "2020-23"),
        ("zomer 2021", "2020-22".replace("2020", "2021")),
        ("maart 2020", "2020-03"),
        ("17 maart 2020", "2020-03-17"),
        ("begin 2019", "2019-01~/2019-04~"),
        ("eind 2020", "2020-09~/2020-12~"),
        ("rond maart 2020", "2020-03~"),
        ("2019-2020", "2019/2020"),
        ("2020-03/2020-06", "2020-03/2020-06"),
        ("2020-03~", "2020-03~"),
        ("2020", "2020"),
        ("jaren negentig", "199X"),
        ("de jaren 90", "199X"),
        ("jaren ’80", "198X"),
        ("jaren 2010", "201X"),
        ("circa jaren zestig", "196X~"),
    ],
)
def test_dutch_phrases_become_edtf(phrase: str, expected: str) -> None:
    assert dates.from_dutch(phrase) == expected


@pytest.mark.parametrize("bad", ["2020-13", "maart", "gisteren", "", "32 maart 2020", "2020-45"])
def test_what_is_neither_edtf_nor_dutch_is_refused(bad: str) -> None:
    with pytest.raises(InvalidDate):
        dates.from_dutch(bad)


def test_spans_are_strict_and_keep_their_marks() -> None:
    autumn = dates.span("2020-23")
    assert (autumn.start, autumn.end) == ("2020-09-01", "2020-11-30")
    approx = dates.span("2020-03~")
    assert (approx.start, approx.end, approx.approximate) == ("2020-03-01", "2020-03-31", True)
    assert dates.span("2020?").uncertain
    assert dates.span("2019/2020").years == [2019, 2020]


def test_sort_order_months_before_seasons_that_start_later() -> None:
    values = ["2020-23", "2020-21", "2020-03", "2020-03-16", None, "2019/2020"]
    ordered = sorted(values, key=dates.sort_key)
    # By first day, then last day: spring (Mar–May) starts with March, before 16 March.
    assert ordered == ["2019/2020", "2020-03", "2020-21", "2020-03-16", "2020-23", None]


def test_open_intervals_do_not_break_sorting() -> None:
    assert sorted(["2019/..", "2018"], key=dates.sort_key) == ["2018", "2019/.."]


FAST_FORMS = [
    "2020", "1999", "2020-02", "2021-02", "2020-12", "2020-03-16", "2024-02-29", "0001",
    "2020~", "2020?", "2020%", "2020-03~", "2020-03?", "2020-03-16%", "2020-03-16~",
    "2020-21", "2020-22", "2020-23", "2024-24",
    "2019/2021", "2020-03/2020-06", "2020-03~/2020-06~", "2020-21/2020-23", "2020-03-16/2020-06",
    "2019?/2020-24", "2020-03-16/2020-03-16",
]  # fmt: skip


@pytest.mark.parametrize("value", FAST_FORMS)
def test_common_forms_skip_the_parser_and_agree_with_it(value: str) -> None:
    # The common forms are computed without the EDTF parser ...
    fast = dates._plain_bounds(value)
    assert fast is not None
    # ... and give exactly the bounds the parser gives.
    parsed = edtf.parse_edtf(value)
    assert fast == (
        dates._iso(dates._bound(parsed.lower_strict()), dates._FIRST_DAY),
        dates._iso(dates._bound(parsed.upper_strict()), dates._LAST_DAY),
    )


@pytest.mark.parametrize(
    "value",
    ["2020-13", "2021-02-29", "2020-00", "2020-21~", "2020-~03", "2020/..", "../2020",
     "2021/2020", "2020-25", "2020-03-16/2020-03-15", "2020-03/2020-13"],
)  # fmt: skip
def test_other_forms_go_to_the_parser(value: str) -> None:
    # Impossible months and days, open and reversed intervals, qualified seasons and
    # qualifiers inside a date are the parser's to judge.
    assert dates._plain_bounds(value) is None


def test_every_interval_of_common_forms_agrees_with_the_parser() -> None:
    # Every pairing of single forms as an interval: whatever the fast path accepts, the
    # parser accepts too, with the same bounds.
    singles = ["2020", "2020~", "2020?", "2020-03", "2020-03%", "2020-02-29?", "2020-21",
               "2020-24", "2019-12-31~", "2021-01", "2020-13", "2020-21~"]  # fmt: skip
    checked = 0
    for start, end in itertools.product(singles, singles):
        value = f"{start}/{end}"
        fast = dates._plain_bounds(value)
        if fast is None:
            continue
        parsed = edtf.parse_edtf(value)
        bounds = (
            dates._iso(dates._bound(parsed.lower_strict()), dates._FIRST_DAY),
            dates._iso(dates._bound(parsed.upper_strict()), dates._LAST_DAY),
        )
        assert fast == bounds, value
        checked += 1
    assert checked > 50
