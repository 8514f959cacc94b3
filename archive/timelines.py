"""The governance timeline of a year: a pure function over the items' plain data.

`build(items, year)` gathers every dated item and every happening that touches the year into
entries in a deterministic order; `render(timeline, fmt)` gives the same timeline as JSON,
Markdown, a printable HTML page or Knight Lab TimelineJS3 JSON. The entry-building helpers
(`item_entry`, `happening_entry`, `sort_entries`, …) are shared with `archive.kronieken`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from archive.pictures import absolute, borrowed
from events import dates, qualities
from events.errors import InvalidInput

FORMATS = ("json", "markdown", "html", "timelinejs")
# For entries on the same date: the item before its happenings.
KIND_RANK = {"episodes": 0, "stories": 1, "media": 2, "happening": 3}
TEMPLATES = Path(__file__).parent / "templates"
# A figure in a text: "550", "1.200", "12,5 %" — not the digits inside "BoTu12" or "COVID-19".
FIGURE = re.compile(r"(?<![\w.,-])\d+(?:[.,]\d+)*(?:\s?%)?(?![\w])")
# How an assessment was made (its `basis`), in words.
BASIS_LABELS = {"explicit": "oordeel van de bron", "reading": "lezing van de codeur"}
_QUALITY_ORDER = {q.id: i for i, q in enumerate(qualities.QUALITIES)}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")

Entry = dict[str, Any]

# -- building ----------------------------------------------------------------


def build(items: list[dict[str, Any]], year: int) -> dict[str, Any]:
    """The timeline of `year`: dated items and happenings that touch it, in date order."""
    entries = sort_entries(collect(items, lambda item, record: _touches(record, year)))
    return {
        "year": year,
        "title": f"Governancetijdlijn {year}",
        "entries": entries,
        "eras": eras(entries),
    }


def collect(
    items: Iterable[dict[str, Any]], keep: Callable[[dict[str, Any], dict[str, Any]], bool]
) -> list[Entry]:
    """Entries for every dated item and happening `keep(item, item_or_happening)` accepts."""
    entries: list[Entry] = []
    items = list(items)
    readable = {item["ref"]: item for item in items}  # what an episode may borrow a picture of
    for item in items:
        if item.get("date") and keep(item, item):
            entries.append(item_entry(item, readable))
        for happening in item.get("happenings") or []:
            if happening.get("date") and keep(item, happening):
                entries.append(happening_entry(item, happening))
    return entries


def _touches(record: dict[str, Any], year: int) -> bool:
    """True when the record's EDTF date touches the calendar year (an open end, an initiative
    that goes on, reaches this year: not every year to 9999)."""
    return year in dates.touched_years(record["date"])


def entry_id(ref: str) -> str:
    """A stable id from an item's ref: `episodes/duimdrop` → `episodes-duimdrop`."""
    return ref.replace("/", "-")


def item_entry(item: dict[str, Any], readable: dict[str, dict[str, Any]] | None = None) -> Entry:
    """The entry of an item itself (episode, story or media item); an episode without a
    picture borrows one of a linked media item in `readable` (`archive.pictures.borrowed`)."""
    episode = item["kind"] == "episodes"
    return _entry(
        item,
        id=entry_id(item["ref"]),
        date=item["date"],
        title=item["title"],
        text=item.get("summary") or "",
        kind=item["kind"],
        source=item.get("source") or "",
        themes=list(item.get("themes") or []),
        group=item["title"] if episode else None,
        image=borrowed(item, readable or {}),
    )


def happening_entry(item: dict[str, Any], happening: dict[str, Any]) -> Entry:
    """The entry of a happening: its own date, title and text, and only the assessments a
    curator linked to it (the monitor assesses cases, per element, not their moments)."""
    linked = [
        a for a in item.get("assessments") or [] if happening["id"] in a.get("happenings", [])
    ]
    return _entry(
        item,
        assessments=linked,
        id=f"{entry_id(item['ref'])}-{happening['id']}",
        date=happening["date"],
        title=happening["title"],
        text=happening.get("text") or "",
        kind="happening",
        source=happening.get("source") or "",
        themes=list(happening.get("themes") or []),
        group=item["title"],
    )


def _entry(
    item: dict[str, Any], assessments: list[dict[str, Any]] | None = None, **fields: Any
) -> Entry:
    """The fields every entry shares, with the date's label and marks; the assessments are
    the item's own unless given (a happening's: those linked to it)."""
    span = dates.span(fields["date"])
    return {
        "id": fields["id"],
        "date": fields["date"],
        "date_label": dates.label_nl(fields["date"]),
        "approximate": span.approximate,
        "uncertain": span.uncertain,
        "title": fields["title"],
        "text": fields["text"],
        "kind": fields["kind"],
        "ref": item["ref"],
        "item_title": item["title"],
        "source": fields["source"],
        "themes": fields["themes"],
        "qualities": qualities_of(item.get("assessments") if assessments is None else assessments),
        "group": fields["group"],
        "image": fields.get("image"),  # archive.pictures.borrowed: never a happening's
    }


