"""Who may read what: the one visibility policy that every read path goes through.

A reader has a role: `public` (no token), `researcher` or `curator`. An item's consent scope
(`public`, `research`, `curators`) names the roles that may read it; an embargo hides it from
everyone but curators until its day; a withdrawal leaves a tombstone. The rules:

- **Read now** (`may_read`): curators always; others when the item is not withdrawn, not
  under an embargo whose day has not come, and its consent *now* includes their role.
- **Know it exists** (`may_know`): a reader may learn that an item exists — see its tombstone
  after a withdrawal — only when they could have read it (its consent included them and no
  embargo hid it). Everything else answers exactly as a missing item does (`not_found`):
  the same 404, the same words, no tombstone, no link, no feed entry.
- **Read the past** (`in_scope_at`): an older version, an event of the history, an entry of
  the event feed is readable only when the consent *in force after that event* included the
  reader (and the item is readable now). Widening consent publishes the item from then on,
  never the drafts recorded while it was curators-only.
- **Links** name only items the reader may read now.

Every function here is pure (plain data in, plain data out); `archive.service.Archive`
applies them on every read, and `tests/e2e/test_read_paths.py` walks every GET operation of
the OpenAPI document to check that nothing escapes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from events.errors import NotFound

# The roles (public, researcher, curator) and the consent scopes each may read.
VISIBLE: dict[str, tuple[str, ...]] = {
    "public": ("public",),
    "researcher": ("public", "research"),
    "curator": ("public", "research", "curators"),
}
LABELS = {"episodes": "episode", "stories": "verhaal", "media": "media-item"}
# Event types that name another item (their `target`).
LINK_EVENTS = ("Linked", "Unlinked")


def scopes(role: str) -> tuple[str, ...]:
    """The consent scopes a role may read (an unknown role: the public's)."""
    return VISIBLE.get(role, VISIBLE["public"])


def in_scope(consent: str | None, role: str) -> bool:
    """True when an item with this consent may be read by the role (no consent: public)."""
    return role == "curator" or (consent or "public") in scopes(role)


def _embargoed(item: dict[str, Any], today: str | None) -> bool:
    until = item.get("embargo_until")
    return bool(until) and (today or date.today().isoformat()) < str(until)


def may_read(item: dict[str, Any], role: str, today: str | None = None) -> bool:
    """True when a reader with `role` may read the item now (`today`: ISO day)."""
    if role == "curator":
        return True
    if item.get("withdrawn") or _embargoed(item, today):
        return False
    return in_scope(item.get("consent"), role)


def may_know(item: dict[str, Any], role: str, today: str | None = None) -> bool:
    """True when the reader may learn the item exists (read it, or see its tombstone)."""
    if role == "curator":
        return True
    if _embargoed(item, today):
        return False
    return in_scope(item.get("consent"), role)


def not_found(kind: str, key: str) -> NotFound:
    """The error of a missing item: also what a reader gets for an item they may not know."""
    return NotFound(f"Er is geen {LABELS.get(kind, 'item')} {key!r} in het archief.")


def tombstone(item: dict[str, Any]) -> dict[str, Any]:
    """What readers see of a withdrawn item: its number, that and when, under which policy."""
    withdrawn = item["withdrawn"]
    label = f"BoTu nr. {item['id']}" if item["kind"] == "stories" else item["id"]
    stone = {
        "kind": item["kind"],
        "id": item["id"],
        "ref": item["ref"],
        "title": f"{label} (ingetrokken)",
        "tombstone": True,
        "withdrawn": {"at": withdrawn["at"], "policy": withdrawn.get("policy", "")},
    }
    if item["kind"] == "stories":
        stone["number"] = item["id"]
    return stone


def with_readable_links(item: dict[str, Any], readable: Callable[[str], bool]) -> dict[str, Any]:
    """The item with only the links the reader may follow (`readable(ref)`)."""
    links = item.get("links")
    if not links:
        return item
    kept = [link for link in links if readable(link)]
    return item if len(kept) == len(links) else {**item, "links": kept}


def scope_after_each(events: Iterable[dict[str, Any]]) -> list[str]:
    """The consent in force after each event of one item (history records, oldest first)."""
    result: list[str] = []
    scope = "public"
    for event in events:
        data = event.get("data") or {}
        if event["type"] == "Registered":
            scope = data.get("consent") or "public"
        elif event["type"] == "ConsentRecorded":
            scope = data.get("scope") or scope
        result.append(scope)
    return result


def readable_history(
    events: list[dict[str, Any]], role: str, readable: Callable[[str], bool]
) -> list[dict[str, Any]]:
    """The events of an item's history a role may read.

    Curators read every event. Others read the events recorded while the consent in force
    (after the event) included them, except links to items they may not read.
    """
    if role == "curator":
        return events
    kept = []
    for event, scope in zip(events, scope_after_each(events), strict=True):
        if not in_scope(scope, role):
            continue
        if event["type"] in LINK_EVENTS and not readable(str(event["data"].get("target", ""))):
            continue
        kept.append(event)
    return kept
