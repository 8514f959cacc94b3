"""Which of an item's data is free text that can name a person, and how a name is taken out.

Everything a curator or teller writes in words — a title, a summary, the text, themes,
people, places, sources, rights, storytellers, an outlet or link, the reason of a change, a
withdrawal's reason and policy, a happening's title, text, source and themes, an
assessment's evidence and source — can name a resident. The archive seals all of it under
the item's key (`archive/shredding.py`), so destroying the key leaves only the structure:
kind, number, dates, consent, qualities and that the item was erased. What is not free text
stays readable: ids, dates, consent scopes, quality ids and assessments, links (references
to other items), who recorded a change (`actor`: a curator, not a resident).

Pure data and functions, no I/O.
"""

from __future__ import annotations

import re
from typing import Any

# Top-level fields of events and snapshot states, with their empty form (what they read as
# once their key is destroyed).
SEALED_FIELDS: dict[str, Any] = {
    "title": "",
    "summary": "",
    "body": "",
    "themes": [],
    "people": [],
    "places": [],
    "source": "",
    "rights": "",
    "storytellers": [],
    "contact": "",
    "outlet": "",
    "url": "",
    "reason": "",
    "withdrawal_reason": "",
    "policy": "",
    "content": {},
}
# Fields inside an item's parts: in events the single `happening` or `assessment`, in
# snapshot states every value of `happenings` and `assessments` (by id), and `withdrawn`.
SEALED_PARTS: dict[str, dict[str, Any]] = {
    "happening": {"title": "", "text": "", "source": "", "themes": []},
    "assessment": {"evidence": "", "source": "", "note": ""},
    # A file's name, its digest (a fingerprint of a resident's photo) and the key that opens
    # its bytes in the blob store (events/files.py): erasure leaves only its type and size.
    "file": {"filename": "", "sha256": "", "key": ""},
}
SNAPSHOT_PARTS: dict[str, str] = {
    "happenings": "happening", "assessments": "assessment", "files": "file",
}  # fmt: skip
WITHDRAWN_TEXT: dict[str, Any] = {"reason": "", "policy": ""}
# The attributes of an item whose words a `PersonForgotten` event carries, redacted.
CONTENT_FIELDS = (
    "title", "summary", "body", "themes", "people", "places", "source", "rights",
    "storytellers", "outlet", "url", "happenings", "assessments", "withdrawn", "files",
)  # fmt: skip
REDACTED = "[naam verwijderd]"


def emptied_part(part: dict[str, Any], kind: str) -> dict[str, Any]:
    """A happening or assessment with its free text emptied (ids, dates, grades kept)."""
    return {**part, **{name: type(empty)() for name, empty in SEALED_PARTS[kind].items()}}


def _pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in name.split()]
    if not words:
        raise ValueError("a name needs at least one word")
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def names_person(value: Any, name: str) -> bool:
    """True when the name occurs (as whole words, any case) anywhere in the value."""
    pattern = _pattern(name)

    def walk(node: Any) -> bool:
        if isinstance(node, str):
            return pattern.search(node) is not None
        if isinstance(node, dict):
            return any(walk(v) for v in node.values())
        if isinstance(node, list | tuple):
            return any(walk(v) for v in node)
        return False

    return walk(value)


def redact(value: Any, name: str) -> Any:
    """The value with the name taken out: list entries that are the name dropped, every
    other occurrence replaced by `[naam verwijderd]`."""
    pattern = _pattern(name)

    def walk(node: Any) -> Any:
        if isinstance(node, str):
            return pattern.sub(REDACTED, node)
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list | tuple):
            return [
                walk(v) for v in node if not (isinstance(v, str) and pattern.fullmatch(v.strip()))
            ]
        return node

    return walk(value)
