"""Files shown where people look (issue 19), in Chromium against the real server.

An episode of 2020 with a photo, a drawing and a recording (uploaded through the API,
`tests.browser.pictured`): the photo's page shows an image that actually loads, the
recording's page a player that seeks, the episode page the thumbnails of its media, the
TimelineJS of 2020 (on another site: absolute URLs) the photo on its slide and on the
episode's (borrowed), the 2020 timeline page the episode with its borrowed thumbnail, a page
as of before a file was removed "Bestand later verwijderd" and only images that load; the
seed's photographs and the drawing "Corona Kronieken" have no file and say so, with the
credit the source gives. Screenshots of the
media page, the episode and the 2020 timeline go to test-artifacts/ and, when that folder
exists, to /work/notes/screenshots/.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Server
from tests.browser.pictured import pictured, scene
from tests.browser.test_timelinejs import _load

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTES = Path("/work/notes/screenshots")
LOADED = "img => img.complete && img.naturalWidth > 0"
WHEN_LOADED = (
    f"img => new Promise(done => img.complete ? done(({LOADED})(img))"
    f" : img.addEventListener('load', () => done(({LOADED})(img))))"
)


@pytest.fixture(scope="module")
def ids(server: Server) -> dict[str, str]:
    return pictured(server.url, server.token)


def _shot(tab: Any, artifacts: Path, name: str) -> None:
    path = artifacts / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    if NOTES.parent.is_dir():
        NOTES.mkdir(exist_ok=True)
        shutil.copy(path, NOTES / path.name)


def test_the_media_page_shows_an_image_that_loads(
    page: Any, ids: dict[str, str], artifacts: Path
) -> None:
    # The photo's page: the display size, loaded, with a Dutch alt and the credit.
    page.goto(f"/media/{ids['photo']}")
    image = page.locator(".file-main img")
    image.scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({LOADED})(document.querySelector('.file-main img'))")
    assert image.get_attribute("alt") == "Foto: Buurtmaaltijd op het Visserijplein"
    assert image.get_attribute("src").endswith("/files/f1/display")
    assert image.evaluate("img => img.naturalWidth") == 1600
    assert page.locator("a.file-link").get_attribute("href").endswith("/files/f1")
    caption = page.locator(".file-main figcaption").inner_text()
    assert "Foto: Wijkarchief (testbeeld) · Rechten: CC BY 4.0" in caption
    _shot(page, artifacts, "media-page-image")


def test_the_recording_plays_and_seeks(page: Any, ids: dict[str, str]) -> None:
    # The recording's page: an <audio controls> that reads its metadata and seeks (ranges).
    page.goto(f"/media/{ids['recording']}")
    audio = page.locator(".file-main audio")
    assert audio.get_attribute("controls") is not None
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    duration = audio.evaluate("a => a.duration")
    assert 5.5 < duration < 6.5
    seeked = audio.evaluate(
        """a => new Promise(done => {
            a.addEventListener('seeked', () => done({time: a.currentTime, ready: a.readyState}),
                               {once: true});
            a.currentTime = 4;
        })"""
    )
    assert abs(seeked["time"] - 4) < 0.1 and seeked["ready"] >= 1
    assert audio.evaluate("a => a.seekable.length > 0 && a.seekable.end(0) > 5")


def test_the_episode_shows_its_media_as_thumbnails(
    page: Any, ids: dict[str, str], artifacts: Path
) -> None:
    page.goto(f"/episodes/{ids['episode']}")
    tiles = page.locator(".item-files .tile")
    assert tiles.count() == 3
    for img in page.locator(".item-files .tile img").all():
        img.scroll_into_view_if_needed()
        assert img.evaluate(WHEN_LOADED)
    assert page.locator(".item-files .tile img").count() == 2  # the recording has no picture
    names = page.locator(".item-files .tile-title").all_inner_texts()
    assert any("Buurtmaaltijd op het Visserijplein" in n for n in names)
    _shot(page, artifacts, "episode-with-media")


def test_the_2020_timeline_shows_its_pictures(
    page: Any, ids: dict[str, str], artifacts: Path
) -> None:
    page.goto("/timelines/2020")
    pictures = page.locator("figure.picture img")
    assert pictures.count() >= 2
    first = page.locator(f"#media-{ids['photo']} figure.picture img")
    first.scroll_into_view_if_needed()
    page.wait_for_function(
        f"() => ({LOADED})(document.querySelector('#media-{ids['photo']} figure.picture img'))"
    )
    # The episode has no file: its entry shows its linked photo's thumbnail, loaded.
    borrowed = f"#episodes-{ids['episode']} figure.picture img"
    page.locator(borrowed).scroll_into_view_if_needed()
    page.wait_for_function(f"() => ({LOADED})(document.querySelector('{borrowed}'))")
    assert (
        page.locator(borrowed)
        .get_attribute("src")
        .endswith(f"/api/media/{ids['photo']}/files/f1/thumbnail")
    )
    _shot(page, artifacts, "timeline-2020-with-images")
    # The month of the photo, close up (the whole year is a long page).
    section = page.locator(f"section:has(#media-{ids['photo']})")
    section.screenshot(path=str(artifacts / "timeline-2020-april.png"))
    if NOTES.is_dir():
        shutil.copy(artifacts / "timeline-2020-april.png", NOTES / "timeline-2020-april.png")


def test_timelinejs_shows_the_photo_on_its_slide(
    browser: Any, server: Server, ids: dict[str, str], timelinejs_dist: Path
) -> None:
    # The feed shown on another site (the programme's, `ORIGIN` of the harness), which does
    # not serve `/api/…`: the pictures are absolute under the archive's WIJKARCHIEF_BASE_URL.
    with urllib.request.urlopen(f"{server.url}/api/timelines/2020?format=timelinejs") as answer:
        data = json.loads(answer.read())
    slide_id = f"media-{ids['photo']}"
    event = next(e for e in data["events"] if e["unique_id"] == slide_id)
    assert event["media"]["url"] == f"{server.url}/api/media/{ids['photo']}/files/f1/display"
    # The episode has no file of its own: its slide borrows the linked photo.
    episode_id = f"episodes-{ids['episode']}"
    episode = next(e for e in data["events"] if e["unique_id"] == episode_id)
    assert episode["media"]["url"] == event["media"]["url"]
    context, tab, outside = _load(browser, timelinejs_dist, data, server.url)
    try:
        for shown in (slide_id, episode_id):
            tab.evaluate(f"window.timeline.goToId({json.dumps(shown)})")
            image = tab.locator(f"#{shown} .tl-media img")
            image.wait_for(state="attached")
            tab.wait_for_function(
                f"() => {{ const i = document.querySelector('#{shown} .tl-media img');"
                f" return i && ({LOADED})(i); }}"
            )
            assert tab.locator(f"#{shown} .tl-credit").inner_text().startswith("Foto: ")
        assert not outside, f"TimelineJS asked for {outside}"
    finally:
        context.close()


def test_an_as_of_page_says_a_file_was_removed_later(
    page: Any, server: Server, artifacts: Path
) -> None:
    # A photo with two files; a curator removes one. As of before the removal the page
    # says so, and every image it shows loads (no URL that answers 404).
    key = "foto-later-verwijderd-2020"
    headers = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as client:
        body = {
            "id": key,
            "kind": "photo",
            "title": "Straatbeeld aan de Schiedamseweg",
            "outlet": "Wijkarchief (testbeeld)",
            "date": "2020-05-04",
            "consent": "public",
        }
        assert client.post("/api/media", json=body).status_code == 201
        for name, colours in (("blijft.png", ((90, 140, 210), (150, 150, 130))),
                              ("weg.png", ((230, 120, 90), (90, 90, 90)))):  # fmt: skip
            sent = client.post(f"/api/media/{key}/files",
                               files={"file": (name, scene((1200, 800), *colours))})  # fmt: skip
            assert sent.status_code == 201, sent.text
        time.sleep(0.05)
        before = datetime.now(UTC).isoformat()
        time.sleep(0.05)
        assert client.delete(f"/api/media/{key}/files/f2").status_code == 204
    page.goto(f"/media/{key}?" + urllib.parse.urlencode({"as_of": before}))
    note = page.locator(".file-removed")
    assert note.count() == 1 and "Bestand later verwijderd: weg.png" in note.inner_text()
    images = page.locator("main img")
    assert images.count() >= 1
    for img in images.all():
        img.scroll_into_view_if_needed()
        assert img.evaluate(WHEN_LOADED), img.get_attribute("src")
    assert "/files/f2" not in page.content()
    _shot(page, artifacts, "media-page-as-of-file-removed-later")


@pytest.mark.parametrize(
    ("key", "credit"),
    [
        ("foto-bouwkeet-verhaal-0003", "Foto: Florian Braakman"),
        ("foto-duimdrop", "Foto: Yvet Ellenkamp"),
        (
            "monitor-veerkracht-botu-2021-03-corona-kronieken",
            "Bron: Monitor ‘Veerkracht in Bospolder-Tussendijken’",
        ),
    ],
)
def test_the_seed_pictures_say_they_have_no_file(
    page: Any, artifacts: Path, key: str, credit: str
) -> None:
    # The sources are text only: a clear "no file" state with the credit, never an empty
    # frame, and the drawing's page links to the site the source names.
    page.goto(f"/media/{key}")
    state = page.locator(".no-file")
    assert state.is_visible()
    assert "Geen bestand in het archief" in state.inner_text()
    assert credit in state.inner_text()
    assert page.locator("main img, main figure").count() == 0
    if key.startswith("monitor"):
        assert state.get_by_role("link").get_attribute("href") == "https://www.verhalenvanbotu.nl"
        _shot(page, artifacts, "media-page-no-file")


def test_a_seed_episode_shows_its_photo_without_a_file(page: Any, artifacts: Path) -> None:
    # Duimdrop's photo is only a credit in the source: a tile that says so, with the credit.
    page.goto("/episodes/duimdrop")
    tile = page.locator(".item-files .tile", has_text="Acties voor het behoud van Duimdrop")
    assert "Geen bestand in het archief" in tile.inner_text()
    assert "Foto: Yvet Ellenkamp" in tile.inner_text()
    assert tile.locator("img").count() == 0
    _shot(page, artifacts, "episode-seed-photo-without-file")
