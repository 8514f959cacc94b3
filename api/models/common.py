"""The shared parts of the schemas: request bodies, answers, pages, problems, value types."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

Kind = Literal["episodes", "stories", "media"]
Consent = Literal["public", "research", "curators"]
SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
STORY_NUMBER = r"^[0-9]{4}$"
MediaKind = Literal["article", "photo", "drawing", "video", "report", "audio"]

DATE_HELP = (
    "EDTF (2020, 2020-03, 2020-03-16, 2020-23 voor najaar, 2020-03/2020-06, 2020-03~) of een "
    "Nederlandse omschrijving zoals 'najaar 2020'."
)
QUALITY_HELP = "Id, Nederlands of Engels label van de kwaliteit (hoofdletterongevoelig)."


class Body(BaseModel):
    """A request body: unknown fields are refused, and text the stores cannot keep."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        """Refuse NUL characters and lone surrogates ("\\ud800"): no store can keep them."""
        for where, value in _strings(data, ""):
            if "\x00" in value:
                raise PydanticCustomError(
                    "unstorable_text", "'{field}' bevat een NUL-teken (\\u0000)", {"field": where}
                )
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise PydanticCustomError(
                    "unstorable_text", "'{field}' is geen geldige Unicode-tekst", {"field": where}
                ) from None
        return data


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value (keys too), with where it stands."""
    if isinstance(value, str):
        yield where or "body", value
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{where}.{key}" if where else str(key)
            if isinstance(key, str):
                yield inner, key
            yield from _strings(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}.{index}" if where else str(index))


class Answer(BaseModel):
    """An answer: the archive may give more fields than listed."""

    model_config = ConfigDict(extra="allow")


class Positioned(Answer):
    """An answer computed at a position of the event log (cite it with that position)."""

    position: int | None = Field(
        None, description="Positie in het gebeurtenislog waarop dit antwoord berekend is."
    )


class Page(Positioned):
    """A page of a list."""

    total: int = Field(description="Aantal items in de hele lijst.")
    limit: int = 100
    offset: int = 0


# -- problems ---------------------------------------------------------------------


class Problem(Answer):
    """An RFC 9457 problem (`application/problem+json`)."""

    type: str = "about:blank"
    title: str = Field(examples=["Niet gevonden"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["Er is geen verhaal '0999' in het archief."])
    instance: str | None = None
    field: str | None = Field(None, description="Het veld waar het om gaat, als er één is.")


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for problem answers with these statuses."""
    descriptions = {
        401: "Geen of een ongeldig token.",
        403: "Dit token mag dit niet.",
        404: "Niet gevonden (of niet zichtbaar voor u).",
        409: "Bestaat al.",
        410: "Ingetrokken: de toestemming is ingetrokken; het antwoord bevat de grafsteen.",
        412: "Verouderde versie: iemand anders wijzigde het item intussen.",
        400: "Ongeldig verzoek.",
        413: "Verzoek te groot.",
        415: "Bestandstype niet toegestaan (bepaald uit de inhoud).",
        422: "Ongeldige invoer; `field` noemt het veld.",
        428: "If-Match ontbreekt.",
    }
    return {
        status: {"model": Problem, "description": descriptions.get(status, "Fout")}
        for status in statuses
    }
