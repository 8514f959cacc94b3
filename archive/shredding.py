"""Crypto-shredding: every item's free text encrypted under its own key, kept outside the log.

The log never forgets, so erasure (AVG/GDPR art. 17) destroys a key instead of an event.
Every item (episode, story, media item) gets a random 256-bit key when it is registered;
the free text of its events and snapshots (`events.personal`: title, summary, text, themes,
people, places, source, rights, storytellers, outlet, link, reasons, a withdrawal's reason
and policy, happenings' and assessments' words) is stored as AES-GCM ciphertext
(`cryptography`'s AEAD, the item id as associated data). A value's prefix names the key's
generation: `wa-enc:v1:` the first key, `wa-enc:gN:` the key made when a person was
forgotten for the Nth time (`key_id`); forgetting destroys the older generations, so the
name is in no readable byte of the log any more. A write whose words would have no key is
refused (`KeyMissing`): nothing is ever stored unsealed.

`KeyStore.destroy` deletes the key for good (SQLite: `secure_delete`,
`VACUUM`, then a truncating WAL checkpoint, so neither `keys.sqlite` nor `keys.sqlite-wal`
holds it; PostgreSQL: followed by `VACUUM FULL` of the key table, owed until no older
snapshot could still read the row: `archive.owed`); after that those fields
read back as empty, in every process, replay, rebuild and export.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
from contextvars import ContextVar
from typing import Any
from uuid import UUID, uuid5

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from archive.keystore import KeyStore
from events.errors import KeyMissing
from events.items import Episode, ItemEvent, MediaItem, Story
from events.personal import SEALED_FIELDS, SEALED_PARTS, SNAPSHOT_PARTS, WITHDRAWN_TEXT

log = logging.getLogger("wijkarchief.keys")

__all__ = ["KeyStore", "ShreddingMapper", "decrypt_value", "encrypt_value", "key_id"]
PREFIX = "wa-enc:v1:"  # sealed under the item's first key (generation 0)
SEALED = b"wa-enc:"  # every sealed value's prefix, as it appears in a stored event's bytes
_GENERATION = re.compile(r"^wa-enc:(?:v1|g(\d+)):")
GENERATIONS_IN_BYTES = re.compile(rb"wa-enc:g(\d+):")
KEYED_CLASSES = (Story, MediaItem, Episode)
KEYED_TOPICS = frozenset(get_topic(cls) for cls in KEYED_CLASSES)
# The key generation of each item a `save()` writes (set by the application around it).
generations: ContextVar[dict[UUID, int] | None] = ContextVar("generations", default=None)


def key_id(item_id: UUID, generation: int = 0) -> UUID:
    """The key store's id of an item's key of a generation (0: the item's own id)."""
    return item_id if generation == 0 else uuid5(item_id, f"key-generation-{generation}")


def prefix(generation: int) -> str:
    """The prefix of a value sealed under a key of this generation."""
    return PREFIX if generation == 0 else f"wa-enc:g{generation}:"


def encrypt_value(key: bytes, item_id: UUID, value: Any, generation: int = 0) -> str:
    """A field value as AES-GCM ciphertext text (the prefix names the key's generation)."""
    nonce = os.urandom(12)
    plain = json.dumps(value, ensure_ascii=False).encode()
    sealed = AESGCM(key).encrypt(nonce, plain, item_id.bytes)
    return prefix(generation) + base64.b64encode(nonce + sealed).decode("ascii")


def decrypt_value(key: bytes | None, item_id: UUID, value: str, empty: Any) -> Any:
    """The field's value, or its empty form when the key is gone."""
    if key is None:
        return type(empty)()
    raw = base64.b64decode(value[value.index(":", len("wa-enc:")) + 1 :])
    try:
        return json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], item_id.bytes))
    except InvalidTag:  # another key of the same id: unreadable, as if destroyed
        log.error("A sealed value of %s does not open with its key; read as empty", item_id)
        return type(empty)()


def generation_of(value: str) -> int:
    """The key generation a sealed value names."""
    found = _GENERATION.match(value)
    return int(found[1] or 0) if found else 0


def key_ids_in(item_id: UUID, state: bytes) -> set[UUID]:
    """The key ids a stored event's bytes need (for reading a page's keys at once)."""
    ids = {key_id(item_id, int(g)) for g in GENERATIONS_IN_BYTES.findall(state)}
    if PREFIX.encode() in state:
        ids.add(item_id)
    return ids


