"""How each assessment was made, over HTTP and on the pages: basis, coder, note, happenings.

`api` (tests/e2e/conftest.py) is the app over an empty archive on each store; `anna` and
`bram` are curators. The seed's readings are read from a copy of the seeded archive.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal

from api.main import create_app
from archive.service import Archive
from tests.e2e.conftest import BASE, PortalTransport

READING: dict[str, Any] = {
    "quality": "betrouwbaarheid",
    "element": "probleemoplossend-vermogen",
    "assessment": "partial",
    "evidence": "De beslissing om de subsidie met een jaar te verlengen biedt tijd.",
    "source": "monitor-veerkracht-botu-2021.txt:6552-6556",
    "basis": "reading",
    "coder": "Marieke",
    "note": "De bron geeft hier geen oordeel; ‘deels’ is de lezing van de codeur.",
    "happenings": ["h1"],
}


def _text(page: httpx.Response) -> str:
    """The page's text, tags dropped and entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def test_an_assessment_round_trips_its_basis_coder_note_and_happenings(api) -> None:
    api.add_episode()
    written = api.post(
        "/api/episodes/duimdrop/assessments", json=READING, headers=api.curator
    ).json()
    for field in ("basis", "coder", "note", "happenings"):
        assert written[field] == READING[field]
    listed = api.get("/api/episodes/duimdrop/assessments").json()["items"]
    assert next(a for a in listed if a["id"] == written["id"])["note"] == READING["note"]
    # The episode's own assessment (from the create body) was coded by the token's name.
    first = api.get("/api/episodes/duimdrop").json()["assessments"][0]
    assert first["coder"] == "anna" and first["basis"] is None

    page = _text(api.get("/episodes/duimdrop"))
    assert "lezing van de codeur" in page
    assert READING["note"] in page
    assert "Marieke" in page

    revised = api.patch(
        f"/api/episodes/duimdrop/assessments/{written['id']}",
        json={"basis": "explicit", "note": "", "happenings": []},
        headers={**api.curator, "If-Match": str(written["version"])},
    )
    assert revised.status_code == 200, revised.text
    assert revised.json()["basis"] == "explicit" and revised.json()["happenings"] == []
    assert "oordeel van de bron" in _text(api.get("/episodes/duimdrop"))


def test_a_create_body_carries_how_its_assessments_were_made(api) -> None:
    episode = api.add_episode(
        assessments=[{**READING, "coder": None}, {**READING, "basis": "explicit", "note": ""}]
    )
    made = {(a["basis"], a["coder"]): a for a in episode["assessments"]}
    assert made[("reading", "anna")]["happenings"] == ["h1"]
    assert made[("explicit", "Marieke")]["note"] == ""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"note": ""}, "note"),  # a reading without its note
        ({"happenings": ["h9"]}, "happenings"),  # not a happening of this item
        ({"basis": "gok"}, "basis"),
    ],
)
def test_bad_coding_is_a_422_problem(api, change: dict[str, object], field: str) -> None:
    api.add_episode()
    response = api.post(
        "/api/episodes/duimdrop/assessments", json={**READING, **change}, headers=api.curator
    )
    problem = api.problem(response, 422)
    assert field in str(problem)
    api.problem(api.post("/api/episodes", json={"id": "x", "title": "X",
                "assessments": [{**READING, **change}]}, headers=api.curator), 422)  # fmt: skip


def test_a_second_coder_who_disagrees_is_marked_on_the_matrix(api) -> None:
    api.add_episode()
    assert "Oneens" not in _text(api.get("/matrix"))
    second = {
        "quality": "institutionele-souplesse",
        "element": "betrokken-bestuur",
        "assessment": "partial",
        "basis": "reading",
        "note": "De verlenging is een uitstel, geen souplesse.",
    }
    response = api.post("/api/episodes/duimdrop/assessments", json=second, headers=api.curator2)
    assert response.status_code == 201 and response.json()["coder"] == "bram"

    matrix = api.get("/matrix")
    page = _text(matrix)
    assert "Oneens: anna en bram beoordelen dit verschillend" in page
    assert 'class="disagree"' in matrix.text
    assert second["note"] in page  # how the reading was made, in the cell's footnote
    # The item page shows both coders' grades side by side, under one quality and element.
    item = api.get("/episodes/duimdrop").text
    group = item.split('class="coders')[1].split("</ul>")[0]
    assert "anna" in group and "bram" in group


def test_a_moment_shows_only_the_assessments_linked_to_it(api) -> None:
    api.add_episode(date="2020-09/2020-12")
    api.post("/api/episodes/duimdrop/assessments", json=READING, headers=api.curator)
    timeline = api.get("/timelines/2020").text
    moment = timeline.split('class="happening"')[1].split("</li>\n")[0]
    assert "betrouwbaarheid" in moment and "lezing van de codeur" in moment
    assert READING["note"] in html.unescape(moment)
    assert "institutionele souplesse" not in moment


@pytest.fixture
def seeded_api(seeded: Archive, portal: BlockingPortal) -> Iterator[httpx.Client]:
    """The app over a copy of the seeded archive."""
    transport = PortalTransport(create_app(seeded), portal)
    with httpx.Client(transport=transport, base_url=BASE) as http:
        yield http


def test_the_seeds_readings_show_their_notes_on_the_episode_page(
    seeded: Archive, seeded_api: httpx.Client
) -> None:
    seen = 0
    for episode in seeded.items("episodes", role="public"):
        notes = [a["note"] for a in episode["assessments"] if a["basis"] == "reading"]
        if not notes:
            continue
        page = _text(seeded_api.get(f"/episodes/{episode['id']}"))
        assert "lezing van de codeur" in page
        for note in notes:
            assert " ".join(note.split()) in page
            seen += 1
    assert seen >= 13  # the seed's readings (`how: reading`), each with its note


def test_a_full_list_update_keeps_assessments_that_did_not_change(api) -> None:
    episode = api.add_episode(assessments=[READING | {"coder": None}])
    kept = [{k: a[k] for k in READING if k != "coder"} for a in episode["assessments"]]
    response = api.patch(
        "/api/episodes/duimdrop",
        json={"assessments": kept},
        headers={**api.curator, "If-Match": str(episode["version"])},
    )
    assert response.status_code == 200, response.text
    after = api.get("/api/episodes/duimdrop").json()
    assert [a["id"] for a in after["assessments"]] == ["a1"]  # not retracted and re-recorded
    assert after["assessments"][0]["coder"] == "anna"
