"""The aggregates' rules, without a store: what each command records, and what it refuses.

A refused change never becomes an event; who did it travels on every event; erasure and
forgetting a person leave the structure and take the words.
"""

from __future__ import annotations

from typing import Any

import pytest

from events.errors import InvalidInput, NotFound
from events.items import Episode, Story, acting_as


def _story(**fields: object) -> Story:
    with acting_as("anna"):
        return Story(
            key="0001", title="De speelgoedcontainer", body="Elke middag speelgoed.",
            storytellers=["Fatima Yilmaz"], people=["Fatima Yilmaz", "Gemeente"],
            **fields,  # type: ignore[arg-type]
        )  # fmt: skip


def _events(item: Story | Episode) -> list[Any]:
    """The item's new events (their fields read as plain attributes)."""
    return list(item.collect_events())


def _types(item: Story | Episode) -> list[str]:
    return [type(e).__name__ for e in item.collect_events()]


def test_a_story_is_for_curators_until_its_consent_says_otherwise() -> None:
    # A story registered without consent is for curators only (privacy by default).
    story = _story()
    assert story.consent == "curators"
    # Who registered it travels on the event.
    (registered,) = _events(story)
    assert type(registered).__name__ == "Registered" and registered.actor == "anna"
    # Recording consent is an event of its own; recording the same again is none.
    with acting_as("bram", "de verteller stemde in"):
        story.record_consent("public")
        story.record_consent("public")
    (recorded,) = _events(story)
    assert (recorded.actor, recorded.reason, story.consent) == (
        "bram",
        "de verteller stemde in",
        "public",
    )


def test_a_refused_change_records_nothing() -> None:
    story = _story()
    story.collect_events()
    with acting_as("anna"):
        # An empty title, an unknown consent, an unknown quality, a backwards date: refused.
        with pytest.raises(InvalidInput):
            story.retitle("   ")
        with pytest.raises(InvalidInput):
            story.record_consent("iedereen")
        with pytest.raises(InvalidInput):
            story.assess(quality="geluk", assessment="shown")
        with pytest.raises(InvalidInput):
            story.redate("2021/2020")
        with pytest.raises(NotFound):
            story.retract_assessment("a9")
        with pytest.raises(InvalidInput):
            story.link("stories/0001")  # itself
    assert story.collect_events() == []
    # And every change needs someone who made it.
    with pytest.raises(InvalidInput), acting_as(""):
        pass


def test_parts_are_numbered_revised_and_retracted() -> None:
    with acting_as("anna"):
        episode = Episode(key="duimdrop", title="Acties voor Duimdrop")
        first = episode.record_happening(date="2020-11-26", title="Opiniestuk")
        second = episode.record_happening(date="najaar 2020", title="Petitie")
        assessed = episode.assess(quality="institutional flexibility", assessment="shown")
        episode.revise_assessment(assessed, assessment="partial")
        episode.retract_happening(first)
    assert (first, second, assessed) == ("h1", "h2", "a1")
    assert [h["date"] for h in episode.as_dict()["happenings"]] == ["2020-23"]
    assert episode.as_dict()["assessments"][0]["quality"] == "institutionele-souplesse"
    assert episode.as_dict()["assessments"][0]["assessment"] == "partial"
    assert _types(episode)[-3:] == ["QualityAssessed", "AssessmentRevised", "HappeningRetracted"]


def test_erasure_takes_the_words_and_leaves_the_structure() -> None:
    story = _story(consent="public", date="2020")
    with acting_as("anna"):
        story.assess(quality="verbindend vermogen", assessment="shown", evidence="Fatima hielp")
        story.record_happening(date="2020-05", title="Fatima opent", text="Met de buren.")
        story.withdraw("op verzoek", "AVG-beleid", at="2021-01-01T00:00:00+00:00")
        story.erase()
    data = story.as_dict()
    # The words are gone: title, text, tellers, people, evidence, the happening's words, the
    # withdrawal's reason and policy.
    assert data["title"] == "BoTu nr. 0001 (gewist)"
    assert data["body_markdown"] == "" and data["storytellers"] == [] and data["people"] == []
    assert data["assessments"][0]["evidence"] == ""
    assert data["happenings"][0]["title"] == "" and data["happenings"][0]["text"] == ""
    assert data["withdrawn"] == {"at": "2021-01-01T00:00:00+00:00", "reason": "", "policy": ""}
    # The structure stays: number, dates, consent, quality and grade.
    assert (data["id"], data["date"], data["consent"]) == ("0001", "2020", "public")
    assert data["assessments"][0]["assessment"] == "shown"
    assert data["happenings"][0]["date"] == "2020-05"
    # New words are refused.
    with pytest.raises(InvalidInput, match="gewist"), acting_as("anna"):
        story.revise_text("Nieuwe tekst")


def test_forgetting_a_person_redacts_every_word_under_a_new_key() -> None:
    story = _story()
    with acting_as("anna"):
        story.record_happening(date="2020", title="FATIMA YILMAZ kookt", text="Voor de straat.")
        story.collect_events()
        story.forget_person("Fatima Yilmaz")
    (forgotten,) = _events(story)
    # The event carries the item's words without the name, and says which key seals them.
    assert type(forgotten).__name__ == "PersonForgotten"
    assert "yilmaz" not in str(vars(forgotten)).lower()
    assert forgotten.generation == story.key_generation == 1
    data = story.as_dict()
    assert data["storytellers"] == [] and data["people"] == ["Gemeente"]
    assert data["happenings"][0]["title"] == "[naam verwijderd] kookt"
    assert data["body_markdown"] == "Elke middag speelgoed."
