"""Consent on an item: embargo, withdrawal, erasure of its words, forgetting a person.

`ConsentedItem` is between `events.files.ItemFiles` and `events.items.ArchiveItem`. Its
events were first defined on `ArchiveItem`; `events.items` registers their old topics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eventsourcing.domain import event
from eventsourcing.utils import register_topic

from events.errors import InvalidInput
from events.files import ItemFiles
from events.personal import (
    CONTENT_FIELDS,
    SEALED_FIELDS,
    SNAPSHOT_PARTS,
    WITHDRAWN_TEXT,
    emptied_part,
    redact,
)
from events.rules import check_day, text


class ConsentedItem(ItemFiles):
    """What the teller's consent does to an item, and what erasure leaves of it."""

    if TYPE_CHECKING:  # set by ArchiveItem._init_common
        embargo_until: str | None
        withdrawn: dict[str, str] | None
        erased: bool
        key_generation: int

        @property
        def ref(self) -> str: ...

    def embargo(self, until: str) -> None:
        """Hide the item from everyone but curators until a day (lifts by itself)."""
        day = check_day(until)
        if day != self.embargo_until:
            self._embargoed(until=day)

    @event("Embargoed")
    def _embargoed(self, until: str) -> None:
        self.embargo_until = until

    def lift_embargo(self) -> None:
        """End an embargo before its day."""
        if self.embargo_until is not None:
            self._embargo_lifted()

    @event("EmbargoLifted")
    def _embargo_lifted(self) -> None:
        self.embargo_until = None

    def withdraw(self, reason: str, policy: str, at: str) -> None:
        """Record that consent was withdrawn: the item becomes a tombstone for readers."""
        reason = text(reason, "reason", limit=2_000)
        policy = text(policy, "policy", limit=500)
        if self.withdrawn is None:
            self._consent_withdrawn(withdrawal_reason=reason, policy=policy, at=at)

    @event("ConsentWithdrawn")
    def _consent_withdrawn(self, withdrawal_reason: str, policy: str, at: str) -> None:
        self.withdrawn = {"at": at, "reason": withdrawal_reason, "policy": policy}

    def _refuse_after_erasure(self, name: str, value: Any) -> None:
        """Personal fields stay empty once erased: their key is gone, nothing could seal them."""
        if self.erased and value:
            raise InvalidInput(
                f"De persoonsgegevens van {self.ref} zijn gewist; '{name}' kan niet meer "
                "worden ingevuld. Leg nieuwe gegevens vast als een nieuw item.",
                field=name,
            )

    def erase(self) -> None:
        """Record that the personal fields were erased (their key destroyed)."""
        if not self.erased:
            self._personal_data_erased()

    @event("PersonalDataErased")
    def _personal_data_erased(self) -> None:
        for name, empty in SEALED_FIELDS.items():
            if name in CONTENT_FIELDS and hasattr(self, name):
                setattr(self, name, type(empty)())
        for attribute, part in SNAPSHOT_PARTS.items():
            parts = getattr(self, attribute)
            for part_id in list(parts):
                parts[part_id] = emptied_part(parts[part_id], part)
        if self.withdrawn:
            self.withdrawn = {**self.withdrawn, **WITHDRAWN_TEXT}
        self.erased = True

    # -- forgetting a person -----------------------------------------------------

    def content(self) -> dict[str, Any]:
        """Every free-text attribute of the item (what `PersonForgotten` carries)."""
        return {name: _copy(getattr(self, name)) for name in CONTENT_FIELDS if hasattr(self, name)}

    def forget_person(self, name: str) -> None:
        """Take a person's name out of the item's words, under a new key.

        The event carries every free-text attribute with the name redacted, sealed under the
        item's next key; the application then destroys the older keys, so no earlier event
        can be read for the name again (older versions keep only their structure).
        """
        name = text(name, "name", limit=500)
        self._person_forgotten(
            generation=self.key_generation + 1, content=redact(self.content(), name)
        )

    @event("PersonForgotten")
    def _person_forgotten(self, generation: int, content: dict[str, Any]) -> None:
        self.key_generation = generation
        for attribute, value in (content or {}).items():
            if attribute in CONTENT_FIELDS:
                setattr(self, attribute, _copy(value))


def _copy(value: Any) -> Any:
    """A deep copy of plain data (dicts, lists, strings)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


# Logs written before these events moved here name them by their old topics: they resolve.
for _name in ["Embargoed", "EmbargoLifted", "ConsentWithdrawn", "PersonalDataErased"]:
    register_topic(f"events.items:ArchiveItem.{_name}", getattr(ConsentedItem, _name))
