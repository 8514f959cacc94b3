"""The governance timeline: entries, order, year filter, and its four renderings."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from archive import timelinejs, timelines
from events import dates
from events.errors import InvalidInput, NotFound


def item(kind: str, key: str, title: str, date: str | None, **fields: Any) -> dict[str, Any]:
    """An item dict of the shape `ArchiveItem.as_dict()` gives (only what timelines read)."""
    return {
        "kind": kind,
        "id": key,
        "ref": f"{kind}/{key}",
        "title": title,
        "summary": fields.get("summary", f"Samenvatting van {title}."),
        "body_markdown": "",
        "date": date,
        "themes": fields.get("themes", []),
        "source": fields.get("source", "monitor-veerkracht-botu-2021.txt:100"),
        "consent": "public",
        "assessments": fields.get("assessments", []),
        "happenings": fields.get("happenings", []),
        "links": [],
    }


def happening(hid: str, date: str, title: str, themes: list[str] | None = None) -> dict[str, Any]:
    """A happening as recorded on an item."""
    return {
        "id": hid,
        "date": date,
        "title": title,
        "text": f"{title}: 550 vrijwilligers.",
        "source": "monitor-veerkracht-botu-2021.txt:6190-6194",
        "themes": themes or [],
    }


def assessment(quality: str, value: str, about: list[str] | None = None) -> dict[str, Any]:
    """An assessment as recorded on an item (`about`: the happenings its evidence is about)."""
    return {
        "id": "a1", "quality": quality, "element": None, "assessment": value,
        "happenings": about or [],
    }  # fmt: skip


def archive() -> list[dict[str, Any]]:
    """A small archive: one episode with happenings, a story and a media item."""
    souplesse = assessment("institutionele-souplesse", "shown", ["h1"])
    return [
        item(
            "episodes",
            "duimdrop",
            "Duimdrop",
            "2019/2020",
            assessments=[
                souplesse,
                {**souplesse, "id": "a2"},
                assessment("betrouwbaarheid", "partial", ["h1"]),
                assessment("verbindend-vermogen", "lacking"),
            ],
            happenings=[
                happening("h1", "2020-23", "Najaarsactie"),
                happening("h2", "2020-03~", "Start in maart"),
                happening("h3", "2020-21", "Voorjaar"),
                happening("h4", "2019-06", "Vorig jaar"),
                happening("h5", "2020-03/2020-06", "Eerste lockdown", ["periode"]),
            ],
        ),
        item("stories", "0001", "Verhaal", "2020-03-16"),
        item("media", "nrc-2021", "Artikel", "2021-02"),
    ]


def test_entries_are_in_date_order_and_keep_their_marks() -> None:
    # Build the 2020 timeline.
    timeline = timelines.build(archive(), 2020)
    dated = [(e["date"], e["id"]) for e in timeline["entries"]]
    # The episode (2019/2020) starts first; a month precedes the spring and autumn it starts.
    assert dated[0] == ("2019/2020", "episodes-duimdrop")
    order = [d for d, _ in dated]
    assert order.index("2020-03~") < order.index("2020-21") < order.index("2020-23")
    # The approximate month keeps its mark, gets a Dutch label and the flag.
    march = next(e for e in timeline["entries"] if e["date"] == "2020-03~")
    assert (march["date_label"], march["approximate"]) == ("ca. maart 2020", True)
    assert march["id"] == "episodes-duimdrop-h2" and march["ref"] == "episodes/duimdrop"
    assert march["group"] == "Duimdrop" and march["kind"] == "happening"


def test_year_filter_and_intervals_crossing_years() -> None:
    # 2019: the episode (2019/2020) and its 2019 happening, nothing from 2020 alone.
    ids_2019 = {e["id"] for e in timelines.build(archive(), 2019)["entries"]}
    assert ids_2019 == {"episodes-duimdrop", "episodes-duimdrop-h4"}
    # 2021: only the media item.
    ids_2021 = [e["id"] for e in timelines.build(archive(), 2021)["entries"]]
    assert ids_2021 == ["media-nrc-2021"]


def test_qualities_are_deduplicated_and_carried_only_where_linked() -> None:
    # Two identical assessments count once; the item carries all of its assessments ...
    entries = timelines.build(archive(), 2020)["entries"]
    case = next(e for e in entries if e["kind"] == "episodes")
    assert [(q["quality"], q["assessment"]) for q in case["qualities"]] == [
        ("verbindend-vermogen", "lacking"),
        ("institutionele-souplesse", "shown"),
        ("betrouwbaarheid", "partial"),
    ]
    # ... a happening only those whose evidence a curator linked to it (the monitor assesses
    # cases, not their moments), and another happening none.
    autumn = next(e for e in entries if e["date"] == "2020-23")
    assert [(q["quality"], q["assessment"]) for q in autumn["qualities"]] == [
        ("institutionele-souplesse", "shown"),
        ("betrouwbaarheid", "partial"),
    ]
    assert autumn["qualities"][0]["label_en"] == "institutional flexibility"
    spring = next(e for e in entries if e["date"] == "2020-21")
    assert spring["qualities"] == []


def test_output_does_not_depend_on_input_order() -> None:
    # Shuffle the items and their happenings; the JSON stays byte for byte the same.
    expected = json.dumps(timelines.build(archive(), 2020), sort_keys=True)
    shuffled = archive()
    random.Random(7).shuffle(shuffled)
    for each in shuffled:
        random.Random(3).shuffle(each["happenings"])
    assert json.dumps(timelines.build(shuffled, 2020), sort_keys=True) == expected


def test_periods_become_eras() -> None:
    # The happening themed "periode" with an interval date is an era (and still an entry).
    timeline = timelines.build(archive(), 2020)
    assert timeline["eras"] == [
        {"start": "2020-03-01", "end": "2020-06-30", "title": "Eerste lockdown"}
    ]
    assert any(e["title"] == "Eerste lockdown" for e in timeline["entries"])


@pytest.mark.parametrize(
    ("edtf", "label"),
    [
        ("2020", "2020"),
        ("2020-03", "maart 2020"),
        ("2020-03-16", "16 maart 2020"),
        ("2020-23", "najaar 2020"),
        ("2020-03~", "ca. maart 2020"),
        ("2020?", "2020?"),
        ("2019/2020", "2019–2020"),
        ("2020-03/2020-06", "maart–juni 2020"),
        ("2020-11/2021-02", "november 2020 – februari 2021"),
        ("2019/..", "vanaf 2019"),
        ("199X", "jaren negentig"),
        ("199X~", "ca. jaren negentig"),
        ("200X", "jaren 2000"),
        ("19XX", "1900–1999"),
    ],
)
def test_dutch_date_labels(edtf: str, label: str) -> None:
    assert dates.label_nl(edtf) == label


def test_markdown_has_sections_entries_and_escapes_html() -> None:
    # An item with HTML in its title, rendered as Markdown.
    items = [*archive(), item("stories", "0002", "<script>alert(1)</script>", "2020-23")]
    text = timelines.render(timelines.build(items, 2020), "markdown")
    # Title, a section per month or season, a bullet with quality, reference and source.
    assert text.startswith("# Governancetijdlijn 2020\n")
    assert "## Maart 2020" in text and "## Najaar 2020" in text
    assert "**Najaarsactie**" in text and "**550**" in text
    assert "institutionele souplesse (getoond)" in text
    assert "[episodes/duimdrop](/episodes/duimdrop)" in text
    assert "monitor-veerkracht-botu-2021.txt:6190-6194" in text
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_html_is_a_standalone_escaped_page() -> None:
    # An item with HTML in its title, rendered as a page.
    items = [*archive(), item("stories", "0002", "<script>alert(1)</script>", "2020-23")]
    page = timelines.render(timelines.build(items, 2020), "html")
    # A Dutch HTML5 page with an ordered list of entries and machine-readable dates.
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    assert '<meta charset="utf-8">' in page and "<style>" in page and "<ol" in page
    assert '<time datetime="2020-03"' in page and "ca. maart 2020" in page
    assert '<time datetime="2020-09-01"' in page  # a season: its first day
    # The title comes out escaped.
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_timelinejs_events_groups_eras_and_seasons() -> None:
    # Render the 2020 timeline for TimelineJS.
    tl = timelines.render(timelines.build(archive(), 2020), "timelinejs")
    events = {e["unique_id"]: e for e in tl["events"]}
    # Unique ids, one per entry; happenings grouped under their episode.
    assert len(events) == len(tl["events"]) == 6
    assert events["episodes-duimdrop-h1"]["group"] == "Duimdrop"
    assert "group" not in events["stories-0001"]
    # A season starts in its first month and ends on its strict last day.
    autumn = events["episodes-duimdrop-h1"]
    assert autumn["start_date"] == {"year": 2020, "month": 9}
    # The Dutch label is the slide's own date, shown once (not followed by the end date).
    assert autumn["display_date"] == "najaar 2020"
    assert autumn["end_date"] == {"year": 2020, "month": 11, "day": 30}
    # A day gives a day; a month no end.
    assert events["stories-0001"]["start_date"]["day"] == 16
    assert "end_date" not in events["episodes-duimdrop-h2"]
    # The period is an era.
    assert tl["eras"] == [
        {
            "start_date": {"year": 2020, "month": 3, "day": 1},
            "end_date": {"year": 2020, "month": 6, "day": 30},
            "text": {"headline": "Eerste lockdown"},
        }
    ]


def test_json_is_the_dict_and_unknown_formats_are_refused() -> None:
    # json gives the timeline itself.
    timeline = timelines.build(archive(), 2020)
    assert timelines.render(timeline, "json") is timeline
    # Anything else is refused with the allowed formats named.
    with pytest.raises(InvalidInput) as refused:
        timelines.render(timeline, "pdf")
    assert refused.value.field == "format" and "timelinejs" in refused.value.message


def test_timelinejs_of_an_empty_year_is_not_found() -> None:
    # TimelineJS shows its error screen for `events: []`: the archive answers NotFound.
    with pytest.raises(NotFound) as refused:
        timelines.render(timelines.build(archive(), 1999), "timelinejs")
    assert "1999" in refused.value.message
    # The plain forms of an empty year stay answers.
    assert timelines.render(timelines.build(archive(), 1999), "json")["entries"] == []


def test_timelinejs_keeps_a_range_within_its_year() -> None:
    # A range from 2013 to 2021 in the 2020 timeline: placed within 2020, labelled in full.
    entry = timelines.item_entry(
        {"kind": "episodes", "ref": "episodes/theater", "title": "Theater", "date": "2013/2021"}
    )
    event = timelinejs.timelinejs_event(entry, 2020)
    assert event["start_date"] == {"year": 2020, "month": 1, "day": 1}
    assert event["end_date"] == {"year": 2020, "month": 12, "day": 31}
    assert event["display_date"] == "2013–2021"
    # Without a year (or inside it) the dates are the range's own.
    assert timelinejs.timelinejs_event(entry)["start_date"] == {"year": 2013}
    # A date in the year only by its margin of approximation stays on the year's last day.
    assert timelinejs.within_year({"year": 2021, "month": 1}, None, 2020) == (
        {"year": 2020, "month": 12, "day": 31},
        None,
    )
