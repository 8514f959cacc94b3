"""Export and import of the whole event log as JSON Lines.

One line per stored event, in log order:
`{"position": N, "originator_id": "…", "originator_version": V, "topic": "…", "state": {…}}`.
`state` is the event's stored JSON, parsed; it is written back with the transcoder's own
settings (compact separators, no ASCII escaping, key order kept), so importing into an empty
store and exporting again gives the same bytes. Snapshots are not exported: they are
derived and are taken again as the archive is used.

The per-item keys of the crypto-shredding (`archive/shredding.py`) are not in the log. With
`--keys` they travel in a key file of their own: a header line
`{"format": "wijkarchief-keys", "version": 1, …}`, then every row of the key table as
`{column: value}` (bytes as `{"base64": "…"}`), uninterpreted. The file is written with mode
0600: it opens every story's text and storytellers. An import of a log whose keyed items
would lose their text (no key in the key file, none in the target's key store, not erased)
is refused unless the caller accepts that (`without_keys`).

The files of items (`archive/files.py`) are blobs beside the log: `export` writes them
sealed to a folder beside the export, `FILE.blobs/` (the directory store's layout,
`ab/abcdef…`), and `import` puts every blob of that folder into the target's blob store,
each checked against its address (the SHA-256 of its bytes). They are sealed under keys
inside the events' sealed words: without `--keys` they travel, but open nowhere.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from archive.application import Wijkarchief
from archive.blobs import DirectoryBlobStore
from archive.files import copy_blobs
from archive.shredding import GENERATIONS_IN_BYTES, key_id
from events.errors import ArchiveError, InvalidInput, StoreNotEmpty

BATCH = 500
KEYS_FORMAT = "wijkarchief-keys"
KEYS_VERSION = 1
KEYS_WARNING = (
    "GEHEIM: deze sleutels openen de teksten en vertellers van het archief. Bewaar dit "
    "bestand even veilig als de gegevens zelf, en niet langer dan het wisbeleid toestaat."
)
SEALED_MARK = "wa-enc:"  # how every version of archive.shredding.PREFIX begins
ERASED_TOPIC = ".PersonalDataErased"


class KeysMissing(ArchiveError):
    """An import that would leave keyed items without their text."""

    status = 409
    title = "Sleutels ontbreken"


@dataclass
class Imported:
    """What an import wrote: events, key rows, and items left without a key."""

    events: int = 0
    keys: int = 0
    blobs: int = 0
    keyless: int = 0
    destroyed: int = 0  # keys of items the log says were erased, destroyed again


@dataclass
class _LogSummary:
    events: int = 0
    # items with encrypted fields, and the newest key generation their words are sealed in
    sealed: dict[UUID, int] = field(default_factory=dict)
    erased: set[UUID] = field(default_factory=set)  # items whose keys were destroyed

    def needed(self) -> set[UUID]:
        """The key ids the log needs: each item's newest key (older ones were destroyed
        when a person was forgotten), none for an erased item."""
        return {
            key_id(item, generation)
            for item, generation in self.sealed.items()
            if item not in self.erased
        }

    def destroyed(self, rows: set[UUID]) -> set[UUID]:
        """The key ids of a key file that the log says are destroyed (an older key file)."""
        live = self.needed()
        owned = {
            key_id(item, g): item for item, newest in self.sealed.items() for g in range(newest + 1)
        }
        return {kid for kid in rows if kid in owned and kid not in live}


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
    app: Wijkarchief,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
    *,
    keys: Path | None = None,
    without_keys: bool = False,
) -> int:
    """Append an exported log (and its key file) to an empty store; return the events."""
    return import_log(app, path, progress, keys=keys, without_keys=without_keys).events


def import_log(
    app: Wijkarchief,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
    *,
    keys: Path | None = None,
    without_keys: bool = False,
) -> Imported:
    """Append an exported log to an empty store, its keys first.

    Both files are checked whole before anything is written, so a bad line writes nothing,
    and so does a log whose keyed items would lose their text (`KeysMissing`) unless
    `without_keys`.
    """
    if app.position() != 0:
        raise StoreNotEmpty(
            "Importeren kan alleen in een leeg archief: dit archief bevat al "
            f"{app.position()} gebeurtenissen. Kies een andere WIJKARCHIEF_DATA of database."
        )
    summary = _summarise(path)
    keyed: set[UUID] = set()
    if keys is not None:
        stored = app.keys.count()
        if stored:
            raise StoreNotEmpty(
                f"De sleutelopslag van dit archief bevat al {stored} sleutels; importeer "
                "met --keys alleen in een nieuw, leeg archief."
            )
        for row in _key_rows(keys):
            keyed.add(UUID(row["item_id"]))
    needing = summary.needed() - keyed
    present = app.keys.get_many(needing) if needing else {}
    lost = sum(1 for item in needing if present[item] is None)
    if lost and not without_keys:
        reason = "ontbreken in het sleutelbestand" if keys else "ontbreken"
        raise KeysMissing(
            f"Importeren geweigerd: {_items(lost)} {'zou' if lost == 1 else 'zouden'} "
            "hun tekst en vertellers "
            f"verliezen, want hun sleutels {reason}. Geef het sleutelbestand mee met "
            "--keys SLEUTELBESTAND, of kies --without-keys om toch zonder te importeren."
        )
    imported = Imported(keyless=lost)
    if keys is not None:
        imported.keys = app.keys.load(_key_rows(keys))
        # A key file older than the log may hold the key of an item erased since: destroy
        # it again, or the erased text would be readable in the item's history.
        for kid in summary.destroyed(keyed):
            app.keys.destroy(kid)
            imported.destroyed += 1
    if blobs_dir(path).is_dir():
        imported.blobs = copy_blobs(DirectoryBlobStore(blobs_dir(path)), app.blobs)
    batch: list[StoredEvent] = []
    for event in _events(path):
        batch.append(event)
        if len(batch) >= BATCH:
            imported.events += _insert(app, batch)
            if progress:
                progress(imported.events, summary.events)
    imported.events += _insert(app, batch)
    if progress:
        progress(imported.events, summary.events)
    return imported


def blobs_dir(path: Path) -> Path:
    """The folder beside an export that holds its files' sealed blobs."""
    return path.with_name(path.name + ".blobs")


