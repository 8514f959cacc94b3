"""The API's schemas: what requests carry and what answers hold.

Families per resource, in the style of FastAPI's full-stack template: `…Create` for a POST
body, `…Update` for a PATCH body (every field optional, plus the `reason` for the
correction), `…Public` for an answer. Write bodies forbid unknown fields, so a typo is a 422
that names the field instead of a silent no-op. Answers allow extra fields: the archive may
give more than is listed here. The examples come from the seed archive.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

Kind = Literal["episodes", "stories", "media"]
Consent = Literal["public", "research", "curators"]
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
STORY_NUMBER = r"^[0-9]{4}$"
MediaKind = Literal["article", "photo", "drawing", "video", "report", "audio"]

DATE_HELP = (
    "EDTF (2020, 2020-03, 2020-03-16, 2020-23 voor najaar, 2020-03/2020-06, 2020-03~) of een "
    "Nederlandse omschrijving zoals 'najaar 2020'."
)
QUALITY_HELP = "Id, Nederlands of Engels label van de kwaliteit (hoofdletterongevoelig)."


class Body(BaseModel):
    """A request body: unknown fields are refused, and text the stores cannot keep."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        """Refuse NUL characters and lone surrogates ("\\ud800"): no store can keep them."""
        for where, value in _strings(data, ""):
            if "\x00" in value:
                raise PydanticCustomError(
                    "unstorable_text", "'{field}' bevat een NUL-teken (\\u0000)", {"field": where}
                )
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise PydanticCustomError(
                    "unstorable_text", "'{field}' is geen geldige Unicode-tekst", {"field": where}
                ) from None
        return data


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value (keys too), with where it stands."""
    if isinstance(value, str):
        yield where or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{where}.{key}" if where else str(key)
            if isinstance(key, str):
                yield inner, key
            yield from _strings(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}.{index}" if where else str(index))


class Answer(BaseModel):
    """An answer: the archive may give more fields than listed."""

    model_config = ConfigDict(extra="allow")


class Positioned(Answer):
    """An answer computed at a position of the event log (cite it with that position)."""

    position: int | None = Field(
        None, description="Positie in het gebeurtenislog waarop dit antwoord berekend is."
    )


class Page(Positioned):
    """A page of a list."""

    total: int = Field(description="Aantal items in de hele lijst.")
    limit: int = 100
    offset: int = 0


# -- problems ---------------------------------------------------------------------


