"""Export and import of the whole event log as JSON Lines.

One line per stored event, in log order:
`{"position": N, "originator_id": "…", "originator_version": V, "topic": "…", "state": {…}}`.
`state` is the event's stored JSON, parsed; it is written back with the transcoder's own
settings (compact separators, no ASCII escaping, key order kept), so importing into an empty
store and exporting again gives the same bytes. Snapshots are not exported: they are
derived and are taken again as the archive is used.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from archive.application import Wijkarchief
from events.errors import InvalidInput, StoreNotEmpty

BATCH = 500


def _state_bytes(state: Any) -> bytes:
    return json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def export_lines(app: Wijkarchief) -> Iterator[str]:
    """Every event of the log as one JSON line (without newline), streamed."""
    after = 0
    while True:
        notifications = app.recorder.select_notifications(start=after + 1, limit=BATCH)
        if not notifications:
            return
        for n in notifications:
            yield json.dumps(
                {
                    "position": n.id,
                    "originator_id": str(n.originator_id),
                    "originator_version": n.originator_version,
                    "topic": n.topic,
                    "state": json.loads(n.state),
                },
                ensure_ascii=False,
                separators=(",", ":"),
            )
        after = notifications[-1].id


def export_to(
    app: Wijkarchief, out: IO[str], progress: Callable[[int, int], None] | None = None
) -> int:
    """Write the log to `out`; return the number of events."""
    total = app.position()
    count = 0
    for line in export_lines(app):
        out.write(line + "\n")
        count += 1
        if progress and (count % BATCH == 0 or count == total):
            progress(count, total)
    return count


def import_from(
    app: Wijkarchief, path: Path, progress: Callable[[int, int], None] | None = None
) -> int:
    """Append an exported log to an empty store; return the number of events.

    The whole file is checked before anything is written, so a bad line writes nothing.
    """
    if app.position() != 0:
        raise StoreNotEmpty(
            "Importeren kan alleen in een leeg archief: dit archief bevat al "
            f"{app.position()} gebeurtenissen. Kies een andere WIJKARCHIEF_DATA of database."
        )
    total = sum(1 for _ in _events(path))
    batch: list[StoredEvent] = []
    count = 0
    for event in _events(path):
        batch.append(event)
        if len(batch) >= BATCH:
            count += _insert(app, batch)
            if progress:
                progress(count, total)
    count += _insert(app, batch)
    if progress:
        progress(count, total)
    return count


def _events(path: Path) -> Iterator[StoredEvent]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield _stored_event(line, path, number)


def _stored_event(line: str, path: Path, number: int) -> StoredEvent:
    try:
        record = json.loads(line)
        return StoredEvent(
            originator_id=UUID(record["originator_id"]),
            originator_version=int(record["originator_version"]),
            topic=str(record["topic"]),
            state=_state_bytes(record["state"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidInput(f"{path}, regel {number}: geen geldige exportregel ({error}).") from None


def _insert(app: Wijkarchief, batch: list[StoredEvent]) -> int:
    if not batch:
        return 0
    app.recorder.insert_events(batch)
    count = len(batch)
    batch.clear()
    return count
