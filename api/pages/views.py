"""What the pages show, shaped from the archive's plain data (no HTTP here).

Small pure helpers shared by the public and the curator pages: an item page's context, the
matrix of episodes × qualities, the facets of a search as toggle links, the links of the
downloads injected into the standalone timeline pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import nh3
from markupsafe import Markup, escape

from api.pages import coding, pictures
from api.pages import history as history_view
from api.pages.templating import item_path, kind_label, quality_en, quality_nl, query
from archive.rendering import markdown_to_html
from archive.service import Archive
from events import qualities

KINDS = ("episodes", "stories", "media")
FACETS = ("kind", "quality", "assessment", "year")
FACET_LABELS = {
    "kind": "Soort",
    "quality": "Kwaliteit",
    "assessment": "Beoordeling",
    "year": "Jaar",
}


def api_path(kind: str, key: str) -> str:
    """The JSON address of an item."""
    return f"/api/{kind}/{key}"


def item_context(
    archive: Archive, kind: str, key: str, role: str, as_of: datetime | None
) -> dict[str, Any]:
    """Everything an item page shows (raises the archive's NotFound / Withdrawn)."""
    item = archive.item(kind, key, role=role, as_of=as_of)
    visible = {other["ref"]: other for other in archive.all_items(role=role)}
    links = []
    linked = []
    for ref in item.get("links") or []:
        other = visible.get(ref)
        if other is None:
            continue
        linked.append(other)
        links.append(
            {
                "ref": ref,
                "kind": other["kind"],
                "title": other["title"],
                "date": other.get("date"),
                "href": item_path(other["kind"], other["id"]),
            }
        )
    links.sort(key=lambda link: (KINDS.index(link["kind"]), link["title"]))
    events = archive.history(kind, key, role=role)
    json_url = api_path(kind, key) + query({"as_of": as_of.isoformat() if as_of else None})
    return {
        "item": item,
        "assessment_groups": coding.groups(item.get("assessments")),
        "happening_titles": {h["id"]: h["title"] for h in item.get("happenings") or []},
        "happening_assessments": coding.by_happening(item.get("assessments")),
        "kind": kind,
        "key": key,
        "body_html": Markup(markdown_to_html(item.get("body_markdown"))),
        "links": links,
        "history": history_view.entries(events),
        "current_version": events[-1]["version"] if events else item.get("version"),
        "as_of": as_of,
        "json_url": json_url,
        "history_url": f"/api/{kind}/{key}/history",
        "files": pictures.files_context(item, linked, as_of=as_of is not None),
    }


def hit_href(hit: dict[str, Any]) -> str:
    """The page of a search hit; a happening's hit goes to its place in the episode."""
    href = item_path(hit["kind"], hit["id"])
    if hit.get("happening"):
        href += f"#happening-{hit['happening']}"
    return href


def safe_snippet(snippet: str | None) -> Markup:
    """A search snippet as safe HTML: the index escapes the text; only `<mark>` is kept."""
    return Markup(nh3.clean(snippet or "", tags={"mark"}, attributes={"mark": {"class"}}))


def facet_value_label(facet: str, value: str) -> str:
    """How a facet's value is shown."""
    if facet == "kind":
        return kind_label(value, plural=True)
    if facet == "quality":
        return quality_nl(value)
    if facet == "assessment":
        return qualities.ASSESSMENT_LABELS.get(value, (value,))[0]
    return value


def facet_order(facet: str, value: str) -> tuple[int, str]:
    if facet == "kind":
        return (KINDS.index(value) if value in KINDS else 9, value)
    if facet == "quality":
        order = [q.id for q in qualities.QUALITIES]
        return (order.index(value) if value in order else 99, value)
    if facet == "assessment":
        order = list(qualities.ASSESSMENTS)
        return (order.index(value) if value in order else 9, value)
    return (0, value)


def facets(found: dict[str, dict[str, int]], params: dict[str, Any]) -> list[dict[str, Any]]:
    """Each facet's values with counts, as links that switch that filter on or off."""
    groups = []
    for facet in FACETS:
        counts = {str(k): v for k, v in (found.get(facet) or {}).items()}
        active = params.get(facet)
        if active not in (None, "") and str(active) not in counts:
            counts[str(active)] = 0
        values = []
        for value in sorted(counts, key=lambda v: facet_order(facet, v)):
            on = active not in (None, "") and str(active) == value
            values.append(
                {
                    "value": value,
                    "label": facet_value_label(facet, value),
                    "english": quality_en(value) if facet == "quality" else "",
                    "count": counts[value],
                    "active": on,
                    "href": "/search" + query(params, **{facet: None if on else value}),
                }
            )
        groups.append({"name": facet, "label": FACET_LABELS[facet], "values": values})
    return groups


def matrix(episodes: list[dict[str, Any]], concepts: list[Any]) -> list[dict[str, Any]]:
    """Rows of episodes with, per quality, the assessments grouped by element (each coder's
    grade, basis and numbered note; disagreement marked) and the cell's overall state."""
    rows = []
    number = 0
    for episode in episodes:
        cells = []
        for concept in concepts:
            found = [
                {**a, "href": f"/episodes/{episode['id']}#assessment-{a['id']}"}
                for a in episode.get("assessments") or []
                if a["quality"] == concept.id
            ]
            groups = coding.groups(found)  # the same dicts as `found`, in display order
            for assessment in (a for group in groups for a in group["assessments"]):
                if assessment.get("note"):
                    number += 1
                    assessment["note_number"] = number
            states = {a["assessment"] for a in found}
            if not states:
                state = "none"
            elif len(states) == 1:
                state = next(iter(states))
            else:
                state = "mixed"
            cells.append(
                {
                    "quality": concept,
                    "state": state,
                    "assessments": found,
                    "groups": groups,
                }
            )
        rows.append({"episode": episode, "cells": cells})
    return rows


def matrix_notes(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The numbered notes of a matrix's cells, in number order, with where they belong."""
    notes = [
        {**a, "episode": row["episode"]}
        for row in rows
        for cell in row["cells"]
        for a in cell["assessments"]
        if a.get("note_number")
    ]
    return sorted(notes, key=lambda a: a["note_number"])


def downloads_nav(links: list[tuple[str, str]], extra: list[tuple[str, str]]) -> Markup:
    """The bar injected into a standalone page: back home, other forms, other pages."""
    style = (
        "font:15px/1.4 system-ui,sans-serif;background:#1f3b4d;color:#fff;padding:.6rem 1rem;"
        "margin:-2rem -1rem 1.5rem;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;"
        "align-items:center;border-radius:0 0 4px 4px"
    )
    link_style = "color:#fff;text-decoration:underline;text-underline-offset:2px"
    parts = [f'<a style="{link_style};font-weight:700" href="/">Wijkarchief BoTu</a>']
    parts += [f'<a style="{link_style}" href="{escape(h)}">{escape(t)}</a>' for t, h in extra]
    downloads = " · ".join(
        f'<a style="{link_style}" href="{escape(h)}" rel="alternate">{escape(t)}</a>'
        for t, h in links
    )
    parts.append(f'<span style="margin-left:auto">Download: {downloads}</span>')
    return Markup(
        f'<nav class="wa-downloads" aria-label="Wijkarchief en downloads" style="{style}">'
        + "".join(parts)
        + "</nav>"
    )


def inject(html: str, nav: Markup) -> str:
    """`html` with `nav` as the first element of its body (or before it when there is none)."""
    lower = html.lower()
    start = lower.find("<body")
    if start == -1:
        return str(nav) + html
    end = lower.find(">", start)
    return html[: end + 1] + "\n" + str(nav) + html[end + 1 :]
