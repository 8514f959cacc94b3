"""The archive's aggregates: governance episodes, Wijkcollectie stories and media items.

Every change is a past-tense event in the ubiquitous language (`Retitled`, `QualityAssessed`,
`HappeningRecorded`, …). Who made a change, and for a correction why, travel on the base
event (`actor`, `reason`), filled from the context set by `acting_as` — the pattern of the
eventsourcing content-management example. Public methods validate and then trigger a private
decorated method, so a rejected change never becomes an event.

Natural keys get deterministic ids: `Story.create_id("0001")` is the uuid5 of
"story:0001", so a number or slug can be taken only once (the store refuses a second
version 1 of the same id).
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from events import dates
from events.base import ArchiveAggregate, acting_as
from events.consent import ConsentedItem
from events.parts import ItemParts
from events.personal import SEALED_FIELDS
from events.rules import (
    ASSESSMENT_DEFAULTS,
    KINDS,
    check_consent,
    check_media_kind,
    check_url,
    happening_v1_v2,
    item_id,
    names,
    optional_date,
    ref,
    text,
)

# Every event of an item is one of these (the base-most class of an item's events).
ItemEvent = ItemParts.Event


class ArchiveItem(ConsentedItem):
    """What episodes, stories and media items share."""

    KIND: ClassVar[str] = ""
    # Which of the item's keys seals its free text: 0 the first, one more after each
    # `PersonForgotten` (archive/shredding.py). Snapshots taken before it have none: 0.
    key_generation = 0

    # Snapshots (taken every 50 events) hold the happenings too. Snapshot state version 2:
    # happenings have `themes`; 3: `files`. Older snapshots are upcast when read.
    class_version: ClassVar[int] = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Give the happenings of a version 1 snapshot an empty `themes` list."""
        for happening in state.get("happenings", {}).values():
            happening_v1_v2(happening)

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """A version 2 snapshot had no files."""
        state.update(files=state.get("files", {}), file_count=state.get("file_count", 0))

    def _init_common(
        self,
        key: str,
        title: str,
        summary: str,
        body: str,
        date: str | None,
        themes: list[str],
        people: list[str],
        places: list[str],
        source: str,
        consent: str,
        rights: str,
    ) -> None:
        self.key = key
        self.title = title
        self.summary = summary
        self.body = body
        self.date = date
        self.themes = list(themes)
        self.people = list(people)
        self.places = list(places)
        self.source = source
        self.consent = consent
        self.rights = rights
        self.assessments: dict[str, dict[str, Any]] = {}
        self.happenings: dict[str, dict[str, Any]] = {}
        self.links: list[str] = []
        self.assessment_count = 0
        self.happening_count = 0
        self.files: dict[str, dict[str, Any]] = {}  # events/files.py
        self.file_count = 0
        self.embargo_until: str | None = None
        self.withdrawn: dict[str, str] | None = None
        self.erased = False

    @property
    def ref(self) -> str:
        """`kind/key`, as links name this item."""
        return ref(self.KIND, self.key)

    # -- revisions ---------------------------------------------------------

    def retitle(self, title: str) -> None:
        """Give the item a new title."""
        title = text(title, "title", limit=500)
        if title != self.title:
            self._retitled(title=title)

    @event("Retitled")
    def _retitled(self, title: str) -> None:
        self.title = title

    def revise_summary(self, summary: str) -> None:
        """Replace the summary."""
        self._refuse_after_erasure("summary", summary)
        summary = text(summary, "summary", required=False, limit=20_000)
        if summary != self.summary:
            self._summary_revised(summary=summary)

    @event("SummaryRevised")
    def _summary_revised(self, summary: str) -> None:
        self.summary = summary

    def revise_text(self, body: str) -> None:
        """Replace the Markdown text."""
        self._refuse_after_erasure("body_markdown", body)
        body = text(body, "body_markdown", required=False)
        if body != self.body:
            self._text_revised(body=body)

    @event("TextRevised")
    def _text_revised(self, body: str) -> None:
        self.body = body

    def redate(self, date: str | None) -> None:
        """Set (or clear) the EDTF date of the item."""
        checked = optional_date(date)
        if checked != self.date:
            self._dated(date=checked)

    @event("Dated")
    def _dated(self, date: str | None) -> None:
        self.date = date

    def retheme(self, themes: list[str]) -> None:
        """Replace the themes (tags such as `corona`)."""
        checked = names(themes, "themes")
        if checked != self.themes:
            self._themes_revised(themes=checked)

    @event("ThemesRevised")
    def _themes_revised(self, themes: list[str]) -> None:
        self.themes = themes

    def record_people(self, people: list[str]) -> None:
        """Replace the people and organisations named in the item."""
        self._refuse_after_erasure("people", people)
        checked = names(people, "people")
        if checked != self.people:
            self._people_recorded(people=checked)

    @event("PeopleRecorded")
    def _people_recorded(self, people: list[str]) -> None:
        self.people = people

    def record_places(self, places: list[str]) -> None:
        """Replace the places named in the item."""
        checked = names(places, "places")
        if checked != self.places:
            self._places_recorded(places=checked)

    @event("PlacesRecorded")
    def _places_recorded(self, places: list[str]) -> None:
        self.places = places

    def record_rights(self, rights: str) -> None:
        """Record who holds the rights and under which terms."""
        rights = text(rights, "rights", required=False, limit=2_000)
        if rights != self.rights:
            self._rights_recorded(rights=rights)

    @event("RightsRecorded")
    def _rights_recorded(self, rights: str) -> None:
        self.rights = rights

    def record_consent(self, scope: str) -> None:
        """Record who may read the item: public, research or curators."""
        scope = check_consent(scope)
        if scope != self.consent:
            self._consent_recorded(scope=scope)

    @event("ConsentRecorded")
    def _consent_recorded(self, scope: str) -> None:
        self.consent = scope

    # -- plain data --------------------------------------------------------

    def _untitled(self) -> str:
        """The title shown when the words are gone (erased): the number or id."""
        label = f"BoTu nr. {self.key}" if self.KIND == "stories" else self.key
        return f"{label} (gewist)" if self.erased else label

    def as_dict(self) -> dict[str, Any]:
        """The item's current state as plain data (what read models store)."""
        return {
            "kind": self.KIND,
            "id": self.key,
            "ref": self.ref,
            "title": self.title or self._untitled(),
            "summary": self.summary,
            "body_markdown": self.body,
            "date": self.date,
            "themes": list(self.themes),
            "people": list(self.people),
            "places": list(self.places),
            "source": self.source,
            "consent": self.consent,
            "rights": self.rights,
            "assessments": [{**ASSESSMENT_DEFAULTS, **a} for a in self.assessments.values()],
            "happenings": sorted(
                (dict(h) for h in self.happenings.values()),
                key=lambda h: (dates.sort_key(h["date"]), h["id"]),
            ),
            "links": list(self.links),
            "files": self.public_files(),
            "embargo_until": self.embargo_until,
            "withdrawn": dict(self.withdrawn) if self.withdrawn else None,
            "erased": self.erased,
            "version": self.version,
            "created_at": self.created_on.isoformat(),
            "modified_at": self.modified_on.isoformat(),
        }


