"""Items by part of their title, for choosing one (the link picker's suggestions).

`suggest(items, q)` takes the items a reader may read (`Archive.all_items(role=…)`: the
visibility policy has already decided) and keeps those whose title, id or number holds every
word of `q`, case and accents ignored; best first: the title starts with the words, then a
word of it does, then the words are somewhere inside; then by title.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from events import dates

MAX_QUERY = 200


def fold(text: str) -> str:
    """Lower case without accents: `Café Ré` → `cafe re`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _rank(title: str, words: list[str], phrase: str) -> int:
    if title.startswith(phrase):
        return 0
    if all(any(part.startswith(w) for part in title.split()) for w in words):
        return 1
    return 2


def suggest(items: list[dict[str, Any]], q: str, kind: str | None = None) -> list[dict[str, Any]]:
    """The items matching `q` (every word in the title, id or number), best first, shaped
    as suggestions: `kind`, `id`, `ref`, `title`, `date` and its Dutch `date_label`."""
    phrase = " ".join(fold(q).split())[:MAX_QUERY]
    words = phrase.split()
    found = []
    for item in items:
        if kind and item["kind"] != kind:
            continue
        title = fold(item.get("title") or "")
        haystack = f"{title} {fold(item['id'])}"
        if not all(word in haystack for word in words):
            continue
        found.append((_rank(title, words, phrase) if words else 0, title, item))
    found.sort(key=lambda entry: (entry[0], entry[1], entry[2]["ref"]))
    return [shaped(item) for _, _, item in found]


def shaped(item: dict[str, Any]) -> dict[str, Any]:
    """An item as a suggestion."""
    date = item.get("date")
    try:
        label = dates.label_nl(date) if date else None
    except Exception:  # an odd old date must never break a suggestion
        label = date
    return {
        "kind": item["kind"],
        "id": item["id"],
        "ref": item["ref"],
        "title": item.get("title") or item["id"],
        "date": date,
        "date_label": label,
    }
