"""Reference pages: the qualities explained, and a cited passage of a source document."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.pages.public import error_page
from api.pages.templating import render
from api.passages import CITED, MAX_LINES, document_lines, line_range, page_url
from events import qualities
from events.errors import ArchiveError

router = APIRouter(include_in_schema=False)
CONTEXT = 5  # lines shown around a passage


def _passage(source: str) -> dict[str, object] | None:
    """The lines a definition's `source` cites, for the qualities page."""
    found = CITED.fullmatch(source.strip())
    if not found:
        return None
    first, _, last = found.group(2).partition("-")
    text = document_lines(found.group(1))
    lo, hi = int(first), int(last or first)
    return {
        "text": "\n".join(text[lo - 1 : hi]),
        "url": page_url(found.group(1), lo, hi),
    }


@router.get("/qualities", response_class=HTMLResponse)
def qualities_page(request: Request) -> Response:
    """Every quality and element: labels, framework, element(s), definition and its passage."""
    frameworks = [
        ("Responsieve overheid (monitor, hoofdstuk 4)", qualities.RESPONSIVE),
        ("Resilience Framework (Veerkrachtig besturen)", qualities.RESILIENCE),
    ]
    sections = [
        (title, [q for q in qualities.QUALITIES if q.framework == framework])
        for title, framework in frameworks
    ]
    concepts = [*qualities.QUALITIES, *qualities.ELEMENTS]
    passages = {c.id: _passage(c.source) for c in concepts}
    return render(
        request,
        "qualities.html",
        {"sections": sections, "elements": qualities.ELEMENTS, "passages": passages},
        json_url="/api/qualities",
    )


@router.get("/sources/{file}", response_class=HTMLResponse)
def source_page(request: Request, file: str, lines: str = "", vanaf: str = "") -> Response:
    """A cited passage of a source document, with a few lines of context around it.

    A citation longer than the API serves at once (`MAX_LINES`) is shown in parts: `vanaf`
    is the first line of the part, with links to the part before and after.
    """
    try:
        text = document_lines(file)
        first, last = line_range(lines, len(text), capped=False)
    except ArchiveError as error:
        return error_page(request, error)
    wanted = int(vanaf) if vanaf.isdigit() else first  # a part that is no line: the first
    shown_first = min(max(wanted, first), last)
    shown_last = min(last, shown_first + MAX_LINES - 1)
    start, end = max(1, shown_first - CONTEXT), min(len(text), shown_last + CONTEXT)
    rows = [
        {"number": n, "text": text[n - 1], "cited": first <= n <= last}
        for n in range(start, end + 1)
    ]
    here = page_url(file, first, last)
    part = {
        "first": shown_first,
        "last": shown_last,
        "previous": f"{here}&vanaf={max(first, shown_first - MAX_LINES)}"
        if shown_first > first
        else None,
        "next": f"{here}&vanaf={shown_last + 1}" if shown_last < last else None,
    }
    return render(
        request,
        "source.html",
        {"file": file, "first": first, "last": last, "rows": rows, "part": part},
        json_url=f"/api/sources/{file}?lines={shown_first}-{shown_last}",
    )
