"""The coding table: one row per assessment of every item the reader may read."""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = (
    "item", "kind", "title", "quality", "element", "assessment", "basis", "coder", "note",
    "evidence", "source", "recorded_at",
)  # fmt: skip


def rows(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The rows, items in reference order; `recorded_at` is the item's last recorded change."""
    table = []
    for item in sorted(items, key=lambda i: i.get("ref") or f"{i['kind']}/{i['id']}"):
        if item.get("tombstone"):
            continue
        for a in item.get("assessments") or []:
            table.append(
                {
                    "item": item.get("ref") or f"{item['kind']}/{item['id']}",
                    "kind": item["kind"],
                    "title": item.get("title") or "",
                    "quality": a.get("quality") or "",
                    "element": a.get("element") or "",
                    "assessment": a.get("assessment") or "",
                    "basis": a.get("basis") or "",
                    "coder": a.get("coder") or "",
                    "note": a.get("note") or "",
                    "evidence": a.get("evidence") or "",
                    "source": a.get("source") or "",
                    "recorded_at": item.get("modified_at") or item.get("created_at") or "",
                }
            )
    return table


def as_csv(table: list[dict[str, str]]) -> str:
    """RFC 4180 CSV with a header row (CRLF line ends, quotes where needed)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(table)
    return out.getvalue()
