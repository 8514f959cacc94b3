"""EDTF dates: the one rule for which dates the archive accepts, Dutch phrases, a sort order.

Dates in the archive are EDTF strings of ISO 8601-2 levels 0 and 1, parsed with the `edtf`
package, plus what the parser does not check: every day written must exist, an interval
must run forwards, and its years lie in 0001–9999 (`problem` says why a date is refused, in
Dutch). Spans are the library's strict bounds. Its own text parser only knows English
("najaar 2020" silently becomes `2020`), so Dutch phrases are mapped here first.
`tests/unit/test_dates_property.py` checks the rule and the spans against the library.
"""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import edtf

from events.date_labels import MONTH_NAMES, decade_edtf, label_nl
from events.errors import InvalidDate

# Season codes of EDTF level 1 (21 spring … 24 winter) and their Dutch names.
_SEASONS = {
    "voorjaar": 21,
    "lente": 21,
    "zomer": 22,
    "najaar": 23,
    "herfst": 23,
    "winter": 24,
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("januari", "jan"),
            ("februari", "feb"),
            ("maart", "mrt", "maa"),
            ("april", "apr"),
            ("mei",),
            ("juni", "jun"),
            ("juli", "jul"),
            ("augustus", "aug"),
            ("september", "sep", "sept"),
            ("oktober", "okt"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
# "begin 2019" → the first third of the year, as an approximate interval; likewise
# "midden" and "eind". EDTF has no "early 2019", so these become month intervals.
_PARTS = {"begin": ("01", "04"), "midden": ("05", "08"), "eind": ("09", "12")}
_APPROX_WORDS = ("rond", "omstreeks", "ca.", "circa", "ongeveer")
_EDTF_LIKE = re.compile(r"[0-9X./?~%-]+")  # digits and EDTF signs only: meant as EDTF


@dataclass(frozen=True)
class DateSpan:
    """The strict bounds of an EDTF date, as ISO day strings, plus its marks."""

    edtf: str
    start: str  # first day, YYYY-MM-DD
    end: str  # last day, YYYY-MM-DD
    approximate: bool
    uncertain: bool

    @property
    def years(self) -> list[int]:
        """Every calendar year the date touches."""
        return list(range(int(self.start[:4]), int(self.end[:4]) + 1))

    @property
    def unit(self) -> int | None:
        """1, 2 or 3 when the span is exactly one calendar year, month or day; else None."""
        if self.start == self.end:
            return 3
        year, month = self.start[:4], self.start[5:7]
        if (self.start, self.end) == (f"{year}-01-01", f"{year}-12-31"):
            return 1
        last = calendar.monthrange(int(year), int(month))[1]
        if (self.start, self.end) == (f"{year}-{month}-01", f"{year}-{month}-{last:02d}"):
            return 2
        return None

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """Sorts by start, then end, then the string: `2020-03` < `2020-21` < `2020-23`."""
        return (self.start, self.end, self.edtf)


def from_dutch(text: str) -> str:
    """Turn a Dutch phrase ("najaar 2020", "maart 2020", "begin 2019") into EDTF.

    Text that is already EDTF is returned unchanged. Raises InvalidDate for anything
    that is neither.
    """
    raw = " ".join(text.strip().split())
    if not raw:
        raise InvalidDate("Lege datum: geef een EDTF-datum zoals 2020-03 of 'maart 2020'.")
    reason = problem(raw)
    if reason is None:
        return raw
    phrase = raw.lower()
    approximate = False
    for word in _APPROX_WORDS:
        if phrase.startswith(word + " "):
            approximate = True
            phrase = phrase[len(word) + 1 :]
    mark = "~" if approximate else ""
    # "17 maart 2020"
    if m := re.fullmatch(r"(\d{1,2}) ([a-z.]+) (\d{4})", phrase):
        month = _MONTHS.get(m[2].rstrip("."))
        if month:
            return _checked(f"{m[3]}-{month:02d}-{int(m[1]):02d}{mark}", text)
    # "maart 2020", "najaar 2020", "begin 2019"
    if m := re.fullmatch(r"([a-z.]+) (\d{4})", phrase):
        word, year = m[1].rstrip("."), m[2]
        if word in _MONTHS:
            return _checked(f"{year}-{_MONTHS[word]:02d}{mark}", text)
        if word in _SEASONS:
            return _checked(f"{year}-{_SEASONS[word]}{mark}", text)
        if word in _PARTS:
            first, last = _PARTS[word]
            return _checked(f"{year}-{first}~/{year}-{last}~", text)
    # "2019-2020", "2019 tot 2021"
    if m := re.fullmatch(r"(\d{4}) ?(?:-|–|tot|t/m) ?(\d{4})", phrase):
        return _checked(f"{m[1]}/{m[2]}", text)
    if m := re.fullmatch(r"(\d{4})", phrase):
        return _checked(f"{m[1]}{mark}", text)
    if decade := decade_edtf(phrase):  # "jaren negentig"
        return _checked(f"{decade}{mark}", text)
    if interval := _dutch_interval(phrase, mark):
        return _checked(interval, text)
    if _parsed(raw) is not None or _EDTF_LIKE.fullmatch(raw):
        raise InvalidDate(reason)  # written as EDTF, not in words: say what is wrong with it
    raise InvalidDate(
        f"Onbekende datum {text!r}: gebruik EDTF (2020, 2020-03, 2020-03-16, 2020-23 voor "
        "najaar, 2020-03/2020-06, 2020-03~) of een Nederlandse omschrijving zoals "
        "'maart 2020', 'najaar 2020', 'begin 2019'."
    )


def _dutch_interval(phrase: str, mark: str) -> str | None:
    """An interval as the Dutch labels write it (`label_nl`), or None: "maart–juni 2020",
    "september 2020 – maart 2021", "vanaf 2019", "tot maart 2020"."""
    if m := re.fullmatch(r"([a-z.]+) ?[–-] ?([a-z.]+) (\d{4})", phrase):
        first, last = _MONTHS.get(m[1].rstrip(".")), _MONTHS.get(m[2].rstrip("."))
        if first and last:
            return f"{m[3]}-{first:02d}{mark}/{m[3]}-{last:02d}{mark}"
    if phrase.startswith(("vanaf ", "tot ")):
        word, _, rest = phrase.partition(" ")
        side = _dutch_side(rest, mark)
        return (f"{side}/.." if word == "vanaf" else f"../{side}") if side else None
    for separator in (" – ", " - ", " tot ", " t/m "):
        if separator in phrase:
            first_text, _, last_text = phrase.partition(separator)
            first_side, last_side = _dutch_side(first_text, mark), _dutch_side(last_text, mark)
            return f"{first_side}/{last_side}" if first_side and last_side else None
    return None


def _dutch_side(phrase: str, mark: str) -> str | None:
    """One end of an interval (not an interval itself), or None."""
    try:
        side = from_dutch(phrase)
    except InvalidDate:
        return None
    if "/" in side:
        return None
    return side + mark if mark and not side.endswith(("~", "%")) else side


def validate(value: str) -> str:
    """Return `value` when the archive accepts it as a date, else raise InvalidDate."""
    reason = problem(value)
    if reason is not None:
        raise InvalidDate(reason)
    return value


def problem(value: object) -> str | None:
    """Why the archive refuses `value` as a date (in Dutch), or None when it accepts it."""
    if not isinstance(value, str) or len(value) > 100:
        return _unknown(str(value)[:100])
    return _problem(value)


def span(value: str) -> DateSpan:
    """The strict bounds of a date, as the `edtf` library gives them (memoised).

    A date recorded before the rule was this strict (a reversed interval, a day that does
    not exist, a year beyond 9999) is still read: its bounds put in order and within
    0001–9999, so an old event never breaks a read model. Raises InvalidDate for text that
    is not EDTF at all.
    """
    if not isinstance(value, str) or len(value) > 100:
        raise InvalidDate(_unknown(str(value)[:100]))
    return _span(value)


def sort_key(value: str | None) -> tuple[str, str, str]:
    """A total order for optional EDTF strings; undated items sort last."""
    if not value:
        return ("9999", "9999", "")
    return span(value).sort_key


@lru_cache(maxsize=65536)
def _span(value: str) -> DateSpan:
    bounds = _plain_bounds(value)
    if bounds is None:
        parsed = _parsed(value)
        if parsed is None:
            raise InvalidDate(_unknown(value))
        lower, upper = _bound(parsed.lower_strict()), _bound(parsed.upper_strict())
        bounds = (_iso(lower, _FIRST_DAY), _iso(upper, _LAST_DAY))
        if bounds[0] > bounds[1]:  # recorded before the rule: read as the curator meant it
            start, slash, end = value.partition("/")
            swapped = _span(f"{end}/{start}") if slash else None
            bounds = (swapped.start, swapped.end) if swapped else (bounds[1], bounds[0])
    return DateSpan(
        edtf=value,
        start=bounds[0],
        end=bounds[1],
        approximate="~" in value or "%" in value,
        uncertain="?" in value or "%" in value,
    )


# The forms of levels 0 and 1, by the class the parser gives them (exact classes: the
# level-2 classes derive from these).
_LEVEL_0_1 = (
    edtf.Date, edtf.DateAndTime, edtf.Interval, edtf.UncertainOrApproximate,
    edtf.Unspecified, edtf.Level1Interval, edtf.LongYear, edtf.Season,
)  # fmt: skip
_WRITTEN_DAY = re.compile(r"(?<![\dX])(\d{4})-(\d{2})-(\d{2})")
_X_BEFORE_DIGIT = re.compile(r"X\d")  # 1X0X: unspecified digits only from the right at level 1
_FIRST_DAY, _LAST_DAY = (1, 1, 1), (9999, 12, 31)
_FORMS = (
    "2020, 2020-03, 2020-03-16, 2020-23 (najaar), 199X (de jaren negentig), 2020-XX, "
    "2020-03~ (ongeveer), 2020? (onzeker), 2020-03/2020-06, 2019/.. (open einde)"
)


@lru_cache(maxsize=65536)
def _problem(value: str) -> str | None:
    """The rule (memoised): level 0 or 1, real days, years 0001–9999, forwards."""
    if _plain_bounds(value) is not None:
        return None  # the common forms, checked without the parser
    for year, month, day in _WRITTEN_DAY.findall(value):
        if 1 <= int(month) <= 12 and int(day) > (days := _month_days(year, month)):
            return f"De datum {year}-{month}-{day} bestaat niet: " + (
                f"{year} is geen schrikkeljaar."
                if month == "02"
                else f"{MONTH_NAMES[int(month) - 1]} heeft {days} dagen."
            )
    parsed = _parsed(value)
    if parsed is None or value != value.strip():
        return _unknown(value)
    if type(parsed) not in _LEVEL_0_1 or "S" in value or _X_BEFORE_DIGIT.search(value):
        return (
            f"De datum {value!r} gebruikt EDTF niveau 2 (seizoenen na 24, tekens ?, ~ of % "
            "midden in een datum, X vóór een bekend cijfer, reeksen met [ ] of { }, "
            f"S-notatie); het archief neemt niveau 0 en 1 aan: {_FORMS}."
        )
    lower, upper = _bound(parsed.lower_strict()), _bound(parsed.upper_strict())
    if lower is None and upper is None:
        return f"Het interval {value!r} heeft geen bekend begin of einde."
    if any(bound is not None and not 1 <= bound[0] <= 9999 for bound in (lower, upper)):
        return f"De datum {value!r} valt buiten de jaren 0001–9999."
    if lower is not None and upper is not None and lower > upper:
        first, _, last = value.partition("/")
        return (
            f"Het interval {value!r} loopt achteruit: {label_nl(first)} begint na het einde "
            f"van {label_nl(last)}. Zet het vroegste moment vóór de schuine streep."
        )
    return None


def _month_days(year: str, month: str) -> int:
    """The number of days of a month (year 0000 is a leap year, as in ISO 8601)."""
    return calendar.monthrange(int(year) or 2000, int(month))[1]


def _unknown(value: str) -> str:
    return f"Ongeldige EDTF-datum {value!r}: verwacht bijvoorbeeld {_FORMS}."


def _bound(struct: object) -> tuple[int, int, int] | None:
    """A strict bound of the parser as (year, month, day); None for an open end (±inf)."""
    if isinstance(struct, time.struct_time):
        return struct.tm_year, struct.tm_mon, struct.tm_mday
    return None


def _iso(bound: tuple[int, int, int] | None, default: tuple[int, int, int]) -> str:
    """An ISO day within 0001–9999 (an open end is the edge of that range)."""
    year, month, day = default if bound is None else min(max(bound, _FIRST_DAY), _LAST_DAY)
    return f"{year:04d}-{month:02d}-{day:02d}"


SEASONS = ("21", "22", "23", "24")  # the season codes of level 1
_PLAIN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%])?")
# The strict bounds the EDTF library gives a season (21 spring ... 24 winter), per month-day.
_SEASON_BOUNDS = {
    "21": ("03-01", "05-31"),
    "22": ("06-01", "08-31"),
    "23": ("09-01", "11-30"),
    "24": ("12-01", "12-31"),
}


