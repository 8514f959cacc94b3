"""From an item's plain data to the documents the index holds for it.

An item gives one document of its own (`doctype=item`: what a search finds and counts) and
one per dated happening (`doctype=happening`: the moments shown inside the item's hit, with
their own date and year). The item's document holds the words of its happenings too
(`moments`), so an item is found by any of its moments. The labels of the qualities the item
is assessed on, in Dutch and English, are indexed with the item, so `institutional
flexibility` finds the items where it was assessed; its assessments are stored with it, so a
hit shows how the item was assessed on the quality asked. `parts` holds the parts of the
Dutch compounds of the text (`search_index.core.compounds`: `coronacrisis` is found by
`corona`); `spelling` the words as written (not stemmed), for "bedoelde u …?".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from events import dates, qualities
from search_index.core.compounds import parts_of

# Bumped when what goes into the documents changes (or Whoosh's schema or analysis): an index
# of another version is dropped and rebuilt by the follower, with either backend.
SCHEMA_VERSION = 4  # 4: open-ended dates reach this year, not 9999; no Markdown heading marks
HEADING_MARKS = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)
UNDATED = 99_999_999  # `sortdate` of an item without a date: last

Document = dict[str, Any]  # field name → value, as both backends index it


def _labels(quality_ids: list[str]) -> str:
    parts: list[str] = []
    for quality_id in quality_ids:
        concept = qualities.get(quality_id)
        parts.extend([concept.label_nl, concept.label_en, *concept.alt_labels])
    return " ".join(parts)


@lru_cache(maxsize=65536)
def _years(*values: str | None) -> str:
    """The `year` field: every year the dates touch, comma-separated (memoised per dates)."""
    years: set[int] = set()
    for value in values:
        if value:
            years.update(dates.touched_years(value))
    return ",".join(str(y) for y in sorted(years))


def sortdate(*values: str | None) -> int:
    """The first day of the earliest date as YYYYMMDD (the `sortdate` field); UNDATED without."""
    starts = [dates.span(v).start for v in values if v]
    return int(min(starts).replace("-", "")) if starts else UNDATED


def _embargo(item: dict[str, Any]) -> int:
    until = item.get("embargo_until")
    return int(until.replace("-", "")) if until else 0


def documents(item: dict[str, Any]) -> list[Document]:
    """The documents of one item; none when it is withdrawn (readers get a tombstone)."""
    if item.get("withdrawn"):
        return []
    assessments = item.get("assessments", [])
    quality_ids = sorted({a["quality"] for a in assessments})
    shared = {
        "kind": item["kind"],
        "key": item["id"],
        "ref": item["ref"],
        "quality": ",".join(quality_ids),
        "assessment": ",".join(sorted({a["assessment"] for a in assessments})),
        "assessed": ",".join(sorted({f"{a['quality']}:{a['assessment']}" for a in assessments})),
        "consent": item.get("consent", "public"),
        "embargo": _embargo(item),
    }
    names = [
        *item.get("people", []),
        *item.get("storytellers", []),
        *item.get("places", []),
        item.get("outlet", ""),
    ]
    happenings = item.get("happenings", [])
    text = "\n\n".join(p for p in (item.get("summary"), item.get("body_markdown")) if p)
    body = HEADING_MARKS.sub("", text)  # a snippet shows "Responsieve overheid", not "## …"
    moments = "\n".join(f"{h['title']}\n{h.get('text', '')}" for h in happenings)
    evidence = "\n".join(a["evidence"] for a in assessments if a.get("evidence"))
    words = "\n".join((item["title"], body, moments, evidence))
    own: Document = {
        **shared,
        "docid": item["ref"],
        "doctype": "item",
        "happening": None,
        "title": item["title"],
        "body": body,
        "evidence": evidence,
        "moments": moments,
        "parts": parts_of(words),
        "spelling": f"{words}\n{' '.join(n for n in names if n)}",
        "quality_text": _labels(quality_ids),
        "evidence_by_quality": {
            q: " … ".join(a["evidence"] for a in assessments if a["quality"] == q and a["evidence"])
            for q in quality_ids
        },
        "names": " ".join(n for n in names if n),
        "year": _years(item.get("date"), *(h["date"] for h in happenings)),
        "date": item.get("date"),
        "sortdate": sortdate(item.get("date"))
        if item.get("date")
        else sortdate(*(h["date"] for h in happenings)),
        "assessments": [
            {key: a.get(key) for key in ("quality", "element", "assessment", "evidence", "source")}
            for a in assessments
        ],
    }
    own["sortkey"] = f"{own['sortdate']:08d} {item['ref']}"  # date order, ties by ref
    docs = [own]
    for happening in happenings:
        docs.append(
            {
                **shared,
                "docid": f"{item['ref']}#{happening['id']}",
                "doctype": "happening",
                "happening": happening["id"],
                "title": happening["title"],
                "body": happening.get("text", ""),
                "evidence": "",
                "names": "",
                "moments": "",
                "parts": parts_of(f"{happening['title']}\n{happening.get('text', '')}"),
                "spelling": "",
                "year": _years(happening["date"]),
                "date": happening["date"],
                "sortdate": sortdate(happening["date"]),
            }
        )
    return docs
