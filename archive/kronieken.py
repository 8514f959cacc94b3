"""The Corona Kronieken: the chronicle of BoTu in the corona crisis, rebuilt from the archive.

`build(items)` keeps the happenings and items themed `corona` from March 2020 on, built and
ordered by the shared code of `archive.timelines`; `render(chronicle, fmt)` gives it as JSON,
Markdown or a printable, illustrated HTML page with an SVG timeline drawn here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from archive import timelines
from events import dates, qualities

FORMATS = ("json", "markdown", "html")
TITLE = "Corona Kronieken – Samen een veerkrachtig BoTu"
SUBTITLE = (
    "Bospolder-Tussendijken in de coronacrisis, vanaf maart 2020: wat bewoners, organisaties "
    "en overheid samen deden, opgebouwd uit het wijkarchief."
)
THEME = "corona"
FIRST_DAY = "2020-03-01"
CRISIS_YEAR = "2020-01-01"
FIELDS = (
    "id", "date", "date_label", "title", "text", "kind", "ref", "item_title", "source",
    "qualities", "image",
)  # fmt: skip

# The four qualities of a responsive government, each with its own symbol and colour
# (Okabe-Ito colours, distinguishable in colour-blind vision and by shape in grey print).
SYMBOLS = {
    "mobiliserend-vermogen": ("circle", "#0072B2"),
    "verbindend-vermogen": ("square", "#E69F00"),
    "institutionele-souplesse": ("triangle", "#009E73"),
    "betrouwbaarheid": ("diamond", "#CC79A7"),
}
OTHER_SYMBOL = ("cross", "#555555")  # qualities of the Resilience Framework
MONTHS_SHORT = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

# The drawing, in SVG user units.
WIDTH = 1000
MARGIN = 40
ROW_HEIGHT = 18
CHAR_WIDTH = 6.6  # of the 11-unit label font, on average
SYMBOL_STEP = 12
LABEL_CHARS = 26
MAX_ROWS = 12  # above this many rows, labels may hide leader lines of later marks


# -- building ----------------------------------------------------------------


def build(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The chronicle: corona-themed happenings and dated items from March 2020 on."""
    # The timeline's own order (timelines.sort_key): an entry dated only "2020" stands where
    # it stands in the 2020 timeline, before March, not among the March entries.
    entries = timelines.sort_entries(timelines.collect(items, _keep))
    return {
        "title": TITLE,
        "subtitle": SUBTITLE,
        "entries": [{name: entry[name] for name in FIELDS} for entry in entries],
    }


def _keep(item: dict[str, Any], record: dict[str, Any]) -> bool:
    """Corona by its own themes or its item's, dated in the crisis: from March 2020 on.

    A date only as precise as "2020" counts (the laptops, the plants: the source says no
    more than the year); a span that began years before the crisis does not.
    """
    themed = THEME in (record.get("themes") or []) or THEME in (item.get("themes") or [])
    span = dates.span(record["date"])
    return themed and span.end >= FIRST_DAY and span.start >= CRISIS_YEAR


# -- rendering -----------------------------------------------------------------


def render(chronicle: dict[str, Any], fmt: str, base: str = "") -> Any:
    """The chronicle as json (its pictures' URLs absolute under `base`), markdown or html."""
    fmt = timelines.check_format(fmt, FORMATS)
    if fmt == "json":
        return timelines.with_base(chronicle, base)
    if fmt == "markdown":
        return timelines.markdown_document(
            chronicle["title"], chronicle["subtitle"], chronicle["entries"]
        )
    return render_html(chronicle)


def render_html(chronicle: dict[str, Any]) -> str:
    """A printable, illustrated page: the SVG timeline, then the entries in order."""
    template = timelines.environment().get_template("kronieken.html")
    return template.render(
        chronicle=chronicle,
        drawing=drawing(chronicle["entries"]),
        glyphs=entry_glyphs,
        points=points,
    )


# -- the drawing ---------------------------------------------------------------