def item_qualities(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The item's assessed qualities (see `qualities_of`)."""
    return qualities_of(item.get("assessments"))


def qualities_of(assessments: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """One entry per quality, element, assessment and how it was made, in vocabulary order: a
    quality shown in one element and lacking in another is two entries, each naming its
    element; each says its `basis` (explicit or reading) and a reading's `note`."""
    seen = {
        (a["quality"], a.get("element") or "", a["assessment"], a.get("basis") or "",
         a.get("note") or "")
        for a in assessments or []
    }  # fmt: skip
    return [_quality(*found) for found in sorted(seen, key=_rank)]


def _rank(found: tuple[str, ...]) -> tuple[Any, ...]:
    """Vocabulary order of a quality, its element, then shown < partial < lacking."""
    quality, element, assessment = found[:3]
    q_rank = _QUALITY_ORDER.get(quality, len(_QUALITY_ORDER))
    a_rank = qualities.ASSESSMENTS.index(assessment) if assessment in qualities.ASSESSMENTS else 9
    return (q_rank, quality, element, a_rank, *found[2:])


def _quality(
    quality: str, element: str, assessment: str, basis: str = "", note: str = ""
) -> dict[str, Any]:
    """One quality of an entry with its Dutch and English labels, its element, and how the
    assessment was made."""
    try:
        concept = qualities.get(quality)
        label_nl, label_en = concept.label_nl, concept.label_en
    except KeyError:
        label_nl = label_en = quality
    try:
        element_nl = qualities.get(element).label_nl if element else None
    except KeyError:
        element_nl = element
    return {
        "quality": quality,
        "label_nl": label_nl,
        "label_en": label_en,
        "element": element or None,
        "element_nl": element_nl,
        "assessment": assessment,
        "basis": basis or None,
        "basis_nl": BASIS_LABELS.get(basis, ""),
        "note": note,
    }


def sort_key(entry: Entry) -> tuple[Any, ...]:
    """Date order (`2020-03` < `2020-21` < `2020-23`), then kind, title and id."""
    return (
        dates.sort_key(entry["date"]),
        KIND_RANK.get(entry["kind"], 9),
        entry["title"],
        entry["id"],
    )


def sort_entries(entries: list[Entry]) -> list[Entry]:
    """Entries in a deterministic order, whatever order the items came in."""
    return sorted(entries, key=sort_key)


def eras(entries: list[Entry]) -> list[dict[str, str]]:
    """Happenings themed `periode` with an interval date, as eras (strict ISO days)."""
    result = []
    for entry in entries:
        if entry["kind"] == "happening" and "periode" in entry["themes"] and "/" in entry["date"]:
            span = dates.span(entry["date"])
            result.append({"start": span.start, "end": span.end, "title": entry["title"]})
    return result


# -- rendering -----------------------------------------------------------------


def render(timeline: dict[str, Any], fmt: str, base: str = "") -> Any:
    """The timeline as json, markdown, html or timelinejs; the JSON forms leave the archive,
    so their URLs are absolute under `base` (the archive's address)."""
    renderers: dict[str, Callable[[dict[str, Any]], Any]] = {
        "json": lambda t: with_base(t, base),
        "markdown": render_markdown,
        "html": render_html,
        "timelinejs": lambda t: _timelinejs(t, base),
    }
    return renderers[check_format(fmt, FORMATS)](timeline)


def with_base(document: dict[str, Any], base: str) -> dict[str, Any]:
    """A timeline or the Kronieken with its entries' pictures absolute under `base`."""
    if not base:
        return document
    entries = [{**e, "image": absolute(e["image"], base)} if e.get("image") else e
               for e in document["entries"]]  # fmt: skip
    return {**document, "entries": entries}


def _timelinejs(timeline: dict[str, Any], base: str) -> dict[str, Any]:
    # archive.timelinejs builds on this module's helpers, so it is imported when first used.
    from archive.timelinejs import render_timelinejs

    return render_timelinejs(timeline, base)


def check_format(fmt: str, allowed: tuple[str, ...]) -> str:
    """`fmt` when it is one of `allowed`, else InvalidInput naming them."""
    if fmt not in allowed:
        names = ", ".join(allowed[:-1]) + f" of {allowed[-1]}"
        raise InvalidInput(f"Onbekend formaat {fmt!r}: kies {names}.", field="format")
    return fmt


# Markdown


def render_markdown(timeline: dict[str, Any]) -> str:
    """A Markdown document: the title, one section per month or season, a bullet per entry."""
    return markdown_document(timeline["title"], "", timeline["entries"])


def markdown_document(title: str, subtitle: str, entries: list[Entry]) -> str:
    """Title, optional subtitle, and the entries in sections per month or season."""
    lines = [f"# {md_escape(title)}", ""]
    if subtitle:
        lines += [f"*{md_escape(subtitle)}*", ""]
    if not entries:
        lines += ["Geen gebeurtenissen.", ""]
    for section, members in sections(entries).items():
        lines += [f"## {md_escape(section)}", ""]
        lines += [markdown_entry(entry) for entry in members]
        lines.append("")
    return "\n".join(lines)


def sections(entries: list[Entry]) -> dict[str, list[Entry]]:
    """Entries grouped by month or season (day and marks dropped), in order of appearance."""
    grouped: dict[str, list[Entry]] = {}
    for entry in entries:
        grouped.setdefault(section_label(entry["date"]), []).append(entry)
    return grouped


def section_label(value: str) -> str:
    """The month, season, year or period an EDTF date falls in: `2020-03-16~` → Maart 2020."""
    plain = re.sub(r"(\d{4}-\d{2})-\d{2}", r"\1", re.sub(r"[~?%]", "", value))
    label = dates.label_nl(plain)
    return label[:1].upper() + label[1:]


def markdown_entry(entry: Entry) -> str:
    """One bullet: date, bold title, text (figures bold), qualities, reference and source."""
    lines = [f"- {md_escape(entry['date_label'])} — **{md_escape(entry['title'])}**"]
    if entry.get("image"):
        lines.append(markdown_image(entry["image"]))
    if entry["text"]:
        lines.append(f"  {md_figures(entry['text'])}")
    if entry["qualities"]:
        lines.append(f"  Kwaliteiten: {md_escape(qualities_text(entry['qualities']))}")
    reference = f"[{entry['ref']}](/{entry['ref']})"
    source = f" · Bron: {md_escape(entry['source'])}" if entry["source"] else ""
    lines.append(f"  {reference}{source}")
    return "  \n".join(lines)


def markdown_image(image: dict[str, Any]) -> str:
    """The entry's picture as a linked Markdown image, with its credit."""
    shown = f"[![{md_escape(image['alt'])}]({image['thumbnail'] or image['url']})]({image['link']})"
    return shown + (f" *{md_escape(image['credit'])}*" if image.get("credit") else "")


def qualities_text(found: list[dict[str, str]]) -> str:
    """`institutionele souplesse (getoond), betrouwbaarheid (deels)`."""
    return ", ".join(
        f"{q['label_nl']}{' · ' + q['element_nl'] if q.get('element_nl') else ''} "
        f"({assessment_nl(q['assessment'])})"
        for q in found
    )


def assessment_nl(assessment: str) -> str:
    """The Dutch word for shown / partial / lacking."""
    return qualities.ASSESSMENT_LABELS.get(assessment, (assessment,))[0]


def md_escape(text: str) -> str:
    """Text safe in Markdown: no raw HTML, no accidental emphasis or links."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s+", " ", text.replace("<", "&lt;").replace(">", "&gt;"))


def md_figures(text: str) -> str:
    """Escaped Markdown text with its figures in bold."""
    return "".join(
        f"**{part}**" if i % 2 else md_escape(part) for i, part in enumerate(_split(text))
    )


def _split(text: str) -> list[str]:
    """Text split around its figures: even indexes are text, odd ones figures."""
    text = " ".join(text.split())
    parts: list[str] = []
    last = 0
    for match in FIGURE.finditer(text):
        parts += [text[last : match.start()], match.group()]
        last = match.end()
    return [*parts, text[last:]]


# HTML


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the printable pages (autoescape on)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["assessment_nl"] = assessment_nl
    env.filters["figures"] = html_figures
    env.filters["machine_date"] = machine_date
    return env


def html_figures(text: str) -> Markup:
    """Escaped HTML text with its figures in <strong class="figure">."""
    return Markup("").join(
        Markup('<strong class="figure">%s</strong>') % part if i % 2 else escape(part)
        for i, part in enumerate(_split(text))
    )


def machine_date(value: str) -> str:
    """A valid HTML `datetime` for an EDTF date: itself when plain, else its first day."""
    plain = re.sub(r"[~?%]", "", value)
    if re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2])(-\d{2})?)?", plain):
        return plain
    return dates.span(value).start


def render_html(timeline: dict[str, Any]) -> str:
    """A standalone, printable HTML5 page in Dutch."""
    template = environment().get_template("timeline.html")
    return template.render(
        timeline=timeline,
        sections=sections(timeline["entries"]),
        position=timeline.get("position"),
    )
