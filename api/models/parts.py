"""The parts of items: assessments, happenings, links, withdrawals and tombstones."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.models.common import DATE_HELP, QUALITY_HELP, Answer, Body, Page, Positioned

Basis = Literal["explicit", "reading"]
BASIS_HELP = (
    "Hoe het oordeel gemaakt is: explicit (het uitdrukkelijke oordeel van de bron) of reading "
    "(de lezing van een codeur van proza; vraagt een note). Leeg: niet vastgelegd."
)
CODER_HELP = "Wie de beoordeling codeerde; zonder: de naam van het token."
NOTE_HELP = "Toelichting, verplicht bij een lezing (reading)."
HAPPENINGS_HELP = "Ids van de gebeurtenissen van het item waar het bewijs over gaat."


class AssessmentCreate(Body):
    """An assessment of a quality shown (or not) in an item."""

    quality: str = Field(description=QUALITY_HELP, examples=["mobiliserend-vermogen"])
    element: str | None = Field(None, description="Raamwerkelement.", examples=["leiderschap"])
    assessment: str = Field(
        description="shown (getoond), partial (deels) of lacking (ontbreekt).", examples=["shown"]
    )
    evidence: str = Field("", description="Letterlijk citaat uit de bron.")
    source: str = Field("", examples=["monitor-veerkracht-botu-2021.txt:6050-6053"])
    basis: Basis | None = Field(None, description=BASIS_HELP, examples=["explicit"])
    coder: str | None = Field(None, max_length=200, description=CODER_HELP)
    note: str = Field("", max_length=5_000, description=NOTE_HELP)
    happenings: list[str] = Field(
        default_factory=list, description=HAPPENINGS_HELP, examples=[["h1"]]
    )


class AssessmentUpdate(Body):
    """A correction of an assessment: only the fields given change."""

    quality: str | None = Field(None, description=QUALITY_HELP)
    element: str | None = None
    assessment: str | None = None
    evidence: str | None = None
    source: str | None = None
    basis: Basis | None = Field(None, description=BASIS_HELP)
    coder: str | None = Field(None, max_length=200, description="Wie de beoordeling codeerde.")
    note: str | None = Field(None, max_length=5_000, description=NOTE_HELP)
    happenings: list[str] | None = Field(None, description=HAPPENINGS_HELP)
    reason: str = Field("", description="Waarom deze correctie.")


class AssessmentPublic(Answer):
    """An assessment as recorded."""

    id: str = Field(examples=["a1"])
    quality: str = Field(examples=["mobiliserend-vermogen"])
    element: str | None = Field(None, examples=["leiderschap"])
    assessment: str = Field(examples=["shown"])
    evidence: str = ""
    source: str = ""
    basis: Basis | None = Field(None, description=BASIS_HELP + " null: niet gezegd (oudere).")
    coder: str = Field("", description="Wie de beoordeling codeerde.")
    note: str = ""
    happenings: list[str] = Field(default_factory=list, description=HAPPENINGS_HELP)


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
