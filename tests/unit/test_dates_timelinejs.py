"""Unspecified digits in TimelineJS: a decade or century is a period, not its first year."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from archive import timelinejs, timelines
from events import dates
from events.errors import InvalidDate
from tests.unit.test_dates_property import ACCEPTED_FORMS, Form


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("199X", {"year": 1990}, {"year": 1999, "month": 12, "day": 31}),
        ("19XX", {"year": 1900}, {"year": 1999, "month": 12, "day": 31}),
        ("202X~", {"year": 2020}, {"year": 2029, "month": 12, "day": 31}),
        ("2020-XX", {"year": 2020}, None),
        ("2020-03-XX", {"year": 2020, "month": 3}, None),
        ("2020", {"year": 2020}, None),
        ("2020-03", {"year": 2020, "month": 3}, None),
        ("2020-23", {"year": 2020, "month": 9}, {"year": 2020, "month": 11, "day": 30}),
        ("2019/2020", {"year": 2019}, {"year": 2020, "month": 12, "day": 31}),
    ],
)
def test_timelinejs_spans_unspecified_digits(
    value: str, start: dict[str, int], end: dict[str, int] | None
) -> None:
    assert timelinejs.timelinejs_dates(value) == (start, end)


@settings(max_examples=300, deadline=None)
@given(ACCEPTED_FORMS)
def test_every_accepted_date_renders_within_its_span(form: Form) -> None:
    # Every date the archive accepts gets a TimelineJS date, a label and an HTML datetime
    # (no crash on 2020-XX or 199X), and the TimelineJS dates lie within its strict span.
    try:
        dates.validate(form.text)
    except InvalidDate:
        return
    span = dates.span(form.text)
    start, end = timelinejs.timelinejs_dates(form.text)
    assert dates.label_nl(form.text)
    assert timelines.machine_date(form.text)
    first_day = first_day_of(span.start)
    assert tuple(start.values()) == first_day[: len(start)] or form.text.startswith(("..", "/"))
    if end is not None:
        assert (end["year"], end["month"], end["day"]) == first_day_of(span.end)
    elif span.unit is None and not form.text.startswith(("..", "/")):
        assert form.text.endswith(("/..", "/")), form  # only an open end has no end date


def first_day_of(iso: str) -> tuple[int, ...]:
    """(year, month, day) of an ISO day."""
    return tuple(int(part) for part in iso.split("-"))
