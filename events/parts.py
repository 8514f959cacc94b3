"""The parts of an item: its quality assessments, its dated happenings and its links.

`ItemParts` is the base of `events.items.ArchiveItem`. Its events were first defined on
`ArchiveItem` (topics `events.items:ArchiveItem.QualityAssessed`, …); `events.items`
registers those old topics, so logs written before the move read as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event
from eventsourcing.utils import register_topic

from events.base import ArchiveAggregate
from events.errors import InvalidInput, NotFound
from events.rules import (
    assessment_record,
    happening_record,
    happening_v1_v2,
    parse_ref,
    ref,
)


class ItemParts(ArchiveAggregate):
    """Assessments, happenings and links: what every kind of item has."""

    if TYPE_CHECKING:  # set by ArchiveItem._init_common
        assessments: dict[str, dict[str, Any]]
        happenings: dict[str, dict[str, Any]]
        links: list[str]
        assessment_count: int
        happening_count: int

        @property
        def ref(self) -> str: ...

    # -- assessments -------------------------------------------------------

    def assess(self, **data: Any) -> str:
        """Assess a quality in this item; returns the new assessment's id."""
        record = assessment_record(data, f"a{self.assessment_count + 1}")
        self._quality_assessed(assessment=record)
        return str(record["id"])

    @event("QualityAssessed")
    def _quality_assessed(self, assessment: dict[str, Any]) -> None:
        self.assessments[assessment["id"]] = assessment
        self.assessment_count += 1

    def revise_assessment(self, assessment_id: str, **changes: Any) -> None:
        """Revise fields of an assessment (quality, element, assessment, evidence, source)."""
        current = self._assessment(assessment_id)
        merged = {**current, **{k: v for k, v in changes.items() if v is not None}}
        record = assessment_record(merged, assessment_id)
        if record != current:
            self._assessment_revised(assessment=record)

    @event("AssessmentRevised")
    def _assessment_revised(self, assessment: dict[str, Any]) -> None:
        self.assessments[assessment["id"]] = assessment

    def retract_assessment(self, assessment_id: str) -> None:
        """Withdraw an assessment (it stays in the history)."""
        self._assessment(assessment_id)
        self._assessment_retracted(assessment_id=assessment_id)

    @event("AssessmentRetracted")
    def _assessment_retracted(self, assessment_id: str) -> None:
        del self.assessments[assessment_id]

    def _assessment(self, assessment_id: str) -> dict[str, Any]:
        try:
            return self.assessments[assessment_id]
        except KeyError:
            raise NotFound(
                f"{self.ref} heeft geen beoordeling {assessment_id!r}.", field="assessment_id"
            ) from None

    # -- links -------------------------------------------------------------

    def link(self, target: str) -> None:
        """Link this item to another (`KIND/ID`); the application links both ways."""
        kind, key = parse_ref(target)
        target = ref(kind, key)
        if target == self.ref:
            raise InvalidInput("Een item kan niet naar zichzelf verwijzen.", field="links")
        if target not in self.links:
            self._linked(target=target)

    @event("Linked")
    def _linked(self, target: str) -> None:
        self.links.append(target)

    def unlink(self, target: str) -> None:
        """Remove a link (it stays in the history)."""
        if target in self.links:
            self._unlinked(target=target)

    @event("Unlinked")
    def _unlinked(self, target: str) -> None:
        self.links.remove(target)

    # -- happenings (dated moments; episodes use them most) -----------------

    def record_happening(self, **data: Any) -> str:
        """Record a dated moment of this item; returns its id."""
        record = happening_record(data, f"h{self.happening_count + 1}")
        self._happening_recorded(happening=record)
        return str(record["id"])

    class HappeningRecorded(ArchiveAggregate.Event):
        """A dated happening was recorded.

        Version 2: the happening has a `themes` list. Version 1 (the first content) had
        none; `upcast_v1_v2` gives those an empty list when they are read.
        """

        happening: dict[str, Any]

        class_version: ClassVar[int] = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """A version 1 happening had no themes: give it an empty list."""
            happening_v1_v2(state["happening"])

    @event(HappeningRecorded)
    def _happening_recorded(self, happening: dict[str, Any]) -> None:
        self.happenings[happening["id"]] = happening
        self.happening_count += 1

    def revise_happening(self, happening_id: str, **changes: Any) -> None:
        """Correct a recorded happening."""
        current = self._happening(happening_id)
        merged = {**current, **{k: v for k, v in changes.items() if v is not None}}
        record = happening_record(merged, happening_id)
        if record != current:
            self._happening_revised(happening=record)

    class HappeningRevised(ArchiveAggregate.Event):
        """A recorded happening was corrected (version 2: with `themes`, as recorded)."""

        happening: dict[str, Any]

        class_version: ClassVar[int] = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """A version 1 happening had no themes: give it an empty list."""
            happening_v1_v2(state["happening"])

    @event(HappeningRevised)
    def _happening_revised(self, happening: dict[str, Any]) -> None:
        self.happenings[happening["id"]] = happening

    def retract_happening(self, happening_id: str) -> None:
        """Withdraw a happening (it stays in the history)."""
        self._happening(happening_id)
        self._happening_retracted(happening_id=happening_id)

    @event("HappeningRetracted")
    def _happening_retracted(self, happening_id: str) -> None:
        del self.happenings[happening_id]

    def _happening(self, happening_id: str) -> dict[str, Any]:
        try:
            return self.happenings[happening_id]
        except KeyError:
            raise NotFound(
                f"{self.ref} heeft geen gebeurtenis {happening_id!r}.", field="happening_id"
            ) from None


# Logs written before these events moved here name them by their old topics: they resolve.
for _name in [
    "QualityAssessed",
    "AssessmentRevised",
    "AssessmentRetracted",
    "Linked",
    "Unlinked",
    "HappeningRecorded",
    "HappeningRevised",
    "HappeningRetracted",
]:
    register_topic(f"events.items:ArchiveItem.{_name}", getattr(ItemParts, _name))