class Problem(Answer):
    """An RFC 9457 problem (`application/problem+json`)."""

    type: str = "about:blank"
    title: str = Field(examples=["Niet gevonden"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["Er is geen verhaal '0999' in het archief."])
    instance: str | None = None
    field: str | None = Field(None, description="Het veld waar het om gaat, als er één is.")


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for problem answers with these statuses."""
    descriptions = {
        401: "Geen of een ongeldig token.",
        403: "Dit token mag dit niet.",
        404: "Niet gevonden (of niet zichtbaar voor u).",
        409: "Bestaat al.",
        410: "Ingetrokken: de toestemming is ingetrokken; het antwoord bevat de grafsteen.",
        412: "Verouderde versie: iemand anders wijzigde het item intussen.",
        413: "Verzoek te groot.",
        422: "Ongeldige invoer; `field` noemt het veld.",
        428: "If-Match ontbreekt.",
    }
    return {
        status: {"model": Problem, "description": descriptions.get(status, "Fout")}
        for status in statuses
    }


# -- health and vocabulary ----------------------------------------------------------


class Health(Positioned):
    """Whether the archive answers."""

    status: str = Field(examples=["ok"])
    events: int = Field(description="Aantal gebeurtenissen in het log.", examples=[412])


class Quality(Answer):
    """A quality or framework element of the vocabulary."""

    id: str = Field(examples=["institutionele-souplesse"])
    label_nl: str = Field(examples=["institutionele souplesse"])
    label_en: str = Field(examples=["institutional flexibility"])
    framework: str = Field(examples=["responsive-government"])
    element: str | None = Field(None, examples=["betrokken-bestuur"])
    definition: str


class QualityList(Page):
    """The vocabulary."""

    items: list[Quality]


# -- parts of items ----------------------------------------------------------------


class AssessmentCreate(Body):
    """An assessment of a quality shown (or not) in an item."""

    quality: str = Field(description=QUALITY_HELP, examples=["mobiliserend-vermogen"])
    element: str | None = Field(None, description="Raamwerkelement.", examples=["leiderschap"])
    assessment: str = Field(
        description="shown (getoond), partial (deels) of lacking (ontbreekt).", examples=["shown"]
    )
    evidence: str = Field("", description="Letterlijk citaat uit de bron.")
    source: str = Field("", examples=["monitor-veerkracht-botu-2021.txt:6050-6053"])


class AssessmentUpdate(Body):
    """A correction of an assessment: only the fields given change."""

    quality: str | None = Field(None, description=QUALITY_HELP)
    element: str | None = None
    assessment: str | None = None
    evidence: str | None = None
    source: str | None = None
    reason: str = Field("", description="Waarom deze correctie.")


class AssessmentPublic(Answer):
    """An assessment as recorded."""

    id: str = Field(examples=["a1"])
    quality: str = Field(examples=["mobiliserend-vermogen"])
    element: str | None = Field(None, examples=["leiderschap"])
    assessment: str = Field(examples=["shown"])
    evidence: str = ""
    source: str = ""


class AssessmentWritten(AssessmentPublic, Positioned):
    """An assessment just written, and the position of its event."""

    item: str = Field(examples=["episodes/duimdrop"])
    version: int


class AssessmentList(Page):
    """An item's assessments."""

    items: list[AssessmentPublic]


class HappeningCreate(Body):
    """A dated moment of an item (episodes use them most)."""

    date: str = Field(description=DATE_HELP, examples=["2020-11-26"])
    title: str = Field(examples=["NRC: ‘Laat Duimdrop een les zijn’"])
    text: str = ""
    source: str = Field("", examples=["monitor-veerkracht-botu-2021.txt:7106-7115"])
    themes: list[str] = Field(default_factory=list, examples=[["corona"]])


class HappeningUpdate(Body):
    """A correction of a happening: only the fields given change."""

    date: str | None = Field(None, description=DATE_HELP)
    title: str | None = None
    text: str | None = None
    source: str | None = None
    themes: list[str] | None = None
    reason: str = Field("", description="Waarom deze correctie.")


class HappeningPublic(Answer):
    """A happening as recorded."""

    id: str = Field(examples=["h1"])
    date: str = Field(examples=["2020-11-26"])
    title: str
    text: str = ""
    source: str = ""
    themes: list[str] = Field(default_factory=list)


class HappeningWritten(HappeningPublic, Positioned):
    """A happening just written, and the position of its event."""

    item: str = Field(examples=["episodes/duimdrop"])
    version: int


class LinkCreate(Body):
    """A link to another item."""

    target: str = Field(description="SOORT/ID van het andere item.", examples=["stories/0001"])


class Links(Positioned):
    """An item's links after a change."""

    item: str = Field(examples=["episodes/duimdrop"])
    links: list[str] = Field(examples=[["stories/0001", "media/foto-duimdrop"]])
    version: int


class Withdrawal(Answer):
    """When consent was withdrawn, and under which policy."""

    at: str
    policy: str


class Tombstone(Positioned):
    """What readers see of an item whose consent was withdrawn."""

    kind: str = Field(examples=["stories"])
    id: str = Field(examples=["0017"])
    ref: str = Field(examples=["stories/0017"])
    title: str = Field(examples=["BoTu nr. 0017 (ingetrokken)"])
    tombstone: Literal[True]
    withdrawn: Withdrawal


# -- items -------------------------------------------------------------------------


class ItemPublic(Positioned):
    """What every item answer holds."""

    kind: str
    id: str
    ref: str = Field(examples=["episodes/duimdrop"])
    title: str
    summary: str = ""
    body_markdown: str = ""
    body_html: str = Field("", description="body_markdown als opgeschoonde HTML.")
    date: str | None = Field(None, description="EDTF.", examples=["2020-09/2021-03"])
    themes: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    source: str = ""
    consent: str = Field("public", description="Wie het mag lezen: public, research, curators.")
    rights: str = ""
    assessments: list[AssessmentPublic] = Field(default_factory=list)
    qualities: list[AssessmentPublic] = Field(
        default_factory=list, description="Dezelfde lijst als assessments."
    )
    happenings: list[HappeningPublic] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list, examples=[["stories/0001"]])
    episodes: list[str] = Field(default_factory=list, description="Gekoppelde episodes (ids).")
    stories: list[str] = Field(default_factory=list, description="Gekoppelde verhalen (nummers).")
    media: list[str] = Field(default_factory=list, description="Gekoppelde media-items (ids).")
    embargo_until: str | None = None
    withdrawn: dict[str, Any] | None = None
    erased: bool = False
    version: int = Field(description="Versie; stuur die mee als If-Match bij een PATCH.")
    created_at: str | None = None
    modified_at: str | None = None
    as_of: str | None = Field(None, description="Het moment waarop het archief gelezen is.")


