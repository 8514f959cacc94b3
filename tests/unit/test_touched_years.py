"""The years a date touches, as year filters and facets count them."""

from __future__ import annotations

from datetime import date

from events.dates import touched_years


def test_an_open_end_reaches_this_year_not_the_end_of_time() -> None:
    # An initiative that goes on (BoTu12 since 2019) touches the years up to now ...
    assert touched_years("2019/..", this_year=2026) == list(range(2019, 2027))
    assert touched_years("2019/..")[-1] == date.today().year
    # ... a planned end still counts to its year, and a decade every year of it.
    assert touched_years("2019/2028", this_year=2026)[-1] == 2028
    assert touched_years("199X") == list(range(1990, 2000))
    assert touched_years("2020-03-16") == [2020]
