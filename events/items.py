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

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import field
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from events import dates, qualities
from events.errors import InvalidInput, NotFound
from events.personal import (
    CONTENT_FIELDS,
    SEALED_FIELDS,
    SNAPSHOT_PARTS,
    WITHDRAWN_TEXT,
    emptied_part,
    redact,
)

NAMESPACE = uuid5(NAMESPACE_URL, "https://wijkarchief.botu.nl/")
KINDS = ("episodes", "stories", "media")
CONSENT_SCOPES = ("public", "research", "curators")
MEDIA_KINDS = ("article", "photo", "drawing", "video", "report", "audio")
SLUG = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")
STORY_NUMBER = re.compile(r"\A[0-9]{4}\Z")
_SURROGATE = re.compile("[\ud800-\udfff]")

actor_cvar: ContextVar[str] = ContextVar("actor", default="")
reason_cvar: ContextVar[str] = ContextVar("reason", default="")


@contextmanager
def acting_as(actor: str, reason: str = "") -> Iterator[None]:
    """Every event triggered inside this block names `actor` (and `reason`)."""
    if not actor or not actor.strip():
        raise InvalidInput("Elke wijziging heeft een actor nodig (wie deed het).", field="actor")
    actor_token = actor_cvar.set(actor.strip())
    reason_token = reason_cvar.set(reason or "")
    try:
        yield
    finally:
        actor_cvar.reset(actor_token)
        reason_cvar.reset(reason_token)


def item_id(kind: str, key: str) -> UUID:
    """The deterministic id of the item with natural key `key` of `kind`."""
    return uuid5(NAMESPACE, f"{kind}:{key}")


def ref(kind: str, key: str) -> str:
    """The reference of an item as used in links: `stories/0001`."""
    return f"{kind}/{key}"


def parse_ref(value: str) -> tuple[str, str]:
    """Split and check a reference `KIND/ID`."""
    kind, _, key = (value or "").strip().partition("/")
    if kind not in KINDS or not key:
        raise InvalidInput(
            f"Ongeldige verwijzing {value!r}: gebruik SOORT/ID, bv. episodes/duimdrop of "
            "stories/0001.",
            field="links",
        )
    return kind, key


# ---------------------------------------------------------------------------
# Small validators shared by the commands (pure, no I/O).


def text(value: Any, name: str, *, required: bool = True, limit: int = 200_000) -> str:
    """A stripped string, required unless said otherwise."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"Het veld '{name}' moet tekst zijn.", field=name)
    value = value.strip()
    if "\x00" in value or _SURROGATE.search(value):
        raise InvalidInput(
            f"Het veld '{name}' bevat een teken dat geen tekst is (NUL of een losse surrogaat).",
            field=name,
        )
    if required and not value:
        raise InvalidInput(f"Het veld '{name}' mag niet leeg zijn.", field=name)
    if len(value) > limit:
        raise InvalidInput(f"Het veld '{name}' is te lang (max. {limit} tekens).", field=name)
    return str(value)


def names(values: Iterable[Any] | None, name: str) -> list[str]:
    """A list of distinct non-empty strings, order kept."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput(f"Het veld '{name}' moet een lijst zijn.", field=name)
    result: list[str] = []
    for value in values:
        value = text(value, name, limit=500)
        if value not in result:
            result.append(value)
    return result


