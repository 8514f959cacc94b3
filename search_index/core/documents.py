"""From an item's plain data to the documents the index holds for it.

An item gives one document of its own and one per dated happening (the moments of an
episode are found on their own, with their own date and year). The labels of the qualities
the item is assessed on, in Dutch and English, are indexed with the item,
so `institutional flexibility` finds the items where it was assessed (the item's own
document only: its happenings carry the quality for filters and facets, not for the words).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from events import dates, qualities

# Bumped when what goes into the documents changes (or Whoosh's schema or analysis): an index
# of another version is dropped and rebuilt by the follower, with either backend.
SCHEMA_VERSION = 2

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
            years.update(y for y in dates.span(value).years if 1000 < y < 3000)
    return ",".join(str(y) for y in sorted(years))


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
    own: Document = {
        **shared,
        "docid": item["ref"],
        "doctype": "item",
        "happening": None,
        "title": item["title"],
        "body": "\n\n".join(p for p in (item.get("summary"), item.get("body_markdown")) if p),
        "evidence": "\n".join(a["evidence"] for a in assessments if a.get("evidence")),
        "quality_text": _labels(quality_ids),
        "evidence_by_quality": {
            q: " … ".join(a["evidence"] for a in assessments if a["quality"] == q and a["evidence"])
            for q in quality_ids
        },
        "names": " ".join(n for n in names if n),
        "year": _years(item.get("date"), *(h["date"] for h in happenings)),
        "date": item.get("date"),
    }
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
                "year": _years(happening["date"]),
                "date": happening["date"],
            }
        )
    return docs