class EpisodePublic(ItemPublic):
    """A governance episode."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "episodes",
                    "id": "duimdrop",
                    "ref": "episodes/duimdrop",
                    "title": "Acties voor het behoud van Duimdrop",
                    "period": "2020-09/2021-03",
                    "date": "2020-09/2021-03",
                    "version": 12,
                    "position": 412,
                }
            ]
        }
    )

    period: str | None = Field(None, description="Zelfde als date: de periode van de episode.")


class StoryPublic(ItemPublic):
    """A Wijkcollectie story, "BoTu nr. 0001"."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "stories",
                    "id": "0001",
                    "number": "0001",
                    "ref": "stories/0001",
                    "title": "Dirck Slabbekoorn, Jumbo",
                    "storytellers": ["Dirck Slabbekoorn"],
                    "consent": "public",
                    "version": 3,
                    "position": 412,
                }
            ]
        }
    )

    number: str = Field(examples=["0001"])
    storytellers: list[str] = Field(default_factory=list, examples=[["Dirck Slabbekoorn"]])


class MediaPublic(ItemPublic):
    """A newspaper article, photograph, report or other document about BoTu."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "article",
                    "media_kind": "article",
                    "id": "nrc-2020-11-26-laat-duimdrop-een-les-zijn",
                    "ref": "media/nrc-2020-11-26-laat-duimdrop-een-les-zijn",
                    "title": "Laat Duimdrop een les zijn",
                    "outlet": "NRC",
                    "date": "2020-11-26",
                    "episodes": ["duimdrop"],
                    "version": 2,
                    "position": 412,
                }
            ]
        }
    )

    media_kind: str = Field(examples=["article"])
    outlet: str = Field("", examples=["NRC"])
    url: str = ""


class EpisodeList(Page):
    """Governance episodes."""

    items: list[EpisodePublic | Tombstone]


class StoryList(Page):
    """Stories of the Wijkcollectie (withdrawn ones as tombstones)."""

    items: list[StoryPublic | Tombstone]


class MediaList(Page):
    """Media items (withdrawn ones as tombstones)."""

    items: list[MediaPublic | Tombstone]


class ItemCreate(Body):
    """The fields every new item may have."""

    title: str = Field(max_length=500)
    summary: str = ""
    body_markdown: str = ""
    date: str | None = Field(None, description=DATE_HELP)
    themes: list[str] = Field(default_factory=list, examples=[["corona"]])
    people: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list, examples=[["Bospolder-Tussendijken"]])
    source: str = Field("", examples=["monitor-veerkracht-botu-2021.txt:1853-1884"])
    rights: str = ""
    happenings: list[HappeningCreate] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list, description="Andere items als SOORT/ID.")
    episodes: list[str] = Field(default_factory=list, description="Te koppelen episodes (ids).")
    stories: list[str] = Field(default_factory=list, description="Te koppelen verhalen.")
    media: list[str] = Field(default_factory=list, description="Te koppelen media-items (ids).")


class EpisodeCreate(ItemCreate):
    """A new governance episode."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "duimdrop",
                    "title": "Acties voor het behoud van Duimdrop",
                    "date": "2020-09/2021-03",
                    "summary": "Bewoners komen in actie voor de Duimdrop-speelgoedcontainers.",
                    "consent": "public",
                }
            ]
        }
    )

    id: str = Field(
        pattern=SLUG,
        max_length=100,
        description="Kleine letters, cijfers en streepjes.",
        examples=["duimdrop"],
    )
    consent: Consent | None = None
    assessments: list[AssessmentCreate] = Field(
        default_factory=list, validation_alias=AliasChoices("assessments", "qualities")
    )


