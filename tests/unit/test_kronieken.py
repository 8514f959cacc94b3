"""The Corona Kronieken: corona entries from March 2020 on, as JSON, Markdown and HTML."""

from __future__ import annotations

import re
from typing import Any

import pytest

from archive import kronieken
from events.errors import InvalidInput


def item(key: str, date: str | None, themes: list[str], **fields: Any) -> dict[str, Any]:
    """An episode dict of the shape `ArchiveItem.as_dict()` gives (what kronieken read)."""
    return {
        "kind": fields.get("kind", "episodes"),
        "id": key,
        "ref": f"{fields.get('kind', 'episodes')}/{key}",
        "title": fields.get("title", key.capitalize()),
        "summary": "Samenvatting.",
        "date": date,
        "themes": themes,
        "source": "monitor-veerkracht-botu-2021.txt:100",
        "assessments": fields.get("assessments", []),
        "happenings": fields.get("happenings", []),
    }


def happening(hid: str, date: str, title: str, themes: list[str] | None = None) -> dict[str, Any]:
    """A happening with a figure in its text."""
    return {
        "id": hid,
        "date": date,
        "title": title,
        "text": "1.200 voedselpakketten in 2 weken.",
        "source": "monitor-veerkracht-botu-2021.txt:6190",
        "themes": themes or [],
    }


def archive() -> list[dict[str, Any]]:
    """A corona episode, an episode with one corona happening, and an undated corona story."""
    return [
        item(
            "delfshaven-helpt",
            "2020-03/2020-12",
            ["corona"],
            assessments=[
                {"quality": "mobiliserend-vermogen", "assessment": "shown", "happenings": ["h1"]},
                {"quality": "betrouwbaarheid", "assessment": "partial", "happenings": ["h1"]},
                {"quality": "flexibiliteit", "assessment": "lacking"},
            ],
            happenings=[
                happening("h1", "2020-03-16", "Voedselhulp"),
                happening("h2", "2020-02", "Voor de crisis"),
                happening("h3", "2020-23", "<b>Najaar</b>"),
            ],
        ),
        item(
            "botu12",
            "2019",
            [],
            happenings=[
                happening("h1", "2020-04", "Mondkapjes", ["corona"]),
                happening("h2", "2020-05", "Iets anders"),
            ],
        ),
        item("0001", None, ["corona"], kind="stories"),
    ]


def test_only_corona_entries_from_march_2020_on() -> None:
    # Build the chronicle.
    chronicle = kronieken.build(archive())
    assert chronicle["title"] == "Corona Kronieken – Samen een veerkrachtig BoTu"
    # Corona by the item's themes or the happening's own; February 2020, the non-corona
    # happening, the 2019 episode and the undated story stay out; order is by date.
    assert [e["id"] for e in chronicle["entries"]] == [
        "episodes-delfshaven-helpt",
        "episodes-delfshaven-helpt-h1",
        "episodes-botu12-h1",
        "episodes-delfshaven-helpt-h3",
    ]
    # Entries carry the promised fields, qualities included.
    first = chronicle["entries"][1]
    assert set(first) == set(kronieken.FIELDS)
    assert first["date_label"] == "16 maart 2020" and first["qualities"][0]["label_nl"]


def test_markdown_has_figures_sources_and_escapes() -> None:
    # Render as Markdown.
    text = kronieken.render(kronieken.build(archive()), "markdown")
    # Title, subtitle, figures in bold, sources; HTML in a title is escaped.
    assert text.startswith("# Corona Kronieken")
    assert "**1.200** voedselpakketten" in text
    assert "monitor-veerkracht-botu-2021.txt:6190" in text
    assert "<b>" not in text and "&lt;b&gt;Najaar" in text


def test_html_draws_an_svg_timeline_with_legend_and_escapes() -> None:
    # Render as a page.
    page = kronieken.render(kronieken.build(archive()), "html")
    # A Dutch page with print CSS, an inline SVG with month ticks up to the last entry's month
    # (autumn 2020 starts in September) and a mark per entry.
    assert '<html lang="nl">' in page and "@page" in page and "<svg" in page
    assert ">mrt 2020</text>" in page and ">sep</text>" in page
    assert page.count('<g id="mark-') == 4
    # A legend symbol per responsive quality, and one for others (flexibiliteit is used).
    for label in ("mobiliserend vermogen", "verbindend vermogen", "institutionele souplesse"):
        assert f">{label}</text>" in page
    assert ">andere kwaliteit</text>" in page
    # Partial assessments are half filled; the list below has figures and sources.
    assert "url(#half-" in page and '<strong class="figure">1.200</strong>' in page
    assert "<ol" in page and "<cite>monitor-veerkracht-botu-2021.txt:6190</cite>" in page
    # Titles are escaped.
    assert "<b>Najaar" not in page and "&lt;b&gt;Najaar" in page


def test_labels_of_many_entries_are_staggered_without_overlap() -> None:
    # Twenty corona happenings, two a month, with long titles.
    happenings = [
        happening(f"h{n}", f"2020-{3 + n // 2:02d}", f"Een lange titel van gebeurtenis {n}")
        for n in range(20)
    ]
    chronicle = kronieken.build([item("lang", None, ["corona"], happenings=happenings)])
    marks = kronieken.drawing(chronicle["entries"])["marks"]
    # No two labels in the same row overlap, and they use more than one row.
    for a in marks:
        for b in marks:
            if a is not b and a["row"] == b["row"]:
                assert a["right"] <= b["left"] or b["right"] <= a["left"]
    assert len({m["row"] for m in marks}) > 1
    # Every mark stands inside the drawing.
    assert all(m["left"] >= 0 and m["right"] <= kronieken.WIDTH for m in marks)


def test_marks_are_placed_by_their_strict_start() -> None:
    # Entries in March and in autumn (September): autumn lies to the right.
    marks = kronieken.drawing(kronieken.build(archive())["entries"])["marks"]
    x = {m["id"]: m["x"] for m in marks}
    assert x["episodes-delfshaven-helpt"] == kronieken.MARGIN
    assert x["episodes-delfshaven-helpt-h1"] < x["episodes-botu12-h1"]
    assert x["episodes-botu12-h1"] < x["episodes-delfshaven-helpt-h3"]


def test_json_and_bad_formats() -> None:
    # json gives the chronicle itself; timelinejs is not a format of the chronicle.
    chronicle = kronieken.build(archive())
    assert kronieken.render(chronicle, "json") is chronicle
    with pytest.raises(InvalidInput) as refused:
        kronieken.render(chronicle, "timelinejs")
    assert refused.value.field == "format"
    assert re.search(r"json, markdown of html", refused.value.message)
