"""The no-lost-update check of `loadtest.py`, made over the HTTP API after the load.

Every write the load test attempted is a `Write`. The check reads the event log after the
position where the load began (`/api/events`), each touched item's history
(`/api/{kind}/{key}/history`), the item itself and the catalogue's list, and reports:

- `lost`: an acknowledged write (2xx) that is not in the log, not in its item's history
  exactly once with the value it wrote, or (a revision) not on the version it was based on;
- `unacknowledged`: an event in the log after the start that no acknowledged write explains
  (a refused, failed or timed-out request that was written anyway);
- `final_state`: an item whose current value is not the last acknowledged write to it (in
  version order), or whose version is not its history's last;
- `views`: an item whose catalogue entry (the list endpoints) differs from the item itself
  once the views have caught up (not a lost update: a read model that lags or diverged).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx

# What a revision writes per kind: the request field and the key in the event's data.
REVISED_FIELD = {"stories": "body_markdown", "episodes": "summary", "media": "title"}
EVENT_KEY = {"body_markdown": "body", "summary": "summary", "title": "title"}
EVENT_TYPE = {"body_markdown": "TextRevised", "summary": "SummaryRevised", "title": "Retitled"}


@dataclass
class Write:
    """One write request of the load test, whatever its answer."""

    op: str  # patch | story | assessment
    actor: str
    ref: str  # kind/key of the item written
    value: str  # the unique text it wrote (patch: the field; story: title; assessment: evidence)
    status: int  # 0: no answer (transport error)
    field: str = ""
    expected_version: int | None = None  # If-Match of a patch
    position: int | None = None  # X-Archive-Position of a 2xx answer
    answer_version: int | None = None  # the item version in the answer
    answer_value: str | None = None  # the field's value in the answer (a patch)
    assessment_id: str | None = None

    @property
    def acknowledged(self) -> bool:
        return 200 <= self.status < 300


@dataclass
class Findings:
    """What the check found; empty lists mean nothing was lost."""

    events_after_start: int = 0
    acknowledged: int = 0
    attempted: int = 0
    lost: list[str] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)
    final_state: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    items_checked: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.lost or self.unacknowledged or self.final_state or self.views)

    def as_dict(self) -> dict[str, Any]:
        return {
            "events_after_start": self.events_after_start,
            "acknowledged_writes": self.acknowledged,
            "attempted_writes": self.attempted,
            "items_checked": self.items_checked,
            "lost": self.lost,
            "unacknowledged": self.unacknowledged,
            "final_state": self.final_state,
            "views": self.views,
            "notes": self.notes,
            "ok": not self.failed,
        }


def _get(http: httpx.Client, path: str, **params: Any) -> Any:
    response = http.get(path, params=params)
    response.raise_for_status()
    return response.json()


def log_after(http: httpx.Client, start: int) -> list[dict[str, Any]]:
    """Every event of the log after position `start` (curator token: with data)."""
    events: list[dict[str, Any]] = []
    after = start
    while True:
        page = _get(http, "/api/events", after=after, limit=1000)
        if not page["items"]:
            return events
        events.extend(page["items"])
        after = page["next"]


def history(http: httpx.Client, ref: str) -> list[dict[str, Any]]:
    """Every event of one item, oldest first (all pages)."""
    items: list[dict[str, Any]] = []
    while True:
        page = _get(http, f"/api/{ref}/history", limit=1000, offset=len(items))
        items.extend(page["items"])
        if len(page["items"]) < 1000:
            return items


def _event_matches(write: Write, event: dict[str, Any]) -> bool:
    """True when the event (of `/api/events` or of a history) is what `write` wrote."""
    data = event.get("data") or {}
    kind = event["type"].rsplit(".", 1)[-1]
    if write.op == "patch":
        return kind == EVENT_TYPE[write.field] and data.get(EVENT_KEY[write.field]) == write.value
    if write.op == "story":
        return kind == "Registered" and data.get("title") == write.value
    assessment = data.get("assessment") or {}
    return kind == "QualityAssessed" and assessment.get("evidence") == write.value


def _values(event: dict[str, Any]) -> list[str]:
    """The texts an event wrote that a load-test write could have written."""
    data = event.get("data") or {}
    found = [data.get(k) for k in ("body", "summary", "title")]
    found.append((data.get("assessment") or {}).get("evidence"))
    return [v for v in found if isinstance(v, str)]


def check(
    http: httpx.Client,
    writes: list[Write],
    start: int,
    marker: str,
    *,
    view_wait: float = 30.0,
) -> Findings:
    """Check the archive behind `http` (a curator's client) against the writes."""
    found = Findings(attempted=len(writes))
    acked = [w for w in writes if w.acknowledged]
    found.acknowledged = len(acked)
    by_value: dict[str, list[Write]] = defaultdict(list)
    for w in writes:
        by_value[w.value].append(w)

    # 1. The log after the start: one event per acknowledged write, and nothing else.
    events = log_after(http, start)
    found.events_after_start = len(events)
    at = {e["position"]: e for e in events}
    for w in acked:
        event = at.get(w.position or -1)
        if event is None:
            found.lost.append(
                f"{w.op} {w.ref} by {w.actor} ({w.value!r}): position {w.position} "
                "is not in the log"
            )
        elif event["originator"] != w.ref or not _event_matches(w, event):
            found.lost.append(
                f"{w.op} {w.ref} by {w.actor} ({w.value!r}): the event at position {w.position} "
                f"is {event['type']} of {event['originator']} {event.get('data')!r}"
            )
        elif w.op == "patch" and event["version"] != (w.expected_version or 0) + 1:
            found.lost.append(
                f"patch {w.ref} by {w.actor} ({w.value!r}) sent If-Match {w.expected_version} "
                f"but was written as version {event['version']}"
            )
    acked_positions = {w.position for w in acked}
    for event in events:
        if event["position"] in acked_positions:
            continue
        sources = [w for v in _values(event) for w in by_value.get(v, [])]
        why = ", ".join(
            f"{w.op} by {w.actor} answered {w.status or 'nothing'}" for w in sources
        ) or ("not a load-test value" if not any(marker in v for v in _values(event)) else "?")
        found.unacknowledged.append(
            f"position {event['position']}: {event['type']} of {event['originator']} "
            f"v{event['version']} ({why})"
        )
    if len(events) != len(acked):
        found.notes.append(
            f"{len(events)} events after position {start}, {len(acked)} acknowledged writes"
        )

    # 2. Each touched item: its history has each acknowledged write exactly once; its
    #    current value is the last acknowledged write (version order).
    refs = sorted({w.ref for w in writes})
    found.items_checked = len(refs)
    current: dict[str, dict[str, Any]] = {}
    for ref in refs:
        mine = [w for w in acked if w.ref == ref]
        response = http.get(f"/api/{ref}")
        if response.status_code != 200:
            if mine:
                found.lost.append(
                    f"{ref}: GET answered {response.status_code} {response.text[:200]}"
                )
            continue
        item = current[ref] = response.json()
        events_of = history(http, ref)
        versions = [e["version"] for e in events_of]
        if versions != list(range(1, len(versions) + 1)):
            found.final_state.append(f"{ref}: history versions are not 1..n: {versions}")
        if item["version"] != len(events_of):
            found.final_state.append(
                f"{ref}: version {item['version']} but {len(events_of)} events in its history"
            )
        for w in mine:
            hits = [e for e in events_of if _event_matches(w, e)]
            if len(hits) != 1:
                found.lost.append(
                    f"{w.op} {ref} by {w.actor} ({w.value!r}): {len(hits)} times in the history"
                )
            elif hits[0]["actor"] != w.actor:
                found.lost.append(
                    f"{w.op} {ref} ({w.value!r}): actor {hits[0]['actor']!r}, not {w.actor!r}"
                )
            if w.op == "assessment" and w.assessment_id not in {
                a["id"] for a in item.get("assessments", [])
            }:
                found.final_state.append(f"{ref}: assessment {w.assessment_id} is not in the item")
        for name in {w.field for w in mine if w.op == "patch"}:
            key, kind = EVENT_KEY[name], EVENT_TYPE[name]
            revisions = [e for e in events_of if e["type"].endswith(kind)]
            last = max(
                (w for w in mine if w.op == "patch" and w.field == name),
                key=lambda w: next(
                    (e["version"] for e in revisions if e["data"].get(key) == w.value), -1
                ),
            )
            if item.get(name) != last.value:
                found.final_state.append(
                    f"{ref}: {name} is {str(item.get(name))[:80]!r}, the last acknowledged "
                    f"write was {last.value!r} by {last.actor}"
                )
            if revisions and revisions[-1]["data"].get(key) != last.value:
                found.final_state.append(
                    f"{ref}: the last {kind} in the history is not the last acknowledged write"
                )

    # 3. The catalogue (list endpoints) agrees with the items once the views caught up.
    deadline = time.monotonic() + view_wait
    while True:
        diverged = _view_differences(http, current)
        if not diverged or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    found.views.extend(diverged)
    return found


def _view_differences(http: httpx.Client, current: dict[str, dict[str, Any]]) -> list[str]:
    """Items whose catalogue entry differs from the item (version, revised field)."""
    listed: dict[str, dict[str, Any]] = {}
    for kind in ("stories", "episodes", "media"):
        offset = 0
        while True:
            page = _get(http, f"/api/{kind}", limit=1000, offset=offset)
            for entry in page["items"]:
                listed[entry["ref"]] = entry
            if len(page["items"]) < 1000:
                break
            offset += 1000
    differences = []
    for ref, item in current.items():
        entry = listed.get(ref)
        name = REVISED_FIELD[ref.split("/")[0]]
        if entry is None:
            differences.append(f"{ref}: not in the catalogue")
        elif entry["version"] != item["version"] or entry.get(name) != item.get(name):
            differences.append(
                f"{ref}: catalogue version {entry['version']}, item version {item['version']}"
            )
    return differences
