"""The curators' edit workflows of issue 19 in Chromium, end to end: edit an episode, a stale
edit of an episode from two sessions, register a media item and upload a file with a real
progress bar (and the drop zone, and a refused file's Dutch message), add and correct a
happening, correct and retract an assessment, and a form with several errors that shows all
of them and keeps what was typed. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.browser.conftest import DESKTOP, Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _api(tab: Any, server: Server, method: str, path: str, body: dict[str, Any]) -> Any:
    answer = tab.request.fetch(
        path, method=method, data=body, headers={"Authorization": f"Bearer {server.token}"}
    )
    assert answer.status in (200, 201), answer.text()
    return json.loads(answer.text())


def _episode(tab: Any, server: Server, key: str) -> dict[str, Any]:
    """A fresh episode of this test's own (the server is shared by the module's tests)."""
    return _api(tab, server, "POST", "/api/episodes", {
        "id": key, "title": "Buurttuin aan de Schiedamseweg", "date": "2020-23",
        "summary": "Bewoners leggen een tuin aan.", "consent": "public",
        "happenings": [{"date": "2020-10", "title": "Eerste plantdag", "source": "verslag"}],
        "assessments": [{"quality": "verbindend-vermogen", "assessment": "shown",
                         "evidence": "Buren ontmoeten elkaar.", "source": "verslag"}],
    })  # fmt: skip


def _login(browser: Any, server: Server, name: str) -> tuple[Any, Any]:
    """A second curator's own browser profile, logged in through the form."""
    token = server.cli("token", "create", "--role", "curator", "--name", name)
    token = token.strip().splitlines()[-1].strip()
    context = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="nl-NL")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto("/inloggen")
    tab.get_by_label("Token").fill(token)
    tab.get_by_role("button", name="Inloggen").click()
    tab.wait_for_url(server.url + "/")
    return context, tab