class StoryCreate(ItemCreate):
    """A new story: `number`, `title` and `body_markdown` are required."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": "0001",
                    "title": "Dirck Slabbekoorn, Jumbo",
                    "body_markdown": "Aan de Schiedamseweg wordt deze aanpak ...",
                    "storytellers": ["Dirck Slabbekoorn"],
                    "consent": "public",
                    "rights": "Wijkcollectie BoTu / Veldacademie",
                    "episodes": [],
                    "qualities": [],
                }
            ]
        }
    )

    number: str = Field(
        pattern=STORY_NUMBER, description="Vier cijfers: BoTu nr. 0001.", examples=["0001"]
    )
    body_markdown: str
    storytellers: list[str] = Field(default_factory=list, examples=[["Dirck Slabbekoorn"]])
    consent: Consent | None = Field(
        None, description="Wie het mag lezen; zonder: alleen curatoren (privacy by default)."
    )
    qualities: list[AssessmentCreate] = Field(
        default_factory=list, validation_alias=AliasChoices("qualities", "assessments")
    )


class MediaCreate(ItemCreate):
    """A new media item."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "nrc-2020-11-26-laat-duimdrop-een-les-zijn",
                    "kind": "article",
                    "title": "Laat Duimdrop een les zijn",
                    "outlet": "NRC",
                    "date": "2020-11-26",
                    "episodes": ["duimdrop"],
                }
            ]
        }
    )

    id: str = Field(
        pattern=SLUG,
        max_length=100,
        description="Kleine letters, cijfers en streepjes.",
        examples=["nrc-2020-11-26-laat-duimdrop-een-les-zijn"],
    )
    media_kind: MediaKind = Field(
        "article",
        validation_alias=AliasChoices("kind", "media_kind"),
        description="Soort media (in het antwoord: kind).",
    )
    outlet: str = Field("", examples=["NRC"])
    url: str = ""
    consent: Consent | None = None
    qualities: list[AssessmentCreate] = Field(
        default_factory=list, validation_alias=AliasChoices("qualities", "assessments")
    )


class ItemUpdate(Body):
    """The writable fields every item has; only the fields given change."""

    title: str | None = Field(None, max_length=500)
    summary: str | None = None
    body_markdown: str | None = None
    date: str | None = Field(None, description=DATE_HELP + " null wist de datum.")
    themes: list[str] | None = None
    people: list[str] | None = None
    places: list[str] | None = None
    rights: str | None = None
    consent: Consent | None = None
    links: list[str] | None = Field(None, description="De volledige lijst koppelingen.")
    episodes: list[str] | None = Field(None, description="De gekoppelde episodes (ids).")
    stories: list[str] | None = Field(None, description="De gekoppelde verhalen (nummers).")
    media: list[str] | None = Field(None, description="De gekoppelde media-items (ids).")
    reason: str = Field("", description="Waarom deze correctie (komt in de geschiedenis).")


class EpisodeUpdate(ItemUpdate):
    """A revision of an episode."""

    assessments: list[AssessmentCreate] | None = Field(
        None,
        validation_alias=AliasChoices("assessments", "qualities"),
        description="De volledige lijst beoordelingen.",
    )