def _plain_bounds(value: str) -> tuple[str, str] | None:
    """The strict bounds of the common forms without the EDTF parser (which costs ~7-15 ms
    per new string): a plain ISO year, month or day, optionally qualified as a whole
    (`2020-03~`, `2020?`), a season (`2020-23`), or an interval of those (`2020-03~/2020-06`).
    None for every other form, which goes to the parser. `tests/unit/test_dates.py` checks
    that both agree."""
    if value.count("/") == 1:
        start, end = value.split("/")
        first, last = _single_bounds(start), _single_bounds(end)
        if first is None or last is None or first[0] > last[1]:
            return None  # open ends, unknown forms, reversed intervals: the parser decides
        return first[0], last[1]
    return _single_bounds(value)


def _single_bounds(value: str) -> tuple[str, str] | None:
    match = _PLAIN.fullmatch(value)
    if match is None:
        return None
    year, month, day, qualifier = match.groups()
    if year == "0000":
        return None
    if month in _SEASON_BOUNDS and day is None:
        if qualifier:
            return None  # a qualified season: the parser's to judge
        first, last = _SEASON_BOUNDS[month]
        return f"{year}-{first}", f"{year}-{last}"
    try:
        if day is not None:
            date(int(year), int(month), int(day))
            return f"{year}-{month}-{day}", f"{year}-{month}-{day}"
        if month is not None:
            last_day = calendar.monthrange(int(year), int(month))[1]
            return f"{year}-{month}-01", f"{year}-{month}-{last_day:02d}"
    except ValueError:  # month 13 or day 31 of a 30-day month: for the EDTF parser to refuse
        return None
    return f"{year}-01-01", f"{year}-12-31"


@lru_cache(maxsize=65536)
def _parsed(value: str) -> Any:
    """The EDTF parser's object for `value`, or None when it is not EDTF (memoised)."""
    try:
        return edtf.parse_edtf(value)
    except Exception:  # the library raises several types (EDTFParseException, ValueError)
        return None


def _checked(value: str, original: str) -> str:
    """The EDTF a Dutch phrase became, when the rule accepts it."""
    reason = problem(value)
    if reason is not None:
        raise InvalidDate(f"{original!r} wordt {value!r}. {reason}")
    return value


def touched_years(value: str, this_year: int | None = None) -> list[int]:
    """The years a date touches, for year filters and facets: an open end (`2019/..`: an
    initiative that goes on) reaches this year, not 9999; years outside 1001-2999 left out."""
    years = span(value).years
    if value.rstrip().endswith(".."):
        last = this_year or date.today().year
        years = [y for y in years if y <= last]
    return [y for y in years if 1000 < y < 3000]


__all__ = [
    "DateSpan",
    "touched_years",
    "from_dutch",
    "label_nl",
    "problem",
    "sort_key",
    "span",
    "validate",
]
