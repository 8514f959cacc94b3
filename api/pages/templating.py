"""Jinja2 for the web pages: one environment, Dutch labels as filters, one way to answer.

Templates live in `api/templates/`; every page extends `base.html` (header, navigation, main,
footer with the page's JSON address). Autoescaping is on: only HTML the archive already made
safe (sanitised Markdown, search snippets, diffs built here) is marked safe, in the templates.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from api.pages import coding
from api.pages.auth import PageReader, reader_of
from api.passages import linked_source
from archive.pictures import describe
from archive.timelines import machine_date
from events import dates, qualities

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# A media item's kind (the API's `kind`) as the pages name it.
MEDIA_KINDS = {
    "article": "artikel", "photo": "foto", "drawing": "tekening", "video": "video",
    "report": "rapport", "audio": "geluid",
}  # fmt: skip
KIND_LABELS = {
    "episodes": ("episode", "episodes"),
    "stories": ("verhaal", "verhalen"),
    "media": ("media-item", "media"),
}
CONSENT_LABELS = {
    "public": "openbaar",
    "research": "voor onderzoek",
    "curators": "alleen curatoren",
}
ASSESSMENT_SYMBOLS = {"shown": "✓", "partial": "◐", "lacking": "✗", None: "–"}
MONTHS = (
    "jan.", "feb.", "mrt.", "apr.", "mei", "jun.",
    "jul.", "aug.", "sep.", "okt.", "nov.", "dec.",
)  # fmt: skip

# Security headers of every page (inline styles: the timelines and Kronieken are standalone
# pages with a <style> of their own; scripts only from /static).
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def item_path(kind: str, key: str) -> str:
    """The page address of an item."""
    return f"/{kind}/{key}"


def kind_label(kind: str, plural: bool = False) -> str:
    """`episodes` → `episode` (or `episodes`), `stories` → `verhaal`."""
    singular, many = KIND_LABELS.get(kind, (kind, kind))
    return many if plural else singular


def quality_nl(quality_id: str | None) -> str:
    """The Dutch label of a quality or framework element (the id when unknown)."""
    if not quality_id:
        return ""
    try:
        return qualities.get(quality_id).label_nl
    except KeyError:
        return quality_id


def quality_en(quality_id: str | None) -> str:
    """The English label of a quality or framework element."""
    if not quality_id:
        return ""
    try:
        return qualities.get(quality_id).label_en
    except KeyError:
        return quality_id


def assessment_nl(value: str | None) -> str:
    """`shown` → `getoond`, `partial` → `deels`, `lacking` → `ontbreekt`."""
    if not value:
        return "niet beoordeeld"
    return qualities.ASSESSMENT_LABELS.get(value, (value, value))[0]


def assessment_symbol(value: str | None) -> str:
    """A symbol that tells the assessments apart without colour."""
    return ASSESSMENT_SYMBOLS.get(value, "?")


def date_nl(value: str | None) -> str:
    """A Dutch label for an EDTF date (the EDTF itself when it has no label)."""
    if not value:
        return ""
    try:
        return dates.label_nl(value)
    except Exception:  # an odd date must never break a page
        return value


def moment_nl(value: str | datetime | None) -> str:
    """An ISO date-time as `23 nov. 2026, 10:54:19 UTC`."""
    if not value:
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    zone = moment.strftime("%Z") or ""
    zone = "UTC" if zone in ("UTC", "UTC+00:00") else zone
    return (
        f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}, "
        f"{moment.strftime('%H:%M:%S')} {zone}".strip()
    )


def machine_moment(value: str | datetime | None) -> str:
    """An ISO date-time as a valid HTML `datetime` (milliseconds at most)."""
    if not value:
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return ""
    return moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")


def date_attr(value: str | None) -> str:
    """An EDTF date as a valid HTML `datetime` (empty for no date or an odd one)."""
    if not value:
        return ""
    try:
        return machine_date(value)
    except Exception:  # an odd date must never break a page
        return ""


def local_input(value: datetime | None) -> str:
    """A moment as the value of an `<input type="datetime-local">` (UTC, seconds)."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def query(params: dict[str, Any], **changes: Any) -> str:
    """`?a=1&b=2` from `params` with `changes` applied (None or "" drops a parameter)."""
    merged = {**params, **changes}
    kept = {k: v for k, v in merged.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


def source_link(source: str | None) -> Markup:
    """A `source` with every `file:A-B` in it linked to the cited passage's page."""
    return Markup("").join(
        Markup('<a href="{}"><cite>{}</cite></a>').format(url, text)
        if url
        else Markup("<cite>{}</cite>").format(text)
        for text, url in linked_source(source)
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment of the pages (autoescaped)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        quality_nl=quality_nl,
        quality_en=quality_en,
        assessment_nl=assessment_nl,
        assessment_symbol=assessment_symbol,
        date_nl=date_nl,
        moment_nl=moment_nl,
        machine_moment=machine_moment,
        machine_date=date_attr,
        kind_label=kind_label,
        file_about=describe,
        media_kind_nl=lambda value: MEDIA_KINDS.get(value or "", value or ""),
        consent_nl=lambda value: CONSENT_LABELS.get(value or "", value or ""),
        source_link=source_link,
        basis_nl=coding.basis_nl,
        basis_symbol=coding.basis_symbol,
        coders_nl=coding.coders_nl,
    )
    env.globals.update(
        item_path=item_path,
        query=query,
        kind_labels=KIND_LABELS,
        responsive=[q for q in qualities.QUALITIES if q.framework == qualities.RESPONSIVE],
        resilience=[q for q in qualities.QUALITIES if q.framework == qualities.RESILIENCE],
        elements=qualities.ELEMENTS,
        assessments=qualities.ASSESSMENTS,
    )
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    reader: PageReader | None = None,
    json_url: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page: the template with the reader, the current path and the page's JSON address."""
    page = environment().get_template(template)
    html = page.render(
        {
            "json_url": json_url,
            **context,
            "request": request,
            "reader": reader or reader_of(request),
            "path": request.url.path,
        }
    )
    return HTMLResponse(html, status_code=status, headers={**HEADERS, **(headers or {})})
