"""Suggestions: items by part of their title, to choose one (the link picker)."""

from __future__ import annotations

from pydantic import Field

from api.models.common import Answer, Kind, Page


class Suggestion(Answer):
    """An item the reader may read, as a choice."""

    kind: Kind
    id: str = Field(examples=["duimdrop"])
    ref: str = Field(description="SOORT/ID, zoals een koppeling het item noemt.",
                     examples=["episodes/duimdrop"])  # fmt: skip
    title: str = Field(examples=["Acties voor het behoud van Duimdrop"])
    date: str | None = Field(None, description="EDTF-datum van het item.", examples=["2020-09"])
    date_label: str | None = Field(None, description="De datum in het Nederlands.",
                                   examples=["september 2020"])  # fmt: skip


class SuggestionList(Page):
    """Items whose title (or id) holds every word typed, best first."""

    items: list[Suggestion]
