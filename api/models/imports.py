"""The answer of a bulk import (`POST /api/imports`): what was (or would be) added, and why not."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from api.models.common import Answer


class ImportRowError(Answer):
    """One problem of the sheet: its row (1 is the header) and column as the sheet names it."""

    row: int = Field(examples=[3])
    column: str = Field(examples=["datum"])
    field: str | None = Field(None, examples=["date"])
    message: str = Field(examples=["Onbekende datum 'maart 2020x': …"])


class ImportItem(Answer):
    """An item the sheet adds (or would add)."""

    row: int
    ref: str = Field(examples=["stories/0101"])
    key: str = Field(examples=["0101"])
    title: str
    date: str | None = Field(None, description="De datum zoals het archief hem leest (EDTF).")
    consent: str = Field(description="public, research of curators (zonder kolom: curators).")
    links: list[str] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list, description="Genoemde bestanden.")


class ImportReport(Answer):
    """The report of a dry run or an import (all rows or none)."""

    kind: str = Field(examples=["stories"])
    dry_run: bool
    imported: bool = Field(description="true: alle items zijn vastgelegd (in één transactie).")
    position: int | None = Field(None, description="Positie in het log na de import.")
    total: int = Field(description="Aantal items dat (zou) worden toegevoegd.")
    items: list[ImportItem]
    errors: list[ImportRowError] = Field(description="Elke fout, per rij; leeg als alles klopt.")
    files: list[dict[str, Any]] = Field(
        default_factory=list, description="Per bijgevoegd bestand: item, naam, attached, id."
    )
