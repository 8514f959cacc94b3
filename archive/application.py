"""The event-sourced application: commands that append events, queries over the log.

Commands take plain values and the actor (and, for corrections, a reason), validate them in
the domain, save all resulting events in one transaction and return the log position of the
last event written. Queries return plain data, never aggregates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper, Notification

from archive.blobs import open_blob_store
from archive.config import Settings, reconnect_quickly
from archive.files import FileCommands
from archive.item_commands import ItemCommands, check_kind
from archive.shredding import (
    KEYED_CLASSES,
    SEALED,
    KeyStore,
    ShreddingMapper,
    generations,
    has_words,
    key_id,
    key_ids_in,
)
from archive.token_commands import TokenCommands
from events.date_labels import MONTH_NAMES
from events.errors import InvalidInput, KeyMissing, NotFound, StaleVersion
from events.items import AGGREGATES, ArchiveItem, Episode, MediaItem, Story, item_id

T = TypeVar("T")


class Wijkarchief(FileCommands, ItemCommands, TokenCommands, Application[UUID]):
    """The archive's event-sourced application (one store, SQLite or PostgreSQL)."""

    name = "Wijkarchief"
    snapshotting_intervals = {Episode: 50, Story: 50, MediaItem: 50}  # noqa: RUF012

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        # The recorders and the key store create their tables here: one process at a time.
        with self.settings.schema_lock():
            super().__init__(env=self.settings.event_store_env())
        reconnect_quickly(getattr(self.recorder, "datastore", None))  # PostgreSQL's pool
        # The sealed bytes of files, beside the log (archive/blobs.py, archive/files.py).
        self.blobs = open_blob_store(self.settings)

    def construct_mapper(self) -> Mapper[UUID]:
        """A mapper that keeps personal fields under per-item keys (crypto-shredding)."""
        mapper = self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=ShreddingMapper
        )
        assert isinstance(mapper, ShreddingMapper)
        self.keys = KeyStore(self.settings)
        mapper.keys = self.keys
        return mapper

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """Save, with the keys of the whole batch made or read first (one statement each).

        Every item's words are sealed under its key of its current generation. An item
        registered before items were keyed (an older archive's episodes) gets its first key
        now; an item whose words were sealed under a key that is gone (restored without
        keys) or that was erased cannot take new words: refused before anything is written.
        """
        new: list[UUID] = []
        known: dict[UUID, ArchiveItem] = {}
        for obj in objs:
            if isinstance(obj, KEYED_CLASSES) and obj.pending_events:
                kid = key_id(obj.id, obj.key_generation)
                first = obj.pending_events[0].originator_version == 1
                forgotten = any(type(e).__name__ == "PersonForgotten" for e in obj.pending_events)
                if first or forgotten:
                    new.append(kid)
                else:
                    known[kid] = obj
        if new:
            self.keys.create_many(new)
        if known:
            found = self.keys.get_many(known)
            for kid, obj in known.items():
                if found[kid] is None:
                    self._without_key(obj)
        token = generations.set({obj.id: obj.key_generation for obj in objs
                                 if isinstance(obj, ArchiveItem)})  # fmt: skip
        try:
            return super().save(*objs, **kwargs)
        finally:
            generations.reset(token)

    def _without_key(self, item: ArchiveItem) -> None:
        """An item to be written has no key: give it its first one, or refuse the write."""
        if item.erased:
            if any(has_words(vars(event)) for event in item.pending_events):
                raise InvalidInput(
                    f"De gegevens van {item.ref} zijn gewist: er kan geen tekst meer bij "
                    "(ook geen titel of reden). Leg nieuwe gegevens vast als een nieuw item."
                )
            return  # structure-only changes (a date, consent, links) may go on
        if item.key_generation == 0 and not any(
            SEALED in stored.state for stored in self.recorder.select_events(item.id)
        ):
            self.keys.create(item.id)  # never sealed: an item of an older archive
            return
        raise KeyMissing(
            f"De sleutel van {item.ref} ontbreekt: het archief is hersteld zonder sleutels. "
            "Zet de sleutels terug (wijkarchief import --keys) voordat u dit item wijzigt; "
            "er is niets vastgelegd."
        )

    def close(self) -> None:
        """Release the event store and the key store's connections."""
        super().close()
        keys = getattr(self, "keys", None)
        if keys is not None:
            keys.close()
        blobs = getattr(self, "blobs", None)
        if blobs is not None:
            blobs.close()

    # -- writing -----------------------------------------------------------

    def _save(self, *aggregates: Any) -> int:
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            raise StaleVersion(
                "Iemand anders heeft dit item intussen gewijzigd; laad het opnieuw en probeer "
                "het nog eens."
            ) from None
        if not recordings:
            return self.position()
        return int(max(r.notification.id for r in recordings))

    def _load(self, kind: str, key: str, expected_version: int | None = None) -> ArchiveItem:
        """The item now; with `expected_version`, refuse when it has moved on (StaleVersion).

        The check is on the aggregate that will be saved, and the store refuses the save if
        another writer got in between: no window for a lost update.
        """
        item = self._get(kind, key)
        if expected_version is not None and item.version != expected_version:
            raise StaleVersion(
                f"Dit item is intussen gewijzigd (versie {item.version}, u bewerkte versie "
                f"{expected_version}). Laad het opnieuw; uw wijziging is niet opgeslagen."
            )
        return item

    def _get(self, kind: str, key: str) -> ArchiveItem:
        check_kind(kind)
        try:
            aggregate: Any = self.repository.get(item_id(kind, key))
        except AggregateNotFoundError:
            label = {"episodes": "episode", "stories": "verhaal", "media": "media-item"}[kind]
            raise NotFound(f"Er is geen {label} {key!r} in het archief.") from None
        assert isinstance(aggregate, ArchiveItem)
        return aggregate

    @staticmethod
    def item_id_for(kind: str, key: str) -> UUID:
        """The aggregate id of an item."""
        return item_id(check_kind(kind), key)

    def exists(self, kind: str, key: str) -> bool:
        """True when the item has been registered (one indexed read of its first event)."""
        return bool(self.recorder.select_events(item_id(check_kind(kind), key), limit=1))

    # -- reading -----------------------------------------------------------

    def position(self) -> int:
        """The position of the newest event in the log (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    def recorded_item(self, kind: str, key: str, as_of: datetime | None = None) -> dict[str, Any]:
        """An item's state now, or as it had been recorded at `as_of`."""
        if as_of is None:
            return self._load(kind, key).as_dict()
        version = self._version_at(kind, key, as_of)
        aggregate: Any = self.repository.get(item_id(kind, key), version=version)
        assert isinstance(aggregate, ArchiveItem)
        return aggregate.as_dict()

    def _version_at(self, kind: str, key: str, as_of: datetime) -> int:
        check_kind(kind)
        version = 0
        event: Any
        for event in self.events.get(item_id(kind, key)):
            if event.timestamp > as_of:
                break
            version = event.originator_version
        if version == 0:
            moment = as_of.astimezone(UTC) if as_of.tzinfo else as_of
            when = f"{moment.day} {MONTH_NAMES[moment.month - 1]} {moment.year}, {moment:%H:%M:%S}"
            raise NotFound(f"{kind}/{key} was op {when} UTC nog niet vastgelegd.")
        return version

    def recorded_history(self, kind: str, key: str) -> list[dict[str, Any]]:
        """Every event of an item, oldest first, as plain data."""
        self._load(kind, key)
        return [event_record(e) for e in self.events.get(item_id(kind, key))]

    def notifications(self, after: int, limit: int) -> list[Notification]:
        """A page of the raw log after `after`."""
        return list(self.recorder.select_notifications(start=after + 1, limit=limit))

    def decoded(self, after: int = 0, page: int = 500) -> Iterator[tuple[Notification, Any]]:
        """Every (notification, event) after `after`, streamed page by page."""
        while True:
            notes = self.recorder.select_notifications(start=after + 1, limit=page)
            if not notes:
                return
            yield from zip(notes, self.decode(notes), strict=True)
            after = notes[-1].id

    def decode(self, notifications: Sequence[Notification]) -> list[Any]:
        """The domain events of a page of the log (the page's keys read in one query)."""
        self.keys.get_many(
            kid
            for n in notifications
            if SEALED in n.state
            for kid in key_ids_in(UUID(str(n.originator_id)), n.state)
        )
        return [self.mapper.to_domain_event(n) for n in notifications]