def export_blobs(app: Wijkarchief, path: Path) -> int:
    """Copy every blob of the archive to the folder beside the export `path`; how many
    were new there (none held: no folder is made)."""
    if next(iter(app.blobs.addresses()), None) is None:
        return 0
    return copy_blobs(app.blobs, DirectoryBlobStore(blobs_dir(path)))


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _summarise(path: Path) -> _LogSummary:
    """Check every line of a log; which items have encrypted fields, which were erased."""
    summary = _LogSummary()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            event = _stored_event(line, path, number)
            summary.events += 1
            if event.topic.endswith(ERASED_TOPIC):
                summary.erased.add(UUID(str(event.originator_id)))
            elif SEALED_MARK.encode() in event.state:
                item = UUID(str(event.originator_id))
                newest = max((int(g) for g in GENERATIONS_IN_BYTES.findall(event.state)), default=0)
                summary.sealed[item] = max(summary.sealed.get(item, 0), newest)
    return summary


# -- the key file ---------------------------------------------------------------------


def export_keys(app: Wijkarchief, path: Path) -> int:
    """Write every row of the key store to `path` (mode 0600, replaced whole); the rows."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(descriptor, 0o600)  # whatever the umask
    count = 0
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        header = {"format": KEYS_FORMAT, "version": KEYS_VERSION, "warning": KEYS_WARNING}
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for row in app.keys.dump():
            out.write(json.dumps(row, default=_encode, separators=(",", ":")) + "\n")
            count += 1
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)
    return count


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    raise TypeError(f"cannot write a {type(value).__name__} to a key file")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) != {"base64"}:
            raise ValueError('an object value must be {"base64": …}')
        return base64.b64decode(value["base64"], validate=True)
    return value


def _key_rows(path: Path) -> Iterable[dict[str, Any]]:
    """The rows of a key file, checked: one shape, each naming its item."""
    if not path.is_file():
        raise InvalidInput(f"Sleutelbestand {path} bestaat niet.")
    columns: list[str] | None = None
    header = False
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not header:
                _check_header(line, path)
                header = True
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("geen object")
                row = {name: _decode(value) for name, value in record.items()}
                UUID(row["item_id"])
                if columns is None:
                    columns = list(row)
                elif list(row) != columns:
                    raise ValueError(f"andere kolommen dan regel 2: {list(row)}")
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise InvalidInput(
                    f"{path}, regel {number}: geen geldige sleutelregel ({error})."
                ) from None
            yield row
    if not header:
        raise InvalidInput(f"{path} is leeg: geen sleutelbestand van wijkarchief.")


def _check_header(line: str, path: Path) -> None:
    try:
        header = json.loads(line)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != KEYS_FORMAT:
        raise InvalidInput(f"{path} is geen sleutelbestand van wijkarchief (eerste regel).")
    if header.get("version") != KEYS_VERSION:
        raise InvalidInput(
            f"{path}: sleutelbestand versie {header.get('version')!r}, deze versie van "
            f"wijkarchief leest versie {KEYS_VERSION}."
        )


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
