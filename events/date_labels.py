"""Dates as people write them: an EDTF date's Dutch label ("najaar 2020", "maart–juni 2020")."""

from __future__ import annotations

import re

# ---------------------------------------------------------------------------
# Dutch labels for readers ("maart 2020", "najaar 2020", "ca. 16 maart 2020", "2019–2020").

MONTH_NAMES = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
_SEASON_NAMES = {21: "voorjaar", 22: "zomer", 23: "najaar", 24: "winter"}
# Decades as people say them: 199X is "de jaren negentig" (the 1910s-1990s), else "jaren 2010".
_DECADE_WORDS = ("tien", "twintig", "dertig", "veertig", "vijftig", "zestig", "zeventig",
                 "tachtig", "negentig")  # fmt: skip
_DECADE = re.compile(r"(?P<digits>\d{3})X(?P<mark>[~?%]?)")
_CENTURY = re.compile(r"(?P<digits>\d{2})XX(?P<mark>[~?%]?)")
_SPOKEN_DECADE = re.compile(r"(?:de )?jaren ['’]?(?P<decade>[a-z]+|\d{2}|\d{4})")
_SINGLE = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2}))?(?:-(?P<day>\d{2}))?(?P<mark>[~?%]?)")


def label_nl(value: str) -> str:
    """A Dutch label for an EDTF date: "maart 2020", "ca. najaar 2020", "2019–2020"."""
    if "/" not in value:
        return _single_label(value)
    first, _, last = value.partition("/")
    if first in ("", ".."):
        return f"tot {_single_label(last)}" if last not in ("", "..") else value
    if last == "..":
        return f"vanaf {_single_label(first)}"
    if last == "":
        return f"vanaf {_single_label(first)} (einde onbekend)"
    return _interval_label(first, last)


def _parts(value: str) -> tuple[str, str, str] | None:
    """(prefix, words without the year, year) of a single EDTF date, or None if unknown."""
    match = _SINGLE.fullmatch(value)
    if match is None:
        return None
    mark = match["mark"]
    prefix = "ca. " if mark in ("~", "%") else ""
    suffix = "?" if mark in ("?", "%") else ""
    month = int(match["month"]) if match["month"] else None
    if month is None:
        words = ""
    elif 1 <= month <= 12:
        words = MONTH_NAMES[month - 1]
        if match["day"]:
            words = f"{int(match['day'])} {words}"
    elif month in _SEASON_NAMES and not match["day"]:
        words = _SEASON_NAMES[month]
    else:
        return None
    return prefix, words, f"{match['year']}{suffix}"


def _unspecified_label(value: str) -> str | None:
    """ "jaren negentig" for 199X, "1900–1999" for 19XX (with ca./?), else None."""
    decade, century = _DECADE.fullmatch(value), _CENTURY.fullmatch(value)
    found = decade or century
    if found is None:
        return None
    prefix = "ca. " if found["mark"] in ("~", "%") else ""
    suffix = "?" if found["mark"] in ("?", "%") else ""
    if century:
        return f"{prefix}{found['digits']}00–{found['digits']}99{suffix}"
    first = int(found["digits"]) * 10
    words = _DECADE_WORDS[first // 10 % 10 - 1] if 1910 <= first <= 1990 else str(first)
    return f"{prefix}jaren {words}{suffix}"


def decade_edtf(phrase: str) -> str | None:
    """The EDTF of a spoken decade ("jaren negentig", "jaren 90", "de jaren 1990"), or None."""
    found = _SPOKEN_DECADE.fullmatch(phrase)
    if found is None:
        return None
    said = found["decade"]
    if said in _DECADE_WORDS:
        return f"19{_DECADE_WORDS.index(said) + 1}X"
    if said.isdigit() and said.endswith("0"):
        return f"19{said[0]}X" if len(said) == 2 else f"{said[:3]}X"
    return None


def _single_label(value: str) -> str:
    """The label of a date that is not an interval; unknown forms come back unchanged."""
    unspecified = _unspecified_label(value)
    if unspecified is not None:
        return unspecified
    parts = _parts(value)
    if parts is None:
        return value
    prefix, words, year = parts
    return f"{prefix}{words} {year}" if words else f"{prefix}{year}"


def _interval_label(first: str, last: str) -> str:
    """ "maart–juni 2020", "2019–2020", else both labels: "maart 2020 – juni 2021"."""
    a, b = _parts(first), _parts(last)
    if a and b and a[0] == b[0] and " " not in a[1] + b[1]:
        if not a[1] and not b[1]:
            return f"{a[0]}{a[2]}–{b[2]}"
        if a[1] and b[1] and a[2] == b[2]:
            return f"{a[0]}{a[1]}–{b[1]} {a[2]}"
    return f"{_single_label(first)} – {_single_label(last)}"
