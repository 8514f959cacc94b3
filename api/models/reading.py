"""Search, timelines (also for TimelineJS) and the Corona Kronieken."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.models.citation import Citation
from api.models.common import Answer, Page, Positioned


class SearchHit(Answer):
    """One item (or happening) found."""

    kind: str = Field(examples=["episodes"])
    id: str = Field(examples=["duimdrop"])
    ref: str = Field(examples=["episodes/duimdrop"])
    title: str
    snippet: str = Field(description="HTML, met <mark> om de treffers.")
    score: float
    thumbnail_url: str | None = Field(
        None,
        description="Miniatuur (320 px) van de eerste afbeelding van het item, of van de "
        "eerste pagina van zijn eerste pdf; null zonder zo'n bestand.",
        examples=["/api/media/buurtfeest/files/f1/thumbnail"],
    )


class EntryImage(Answer):
    """The picture of a timeline or Kronieken entry: the item's own first image (or the
    first page of its first PDF); an episode without one borrows the image of a linked media
    item (`from`). Only of items the reader may read; absolute under WIJKARCHIEF_BASE_URL."""

    url: str = Field(description="De weergavegrootte (1600 px) of de pdf-miniatuur.")
    thumbnail: str | None = Field(None, description="Miniatuur (320 px).")
    link: str = Field(description="Het volledige bestand.")
    from_: str | None = Field(
        None,
        alias="from",
        description="Het gekoppelde media-item waarvan een episode zonder eigen beeld het "
        "beeld toont.",
        examples=["media/foto-duimdrop"],
    )
    alt: str = Field(examples=["Foto: Astrid Mennen, Bouwkeet"])
    caption: str = ""
    credit: str = Field("", examples=["Foto: Florian Braakman"])


class SearchResult(Page):
    """Ranked hits with facet counts over every match."""

    citation: Citation | None = Field(None, description="Hoe u dit antwoord citeert.")

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
    image: EntryImage | None = None


class Timeline(Positioned):
    """The governance timeline of a year."""

    citation: Citation | None = Field(None, description="Hoe u dit antwoord citeert.")

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


class TimelineJSMedia(Answer):
    """TimelineJS's `media` of an event: the item's picture (see EntryImage)."""

    url: str
    thumbnail: str | None = None
    link: str | None = None
    link_target: str | None = None
    alt: str | None = None
    caption: str | None = Field(None, description="HTML.")
    credit: str | None = Field(None, description="HTML.")


class TimelineJSEvent(Answer):
    """One TimelineJS event (a dated item or happening)."""

    unique_id: str | None = None
    start_date: TimelineJSDate
    end_date: TimelineJSDate | None = None
    text: TimelineJSText | None = None
    group: str | None = Field(None, description="De episode waar het bij hoort.")
    media: TimelineJSMedia | None = None


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
    image: EntryImage | None = None


class Kronieken(Positioned):
    """The Corona Kronieken."""

    citation: Citation | None = Field(None, description="Hoe u dit antwoord citeert.")

    title: str = Field(examples=["Corona Kronieken"])
    entries: list[KroniekEntry]
    as_of: str | None = None