def drawing(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything the template needs to draw the timeline: axis, ticks, marks, legend, size."""
    first = date.fromisoformat(FIRST_DAY)
    last = _month_after(max([first, *(_start(e) for e in entries)]))
    scale = _Scale(first, last)
    marks = place_labels([_mark(n, entry, scale) for n, entry in enumerate(entries, start=1)])
    rows = max((m["row"] + 1 for m in marks), default=1)
    axis_y = 16 + rows * ROW_HEIGHT
    for mark in marks:
        mark["label_y"] = axis_y - 8 - mark["row"] * ROW_HEIGHT
        for item in mark["glyphs"]:
            item["y"] = mark["label_y"] - 4
    return {
        "width": WIDTH,
        "height": axis_y + 84,
        "axis_y": axis_y,
        "x1": MARGIN,
        "x2": WIDTH - MARGIN,
        "ticks": ticks(first, last, scale),
        "marks": marks,
        "legend": legend(entries, axis_y + 44),
        "gradients": [{"id": _half(c), "colour": c} for c in _colours()],
    }


def _start(entry: dict[str, Any]) -> date:
    """The strict first day of an entry's date, not before March 2020."""
    return date.fromisoformat(max(dates.span(entry["date"]).start, FIRST_DAY))


def _month_after(day: date) -> date:
    """The first day of the month after `day`'s month."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


class _Scale:
    """Days since the first day, mapped onto the width between the margins."""

    def __init__(self, first: date, last: date) -> None:
        self.first = first
        self.days = max((last - first).days, 1)

    def x(self, day: date) -> float:
        """The horizontal position of a day."""
        return round(MARGIN + (WIDTH - 2 * MARGIN) * (day - self.first).days / self.days, 1)


def ticks(first: date, last: date, scale: _Scale) -> list[dict[str, Any]]:
    """A tick per month; a label on every month when they fit, else on every few."""
    months = []
    day = first
    while day <= last:
        months.append(day)
        day = _month_after(day)
    step = next(s for s in (1, 2, 3, 6, 12) if len(months) / s <= 24 or s == 12)
    return [
        {"x": scale.x(month), "label": _tick_label(month, i == 0) if i % step == 0 else ""}
        for i, month in enumerate(months)
    ]


def _tick_label(month: date, first: bool) -> str:
    """`mrt 2020` on the first tick and every January, else the short month."""
    short = MONTHS_SHORT[month.month - 1]
    return f"{short} {month.year}" if first or month.month == 1 else short


def _mark(number: int, entry: dict[str, Any], scale: _Scale) -> dict[str, Any]:
    """One entry on the axis: its position, numbered short label and quality symbols."""
    title = entry["title"]
    short = title if len(title) <= LABEL_CHARS else title[: LABEL_CHARS - 1].rstrip() + "…"
    label = f"{number}. {short}"
    symbols = entry_glyphs(entry)
    text_width = 4 + len(label) * CHAR_WIDTH
    width = round(text_width + 4 + len(symbols) * SYMBOL_STEP, 1)
    x = scale.x(_start(entry))
    # A label that would run off the right edge hangs to the left of its mark.
    left = round(x - width if x + width > WIDTH - 2 else x, 1)
    for i, symbol in enumerate(symbols):
        symbol["x"] = round(left + text_width + 4 + SYMBOL_STEP / 2 + i * SYMBOL_STEP, 1)
    return {
        "id": entry["id"],
        "number": number,
        "x": x,
        "text_x": round(left + 4, 1),
        "text_width": round(text_width, 1),
        "label": label,
        "title": f"{entry['date_label']}: {title}",
        "left": left,
        "right": round(left + width, 1),
        "width": width,
        "glyphs": symbols,
        "row": 0,
    }


def place_labels(marks: list[dict[str, Any]], gap: float = 6) -> list[dict[str, Any]]:
    """Stagger labels in rows so that no two overlap and leader lines rarely cross a label.

    From the right: each label goes in the lowest free row above every mark it spans, so the
    leader lines of later marks stop below it. Past MAX_ROWS that rule yields to compactness
    (the labels' white backgrounds then hide the leader lines behind them).
    """
    placed: list[dict[str, Any]] = []
    for mark in sorted(marks, key=lambda m: (-m["x"], -m["number"])):
        spanned = [p["row"] for p in placed if mark["left"] <= p["x"] <= mark["right"]]
        row = max(spanned, default=-1) + 1
        row = row if row < MAX_ROWS else 0
        while any(p["row"] == row and _overlap(p, mark, gap) for p in placed):
            row += 1
        mark["row"] = row
        placed.append(mark)
    return marks


def _overlap(a: dict[str, Any], b: dict[str, Any], gap: float) -> bool:
    """True when two labels, kept `gap` apart, would overlap on one row."""
    return bool(a["left"] < b["right"] + gap and b["left"] < a["right"] + gap)


def entry_glyphs(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """A symbol per quality of the entry: filled when shown, half when partial, else outline."""
    return [glyph(q["quality"], q["assessment"]) for q in entry["qualities"]]


def glyph(quality: str, assessment: str) -> dict[str, Any]:
    """The symbol of one quality and assessment."""
    shape, colour = SYMBOLS.get(quality, OTHER_SYMBOL)
    return {"quality": quality, **_glyph(shape, colour, assessment)}


# The corners of each symbol around its centre, in SVG units.
SHAPES = {
    "square": ((-4, -4), (4, -4), (4, 4), (-4, 4)),
    "triangle": ((0, -5), (5, 4), (-5, 4)),
    "diamond": ((0, -5.5), (5.5, 0), (0, 5.5), (-5.5, 0)),
    "cross": (
        (-1.6, -5), (1.6, -5), (1.6, -1.6), (5, -1.6), (5, 1.6), (1.6, 1.6),
        (1.6, 5), (-1.6, 5), (-1.6, 1.6), (-5, 1.6), (-5, -1.6), (-1.6, -1.6),
    ),
}  # fmt: skip


def points(shape: str, x: float, y: float) -> str:
    """The `points` of a polygon symbol centred on (x, y)."""
    return " ".join(f"{round(x + dx, 1):g},{round(y + dy, 1):g}" for dx, dy in SHAPES[shape])


def _glyph(shape: str, colour: str, assessment: str) -> dict[str, Any]:
    """Shape and colour, filled (shown), half-filled (partial) or in outline (lacking)."""
    fill = {"shown": colour, "partial": f"url(#{_half(colour)})"}.get(assessment, "#ffffff")
    return {"shape": shape, "colour": colour, "fill": fill, "assessment": assessment}


def _half(colour: str) -> str:
    """The id of the half-filled gradient of a colour."""
    return f"half-{colour.lstrip('#')}"


def _colours() -> list[str]:
    """Every colour a symbol can have."""
    return [colour for _, colour in (*SYMBOLS.values(), OTHER_SYMBOL)]


def legend(entries: list[dict[str, Any]], y: float) -> list[dict[str, Any]]:
    """The legend in two rows: a symbol per quality, then the three assessments."""
    row = [(qualities.get(q).label_nl, glyph(q, "shown")) for q in SYMBOLS]
    if any(q["quality"] not in SYMBOLS for e in entries for q in e["qualities"]):
        row.append(("andere kwaliteit", glyph("", "shown")))
    marks = [
        (timelines.assessment_nl(a), _glyph("circle", OTHER_SYMBOL[1], a))
        for a in qualities.ASSESSMENTS
    ]
    return _legend_row(row, y) + _legend_row(marks, y + 20)


def _legend_row(row: list[tuple[str, dict[str, Any]]], y: float) -> list[dict[str, Any]]:
    """Legend items side by side from the left margin."""
    items, x = [], float(MARGIN)
    for label, symbol in row:
        items.append({**symbol, "label": label, "x": x + 5, "y": y, "text_x": x + 14})
        x = round(x + 14 + len(label) * CHAR_WIDTH + 18, 1)
    return items