def _sealable(state: dict[str, Any]) -> list[tuple[dict[str, Any], str, Any]]:
    """Every (container, field, empty form) of free text in an event's or snapshot's state."""
    found = [(state, name, empty) for name, empty in SEALED_FIELDS.items() if name in state]
    for name, fields in SEALED_PARTS.items():
        part = state.get(name)
        if isinstance(part, dict):
            found.extend((part, f, empty) for f, empty in fields.items() if f in part)
    for name, kind in SNAPSHOT_PARTS.items():
        parts = state.get(name)
        if isinstance(parts, dict):
            for part in parts.values():
                if isinstance(part, dict):
                    fields = SEALED_PARTS[kind]
                    found.extend((part, f, empty) for f, empty in fields.items() if f in part)
    withdrawn = state.get("withdrawn")
    if isinstance(withdrawn, dict):
        found.extend((withdrawn, f, empty) for f, empty in WITHDRAWN_TEXT.items() if f in withdrawn)
    return found


def _copied(state: dict[str, Any]) -> dict[str, Any]:
    """A copy of the state deep enough to seal its parts without touching the event."""
    copy = dict(state)
    for name in SEALED_PARTS:
        if isinstance(copy.get(name), dict):
            copy[name] = dict(copy[name])
    for name in SNAPSHOT_PARTS:
        if isinstance(copy.get(name), dict):
            copy[name] = {k: dict(v) if isinstance(v, dict) else v for k, v in copy[name].items()}
    if isinstance(copy.get("withdrawn"), dict):
        copy["withdrawn"] = dict(copy["withdrawn"])
    return copy


def has_words(state: dict[str, Any]) -> bool:
    """True when an event's state holds free text that would need a key."""
    return _unsealed_words(_sealable(state))


def _unsealed_words(fields: list[tuple[dict[str, Any], str, Any]]) -> bool:
    return any(
        container[name] not in (None, "", [], {})
        and not (isinstance(container[name], str) and container[name].startswith("wa-enc:"))
        for container, name, _ in fields
    )


class ShreddingMapper(Mapper[UUID]):
    """A mapper that seals the free text of items' events and snapshots under their keys."""

    keys: KeyStore

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        state = dict(vars(domain_event))
        item_id: UUID = state["originator_id"]
        if self._keyed(domain_event):
            snapshot = isinstance(state.get("state"), dict)
            if snapshot:
                state["state"] = _copied(state["state"])
                inner: dict[str, Any] = state["state"]
                generation = int(inner.get("key_generation") or 0)
            else:
                state = _copied(state)
                inner = state
                generation = (generations.get() or {}).get(item_id, 0)
            fields = _sealable(inner)
            if _unsealed_words(fields):
                key = self._key_for_writing(item_id, generation, state)
                for container, name, _ in fields:
                    value = container[name]
                    if value not in (None, "", [], {}):
                        container[name] = encrypt_value(key, item_id, value, generation)
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        stored = self.transcoder.encode(state)
        if self.compressor:
            stored = self.compressor.compress(stored)
        if self.cipher:
            stored = self.cipher.encrypt(stored)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=get_topic(domain_event.__class__),
            state=stored,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        domain_event = super().to_domain_event(stored_event)
        if not (self.cipher or self.compressor) and SEALED not in stored_event.state:
            return domain_event  # nothing sealed in it: no field to inspect
        state = vars(domain_event)
        item_id = state["originator_id"]
        for inner in (state, state.get("state")):
            if isinstance(inner, dict):
                for container, name, empty in _sealable(inner):
                    value = container[name]
                    if isinstance(value, str) and value.startswith("wa-enc:"):
                        key = self.keys.get(key_id(item_id, generation_of(value)))
                        container[name] = decrypt_value(key, item_id, value, empty)
        return domain_event

    @staticmethod
    def _keyed(domain_event: Any) -> bool:
        if isinstance(domain_event, ItemEvent):
            return True
        return isinstance(domain_event, Snapshot) and domain_event.topic in KEYED_TOPICS

    def _key_for_writing(self, item_id: UUID, generation: int, state: dict[str, Any]) -> bytes:
        """The key that seals this event; a first event makes the item's first key.

        Never stores words unsealed: without a key (restored without keys, or erased) the
        write is refused (`KeyMissing`) before anything is recorded.
        """
        if generation == 0 and state.get("originator_topic") in KEYED_TOPICS:
            return self.keys.create(item_id)
        key = self.keys.get(key_id(item_id, generation))
        if key is None:
            raise KeyMissing(
                "De sleutel van dit item ontbreekt (gewist, of hersteld zonder sleutels: "
                "wijkarchief import --keys); tekst wordt nooit onversleuteld opgeslagen. "
                "Er is niets vastgelegd."
            )
        return key
