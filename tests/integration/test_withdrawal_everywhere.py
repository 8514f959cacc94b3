"""A withdrawal of consent in the seeded archive reaches every view a reader has."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from archive.service import Archive
from events.errors import Withdrawn

STORY = "0019"  # Prinses Theater: in the 2020 timeline and found by "theater"
DRAWING = "monitor-veerkracht-botu-2021-03-corona-kronieken"  # in the Corona Kronieken


def _everything_public(archive: Archive) -> str:
    """Every form a public reader can get of the timelines and the Kronieken."""
    forms = [
        archive.timeline(2020),
        archive.timeline(2020, fmt="markdown"),
        archive.timeline(2020, fmt="timelinejs"),
        archive.kronieken(),
        archive.kronieken(fmt="markdown"),
        archive.kronieken(fmt="html"),
    ]
    return json.dumps(forms, ensure_ascii=False)


@pytest.mark.usefixtures("search_backend")
def test_a_withdrawn_story_and_drawing_leave_every_public_view(seeded: Archive) -> None:
    # Before: the story and the drawing are in search, facets, the timeline and the Kronieken.
    before = datetime.now(UTC)
    assert any(h["id"] == STORY for h in seeded.search("theater")["hits"])
    stories_before = seeded.search("")["facets"]["kind"]["stories"]
    assert "Prinses Theater" in _everything_public(seeded)
    assert any(e["ref"] == f"media/{DRAWING}" for e in seeded.kronieken()["entries"])

    # Consent for both is withdrawn.
    seeded.withdraw("stories", STORY, reason="verteller", policy="AVG art. 7 lid 3", actor="anna")
    seeded.withdraw("media", DRAWING, reason="maker", policy="auteursrecht", actor="anna")

    # Gone from search results and from the facet counts.
    assert not any(h["id"] == STORY for h in seeded.search("theater")["hits"])
    assert seeded.search("")["facets"]["kind"]["stories"] == stories_before - 1

    # Gone from the timeline and the Kronieken, in every format.
    public = _everything_public(seeded)
    assert "Prinses Theater" not in public and DRAWING not in public

    # Public reads get the tombstone: the number, when, under which policy — not the story.
    with pytest.raises(Withdrawn) as gone:
        seeded.item("stories", STORY)
    details: Any = gone.value.details
    assert details["tombstone"]["withdrawn"]["policy"] == "AVG art. 7 lid 3"
    listed = {s["id"]: s for s in seeded.items("stories")}
    assert listed[STORY].get("tombstone") and "storytellers" not in listed[STORY]

    # As of a moment before the withdrawal, the public still does not get it back.
    with pytest.raises(Withdrawn):
        seeded.item("stories", STORY, as_of=before)
    assert "Prinses Theater" not in json.dumps(seeded.timeline(2020, as_of=before))
    then = seeded.kronieken(as_of=before)["entries"]
    assert not any(e["ref"] == f"media/{DRAWING}" for e in then)

    # A curator still reads the whole story, until it is erased.
    assert seeded.item("stories", STORY, role="curator")["storytellers"]