def _noise_png(width: int, height: int) -> bytes:
    """A PNG of random pixels (it does not compress: width × height × 3 bytes)."""
    pixels = random.Random(19).randbytes(width * height * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(out, "PNG", compress_level=0)
    return out.getvalue()


def test_a_curator_edits_an_episode_with_dates_in_words(
    curator: Any, server: Server, artifacts: Path
) -> None:
    _episode(curator, server, "buurttuin-edit")
    # From the episode's page to its edit form.
    curator.goto("/episodes/buurttuin-edit")
    curator.get_by_role("link", name="Episode bewerken").click()
    date = curator.get_by_label("Datum")
    # The date as people write it, not its code.
    assert date.input_value() == "najaar 2020"
    curator.get_by_label("Titel").fill("De buurttuin aan de Schiedamseweg")
    date.fill("voorjaar 2021")
    # While typing, the page says how the archive will read it.
    hint = curator.locator("#date-uitleg")
    hint.get_by_text("2021-21").wait_for()
    assert "voorjaar 2021" in hint.inner_text()
    curator.get_by_label("Plaatsen").fill("Schiedamseweg\nBospolder")
    curator.get_by_label("Reden van de wijziging").fill("datum volgens het verslag")
    curator.screenshot(path=str(artifacts / "episode-edit-desktop.png"), full_page=True)
    curator.get_by_role("button", name="Wijziging opslaan").click()
    curator.wait_for_url(re.compile(r"/episodes/buurttuin-edit\?gedaan=opgeslagen"))
    assert curator.locator("h1").inner_text() == "De buurttuin aan de Schiedamseweg"
    assert "voorjaar 2021" in curator.locator("dl.meta").inner_text()
    assert "datum volgens het verslag" in curator.locator("#geschiedenis").inner_text()


def test_a_stale_episode_edit_from_two_sessions_loses_nothing(
    curator: Any, browser: Any, server: Server, artifacts: Path
) -> None:
    _episode(curator, server, "buurttuin-stale")
    others, bram = _login(browser, server, "bram-episodes")
    try:
        anna = curator
        anna.goto("/episodes/buurttuin-stale/bewerken")
        bram.goto("/episodes/buurttuin-stale/bewerken")
        anna.get_by_label("Titel").fill("Buurttuin Schiedamseweg (2020–2021)")
        anna.get_by_role("button", name="Wijziging opslaan").click()
        anna.wait_for_url(re.compile(r"\?gedaan=opgeslagen"))

        typed = "Bewoners leggen samen met de gemeente een tuin aan."
        bram.get_by_label("Samenvatting").fill(typed)
        with bram.expect_response(re.compile(r"/episodes/buurttuin-stale/bewerken$")) as answer:
            bram.get_by_role("button", name="Wijziging opslaan").click()
        assert answer.value.status == 412
        alert = bram.locator("#conflict")
        assert "iemand anders heeft deze episode intussen gewijzigd" in alert.inner_text()
        assert "die van anna" in bram.locator("#verschil-title").inner_text()
        # Bram's typing kept, anna's title merged in.
        assert bram.get_by_label("Samenvatting").input_value() == typed
        assert bram.get_by_label("Titel").input_value() == "Buurttuin Schiedamseweg (2020–2021)"
        bram.screenshot(path=str(artifacts / "episode-stale-desktop.png"), full_page=True)
        bram.get_by_role("button", name="Samengevoegd opslaan").click()
        bram.wait_for_url(re.compile(r"\?gedaan=opgeslagen"))
        assert bram.locator("h1").inner_text() == "Buurttuin Schiedamseweg (2020–2021)"
        assert bram.locator("p.lead").inner_text() == typed
    finally:
        others.close()


def test_register_a_media_item_and_upload_a_photo_with_progress(
    curator: Any, server: Server, artifacts: Path, tmp_path: Path
) -> None:
    curator.goto("/")
    curator.get_by_role("link", name="Nieuw media-item").click()
    curator.get_by_label("Id").fill("foto-buurttuin-2020")
    curator.get_by_label("Titel").fill("De buurttuin in het najaar")
    curator.get_by_label("Soort media").select_option("photo")
    curator.get_by_label("Datum").fill("najaar 2020")
    curator.get_by_role("button", name="Media-item vastleggen").click()
    curator.wait_for_url(re.compile(r"/media/foto-buurttuin-2020/bestanden\?gedaan=nieuw"))
    assert "Voeg hieronder de foto" in curator.locator("main").inner_text()

    # A multi-megabyte photo, sent over a throttled line so the progress events come.
    photo = tmp_path / "buurttuin.png"
    photo.write_bytes(_noise_png(1400, 1000))
    assert photo.stat().st_size > 4_000_000
    cdp = curator.context.new_cdp_session(curator)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 5, "downloadThroughput": -1,
        "uploadThroughput": 4 * 1024 * 1024,
    })  # fmt: skip
    curator.evaluate("""() => {
        window.seenProgress = [];
        const text = document.getElementById('voortgang-tekst');
        new MutationObserver(() => window.seenProgress.push(text.textContent))
            .observe(text, {childList: true, characterData: true, subtree: true});
    }""")
    curator.get_by_label("Kies een bestand").set_input_files(str(photo))
    curator.get_by_role("button", name="Bestand toevoegen").click()
    status = curator.locator("#upload-status")
    status.get_by_text("buurttuin.png is toegevoegd.").wait_for(timeout=60_000)
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
    })  # fmt: skip
    bar = curator.locator("progress#voortgang")
    assert bar.evaluate("p => p.value") == 100
    assert int(bar.get_attribute("data-events") or 0) > 1
    seen = curator.evaluate("window.seenProgress")
    assert any(s not in ("0 %", "100 %") for s in seen), seen  # a real progress, not a jump
    listed = curator.locator("#bestandenlijst li")
    assert listed.count() == 1
    assert "buurttuin.png" in listed.inner_text()
    thumbnail = listed.locator("img")
    assert thumbnail.count() == 1
    thumbnail.evaluate("img => img.decode()")
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    curator.screenshot(path=str(artifacts / "upload-form-desktop.png"), full_page=True)

    # Dropped on the zone: a file that is no picture gets the archive's Dutch reason.
    curator.evaluate("""() => {
        const data = new DataTransfer();
        data.items.add(new File(['<html><script>alert(1)</script>'], 'foto.png',
                                {type: 'image/png'}));
        document.getElementById('dropzone').dispatchEvent(
            new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
    }""")
    fault = curator.locator("#file-fout")
    fault.wait_for(state="visible")
    assert fault.inner_text().strip() != ""
    assert curator.get_by_label("Kies een bestand").get_attribute("aria-invalid") == "true"
    assert "Niet toegevoegd" in status.inner_text()
    assert curator.locator("#voortgang-vak").is_hidden()  # no full bar beside a refusal
    curator.screenshot(path=str(artifacts / "upload-refused-desktop.png"), full_page=True)
    # The media item's JSON lists the one file.
    item = _api(curator, server, "GET", "/api/media/foto-buurttuin-2020", {})
    assert [f["content_type"] for f in item["files"]] == ["image/png"]


