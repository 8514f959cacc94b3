"""What researchers and curators do with the pages, in a real browser.

1. A researcher searches in English and reaches the Duimdrop evidence.
2. A curator adds a story with Markdown, finds it, edits it, reads the history with its diff
   and views the story as recorded before the edit.
3. An edit from a stale page is refused visibly, and nothing typed is lost.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_researcher_finds_the_duimdrop_evidence_in_english(page: Any, server: Any) -> None:
    page.goto("/")
    page.get_by_label("Zoek in het archief").fill("institutional flexibility")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url(re.compile(r"/search\?q=institutional"))
    assert page.locator("h1").inner_text().startswith("Zoeken")
    # The facets are toggle links with counts; the quality facet shows both labels.
    facet = page.locator("#facet-quality + ul a", has_text="institutionele souplesse")
    assert "institutional flexibility" in facet.inner_text()
    facet.click()
    page.wait_for_url(re.compile(r"quality=institutionele-souplesse"))
    assert page.locator("a.toggle.active", has_text="institutionele souplesse").count() == 1

    page.get_by_role("link", name="Acties voor het behoud van Duimdrop").first.click()
    page.wait_for_url(re.compile(r"/episodes/duimdrop"))
    # The group whose heading names the quality (another's evidence may mention it).
    heading = page.locator("h3", has_text="institutionele souplesse")
    assessment = page.locator("li.assessment", has=heading)
    quote = assessment.locator("blockquote")
    assert quote.is_visible()
    assert "subsidie voor Duimdrop is met een jaar verlengt" in quote.inner_text()
    assert "deels" in assessment.locator(".badge").inner_text()
    assert "monitor-veerkracht-botu-2021.txt" in assessment.locator("cite").inner_text()

    # The matrix links to the same evidence.
    page.goto("/matrix")
    page.locator("a[href='/episodes/duimdrop#assessment-a2']").first.click()
    page.wait_for_url(re.compile(r"/episodes/duimdrop#assessment-a2$"))
    assert page.locator("#assessment-a2 blockquote").is_visible()


def test_curator_adds_finds_edits_and_reads_a_story_as_it_was(
    curator: Any, server: Any, artifacts: Any
) -> None:
    page = curator
    cookie = next(c for c in page.context.cookies() if c["name"] == "wijkarchief_sessie")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert server.token.split(".", 1)[1] not in cookie["value"]  # a session, not the token

    page.get_by_role("link", name="Nieuw verhaal").click()
    page.wait_for_url(re.compile(r"/verhalen/nieuw$"))
    page.get_by_label("Collectienummer").fill("0042")
    page.get_by_label("Titel").fill("De speelgoedcontainer op het Bospolderplein")
    page.get_by_label("Datum").fill("najaar 2020")
    page.get_by_label("Vertellers").fill("Fatima\nKees")
    page.get_by_label("Wie mag het lezen?").select_option("public")
    page.get_by_label("Rechten").fill("Wijkcollectie BoTu")
    body = "Elke middag leenden wij speelgoed.\n\nHet was **vet** druk bij de container."
    page.get_by_label("Tekst (Markdown)").fill(body)
    # The live preview renders the Markdown while typing (progressive enhancement).
    page.locator("#voorbeeld-inhoud strong", has_text="vet").wait_for()
    page.get_by_role("button", name="Verhaal vastleggen").click()
    page.wait_for_url(re.compile(r"/stories/0042"))
    assert page.locator("h1").inner_text() == "De speelgoedcontainer op het Bospolderplein"
    assert page.locator(".text strong").inner_text() == "vet"
    assert "najaar 2020" in page.locator(".item-side").inner_text()
    registered_at = page.locator("#versie-1 time").get_attribute("datetime")
    assert registered_at

    # Found through search.
    page.goto("/search")
    page.get_by_label("Zoekwoorden").fill("speelgoedcontainer Bospolderplein")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("link", name="De speelgoedcontainer op het Bospolderplein").click()
    page.wait_for_url(re.compile(r"/stories/0042$"))

    # Edited a second later (so that a moment between the two versions exists).
    time.sleep(1.2)
    page.get_by_role("link", name="Verhaal bewerken").click()
    page.wait_for_url(re.compile(r"/stories/0042/bewerken$"))
    page.get_by_label("Tekst (Markdown)").fill(
        "Elke middag leenden wij speelgoed.\n\nHet was **heel** druk bij de container."
    )
    page.get_by_label("Reden van de wijziging").fill("woordkeus verteller")
    page.get_by_role("button", name="Wijziging opslaan").click()
    page.wait_for_url(re.compile(r"/stories/0042\?gedaan=opgeslagen"))
    assert page.locator(".notice.ok").inner_text().strip().endswith("opgeslagen.")
    assert page.locator(".text strong").inner_text() == "heel"

    history = page.locator("ol.history > li")
    assert history.count() >= 2
    revised = page.locator("ol.history > li", has_text="Tekst herzien")
    assert "anna" in revised.locator(".actor").inner_text()
    assert "woordkeus verteller" in revised.inner_text()
    assert revised.locator("del").first.inner_text() == "**vet**"
    assert revised.locator("ins").first.inner_text() == "**heel**"
    page.locator("#geschiedenis").screenshot(path=str(artifacts / "story-history.png"))

    # As recorded before the edit: from the history ...
    page.locator("#versie-1").get_by_role("link", name=re.compile("versie 1")).click()
    page.wait_for_url(re.compile(r"as_of="))
    assert "zoals het was vastgelegd op" in page.locator(".notice.asof").inner_text()
    assert page.locator(".text strong").inner_text() == "vet"
    # ... and with the date-time picker (UTC, to the second).
    moment = datetime.fromisoformat(registered_at)
    after = (moment + timedelta(seconds=1)).replace(microsecond=0)
    page.goto("/stories/0042")
    page.get_by_label("Bekijk zoals vastgelegd op").fill(after.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="Bekijken").click()
    page.wait_for_url(re.compile(r"as_of="))
    assert page.locator(".text strong").inner_text() == "vet"
    assert "heel" not in page.locator(".text").inner_text()

    # Everything seen is also JSON.
    page.goto("/stories/0042")
    json_url = page.locator("footer a.json").get_attribute("href")
    assert json_url == "/api/stories/0042"
    answer = page.request.get(json_url, headers={"Authorization": f"Bearer {server.token}"})
    assert json.loads(answer.text())["body_markdown"].endswith("**heel** druk bij de container.")


def test_an_edit_from_a_stale_page_is_refused_and_keeps_the_text(
    curator: Any, server: Any, artifacts: Any
) -> None:
    created = curator.request.post(
        "/api/stories",
        data={"number": "0043", "title": "Het buurthuis", "body_markdown": "Eerste tekst.",
              "consent": "public"},
        headers={"Authorization": f"Bearer {server.token}"},
    )  # fmt: skip
    assert created.status == 201, created.text()
    first = curator
    second = curator.context.new_page()
    first.goto("/stories/0043/bewerken")
    second.goto("/stories/0043/bewerken")

    first.get_by_label("Tekst (Markdown)").fill("Tekst uit het eerste tabblad.")
    first.get_by_role("button", name="Wijziging opslaan").click()
    first.wait_for_url(re.compile(r"/stories/0043\?gedaan=opgeslagen"))

    typed = "Een lange tekst uit het tweede tabblad,\n\nmet **moeite** getypt."
    second.get_by_label("Tekst (Markdown)").fill(typed)
    with second.expect_response(re.compile(r"/stories/0043/bewerken$")) as answer:
        second.get_by_role("button", name="Wijziging opslaan").click()
    assert answer.value.status == 412
    alert = second.locator("#conflict")
    assert alert.is_visible()
    # Both tabs are anna's: the box says it was her own earlier change, not someone else's.
    assert "u hebt dit verhaal intussen in een ander venster of tabblad gewijzigd" in (
        alert.inner_text()
    )
    assert "iemand anders" not in alert.inner_text()
    assert "door anna" in alert.inner_text()
    # Nothing typed is lost, and the stored text stands beside it.
    assert second.get_by_label("Tekst (Markdown)").input_value() == typed
    assert second.locator("pre.stored-text").inner_text() == "Tekst uit het eerste tabblad."
    second.screenshot(path=str(artifacts / "stale-edit-desktop.png"), full_page=True)

    # Saving again, knowingly, now works.
    second.get_by_role("button", name="Samengevoegd opslaan").click()
    second.wait_for_url(re.compile(r"/stories/0043\?gedaan=opgeslagen"))
    assert "met moeite getypt" in second.locator(".text").inner_text()


def test_two_curators_edit_one_story_and_neither_change_is_lost(
    curator: Any, browser: Any, server: Any, artifacts: Any
) -> None:
    """Issue 17: anna changes the title, bram the text from a page loaded before; bram gets
    the merge page, saves, and anna's title stays."""
    bram_token = server.cli("token", "create", "--role", "curator", "--name", "bram")
    bram_token = bram_token.strip().splitlines()[-1].strip()
    created = curator.request.post(
        "/api/stories",
        data={"number": "0044", "title": "De markt", "body_markdown": "Op zaterdag.",
              "date": "2020", "consent": "public"},
        headers={"Authorization": f"Bearer {server.token}"},
    )  # fmt: skip
    assert created.status == 201, created.text()
    others = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    others.set_default_timeout(15_000)
    try:
        bram = others.new_page()
        bram.goto("/inloggen")
        bram.get_by_label("Token").fill(bram_token)
        bram.get_by_role("button", name="Inloggen").click()
        bram.wait_for_url(server.url + "/")
        assert "bram" in bram.locator("header.site").inner_text()

        anna = curator
        anna.goto("/stories/0044/bewerken")
        bram.goto("/stories/0044/bewerken")
        anna.get_by_label("Titel").fill("De markt aan het Schiedamseplein")
        anna.get_by_role("button", name="Wijziging opslaan").click()
        anna.wait_for_url(re.compile(r"/stories/0044\?gedaan=opgeslagen"))

        bram.get_by_label("Tekst (Markdown)").fill("Op zaterdag, ook als het regent.")
        with bram.expect_response(re.compile(r"/stories/0044/bewerken$")) as answer:
            bram.get_by_role("button", name="Wijziging opslaan").click()
        assert answer.value.status == 412
        alert = bram.locator("#conflict")
        assert alert.is_visible()
        assert alert.locator(".instruction").count() == 1
        row = bram.locator("#verschil-title")
        assert "De markt aan het Schiedamseplein" in row.inner_text()
        assert "die van anna" in row.inner_text()
        assert bram.get_by_label("Titel").input_value() == "De markt aan het Schiedamseplein"
        assert bram.get_by_label("Tekst (Markdown)").input_value() == (
            "Op zaterdag, ook als het regent."
        )
        bram.screenshot(path=str(artifacts / "merge-edit-desktop.png"), full_page=True)

        bram.get_by_role("button", name="Samengevoegd opslaan").click()
        bram.wait_for_url(re.compile(r"/stories/0044\?gedaan=opgeslagen"))
        assert bram.locator("h1").inner_text() == "De markt aan het Schiedamseplein"
        assert "ook als het regent" in bram.locator(".text").inner_text()
        history = json.loads(
            bram.request.get(
                "/api/stories/0044/history", headers={"Authorization": f"Bearer {server.token}"}
            ).text()
        )["items"]
        assert [e["type"] for e in history if e["actor"] == "bram"] == ["TextRevised"]

        # Logging out ends bram's session on the server: a copy of the cookie is worthless.
        cookie = next(c for c in others.cookies() if c["name"] == "wijkarchief_sessie")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        bram.get_by_role("button", name="Uitloggen").click()
        thief = browser.new_context(base_url=server.url)
        try:
            thief.add_cookies([{**cookie, "expires": -1}])
            stolen = thief.new_page()
            stolen.goto("/verhalen/nieuw")
            assert "/inloggen" in stolen.url
        finally:
            thief.close()
    finally:
        others.close()