def optional_date(value: str | None, name: str = "date") -> str | None:
    """An EDTF string (Dutch phrases accepted and converted), or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return dates.from_dutch(str(value))
    except InvalidInput as error:
        error.field = name
        raise


def assessment_record(data: dict[str, Any], assessment_id: str) -> dict[str, Any]:
    """A checked assessment: quality and element by id, one of shown/partial/lacking."""
    quality = qualities.resolve(text(data.get("quality"), "quality")).id
    element_name = data.get("element")
    element = qualities.resolve_element(element_name).id if element_name else None
    return {
        "id": assessment_id,
        "quality": quality,
        "element": element,
        "assessment": qualities.check_assessment(text(data.get("assessment"), "assessment")),
        "evidence": text(data.get("evidence"), "evidence", required=False, limit=20_000),
        "source": text(data.get("source"), "source", required=False, limit=1_000),
    }


def happening_record(data: dict[str, Any], happening_id: str) -> dict[str, Any]:
    """A checked happening: a dated moment inside an episode."""
    date = optional_date(data.get("date"))
    if date is None:
        raise InvalidInput("Een gebeurtenis heeft een datum nodig.", field="date")
    return {
        "id": happening_id,
        "date": date,
        "title": text(data.get("title"), "title", limit=500),
        "text": text(data.get("text"), "text", required=False, limit=50_000),
        "source": text(data.get("source"), "source", required=False, limit=1_000),
        "themes": names(data.get("themes"), "themes"),
    }


def _happening_v1_v2(happening: dict[str, Any]) -> None:
    """Upcast a happening of event/snapshot version 1 (no `themes` yet) in place."""
    happening.setdefault("themes", [])


# ---------------------------------------------------------------------------
# The aggregates.


class ArchiveAggregate(Aggregate):
    """Base of every aggregate of the archive: its events say who and why."""

    class Event(Aggregate.Event):
        """Base of every event: who recorded it, and for a correction, why."""

        actor: str = field(default_factory=actor_cvar.get, init=False)
        reason: str = field(default_factory=reason_cvar.get, init=False)


class ArchiveItem(ArchiveAggregate):
    """What episodes, stories and media items share."""

    KIND: ClassVar[str] = ""
    # Which of the item's keys seals its free text: 0 the first, one more after each
    # `PersonForgotten` (archive/shredding.py). Snapshots taken before it have none: 0.
    key_generation = 0

    # Snapshots (taken every 50 events) hold the happenings too. Version 2 of the snapshot
    # state: every happening has `themes`; snapshots taken before are upcast when read.
    class_version: ClassVar[int] = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Give the happenings of a version 1 snapshot an empty `themes` list."""
        for happening in state.get("happenings", {}).values():
            _happening_v1_v2(happening)

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

    # -- consent: embargo, withdrawal, erasure ----------------------------------

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
            _happening_v1_v2(state["happening"])

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
            _happening_v1_v2(state["happening"])

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
            "assessments": [dict(a) for a in self.assessments.values()],
            "happenings": sorted(
                (dict(h) for h in self.happenings.values()),
                key=lambda h: (dates.sort_key(h["date"]), h["id"]),
            ),
            "links": list(self.links),
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


def _copy(value: Any) -> Any:
    """A deep copy of plain data (dicts, lists, strings)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def check_day(value: str) -> str:
    """An ISO calendar day, YYYY-MM-DD."""
    from datetime import date

    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise InvalidInput(
            f"Ongeldige dag {value!r}: gebruik JJJJ-MM-DD, bv. 2027-01-01.", field="until"
        ) from None


def check_consent(scope: str | None) -> str:
    """One of public / research / curators (who may read the item)."""
    if scope not in CONSENT_SCOPES:
        raise InvalidInput(
            f"Onbekende toestemming {scope!r}: kies public, research of curators.",
            field="consent",
        )
    return scope


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


def check_media_kind(value: str) -> str:
    """One of the known kinds of media."""
    if value not in MEDIA_KINDS:
        raise InvalidInput(
            f"Onbekende mediasoort {value!r}: kies uit {', '.join(MEDIA_KINDS)}.",
            field="media_kind",
        )
    return value


def check_url(value: str | None) -> str:
    """An http(s) address or nothing."""
    value = text(value, "url", required=False, limit=2_000)
    if value and not re.match(r"^https?://[^\s]+$", value):
        raise InvalidInput(f"Ongeldig webadres {value!r}.", field="url")
    return value


def check_key(kind: str, key: str) -> str:
    """A natural key of the right shape for its kind."""
    key = text(key, "number" if kind == "stories" else "id", limit=100)
    if kind == "stories":
        if not STORY_NUMBER.match(key):
            raise InvalidInput(
                f"Ongeldig verhaalnummer {key!r}: vier cijfers, bv. 0001.", field="number"
            )
    elif not SLUG.match(key):
        raise InvalidInput(
            f"Ongeldige id {key!r}: kleine letters, cijfers en streepjes, bv. duimdrop.",
            field="id",
        )
    return key


AGGREGATES: dict[str, type[ArchiveItem]] = {
    "episodes": Episode,
    "stories": Story,
    "media": MediaItem,
}
