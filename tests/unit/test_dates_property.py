"""The date rule, property-tested against the `edtf` library on every form the archive accepts.

Hypothesis writes EDTF strings of each level-0 and level-1 form (years, months, days,
qualified dates, seasons, unspecified digits, intervals with open and unknown ends, date and
time), with months and days that may not exist, and the level-2 forms the archive refuses.
The oracle is the library plus the calendar: a string is accepted exactly when it is of an
accepted form, `edtf` parses it, every day written in it exists, its bounds lie in
0001–9999 and an interval's strict lower bound is not after its strict upper bound; the
archive's span is then the library's `lower_strict`/`upper_strict` (open ends at the edges
of 0001–9999).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date
from functools import cache

import edtf
from hypothesis import event, given, settings
from hypothesis import strategies as st

from events import dates
from events.errors import InvalidDate

EXAMPLES = settings(max_examples=300, deadline=None)
FEWER = settings(max_examples=100, deadline=None)  # each new string costs the parser ~7 ms


@dataclass(frozen=True)
class Form:
    """A generated EDTF string, whether its form is level 2, and the days written in it."""

    text: str
    level2: bool = False
    days: tuple[tuple[int, int, int], ...] = ()


YEARS = st.one_of(
    st.integers(1, 9999),
    st.sampled_from([0, 1, 1900, 1999, 2000, 2019, 2020, 2021, 2024, 2100, 9990, 9999]),
)
MONTHS = st.integers(0, 13)  # 00 and 13 do not exist
QUALIFIERS = st.sampled_from(["", "?", "~", "%"])


@st.composite
def plain(draw: st.DrawFn) -> Form:
    """A year, year-month or year-month-day (months 00 and 13, days up to 31 included)."""
    year = draw(YEARS)
    precision = draw(st.integers(1, 3))
    if precision == 1:
        return Form(f"{year:04d}")
    month = draw(MONTHS)
    if precision == 2:
        return Form(f"{year:04d}-{month:02d}")
    day = draw(st.integers(1, 31))
    return Form(f"{year:04d}-{month:02d}-{day:02d}", days=((year, month, day),))


@st.composite
def qualified(draw: st.DrawFn) -> Form:
    """A plain date, maybe with ?, ~ or % after it (level 1)."""
    form = draw(plain())
    return Form(form.text + draw(QUALIFIERS), days=form.days)


@st.composite
def season(draw: st.DrawFn, numbers: tuple[int, int] = (21, 24)) -> Form:
    """A season of level 1 (21-24), or of level 2 (25-41) when asked."""
    number = draw(st.integers(*numbers))
    return Form(f"{draw(YEARS):04d}-{number}", level2=number > 24)


@st.composite
def unspecified(draw: st.DrawFn) -> Form:
    """Unspecified digits from the right: 199X, 19XX, 1XXX, 2020-XX, 2020-03-XX, 2020-XX-XX."""
    year = f"{draw(YEARS):04d}"
    kind = draw(st.sampled_from(["year", "month", "day", "month-day"]))
    if kind == "year":
        blanks = draw(st.integers(1, 3))
        text = year[: 4 - blanks] + "X" * blanks
    elif kind == "month":
        text = f"{year}-XX"
    elif kind == "day":
        text = f"{year}-{draw(MONTHS):02d}-XX"
    else:
        text = f"{year}-XX-XX"
    return Form(text + draw(QUALIFIERS))


@st.composite
def interval_end(draw: st.DrawFn) -> Form:
    """One end of a level-1 interval: a (qualified) date or season, open (..) or unknown."""
    choice = draw(st.sampled_from(["date", "date", "season", "open", "unknown"]))
    if choice == "date":
        return draw(qualified())
    if choice == "season":
        return Form(draw(season()).text + draw(QUALIFIERS))
    return Form(".." if choice == "open" else "")


@st.composite
def interval(draw: st.DrawFn) -> Form:
    """start/end, often close together so that both directions come up."""
    first = draw(interval_end())
    if first.text[:4].isdigit() and draw(st.booleans()):
        # An end near the start: the same year or the next, forwards or backwards.
        year = int(first.text[:4]) + draw(st.integers(-1, 1))
        rest = draw(st.sampled_from(["", "-03", "-03-16", "-21", "-23", "-12-31", "-01-01"]))
        text = f"{year:04d}{rest}{draw(QUALIFIERS)}" if year >= 0 else ".."
        parts = rest.split("-")[1:]
        days = ((year, int(parts[0]), int(parts[1])),) if len(parts) == 2 else ()
        last = Form(text, days=days)
    else:
        last = draw(interval_end())
    return Form(f"{first.text}/{last.text}", days=first.days + last.days)


@st.composite
def date_and_time(draw: st.DrawFn) -> Form:
    """A day with a time and maybe a zone (level 0)."""
    year, month, day = draw(YEARS), draw(MONTHS), draw(st.integers(1, 31))
    clock = f"T{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}:00"
    zone = draw(st.sampled_from(["", "Z", "+01:00", "-05:00"]))
    text = f"{year:04d}-{month:02d}-{day:02d}{clock}{zone}"
    return Form(text, days=((year, month, day),))


@st.composite
def level2(draw: st.DrawFn) -> Form:
    """The level-2 forms (and S-notation, X inside a year): all refused by the archive."""
    year = f"{draw(st.integers(1000, 9999)):04d}"
    month = f"{draw(st.integers(1, 12)):02d}"
    mark = draw(st.sampled_from(["?", "~", "%"]))
    options = [
        draw(season((25, 41))).text,
        f"{year}-{draw(st.integers(21, 24))}{mark}",  # a qualified season
        f"{year}{mark}-{month}",  # a qualified part
        f"{mark}{year}-{month}",
        f"{year}-{mark}{month}-15",
        f"{year}-{month}{mark}-15",
        f"{year}-XX-{draw(st.integers(1, 28)):02d}",  # X before a known part
        f"{year[:1]}X{year[2]}X",
        "XXXX",
        f"XXXX-{month}",
        f"[{year},{int(year) + 1}]",  # sets and lists
        f"{{{year},{year}-{month}}}",
        f"[..{year}]",
        f"{year[:3]}X/{int(year[:3]) + 1:03d}X",  # an interval of unspecified years
        f"{year}S{draw(st.integers(1, 3))}",  # significant digits
        f"Y{draw(st.integers(1, 9))}E{draw(st.integers(1, 9))}",
    ]
    return Form(draw(st.sampled_from(options)), level2=True)


ACCEPTED_FORMS = st.one_of(
    plain(), qualified(), season(), unspecified(), interval(), date_and_time()
)
EVERY_FORM = st.one_of(ACCEPTED_FORMS, level2())


def _bound(struct: object) -> tuple[int, int, int] | None:
    """A strict bound of the library as (year, month, day); None when it is infinite."""
    if isinstance(struct, time.struct_time):
        return (struct.tm_year, struct.tm_mon, struct.tm_mday)
    assert isinstance(struct, float) and math.isinf(struct), struct
    return None


def _real(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


@cache
def oracle(form: Form) -> tuple[str, str] | None:
    """The span the archive must give `form`, or None when it must refuse it."""
    if form.level2:
        return None
    try:
        parsed = edtf.parse_edtf(form.text)
    except Exception:  # the library raises several types
        return None
    if not all(_real(*day) for day in form.days):
        return None
    lower, upper = _bound(parsed.lower_strict()), _bound(parsed.upper_strict())
    if lower is None and upper is None:
        return None
    if any(b is not None and not 1 <= b[0] <= 9999 for b in (lower, upper)):
        return None
    if lower is not None and upper is not None and lower > upper:
        return None
    return _iso(lower) if lower else "0001-01-01", _iso(upper) if upper else "9999-12-31"


def _iso(day: tuple[int, int, int]) -> str:
    return f"{day[0]:04d}-{day[1]:02d}-{day[2]:02d}"


def archive_span(text: str) -> tuple[str, str] | None:
    """What the archive makes of `text`: its span, or None when it refuses it."""
    try:
        dates.validate(text)
    except InvalidDate as refused:
        assert refused.message  # a reason, in words
        return None
    span = dates.span(text)
    return span.start, span.end


@EXAMPLES
@given(EVERY_FORM)
def test_acceptance_and_span_agree_with_the_edtf_library(form: Form) -> None:
    expected = oracle(form)
    event("level 2" if form.level2 else "accepted" if expected else "refused")
    assert archive_span(form.text) == expected, form


@FEWER
@given(st.lists(ACCEPTED_FORMS, min_size=2, max_size=8))
def test_sort_order_agrees_with_the_libraries_strict_bounds(forms: list[Form]) -> None:
    bounds = {form.text: oracle(form) for form in forms}
    accepted = [text for text, span in bounds.items() if span is not None]
    by_library = sorted(accepted, key=lambda text: (bounds[text], text))
    assert sorted(accepted, key=dates.sort_key) == by_library


@FEWER
@given(ACCEPTED_FORMS)
def test_every_accepted_date_touches_the_years_of_its_span(form: Form) -> None:
    expected = oracle(form)
    if expected is None:
        return
    span = dates.span(form.text)
    assert span.years[0] == int(expected[0][:4]) and span.years[-1] == int(expected[1][:4])


MONTH_NAMES = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
               "september", "oktober", "november", "december"]  # fmt: skip
SEASONS = {"voorjaar": 21, "lente": 21, "zomer": 22, "najaar": 23, "herfst": 23, "winter": 24}


@FEWER
@given(st.integers(1, 31), st.integers(1, 12), st.integers(1000, 9999))
def test_dutch_days_are_refused_exactly_when_they_do_not_exist(
    day: int, month: int, year: int
) -> None:
    phrase = f"{day} {MONTH_NAMES[month - 1]} {year}"
    if _real(year, month, day):
        assert dates.from_dutch(phrase) == f"{year:04d}-{month:02d}-{day:02d}"
    else:
        try:
            dates.from_dutch(phrase)
        except InvalidDate:
            return
        raise AssertionError(f"{phrase!r} was accepted")


@FEWER
@given(st.sampled_from(sorted(SEASONS)), st.integers(1000, 9999), st.integers(1000, 9999))
def test_dutch_seasons_and_year_ranges_agree_with_the_library(
    word: str, year: int, other: int
) -> None:
    season_edtf = dates.from_dutch(f"{word} {year}")
    assert season_edtf == f"{year}-{SEASONS[word]}"
    assert archive_span(season_edtf) == oracle(Form(season_edtf))
    years = f"{year}/{other}"
    if year <= other:
        assert dates.from_dutch(f"{year} tot {other}") == years
        assert archive_span(years) == oracle(Form(years))
    else:
        try:
            dates.from_dutch(f"{year} tot {other}")
        except InvalidDate as refused:
            assert "loopt achteruit" in refused.message
            return
        raise AssertionError(f"{year} tot {other} was accepted")
