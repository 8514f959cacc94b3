"""The Kronieken and the 2020 timeline put the same entries in the same order."""

from __future__ import annotations

from typing import Any

from archive import kronieken, timelines


def _happening(hid: str, date: str) -> dict[str, Any]:
    return {"id": hid, "date": date, "title": f"Moment {date}", "text": "", "source": "",
            "themes": ["corona"]}  # fmt: skip


def test_year_only_and_season_entries_sort_alike_in_both() -> None:
    # Corona moments dated as precisely as the source allows: a year, a season, a month, a day.
    episode = {
        "kind": "episodes", "id": "hulp", "ref": "episodes/hulp", "title": "Hulp",
        "date": None, "summary": "", "source": "", "themes": ["corona"], "assessments": [],
        "happenings": [
            _happening("h1", "2020-03-16"), _happening("h2", "2020"), _happening("h3", "2020-21"),
            _happening("h4", "2020-03~"), _happening("h5", "2020-23"), _happening("h6", "2020-09"),
        ],
    }  # fmt: skip
    # Both give them in one order: the timeline's.
    in_timeline = [e["date"] for e in timelines.build([episode], 2020)["entries"]]
    in_chronicle = [e["date"] for e in kronieken.build([episode])["entries"]]
    assert in_chronicle == in_timeline
    assert in_timeline[0] == "2020"  # the year, before its months
