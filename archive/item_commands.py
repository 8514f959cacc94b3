"""The commands on items: register, revise, assess, record happenings, link, consent.

A mixin of the application (`archive.application.Wijkarchief`): each command loads the item,
lets the domain validate and record events, saves every aggregate it touched in one
transaction (`_save`) and returns the log position it wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from archive.shredding import key_id
from events.errors import AlreadyExists, InvalidInput, NotFound, StaleVersion
from events.items import KINDS, ArchiveItem, Episode, MediaItem, Story, acting_as, ref
from events.rules import (
    check_consent,
    check_key,
    check_media_kind,
    check_url,
    names,
    optional_date,
    parse_ref,
    text,
)

if TYPE_CHECKING:
    from archive.keystore import KeyStore


def check_kind(kind: str) -> str:
    """One of episodes, stories, media."""
    if kind not in KINDS:
        raise NotFound(f"Onbekende soort {kind!r}: episodes, stories of media.", field="kind")
    return kind


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


class ItemCommands:
    """Commands on episodes, stories and media items (each returns its log position)."""

    if TYPE_CHECKING:  # what the application (archive.application.Wijkarchief) provides
        keys: KeyStore

        def _load(
            self, kind: str, key: str, expected_version: int | None = None
        ) -> ArchiveItem: ...

        def _save(self, *aggregates: Any) -> int: ...

        def exists(self, kind: str, key: str) -> bool: ...

        def position(self) -> int: ...

    def register(self, kind: str, fields: dict[str, Any], *, actor: str) -> int:
        """Register a new item with its first fields, assessments, happenings and links."""
        item, others = self._registered(kind, fields, actor=actor)
        try:
            return self._save(item, *others)
        except StaleVersion:
            raise AlreadyExists(f"{item.key!r} is zojuist door iemand anders aangemaakt.") from None

    def _registered(
        self,
        kind: str,
        fields: dict[str, Any],
        *,
        actor: str,
        load: Callable[[str, str], ArchiveItem] | None = None,
        taken: Callable[[str, str], bool] | None = None,
    ) -> tuple[ArchiveItem, list[ArchiveItem]]:
        """A new item and the items it links to, checked and with their events, not saved.

        `load` gets the items linked to (default: from the store); a bulk import passes one
        that shares them between its rows, so the whole batch is one save. `taken` says
        whether a key is in use (default: `exists`, one read of the store).
        """
        check_kind(kind)
        fields = dict(fields)
        key_field = "number" if kind == "stories" else "id"
        key = check_key(kind, fields.pop(key_field, None) or fields.pop("key", ""))
        if (taken or self.exists)(kind, key):
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
            # Happenings first: an assessment may name the happenings its evidence is about.
            for happening in happenings:
                item.record_happening(**_mapping(happening, "happenings"))
            for assessment in assessments:
                item.assess(**_mapping(assessment, "assessments"))
            others = self._link_all(item, links, load)
        return item, others

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

    def _link_all(
        self,
        item: ArchiveItem,
        targets: list[str],
        load: Callable[[str, str], ArchiveItem] | None = None,
    ) -> list[ArchiveItem]:
        others = []
        for target in targets:
            kind, key = parse_ref(target)
            if ref(kind, key) == item.ref:
                raise InvalidInput("Een item kan niet naar zichzelf verwijzen.", field="links")
            other = (load or self._load)(kind, key)
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


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"Elk element van '{name}' moet een object zijn.", field=name)
    return value