def test_without_javascript_the_plain_form_uploads_too(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    context = browser.new_context(
        base_url=server.url, viewport=DESKTOP, locale="nl-NL", java_script_enabled=False
    )
    try:
        tab = context.new_page()
        tab.goto("/inloggen")
        tab.get_by_label("Token").fill(server.token)
        tab.get_by_role("button", name="Inloggen").click()
        _api(tab, server, "POST", "/api/media", {"id": "zonder-js", "title": "Zonder JS"})
        tab.goto("/media/zonder-js/bestanden")
        photo = tmp_path / "klein.png"
        photo.write_bytes(_noise_png(40, 30))
        tab.get_by_label("Kies een bestand").set_input_files(str(photo))
        tab.get_by_role("button", name="Bestand toevoegen").click()
        tab.wait_for_url(re.compile(r"gedaan=bestand"))
        assert "klein.png" in tab.locator("#bestandenlijst").inner_text()
        # The curator removes it again: the disclosure says what happens, then the form posts.
        tab.get_by_text("Verwijderen…").click()
        assert "toont en levert" in tab.locator(".remove-file form").inner_text()
        tab.get_by_label("Reden (optioneel)").fill("dubbel")
        tab.get_by_role("button", name="Bestand verwijderen").click()
        tab.wait_for_url(re.compile(r"gedaan=verwijderd"))
        assert tab.locator("#bestandenlijst li").count() == 0
        assert tab.get_by_text("Nog geen bestanden.").is_visible()
    finally:
        context.close()


def test_a_happening_is_added_and_corrected(curator: Any, server: Server) -> None:
    _episode(curator, server, "buurttuin-moment")
    curator.goto("/episodes/buurttuin-moment")
    curator.get_by_role("link", name="Gebeurtenis toevoegen").click()
    curator.get_by_label("Datum").fill("maart 2021")
    curator.get_by_label("Titel").fill("Oogstfeest")
    curator.get_by_label("Tekst").fill("De eerste oogst wordt gedeeld.")
    curator.get_by_role("button", name="Gebeurtenis vastleggen").click()
    curator.wait_for_url(re.compile(r"gedaan=gebeurtenis#happening-h2"))
    moment = curator.locator("#happening-h2")
    assert "maart 2021" in moment.inner_text() and "Oogstfeest" in moment.inner_text()

    moment.get_by_role("link", name="Corrigeren").click()
    assert curator.get_by_label("Datum").input_value() == "maart 2021"
    curator.get_by_label("Datum").fill("september 2021")
    curator.get_by_label("Reden van de correctie").fill("oogst is in het najaar")
    curator.get_by_role("button", name="Correctie opslaan").click()
    curator.wait_for_url(re.compile(r"gedaan=gebeurtenis-gecorrigeerd"))
    assert "september 2021" in curator.locator("#happening-h2").inner_text()
    assert "oogst is in het najaar" in curator.locator("#geschiedenis").inner_text()


def test_an_assessment_is_corrected_then_retracted(curator: Any, server: Server) -> None:
    _episode(curator, server, "buurttuin-coding")
    curator.goto("/episodes/buurttuin-coding")
    coding = curator.locator("#assessment-a1")
    coding.get_by_role("link", name="Corrigeren").click()
    curator.get_by_label("deels").check()
    curator.get_by_label("Lezing van de codeur", exact=False).check()
    curator.get_by_label("Toelichting").fill("De bron noemt het niet zo.")
    curator.get_by_role("button", name="Correctie opslaan").click()
    curator.wait_for_url(re.compile(r"gedaan=gecorrigeerd#assessment-a1"))
    assert "De bron noemt het niet zo." in curator.locator("#assessment-a1").inner_text()

    curator.locator("#assessment-a1").get_by_role("link", name="Intrekken").click()
    assert "bewaart haar" in curator.locator("main").inner_text()
    curator.get_by_label("Reden van het intrekken").fill("dubbel gecodeerd")
    curator.get_by_role("button", name="Beoordeling intrekken").click()
    curator.wait_for_url(re.compile(r"gedaan=beoordeling-ingetrokken"))
    assert curator.locator("#assessment-a1").count() == 0
    assert "Nog niet beoordeeld." in curator.locator("#beoordelingen").inner_text()
    assert "dubbel gecodeerd" in curator.locator("#geschiedenis").inner_text()


def test_a_form_with_several_errors_shows_them_all_and_keeps_the_input(
    curator: Any, artifacts: Path
) -> None:
    curator.goto("/media-items/nieuw")
    curator.get_by_label("Id").fill("Mijn Foto!")
    curator.get_by_label("Titel").fill("")
    curator.get_by_label("Datum").fill("ergens dertiende maand")
    curator.get_by_label("Webadres").fill("niet een adres")
    curator.get_by_label("Samenvatting").fill("Wat ik <uitgebreid> typte.")
    with curator.expect_response(re.compile(r"/media-items/nieuw$")) as answer:
        curator.get_by_role("button", name="Media-item vastleggen").click()
    assert answer.value.status == 422
    summary = curator.locator("#fouten li")
    assert summary.count() == 4
    for name in ("id", "title", "date", "url"):
        field = curator.locator(f"#{name}")
        assert field.get_attribute("aria-invalid") == "true", name
        described = (field.get_attribute("aria-describedby") or "").split()
        assert f"{name}-fout" in described, name
        assert curator.locator(f"#{name}-fout").is_visible()
    # What was typed stays, and the summary's links lead to the fields.
    assert curator.get_by_label("Samenvatting").input_value() == "Wat ik <uitgebreid> typte."
    assert curator.get_by_label("Webadres").input_value() == "niet een adres"
    summary.nth(2).locator("a").click()
    assert curator.evaluate("document.activeElement.id") == "date"
    curator.screenshot(path=str(artifacts / "form-errors-desktop.png"), full_page=True)
