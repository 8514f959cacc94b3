"""Forgetting a person in every item."""

from __future__ import annotations

from pydantic import Field

from api.models.common import Answer, Body, Positioned


class OwedTable(Answer):
    """A table whose rewrite after an erasure is still owed."""

    table: str = Field(description="De tabel (schema.naam).", examples=['"public".catalogue_items'])
    since: str = Field(description="Sinds wanneer (ISO 8601).")
    reason: str = Field(
        description="Waarom nog niet: `oudere momentopname`, `vergrendeld` of `bezig`."
    )


class Holder(Answer):
    """A session (or prepared transaction, replication slot) that can still read old rows."""

    kind: str = Field(examples=["sessie"])
    pid: int | None = Field(None, description="Het proces-id van de sessie op de server.")
    name: str | None = Field(None, description="application_name (of gid, slotnaam).")
    user: str | None = None
    client: str | None = Field(None, description="Het adres van de client.")
    since: str | None = Field(None, description="Begin van de transactie (ISO 8601).")


class OldCopies(Answer):
    """Whether old copies of erased words are gone from the database files (PostgreSQL)."""

    removed: bool = Field(description="Geen oude kopieën meer op schijf (altijd waar op SQLite).")
    tables: list[OwedTable] = Field(description="Tabellen die nog herschreven moeten worden.")
    holders: list[Holder] = Field(description="Wie de oude rijen nog kan lezen.")
    message: str | None = Field(None, description="Wat er aan de hand is, en wat te doen.")


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
    old_copies: OldCopies = Field(
        description="Of oude kopieën van de gewiste woorden al uit de databasebestanden zijn "
        "(PostgreSQL: zo niet, dan herschrijft het archief de tabellen vanzelf later)."
    )