def event_record(event: Any) -> dict[str, Any]:
    """An event as plain data: version, type, when recorded, who, and its fields."""
    data = {
        k: v
        for k, v in vars(event).items()
        if k not in ("originator_id", "originator_version", "timestamp", "originator_topic")
    }
    return {
        "version": event.originator_version,
        "type": type(event).__name__,
        "recorded_at": event.timestamp.isoformat(),
        "actor": data.pop("actor", ""),
        "reason": data.pop("reason", ""),
        "data": _plain(_keyless(data)),
    }


def _keyless(data: dict[str, Any]) -> dict[str, Any]:
    """An event's data without the keys that open files' blobs (never shown, never sent)."""
    if isinstance(data.get("file"), dict):
        data = {**data, "file": {k: v for k, v in data["file"].items() if k != "key"}}
    content = data.get("content")
    if isinstance(content, dict) and isinstance(content.get("files"), dict):
        files = {i: {k: v for k, v in f.items() if k != "key"} if isinstance(f, dict) else f
                 for i, f in content["files"].items()}  # fmt: skip
        data = {**data, "content": {**content, "files": files}}
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, UUID | datetime):
        return str(value)
    return value


def retrying(func: Callable[[], T], attempts: int = 3) -> T:
    """Run a read-modify-write again when another writer got there first."""
    for attempt in range(attempts):
        try:
            return func()
        except StaleVersion:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


__all__ = ["check_kind", "AGGREGATES", "Wijkarchief", "event_record", "retrying"]
