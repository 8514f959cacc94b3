"""Links by choosing items (issue 19): suggestions by part of a title, through the visibility
policy, and the form without a script: words → a list of items with a button each → linked;
a button removes a link. On both stores, through the real ASGI stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import BASE

SAME_SITE = {"Origin": BASE}


@pytest.fixture
def archive_with_secret(api: Any) -> Any:
    # A public episode, a public story, and a curators-only story with a telling word.
    api.add_episode()
    api.add_story()
    api.add_story(number="0900", title="Duimdrop geheim Kwartiermaker", consent="curators")
    api.add_story(number="0901", title="Duimdrop onderzoek Zandloper", consent="research")
    return api


@pytest.fixture
def curator(api: Any) -> Iterator[httpx.Client]:
    client = httpx.Client(transport=api.transport, base_url=BASE)
    token = api.archive.issue_token("carla", "curator")
    assert client.post("/inloggen", data={"token": token}, headers=SAME_SITE).status_code == 303
    yield client
    client.close()


def titles(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["title"] for item in answer.json()["items"]]


def test_suggestions_follow_the_policy(archive_with_secret: Any, curator: httpx.Client) -> None:
    api = archive_with_secret
    # The public: only the public episode, by part of a word, any case, accents ignored.
    assert titles(api.get("/api/suggestions", params={"q": "duim"})) == [
        "Acties voor het behoud van Duimdrop"
    ]
    assert titles(api.get("/api/suggestions", params={"q": "kwartier"})) == []
    assert "Kwartiermaker" not in api.get("/api/suggestions", params={"q": ""}).text
    # A researcher also the research story; a curator everything.
    research = titles(api.get("/api/suggestions", params={"q": "duimdrop"}, headers=api.researcher))
    assert "Duimdrop onderzoek Zandloper" in research and len(research) == 2
    everything = titles(api.get("/api/suggestions", params={"q": "duimdrop"}, headers=api.curator))
    assert len(everything) == 3
    # The title that starts with the words comes first; a story by its number.
    assert everything[0].startswith("Duimdrop")
    assert titles(api.get("/api/suggestions", params={"q": "0042"})) == ["De speelgoedcontainer"]
    # The page's own endpoint reads the login session, and the public's none.
    assert "Kwartiermaker" not in api.get("/pages-api/suggesties", params={"q": "kwartier"}).text
    seen = curator.get("/pages-api/suggesties", params={"q": "kwartier"}).json()
    assert [s["ref"] for s in seen["items"]] == ["stories/0900"]
    # Bad input is a 422 problem, never a 500.
    api.problem(api.get("/api/suggestions", params={"q": "x" * 500}), 422)
    api.problem(api.get("/api/suggestions", params={"kind": "boeken"}), 422)


def test_linking_without_a_script(archive_with_secret: Any, curator: httpx.Client) -> None:
    api = archive_with_secret
    # The item page offers the picker; posting words (no choice) leads to a list of items.
    assert 'name="zoek"' in curator.get("/stories/0042").text
    answer = curator.post("/stories/0042/koppeling", data={"zoek": "duim"}, headers=SAME_SITE)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/stories/0042/koppeling?zoek=duim#resultaten"
    results = curator.get("/stories/0042/koppeling", params={"zoek": "duim"}).text
    assert 'value="episodes/duimdrop"' in results and "Koppelen" in results
    assert 'value="stories/0042"' not in results  # not to itself
    # Choosing one links both ways.
    done = curator.post(
        "/stories/0042/koppeling", data={"target": "episodes/duimdrop"}, headers=SAME_SITE
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/stories/0042?gedaan=gekoppeld#koppelingen"
    assert "episodes/duimdrop" in api.archive.item("stories", "0042", role="curator")["links"]
    assert "stories/0042" in api.archive.item("episodes", "duimdrop", role="curator")["links"]
    # Linked items are no longer offered.
    again = curator.get("/stories/0042/koppeling", params={"zoek": "duim"}).text
    assert 'name="target" value="episodes/duimdrop"' in again  # the remove button only
    assert again.count('value="episodes/duimdrop"') == 1
    # A pasted address still works; a wrong one says why.
    pasted = curator.post(
        "/episodes/duimdrop/koppeling", data={"zoek": "http://x/stories/0900"}, headers=SAME_SITE
    )
    assert pasted.status_code == 303
    wrong = curator.post(
        "/stories/0042/koppeling", data={"target": "stories/9999"}, headers=SAME_SITE
    )
    assert wrong.status_code == 404 and "9999" in wrong.text
    empty = curator.post("/stories/0042/koppeling", data={"zoek": " "}, headers=SAME_SITE)
    assert empty.status_code == 422 and "Typ een deel van de titel" in empty.text


def test_a_button_removes_a_link(archive_with_secret: Any, curator: httpx.Client) -> None:
    api = archive_with_secret
    api.archive.link("stories/0042", "episodes/duimdrop", actor="anna")
    page = curator.get("/stories/0042").text
    assert "/stories/0042/koppeling/verwijderen" in page and "Ontkoppelen" in page
    # The public sees the link, never the button.
    public = api.get("/stories/0042").text
    assert "Acties voor het behoud van Duimdrop" in public and "Ontkoppelen" not in public
    done = curator.post(
        "/stories/0042/koppeling/verwijderen", data={"target": "episodes/duimdrop"},
        headers=SAME_SITE,
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].endswith(
        "gedaan=ontkoppeld#koppelingen"
    )
    assert api.archive.item("stories", "0042", role="curator")["links"] == []
    assert api.archive.item("episodes", "duimdrop", role="curator")["links"] == []
    # From another site: refused.
    api.archive.link("stories/0042", "episodes/duimdrop", actor="anna")
    refused = curator.post(
        "/stories/0042/koppeling/verwijderen", data={"target": "episodes/duimdrop"},
        headers={"Origin": "https://evil.example"},
    )  # fmt: skip
    assert refused.status_code == 403
    assert api.archive.item("stories", "0042", role="curator")["links"] == ["episodes/duimdrop"]


def test_without_a_script_a_match_linked_already_is_said_so(
    archive_with_secret: Any, curator: httpx.Client
) -> None:
    """The only match is linked already: the answer says so, not "Geen items met …"."""
    api = archive_with_secret
    api.archive.link("stories/0042", "episodes/duimdrop", actor="anna")
    page = curator.get("/stories/0042/koppeling", params={"zoek": "behoud"}).text
    assert "Geen items met" not in page
    assert "Al gekoppeld: het item met <q>behoud</q>" in page
    assert "Acties voor het behoud van Duimdrop</a> is al aan dit item gekoppeld" in page
    # The item itself is never offered, and said so when it is the only match.
    own = curator.get("/stories/0042/koppeling", params={"zoek": "speelgoed"}).text
    assert "Geen ander item met <q>speelgoed</q>" in own and "dit item zelf" in own
    # Beside other matches, the linked one is named as linked, not offered.
    mixed = curator.get("/stories/0042/koppeling", params={"zoek": "duimdrop"}).text
    assert 'value="stories/0900"' in mixed and "Al gekoppeld, dus niet hierboven" in mixed
    # Nothing matches at all: still "Geen items met".
    none = curator.get("/stories/0042/koppeling", params={"zoek": "xylofoon"}).text
    assert "Geen items met <q>xylofoon</q>" in none and "Al gekoppeld" not in none
