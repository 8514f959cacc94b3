"""Health and the quality vocabulary."""

from __future__ import annotations

from pydantic import Field

from api.models.common import Answer, Page, Positioned


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