class StoryUpdate(ItemUpdate):
    """A revision of a story."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"title": "Dirck Slabbekoorn, Jumbo Schiedamseweg", "reason": "bron"}]
        }
    )

    storytellers: list[str] | None = None
    qualities: list[AssessmentCreate] | None = Field(
        None,
        validation_alias=AliasChoices("qualities", "assessments"),
        description="De volledige lijst beoordelingen.",
    )


class MediaUpdate(ItemUpdate):
    """A revision of a media item."""

    media_kind: MediaKind | None = Field(
        None, validation_alias=AliasChoices("kind", "media_kind"), description="Soort media."
    )
    outlet: str | None = None
    url: str | None = None
    qualities: list[AssessmentCreate] | None = Field(
        None,
        validation_alias=AliasChoices("qualities", "assessments"),
        description="De volledige lijst beoordelingen.",
    )


# -- history and the log -----------------------------------------------------------


class HistoryEntry(Answer):
    """One event of an item."""

    version: int = Field(examples=[2])
    type: str = Field(examples=["Retitled"])
    recorded_at: str = Field(examples=["2026-01-12T10:03:00+00:00"])
    actor: str = Field(examples=["anna"])
    reason: str = ""
    data: dict[str, Any] = Field(default_factory=dict, examples=[{"title": "Nieuwe titel"}])


class History(Page):
    """Every event of an item, oldest first."""

    items: list[HistoryEntry]


class LogEvent(Answer):
    """One event of the log; `data` is left out where the reader may not see it."""

    position: int = Field(examples=[17])
    type: str = Field(examples=["Story.Retitled"])
    originator: str = Field(examples=["stories/0001"])
    version: int = Field(examples=[2])
    recorded_at: str
    data: dict[str, Any] | None = None


class EventPage(Page):
    """A page of the event log: follow it with `after=next`."""

    items: list[LogEvent]
    next: int = Field(description="Vraag de volgende bladzijde op met after=next.")


# -- search, timelines, kronieken ------------------------------------------------------


class SearchHit(Answer):
    """One item (or happening) found."""

    kind: str = Field(examples=["episodes"])
    id: str = Field(examples=["duimdrop"])
    ref: str = Field(examples=["episodes/duimdrop"])
    title: str
    snippet: str = Field(description="HTML, met <mark> om de treffers.")
    score: float


class SearchResult(Page):
    """Ranked hits with facet counts over every match."""

    q: str = ""
    hits: list[SearchHit]
    items: list[SearchHit] = Field(description="Dezelfde lijst als hits.")
    facets: dict[str, dict[str, int]] = Field(
        examples=[{"kind": {"episodes": 3}, "quality": {}, "year": {"2020": 3}}]
    )


class TimelineEntry(Answer):
    """A dated entry of a timeline."""

    date: str = Field(examples=["2020-11-26"])
    title: str
    kind: str = Field(examples=["happening"])
    ref: str = Field(examples=["episodes/duimdrop"])
    qualities: list[Any] = Field(default_factory=list)


class Timeline(Positioned):
    """The governance timeline of a year."""

    year: int = Field(examples=[2020])
    title: str | None = None
    entries: list[TimelineEntry]
    as_of: str | None = None


class TimelineJSText(Answer):
    """A TimelineJS text: a headline and an HTML text."""

    headline: str | None = Field(None, examples=["Acties voor het behoud van Duimdrop"])
    text: str | None = Field(None, description="HTML.")


class TimelineJSDate(Answer):
    """A TimelineJS date: the year, and month and day where the EDTF date gives them."""

    year: int = Field(examples=[2020])
    month: int | None = Field(None, examples=[11])
    day: int | None = Field(None, examples=[26])
    display_date: str | None = Field(None, examples=["26 november 2020"])


class TimelineJSSlide(Answer):
    """The title slide of a TimelineJS timeline."""

    text: TimelineJSText | None = None


class TimelineJSEvent(Answer):
    """One TimelineJS event (a dated item or happening)."""

    unique_id: str | None = None
    start_date: TimelineJSDate
    end_date: TimelineJSDate | None = None
    text: TimelineJSText | None = None
    group: str | None = Field(None, description="De episode waar het bij hoort.")


class TimelineJSEra(Answer):
    """A TimelineJS era: a period shown behind the events."""

    start_date: TimelineJSDate
    end_date: TimelineJSDate
    text: TimelineJSText | None = None


class TimelineJS(Positioned):
    """A year's timeline as Knight Lab TimelineJS3 JSON (`format=timelinejs`)."""

    title: TimelineJSSlide | None = None
    events: list[TimelineJSEvent]
    eras: list[TimelineJSEra] = Field(default_factory=list)
    as_of: str | None = None


class KroniekEntry(Answer):
    """A dated entry of the Corona Kronieken."""

    date: str
    title: str
    text: str = ""
    kind: str
    ref: str


class Kronieken(Positioned):
    """The Corona Kronieken."""

    title: str = Field(examples=["Corona Kronieken"])
    entries: list[KroniekEntry]
    as_of: str | None = None


class PersonErasure(Body):
    """A person who asked to be forgotten (AVG art. 17)."""

    name: str = Field(
        min_length=2, max_length=500, description="De naam zoals die in het archief staat.",
        examples=["Henk Vermeulen"],
    )  # fmt: skip
    reason: str = Field("", max_length=2_000, description="Waarom (de naam wordt eruit gehaald).")


class PersonErased(Positioned):
    """The items a name was taken out of."""

    items: list[str] = Field(description="De items (SOORT/ID) waar de naam uit is gehaald.")
    unsealed: list[str] = Field(
        description="Items waarvan oudere gebeurtenissen de naam nog onversleuteld bevatten "
        "(vastgelegd voordat alle tekst werd versleuteld; zie docs/privacy.md)."
    )
