"""An item's history and the event log."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.models.common import Answer, Page


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