# The fields that can name a person: sealed under the item's key (archive/shredding.py)
# and emptied on erasure. The value is the field's empty form (see events/personal.py).
PERSONAL_FIELDS: dict[str, Any] = SEALED_FIELDS


class Episode(ArchiveItem):
    """A governance episode: a case of how government and residents acted together."""

    KIND = "episodes"

    @staticmethod
    def create_id(key: str) -> UUID:
        return item_id("episodes", key)

    @event("Registered")
    def __init__(
        self,
        key: str,
        title: str,
        summary: str = "",
        body: str = "",
        date: str | None = None,
        themes: list[str] | None = None,
        people: list[str] | None = None,
        places: list[str] | None = None,
        source: str = "",
        consent: str = "public",
        rights: str = "",
    ) -> None:
        self._init_common(
            key, title, summary, body, date, themes or [], people or [], places or [],
            source, consent, rights,
        )  # fmt: skip


class Story(ArchiveItem):
    """A Wijkcollectie story, numbered "BoTu nr. 0001", told by named residents."""

    KIND = "stories"

    @staticmethod
    def create_id(key: str) -> UUID:
        return item_id("stories", key)

    @event("Registered")
    def __init__(
        self,
        key: str,
        title: str,
        summary: str = "",
        body: str = "",
        date: str | None = None,
        themes: list[str] | None = None,
        people: list[str] | None = None,
        places: list[str] | None = None,
        source: str = "",
        consent: str = "curators",
        rights: str = "",
        storytellers: list[str] | None = None,
    ) -> None:
        self._init_common(
            key, title, summary, body, date, themes or [], people or [], places or [],
            source, consent, rights,
        )  # fmt: skip
        self.storytellers = list(storytellers or [])

    def record_storytellers(self, storytellers: list[str]) -> None:
        """Replace the names of the storytellers."""
        self._refuse_after_erasure("storytellers", storytellers)
        checked = names(storytellers, "storytellers")
        if checked != self.storytellers:
            self._storytellers_recorded(storytellers=checked)

    @event("StorytellersRecorded")
    def _storytellers_recorded(self, storytellers: list[str]) -> None:
        self.storytellers = storytellers

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["number"] = self.key
        data["storytellers"] = list(self.storytellers)
        return data


