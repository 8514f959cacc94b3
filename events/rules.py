"""The rules the archive's aggregates check: ids, references, text, dates, kinds, consent.

Pure functions, no I/O: each returns the checked (and normalised) value or raises
`InvalidInput` naming the field. Natural keys get deterministic ids: `item_id("stories",
"0001")` is the uuid5 of "stories:0001", so a number or slug can be taken only once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from events import dates, qualities
from events.errors import InvalidInput

NAMESPACE = uuid5(NAMESPACE_URL, "https://wijkarchief.botu.nl/")
KINDS = ("episodes", "stories", "media")
CONSENT_SCOPES = ("public", "research", "curators")
MEDIA_KINDS = ("article", "photo", "drawing", "video", "report", "audio")
SLUG = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")
STORY_NUMBER = re.compile(r"\A[0-9]{4}\Z")
_SURROGATE = re.compile("[\ud800-\udfff]")


def item_id(kind: str, key: str) -> UUID:
    """The deterministic id of the item with natural key `key` of `kind`."""
    return uuid5(NAMESPACE, f"{kind}:{key}")


def ref(kind: str, key: str) -> str:
    """The reference of an item as used in links: `stories/0001`."""
    return f"{kind}/{key}"


def parse_ref(value: str) -> tuple[str, str]:
    """Split and check a reference `KIND/ID`."""
    kind, _, key = (value or "").strip().partition("/")
    if kind not in KINDS or not key:
        raise InvalidInput(
            f"Ongeldige verwijzing {value!r}: gebruik SOORT/ID, bv. episodes/duimdrop of "
            "stories/0001.",
            field="links",
        )
    return kind, key


# ---------------------------------------------------------------------------
# Small validators shared by the commands (pure, no I/O).


def text(value: Any, name: str, *, required: bool = True, limit: int = 200_000) -> str:
    """A stripped string, required unless said otherwise."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"Het veld '{name}' moet tekst zijn.", field=name)
    value = value.strip()
    if "\x00" in value or _SURROGATE.search(value):
        raise InvalidInput(
            f"Het veld '{name}' bevat een teken dat geen tekst is (NUL of een losse surrogaat).",
            field=name,
        )
    if required and not value:
        raise InvalidInput(f"Het veld '{name}' mag niet leeg zijn.", field=name)
    if len(value) > limit:
        raise InvalidInput(f"Het veld '{name}' is te lang (max. {limit} tekens).", field=name)
    return str(value)


def names(values: Iterable[Any] | None, name: str) -> list[str]:
    """A list of distinct non-empty strings, order kept."""
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidInput(f"Het veld '{name}' moet een lijst zijn.", field=name)
    result: list[str] = []
    for value in values:
        value = text(value, name, limit=500)
        if value not in result:
            result.append(value)
    return result


def optional_date(value: str | None, name: str = "date") -> str | None:
    """An EDTF string (Dutch phrases accepted and converted), or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return dates.from_dutch(str(value))
    except InvalidInput as error:
        error.field = name
        raise


def assessment_record(data: dict[str, Any], assessment_id: str) -> dict[str, Any]:
    """A checked assessment: quality and element by id, one of shown/partial/lacking."""
    quality = qualities.resolve(text(data.get("quality"), "quality")).id
    element_name = data.get("element")
    element = qualities.resolve_element(element_name).id if element_name else None
    return {
        "id": assessment_id,
        "quality": quality,
        "element": element,
        "assessment": qualities.check_assessment(text(data.get("assessment"), "assessment")),
        "evidence": text(data.get("evidence"), "evidence", required=False, limit=20_000),
        "source": text(data.get("source"), "source", required=False, limit=1_000),
    }


def happening_record(data: dict[str, Any], happening_id: str) -> dict[str, Any]:
    """A checked happening: a dated moment inside an episode."""
    date = optional_date(data.get("date"))
    if date is None:
        raise InvalidInput("Een gebeurtenis heeft een datum nodig.", field="date")
    return {
        "id": happening_id,
        "date": date,
        "title": text(data.get("title"), "title", limit=500),
        "text": text(data.get("text"), "text", required=False, limit=50_000),
        "source": text(data.get("source"), "source", required=False, limit=1_000),
        "themes": names(data.get("themes"), "themes"),
    }


def happening_v1_v2(happening: dict[str, Any]) -> None:
    """Upcast a happening of event/snapshot version 1 (no `themes` yet) in place."""
    happening.setdefault("themes", [])


def check_day(value: str) -> str:
    """An ISO calendar day, YYYY-MM-DD."""
    from datetime import date

    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise InvalidInput(
            f"Ongeldige dag {value!r}: gebruik JJJJ-MM-DD, bv. 2027-01-01.", field="until"
        ) from None


def check_consent(scope: str | None) -> str:
    """One of public / research / curators (who may read the item)."""
    if scope not in CONSENT_SCOPES:
        raise InvalidInput(
            f"Onbekende toestemming {scope!r}: kies public, research of curators.",
            field="consent",
        )
    return scope


def check_media_kind(value: str) -> str:
    """One of the known kinds of media."""
    if value not in MEDIA_KINDS:
        raise InvalidInput(
            f"Onbekende mediasoort {value!r}: kies uit {', '.join(MEDIA_KINDS)}.",
            field="media_kind",
        )
    return value


def check_url(value: str | None) -> str:
    """An http(s) address or nothing."""
    value = text(value, "url", required=False, limit=2_000)
    if value and not re.match(r"^https?://[^\s]+$", value):
        raise InvalidInput(f"Ongeldig webadres {value!r}.", field="url")
    return value


def check_key(kind: str, key: str) -> str:
    """A natural key of the right shape for its kind."""
    key = text(key, "number" if kind == "stories" else "id", limit=100)
    if kind == "stories":
        if not STORY_NUMBER.match(key):
            raise InvalidInput(
                f"Ongeldig verhaalnummer {key!r}: vier cijfers, bv. 0001.", field="number"
            )
    elif not SLUG.match(key):
        raise InvalidInput(
            f"Ongeldige id {key!r}: kleine letters, cijfers en streepjes, bv. duimdrop.",
            field="id",
        )
    return key
