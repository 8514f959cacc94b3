"""Items: episodes, stories and media, as answers, lists, and create and update bodies."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, ConfigDict, Field

from api.models.citation import Citation
from api.models.common import (
    DATE_HELP,
    SLUG,
    STORY_NUMBER,
    Body,
    Consent,
    MediaKind,
    Page,
    Positioned,
)
from api.models.files import FilePublic
from api.models.parts import (
    AssessmentCreate,
    AssessmentPublic,
    HappeningCreate,
    HappeningPublic,
    Tombstone,
)


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
    files: list[FilePublic] = Field(
        default_factory=list, description="Bestanden: foto's, scans, PDF's, geluid, video."
    )
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
    citation: Citation | None = Field(
        None, description="Hoe u deze versie citeert (tekst, CSL-JSON, permalink)."
    )


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
