"""A citation: text, CSL-JSON and the permalink that fixes what was read."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Citation(BaseModel):
    """How to cite this answer: `as_of` and `position` in the permalink fix the version."""

    model_config = ConfigDict(extra="allow")

    text: str = Field(description="De bronvermelding als tekst.")
    csl: dict[str, Any] = Field(description="Een CSL-JSON-item (citeproc, Zotero, pandoc).")
    permalink: str = Field(
        examples=[
            "http://127.0.0.1:8000/api/stories/0001?as_of=2026-12-06T03%3A00%3A00%2B00%3A00&position=412"
        ]
    )


class SourcePassage(BaseModel):
    """Lines of a source document the archive cites."""

    file: str = Field(examples=["monitor-veerkracht-botu-2021.txt"])
    lines: list[int] = Field(examples=[[6190, 6194]], description="Eerste en laatste regel.")
    text: str
    url: str = Field(description="De pagina die de passage met context toont.")


class CodingRow(BaseModel):
    """One assessment of one item: a row of the coding table."""

    item: str = Field(examples=["episodes/botu12"])
    kind: str
    title: str
    quality: str
    element: str = ""
    assessment: str
    basis: str = Field("", description="Hoe gemaakt: explicit, reading of leeg.")
    coder: str = ""
    note: str = ""
    evidence: str = ""
    source: str = ""
    recorded_at: str = Field("", description="Wanneer het item laatst gewijzigd is vastgelegd.")


class CodingTable(BaseModel):
    """The coding table: every assessment of every item the reader may read."""

    items: list[CodingRow]
    total: int
    position: int
