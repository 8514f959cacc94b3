"""A curator's day with one story, told step by step, on each store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from archive.service import Archive
from events.errors import AlreadyExists, InvalidDate, NotFound, StaleVersion, UnknownQuality


def test_a_story_is_registered_revised_assessed_and_remembered(archive: Archive) -> None:
    # A curator registers an episode and a story told by a resident, linked to each other.
    archive.register("episodes", {"id": "duimdrop", "title": "Acties voor Duimdrop"}, actor="anna")
    first = archive.register(
        "stories",
        {
            "number": "0042",
            "title": "De speelgoedcontainer",
            "body_markdown": "Elke middag *leenden* wij speelgoed.",
            "storytellers": ["Fatima"],
            "date": "najaar 2020",
            "consent": "public",
            "links": ["episodes/duimdrop"],
        },
        actor="anna",
    )
    assert first > 0

    # The story reads back as plain data, with the Dutch date turned into EDTF.
    story = archive.item("stories", "0042")
    assert story["date"] == "2020-23"
    assert story["storytellers"] == ["Fatima"]
    assert story["links"] == ["episodes/duimdrop"]
    # The link is made both ways.
    assert archive.item("episodes", "duimdrop")["links"] == ["stories/0042"]
    before_edit = datetime.now(UTC)

    # A second curator corrects the title, saying why; the version moves on.
    archive.revise(
        "stories", "0042", {"title": "De speelgoedcontainer op het plein"},
        actor="bram", reason="titel volgens de verteller", expected_version=story["version"],
    )  # fmt: skip
    revised = archive.item("stories", "0042")
    assert revised["title"] == "De speelgoedcontainer op het plein"
    assert revised["version"] == story["version"] + 1

    # A revision based on the old version is refused, and nothing is written.
    position = archive.position()
    with pytest.raises(StaleVersion):
        archive.revise(
            "stories", "0042", {"title": "Kwijt"}, actor="anna", expected_version=story["version"]
        )
    assert archive.position() == position

    # The curator assesses a quality, naming it in English.
    _, assessment_id = archive.assess(
        "stories", "0042",
        {"quality": "Institutional flexibility", "assessment": "partial", "evidence": "een jaar"},
        actor="anna",
    )  # fmt: skip
    assessed = archive.item("stories", "0042")["assessments"]
    assert assessed == [
        {
            "id": assessment_id,
            "quality": "institutionele-souplesse",
            "element": None,
            "assessment": "partial",
            "evidence": "een jaar",
            "source": "",
            # How it was made is not said (neither the source's verdict nor a reading); the
            # coder is the curator who recorded it.
            "basis": None,
            "coder": "anna",
            "note": "",
            "happenings": [],
        }
    ]

    # The history keeps every version, who made it and why.
    history = archive.history("stories", "0042")
    assert [h["type"] for h in history] == ["Registered", "Linked", "Retitled", "QualityAssessed"]
    assert [h["actor"] for h in history] == ["anna", "anna", "bram", "anna"]
    assert history[2]["reason"] == "titel volgens de verteller"

    # As of before the edit, the story had its first title.
    then = archive.item("stories", "0042", as_of=before_edit)
    assert then["title"] == "De speelgoedcontainer"

    # The catalogue lists it under the quality, in Dutch or English.
    assert [s["id"] for s in archive.items("stories", quality="institutional flexibility")] == [
        "0042"
    ]


def test_bad_input_fails_clearly_and_writes_nothing(archive: Archive) -> None:
    # One story exists.
    archive.register("stories", {"number": "0001", "title": "Eerste"}, actor="anna")
    position = archive.position()

    # A number that is taken, a malformed date, an unknown quality, an unknown item: each fails.
    with pytest.raises(AlreadyExists, match="0001"):
        archive.register("stories", {"number": "0001", "title": "Nog eens"}, actor="anna")
    with pytest.raises(InvalidDate, match="2020-13"):
        archive.register("stories", {"number": "0002", "title": "X", "date": "2020-13"}, actor="a")
    with pytest.raises(UnknownQuality, match="moed"):
        archive.assess("stories", "0001", {"quality": "moed", "assessment": "shown"}, actor="a")
    with pytest.raises(NotFound, match="0099"):
        archive.revise("stories", "0099", {"title": "Y"}, actor="anna")
    # A story registered with a bad assessment is refused whole.
    with pytest.raises(UnknownQuality):
        archive.register(
            "stories",
            {"number": "0003", "title": "Z", "assessments": [{"quality": "?", "assessment": "x"}]},
            actor="anna",
        )

    # Nothing was written by any of them.
    assert archive.position() == position
    assert [s["id"] for s in archive.items("stories", role="curator")] == ["0001"]


def test_privacy_by_default(archive: Archive) -> None:
    # A story registered without consent is visible to curators only.
    archive.register("stories", {"number": "0007", "title": "Besloten"}, actor="anna")
    assert archive.items("stories") == []
    assert archive.items("stories", role="researcher") == []
    assert [s["id"] for s in archive.items("stories", role="curator")] == ["0007"]
    with pytest.raises(NotFound):
        archive.item("stories", "0007")
    # Research consent opens it to researchers, not to the public.
    archive.revise("stories", "0007", {"consent": "research"}, actor="anna")
    assert [s["id"] for s in archive.items("stories", role="researcher")] == ["0007"]
    assert archive.items("stories") == []