class MediaItem(ArchiveItem):
    """A newspaper article, photograph, drawing or other document about BoTu."""

    KIND = "media"

    @staticmethod
    def create_id(key: str) -> UUID:
        return item_id("media", key)

    @event("Registered")
    def __init__(
        self,
        key: str,
        title: str,
        summary: str = "",
        body: str = "",
        date: str | None = None,
        themes: list[str] | None = None,
        people: list[str] | None = None,
        places: list[str] | None = None,
        source: str = "",
        consent: str = "public",
        rights: str = "",
        media_kind: str = "article",
        outlet: str = "",
        url: str = "",
    ) -> None:
        self._init_common(
            key, title, summary, body, date, themes or [], people or [], places or [],
            source, consent, rights,
        )  # fmt: skip
        self.media_kind = media_kind
        self.outlet = outlet
        self.url = url

    def revise_details(
        self, media_kind: str | None = None, outlet: str | None = None, url: str | None = None
    ) -> None:
        """Correct the kind, outlet or link of the media item."""
        new_kind = check_media_kind(media_kind if media_kind is not None else self.media_kind)
        new_outlet = text(outlet if outlet is not None else self.outlet, "outlet", required=False)
        new_url = check_url(url if url is not None else self.url)
        if (new_kind, new_outlet, new_url) != (self.media_kind, self.outlet, self.url):
            self._details_revised(media_kind=new_kind, outlet=new_outlet, url=new_url)

    @event("DetailsRevised")
    def _details_revised(self, media_kind: str, outlet: str, url: str) -> None:
        self.media_kind = media_kind
        self.outlet = outlet
        self.url = url

    def as_dict(self) -> dict[str, Any]:
        data = super().as_dict()
        data["media_kind"] = self.media_kind
        data["outlet"] = self.outlet
        data["url"] = self.url
        return data


AGGREGATES: dict[str, type[ArchiveItem]] = {
    "episodes": Episode,
    "stories": Story,
    "media": MediaItem,
}

__all__ = [
    "AGGREGATES", "KINDS", "ArchiveAggregate", "ArchiveItem", "Episode", "ItemEvent",
    "MediaItem", "Story", "acting_as", "item_id", "ref",
]  # fmt: skip
