"""Forgetting a person in every item."""

from __future__ import annotations

from pydantic import Field

from api.models.common import Body, Positioned


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
