"""The event-sourced application: commands that append events, queries over the log.

Commands take plain values and the actor (and, for corrections, a reason), validate them in
the domain, save all resulting events in one transaction and return the log position of the
last event written. Queries return plain data, never aggregates.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Mapper, Notification

from archive.config import Settings, reconnect_quickly
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
from events.errors import AlreadyExists, InvalidInput, KeyMissing, NotFound, StaleVersion
from events.items import (
    AGGREGATES,
    KINDS,
    ArchiveItem,
    Episode,
    MediaItem,
    Story,
    acting_as,
    check_consent,
    check_key,
    check_media_kind,
    check_url,
    item_id,
    names,
    optional_date,
    parse_ref,
    ref,
    text,
)
from events.tokens import AccessToken, check_name, check_role, hash_secret

T = TypeVar("T")

# The writable fields of an item and the aggregate method that revises each.
REVISERS: dict[str, str] = {
    "title": "retitle",
    "summary": "revise_summary",
    "body_markdown": "revise_text",
    "date": "redate",
    "themes": "retheme",
    "people": "record_people",
    "places": "record_places",
    "rights": "record_rights",
    "consent": "record_consent",
    "storytellers": "record_storytellers",
}
MEDIA_FIELDS = ("media_kind", "outlet", "url")


def check_kind(kind: str) -> str:
    """One of episodes, stories, media."""
    if kind not in KINDS:
        raise NotFound(f"Onbekende soort {kind!r}: episodes, stories of media.", field="kind")
    return kind


class Wijkarchief(Application[UUID]):
    """The archive's event-sourced application (one store, SQLite or PostgreSQL)."""

    name = "Wijkarchief"
    snapshotting_intervals = {Episode: 50, Story: 50, MediaItem: 50}  # noqa: RUF012

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        # The recorders and the key store create their tables here: one process at a time.
        with self.settings.schema_lock():
            super().__init__(env=self.settings.event_store_env())
        reconnect_quickly(getattr(self.recorder, "datastore", None))  # PostgreSQL's pool

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
        return max(r.notification.id for r in recordings)

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

    def register(self, kind: str, fields: dict[str, Any], *, actor: str) -> int:
        """Register a new item with its first fields, assessments, happenings and links."""
        check_kind(kind)
        fields = dict(fields)
        key_field = "number" if kind == "stories" else "id"
        key = check_key(kind, fields.pop(key_field, None) or fields.pop("key", ""))
        if self.exists(kind, key):
            what = "Verhaalnummer" if kind == "stories" else "Id"
            raise AlreadyExists(f"{what} {key!r} is al in gebruik.", field=key_field)
        assessments = fields.pop("assessments", None) or []
        happenings = fields.pop("happenings", None) or []
        links = names(fields.pop("links", None), "links")
        with acting_as(actor):
            common: dict[str, Any] = {
                "key": key,
                "title": text(fields.pop("title", None), "title", limit=500),
                "summary": text(fields.pop("summary", ""), "summary", required=False),
                "body": text(fields.pop("body_markdown", ""), "body_markdown", required=False),
                "date": optional_date(fields.pop("date", None)),
                "themes": names(fields.pop("themes", None), "themes"),
                "people": names(fields.pop("people", None), "people"),
                "places": names(fields.pop("places", None), "places"),
                "source": text(fields.pop("source", ""), "source", required=False),
                "rights": text(fields.pop("rights", ""), "rights", required=False),
            }
            if kind == "stories":
                common["consent"] = check_consent(fields.pop("consent", None) or "curators")
                common["storytellers"] = names(fields.pop("storytellers", None), "storytellers")
                item: ArchiveItem = Story(**common)
            elif kind == "media":
                common["consent"] = check_consent(fields.pop("consent", None) or "public")
                common["media_kind"] = check_media_kind(fields.pop("media_kind", None) or "article")
                common["outlet"] = text(fields.pop("outlet", ""), "outlet", required=False)
                common["url"] = check_url(fields.pop("url", ""))
                item = MediaItem(**common)
            else:
                common["consent"] = check_consent(fields.pop("consent", None) or "public")
                item = Episode(**common)
            unknown = sorted(k for k, v in fields.items() if v is not None)
            if unknown:
                raise InvalidInput(f"Onbekend veld: {', '.join(unknown)}.", field=unknown[0])
            for assessment in assessments:
                item.assess(**_mapping(assessment, "assessments"))
            for happening in happenings:
                item.record_happening(**_mapping(happening, "happenings"))
            others = self._link_all(item, links)
        try:
            return self._save(item, *others)
        except StaleVersion:
            raise AlreadyExists(f"{key!r} is zojuist door iemand anders aangemaakt.") from None

    def revise(
        self,
        kind: str,
        key: str,
        changes: dict[str, Any],
        *,
        actor: str,
        reason: str = "",
        expected_version: int | None = None,
    ) -> int:
        """Revise writable fields; with `expected_version`, refuse a stale revision."""
        item = self._load(kind, key, expected_version)
        changes = {k: v for k, v in changes.items() if k not in ("number", "id")}
        unknown = sorted(set(changes) - set(REVISERS) - set(MEDIA_FIELDS) - {"links"})
        if unknown:
            raise InvalidInput(f"Onbekend of niet te wijzigen veld: {', '.join(unknown)}.")
        others: list[ArchiveItem] = []
        with acting_as(actor, reason):
            for name, value in changes.items():
                if name in REVISERS:
                    method = getattr(item, REVISERS[name], None)
                    if method is None:
                        raise InvalidInput(f"Het veld '{name}' hoort niet bij {kind}.", field=name)
                    method(value)
            if any(name in changes for name in MEDIA_FIELDS):
                if not isinstance(item, MediaItem):
                    raise InvalidInput("Alleen media-items hebben mediasoort, bron en link.")
                item.revise_details(**{n: changes[n] for n in MEDIA_FIELDS if n in changes})
            if "links" in changes:
                wanted = names(changes["links"], "links")
                for target in [t for t in item.links if t not in wanted]:
                    others.extend(self._unlink(item, target))
                others.extend(self._link_all(item, [t for t in wanted if t not in item.links]))
        return self._save(item, *others)

    def assess(self, kind: str, key: str, data: dict[str, Any], *, actor: str) -> tuple[int, str]:
        """Record a quality assessment; return the position and the assessment id."""
        item = self._load(kind, key)
        with acting_as(actor):
            assessment_id = item.assess(**data)
        return self._save(item), assessment_id

    def revise_assessment(
        self, kind: str, key: str, assessment_id: str, changes: dict[str, Any], *,
        actor: str, reason: str = "", expected_version: int | None = None,
    ) -> int:  # fmt: skip
        """Correct an assessment."""
        item = self._load(kind, key, expected_version)
        with acting_as(actor, reason):
            item.revise_assessment(assessment_id, **changes)
        return self._save(item)

    def retract_assessment(
        self, kind: str, key: str, assessment_id: str, *, actor: str, reason: str = "",
        expected_version: int | None = None,
    ) -> int:  # fmt: skip
        """Withdraw an assessment (the history keeps it)."""
        item = self._load(kind, key, expected_version)
        with acting_as(actor, reason):
            item.retract_assessment(assessment_id)
        return self._save(item)

    def record_happening(
        self, kind: str, key: str, data: dict[str, Any], *, actor: str
    ) -> tuple[int, str]:
        """Record a dated moment; return the position and the happening id."""
        item = self._load(kind, key)
        with acting_as(actor):
            happening_id = item.record_happening(**data)
        return self._save(item), happening_id

    def revise_happening(
        self, kind: str, key: str, happening_id: str, changes: dict[str, Any], *,
        actor: str, reason: str = "", expected_version: int | None = None,
    ) -> int:  # fmt: skip
        """Correct a happening."""
        item = self._load(kind, key, expected_version)
        with acting_as(actor, reason):
            item.revise_happening(happening_id, **changes)
        return self._save(item)

    def link(self, source: str, target: str, *, actor: str) -> int:
        """Link two items, both ways, in one transaction."""
        item = self._load(*parse_ref(source))
        with acting_as(actor):
            others = self._link_all(item, [target])
        return self._save(item, *others)

    def unlink(self, source: str, target: str, *, actor: str, reason: str = "") -> int:
        """Remove a link, both ways."""
        item = self._load(*parse_ref(source))
        with acting_as(actor, reason):
            others = self._unlink(item, target)
        return self._save(item, *others)

    def _link_all(self, item: ArchiveItem, targets: list[str]) -> list[ArchiveItem]:
        others = []
        for target in targets:
            kind, key = parse_ref(target)
            if ref(kind, key) == item.ref:
                raise InvalidInput("Een item kan niet naar zichzelf verwijzen.", field="links")
            other = self._load(kind, key)
            item.link(other.ref)
            other.link(item.ref)
            others.append(other)
        return others

    def _unlink(self, item: ArchiveItem, target: str) -> list[ArchiveItem]:
        item.unlink(target)
        try:
            other = self._load(*parse_ref(target))
        except NotFound:
            return []
        other.unlink(item.ref)
        return [other]

    # -- consent -----------------------------------------------------------

    def _consented(self, kind: str, key: str) -> ArchiveItem:
        return self._load(kind, key)

    def embargo(self, kind: str, key: str, until: str, *, actor: str, reason: str = "") -> int:
        """Hide an item from readers until a day; it reappears by itself on that day."""
        item = self._consented(kind, key)
        with acting_as(actor, reason):
            item.embargo(until)
        return self._save(item)

    def lift_embargo(self, kind: str, key: str, *, actor: str, reason: str = "") -> int:
        """End an embargo early."""
        item = self._consented(kind, key)
        with acting_as(actor, reason):
            item.lift_embargo()
        return self._save(item)

    def withdraw(self, kind: str, key: str, *, reason: str, policy: str, actor: str) -> int:
        """Record that the teller withdrew consent: readers see a tombstone."""
        item = self._consented(kind, key)
        with acting_as(actor, reason):
            item.withdraw(reason, policy, at=datetime.now(UTC).isoformat())
        return self._save(item)

    def erase(self, kind: str, key: str, *, actor: str, reason: str = "") -> int:
        """Erase the personal fields for good: record it, then destroy the item's key."""
        item = self._consented(kind, key)
        with acting_as(actor, reason):
            item.erase()
        position = self._save(item)
        for generation in range(item.key_generation + 1):
            self.keys.destroy(key_id(item.id, generation))
        return position

    def forget_person_in(
        self, kind: str, key: str, name: str, *, actor: str, reason: str = ""
    ) -> int:
        """Take a name out of one item: its words again under a new key, the old keys gone."""
        item = self._load(kind, key)
        if item.erased:
            return self.position()  # nothing readable is left to forget
        with acting_as(actor, reason):
            item.forget_person(name)
        position = self._save(item)
        for generation in range(item.key_generation):
            self.keys.destroy(key_id(item.id, generation))
        return position

    # -- tokens ------------------------------------------------------------

    def issue_token(
        self, name: str, role: str, *, actor: str = "beheer", replace: bool = False
    ) -> str:
        """Issue a token; returns `NAME.SECRET`, shown only this once. A name whose token
        is active is refused (`AlreadyExists`) unless `replace` (the old one stops working)."""
        name, role = check_name(name), check_role(role)
        secret = secrets.token_urlsafe(32)
        with acting_as(actor):
            try:
                token: Any = self.repository.get(AccessToken.create_id(name))
                assert isinstance(token, AccessToken)
                token.reissue(role, hash_secret(secret), replace=replace)
            except AggregateNotFoundError:
                token = AccessToken(name=name, role=role, secret_hash=hash_secret(secret))
        self._save(token)
        return f"{name}.{secret}"

    def revoke_token(self, name: str, *, actor: str = "beheer") -> int:
        """Revoke a token by name."""
        try:
            token: Any = self.repository.get(AccessToken.create_id(check_name(name)))
        except AggregateNotFoundError:
            raise NotFound(f"Er is geen token {name!r}.") from None
        assert isinstance(token, AccessToken)
        with acting_as(actor):
            token.revoke()
        return self._save(token)

    def token_version(self, name: str) -> int | None:
        """The version of a live (unrevoked) token, or None: a revoke or reissue moves it on."""
        try:
            token: Any = self.repository.get(AccessToken.create_id(check_name(name)))
        except (AggregateNotFoundError, InvalidInput):
            return None
        if not isinstance(token, AccessToken) or token.revoked:
            return None
        return int(token.version)

    def authenticate(self, bearer: str) -> tuple[str, str] | None:
        """The (name, role) of a valid, unrevoked token, else None."""
        name, _, secret = (bearer or "").partition(".")
        if not secret:
            return None
        try:
            check_name(name)
            token: Any = self.repository.get(AccessToken.create_id(name))
        except (AggregateNotFoundError, InvalidInput):
            return None
        assert isinstance(token, AccessToken)
        return (token.name, token.role) if token.matches(secret) else None

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
            raise NotFound(f"{kind}/{key} was op {as_of.isoformat()} nog niet vastgelegd.")
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
        "data": _plain(data),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, UUID | datetime):
        return str(value)
    return value


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"Elk element van '{name}' moet een object zijn.", field=name)
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


__all__ = ["AGGREGATES", "Wijkarchief", "event_record", "retrying"]
