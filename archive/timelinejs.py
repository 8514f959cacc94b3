"""A year's timeline as Knight Lab TimelineJS3 JSON (`format=timelinejs`).

TimelineJS places and orders slides by their start date and shows a timeline without
events as an error, so: an empty year is NotFound; in a year's timeline every date is
clipped to that year (the label, `display_date`, keeps the whole range); intervals and
seasons end on their strict last day. Checked in the real TimelineJS in Chromium
(`tests/browser/test_timelinejs.py`).
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

from archive.pictures import absolute
from archive.timelines import Entry, html_figures, qualities_text
from events import dates
from events.errors import NotFound


def render_timelinejs(timeline: dict[str, Any], base: str = "") -> dict[str, Any]:
    """Knight Lab TimelineJS3 JSON: title, events (grouped per episode) and eras.

    TimelineJS cannot show a timeline without events (it shows its error screen), so an
    empty year is NotFound. The JSON is shown on other sites (the programme's), where a
    relative URL would name that site: every URL of the archive is under `base`.
    """
    if not timeline["entries"]:
        raise NotFound(
            f"Geen gebeurtenissen in {timeline['year']}: een TimelineJS-tijdlijn heeft er "
            "minstens één nodig (format=json geeft de lege tijdlijn).",
            field="year",
        )
    year = timeline["year"]
    return {
        "title": {
            "text": {
                "headline": str(escape(timeline["title"])),
                "text": "Governance in Bospolder-Tussendijken, opgebouwd uit het wijkarchief.",
            }
        },
        "events": [timelinejs_event(entry, year, base) for entry in timeline["entries"]],
        "eras": [timelinejs_era(era, year) for era in timeline.get("eras", [])],
    }


def timelinejs_event(entry: Entry, year: int | None = None, base: str = "") -> dict[str, Any]:
    """One TimelineJS event; intervals and seasons end on their strict last day.

    The archive's Dutch label is the slide's own `display_date`, so TimelineJS shows it once
    (on `start_date` it would append " — " and the end date). In a year's timeline the dates
    are kept within that year: TimelineJS orders and places events by their start, so a range
    from 2013 would otherwise open the 2020 timeline on 2013.
    """
    start, end = timelinejs_dates(entry["date"])
    if year is not None:
        start, end = within_year(start, end, year)
    event: dict[str, Any] = {
        "unique_id": entry["id"],
        "start_date": start,
        "display_date": entry["date_label"],
        "text": {"headline": str(escape(entry["title"])), "text": timelinejs_text(entry, base)},
    }
    if end is not None:
        event["end_date"] = end
    if entry.get("group"):
        event["group"] = str(escape(entry["group"]))
    if entry.get("image"):
        event["media"] = timelinejs_media(absolute(entry["image"], base) or entry["image"])
    return event


def timelinejs_media(image: dict[str, Any]) -> dict[str, Any]:
    """TimelineJS's `media` of an entry's picture (`archive.pictures.picture`).

    `url` is the image TimelineJS shows (the display size; a PDF's first page), `thumbnail`
    the marker's picture, `link` the full file; caption and credit are HTML, so escaped. The
    URLs have no file extension: TimelineJS takes them as images (its `imageblank` type).
    """
    media = {
        "url": image["url"],
        "thumbnail": image["thumbnail"],
        "link": image["link"],
        "link_target": "_blank",
        "alt": image["alt"],
        "caption": str(escape(image["caption"])),
        "credit": str(escape(image["credit"])),
    }
    return {name: value for name, value in media.items() if value}


def within_year(
    start: dict[str, int], end: dict[str, int] | None, year: int
) -> tuple[dict[str, int], dict[str, int] | None]:
    """Start and end clipped to the calendar year (a start before it becomes its first day)."""
    first = {"year": year, "month": 1, "day": 1}
    last = {"year": year, "month": 12, "day": 31}
    if _tl_key(start) < _tl_key(first):
        start = first if end is not None else {"year": year}
    elif _tl_key(start) > _tl_key(last):  # in the year only by an approximate date's margin
        start = last
    if end is not None and _tl_key(end) > _tl_key(last):
        end = last
    if end is not None and _tl_key(end) < _tl_key(start):
        end = None
    return start, end


def _tl_key(date: dict[str, int]) -> tuple[int, int, int]:
    """A TimelineJS date as (year, month, day), missing parts as 1."""
    return (date["year"], date.get("month", 1), date.get("day", 1))


def timelinejs_text(entry: Entry, base: str = "") -> str:
    """The HTML text of a TimelineJS event: text, qualities, reference (a link to the item's
    page under `base`) and source."""
    parts = [Markup("<p>%s</p>") % html_figures(entry["text"])] if entry["text"] else []
    if entry["qualities"]:
        parts.append(Markup("<p>Kwaliteiten: %s</p>") % qualities_text(entry["qualities"]))
    source = f" · Bron: {entry['source']}" if entry["source"] else ""
    link = f"{base}/{entry['ref']}"
    parts.append(Markup('<p><a href="%s">%s</a>%s</p>') % (link, entry["ref"], source))
    return str(Markup("").join(parts))


def timelinejs_era(era: dict[str, str], year: int | None = None) -> dict[str, Any]:
    """One TimelineJS era from strict ISO days (within `year` when given)."""
    start: dict[str, int] = _tl_date(era["start"])
    end: dict[str, int] | None = _tl_date(era["end"])
    if year is not None:
        start, end = within_year(start, end, year)
    return {
        "start_date": start,
        "end_date": end or start,
        "text": {"headline": str(escape(era["title"]))},
    }


def timelinejs_dates(value: str) -> tuple[dict[str, int], dict[str, int] | None]:
    """Start (month and day only where the EDTF gives them) and, for a period, strict end."""
    first, slash, last = value.partition("/")
    span = dates.span(value)
    if first in ("", ".."):
        return _tl_date(span.end), None
    unit = None if slash else span.unit  # 199X is a decade, 2020-XX a year (not a month)
    start = _tl_date(span.start, unit or _precision(first))
    is_season = _precision(first) == 2 and re.sub(r"[~?%]", "", first)[5:7] in dates.SEASONS
    open_end = bool(slash) and last in ("", "..")
    if (slash or is_season or unit is None) and not open_end:
        return start, _tl_date(span.end)
    return start, None


def _precision(value: str) -> int:
    """How many of year, month, day a single EDTF date gives (1–3)."""
    return len(re.sub(r"[~?%]", "", value).split("-"))


def _tl_date(day: str, precision: int = 3) -> dict[str, int]:
    """A TimelineJS date from an ISO day, keeping `precision` of year, month, day."""
    names = ("year", "month", "day")
    return {name: int(part) for name, part in zip(names[:precision], day.split("-"), strict=False)}
