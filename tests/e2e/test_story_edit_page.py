"""The web edit form records only what the curator changed, and a conflict loses nothing
(issue 17), on both stores, through the real ASGI stack.

Two curators log in through the login form (anna and bram, each a session of their own) and
post the edit form as a browser would: every field, as the page rendered it.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal

from api.main import create_app
from archive.service import Archive
from tests.e2e.conftest import BASE, PortalTransport

SAME_SITE = {"Origin": BASE}
STORY = {
    "number": "0042",
    "title": "De speelgoedcontainer",
    "body_markdown": "Elke middag leenden wij speelgoed.",
    "storytellers": ["Fatima"],
    "date": "2020-23",
    "consent": "public",
    "rights": "Wijkcollectie BoTu",
}


class Form(HTMLParser):
    """The fields of the edit form as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form" and attr.get("action", "").endswith("/bewerken"):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and attr.get("name"):
            self.fields[attr["name"]] = attr.get("value", "")
        elif tag == "textarea":
            self._textarea = attr["name"]
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select = attr["name"]
        elif tag == "option" and self._select and "selected" in attr:
            self.fields[self._select] = attr["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            # A browser drops the one newline right after <textarea>.
            value = self.fields[self._textarea] + data
            self.fields[self._textarea] = value.removeprefix("\n")


def form_of(page: httpx.Response) -> dict[str, str]:
    parser = Form()
    parser.feed(page.text)
    assert "version" in parser.fields, "no edit form on the page"
    return parser.fields


@pytest.fixture
def curators(archive: Archive, portal: BlockingPortal) -> Iterator[dict[str, httpx.Client]]:
    """Two logged-in browsers, anna's and bram's, and story 0042."""
    app = create_app(archive)
    browsers = {}
    for name in ("anna", "bram"):
        token = archive.issue_token(name, "curator")
        browser = httpx.Client(transport=PortalTransport(app, portal), base_url=BASE)
        answer = browser.post("/inloggen", data={"token": token}, headers=SAME_SITE)
        assert answer.status_code == 303, answer.text
        browsers[name] = browser
    archive.register("stories", STORY, actor="anna")
    yield browsers
    for browser in browsers.values():
        browser.close()
    app.state.sessions.close()


def save(browser: httpx.Client, fields: dict[str, str]) -> httpx.Response:
    return browser.post("/stories/0042/bewerken", data=fields, headers=SAME_SITE)


def types_after(archive: Archive, version: int) -> list[str]:
    return [e["type"] for e in archive.history("stories", "0042") if e["version"] > version]


def test_an_edit_records_only_the_changed_field(
    archive: Archive, curators: dict[str, httpx.Client]
) -> None:
    form = form_of(curators["anna"].get("/stories/0042/bewerken"))
    before = int(form["version"])
    # Sent as a browser does: every field, textareas with CRLF line ends.
    form["body_markdown"] = "Elke middag\r\nleenden wij **veel** speelgoed."
    form["storytellers"] = form["storytellers"].replace("\n", "\r\n")
    assert save(curators["anna"], form).status_code == 303
    assert types_after(archive, before) == ["TextRevised"]


def test_nothing_changed_is_nothing_recorded(
    archive: Archive, curators: dict[str, httpx.Client]
) -> None:
    form = form_of(curators["anna"].get("/stories/0042/bewerken"))
    answer = save(curators["anna"], form)
    assert answer.status_code == 200
    assert "U hebt niets gewijzigd" in answer.text
    assert types_after(archive, int(form["version"])) == []


def test_saving_after_a_conflict_keeps_the_other_curators_title(
    archive: Archive, curators: dict[str, httpx.Client]
) -> None:
    """The scenario of issue 17: A changes the title, B the text; B's save keeps A's title."""
    anna = form_of(curators["anna"].get("/stories/0042/bewerken"))
    bram = form_of(curators["bram"].get("/stories/0042/bewerken"))
    anna["title"] = "De speelgoedcontainer van Duimdrop"
    assert save(curators["anna"], anna).status_code == 303

    bram["body_markdown"] = "Elke middag leenden wij speelgoed, ook in de regen."
    conflict = save(curators["bram"], bram)
    assert conflict.status_code == 412
    page = conflict.text
    # One instruction, the merged form, every differing field with its three values.
    assert page.count('class="instruction"') == 1
    assert "Toch opslaan" not in page
    assert "Samengevoegd opslaan" in page
    assert 'id="verschil-title"' in page and 'id="verschil-body_markdown"' in page
    assert 'id="verschil-date"' not in page and 'id="verschil-consent"' not in page
    title_row = page.split('id="verschil-title"', 1)[1].split("</tr>", 1)[0]
    assert "De speelgoedcontainer</td>" in title_row  # the original
    assert "De speelgoedcontainer van Duimdrop" in title_row  # theirs
    assert "die van anna" in title_row  # what will be kept
    merged = form_of(conflict)
    assert merged["title"] == "De speelgoedcontainer van Duimdrop"
    assert merged["body_markdown"] == bram["body_markdown"]
    assert int(merged["version"]) > int(bram["version"])

    version = int(merged["version"])
    assert save(curators["bram"], merged).status_code == 303
    story = archive.item("stories", "0042", role="curator")
    assert story["title"] == "De speelgoedcontainer van Duimdrop"
    assert story["body_markdown"] == "Elke middag leenden wij speelgoed, ook in de regen."
    assert story["date"] == "2020-23" and story["consent"] == "public"
    # Bram's save recorded his text and nothing else, by him.
    history = archive.history("stories", "0042")
    assert [e["type"] for e in history if e["version"] > version] == ["TextRevised"]
    assert history[-1]["actor"] == "bram"


def test_when_both_changed_one_field_this_curators_value_is_kept_and_flagged(
    archive: Archive, curators: dict[str, httpx.Client]
) -> None:
    anna = form_of(curators["anna"].get("/stories/0042/bewerken"))
    bram = form_of(curators["bram"].get("/stories/0042/bewerken"))
    anna["title"] = "Titel van Anna"
    anna["consent"] = "research"
    assert save(curators["anna"], anna).status_code == 303

    bram["title"] = "Titel van Bram"
    conflict = save(curators["bram"], bram)
    assert conflict.status_code == 412
    assert "wijzigde u allebei hetzelfde" in conflict.text
    row = conflict.text.split('id="verschil-title"', 1)[1].split("</tr>", 1)[0]
    assert "Titel van Anna" in row and "Titel van Bram" in row and "uw versie" in row
    consent_row = conflict.text.split('id="verschil-consent"', 1)[1].split("</tr>", 1)[0]
    assert "voor onderzoek" in consent_row and "die van anna" in consent_row
    merged = form_of(conflict)
    assert merged["title"] == "Titel van Bram" and merged["consent"] == "research"

    assert save(curators["bram"], merged).status_code == 303
    story = archive.item("stories", "0042", role="curator")
    assert story["title"] == "Titel van Bram"
    assert story["consent"] == "research"  # anna's change stands


def test_a_third_save_in_between_is_merged_too(
    archive: Archive, curators: dict[str, httpx.Client]
) -> None:
    bram = form_of(curators["bram"].get("/stories/0042/bewerken"))
    archive.revise("stories", "0042", {"rights": "Veldacademie"}, actor="anna", reason="")
    bram["body_markdown"] = "Nieuwe tekst van Bram."
    merged = form_of(save(curators["bram"], bram))
    # Before bram saves the merge, anna changes the date as well.
    archive.revise("stories", "0042", {"date": "2021"}, actor="anna", reason="")
    again = save(curators["bram"], merged)
    assert again.status_code == 412
    assert save(curators["bram"], form_of(again)).status_code == 303
    story: dict[str, Any] = archive.item("stories", "0042", role="curator")
    assert (story["rights"], story["date"], story["body_markdown"]) == (
        "Veldacademie", "2021", "Nieuwe tekst van Bram."
    )  # fmt: skip
