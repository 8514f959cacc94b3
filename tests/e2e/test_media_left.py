"""The leftovers of issue 19, through the real HTTP stack on both stores.

- The JSON documents that leave the archive (a year's timeline, TimelineJS, the Kronieken)
  carry the archive's file URLs absolute under `WIJKARCHIEF_BASE_URL`; the archive's own
  pages and its HTML and Markdown documents keep them relative.
- An episode without a file of its own borrows the image of a linked media item, on the
  HTML timeline and in TimelineJS, only when the reader may read that media item.
- An `as_of` answer lists a file removed later as it was recorded, without a URL (it would
  answer 404): `unavailable: "removed"`; the page says "Bestand later verwijderd".
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from archive.config import Settings
from archive.service import Archive
from bootstrap import open_archive
from tests.e2e.test_media_display import add_media, page, png, upload

BASE = "https://wijkarchief.example.nl"
RELATIVE = re.compile(r'"/api/(?:episodes|stories|media)/|href=\\?"/(?:episodes|stories|media)/')
FILE_URL = re.compile(r"/api/(?:episodes|stories|media)/[^\s\"'<>)]+/files/[^\s\"'<>)]+")


@pytest.fixture
def archive(settings: Settings) -> Iterator[Archive]:
    """An empty archive of each store, reached at BASE (its `WIJKARCHIEF_BASE_URL`)."""
    opened = open_archive(replace(settings, base_url=BASE))
    try:
        yield opened
    finally:
        opened.close()


def test_json_that_leaves_the_archive_carries_absolute_file_urls(api: Any) -> None:
    add_media(api)
    file = upload(api, "media", "buurtfeest-2020", png())
    display, thumbnail, full = file["display_url"], file["thumbnail_url"], file["url"]
    assert display.startswith("/api/")  # the upload's own answer: relative to the API
    # The year's timeline JSON: the picture's URLs under the archive's base, and served.
    entries = api.get("/api/timelines/2020").json()["entries"]
    image = next(e for e in entries if e["ref"] == "media/buurtfeest-2020")["image"]
    assert (image["url"], image["thumbnail"], image["link"]) == (
        BASE + display, BASE + thumbnail, BASE + full,
    )  # fmt: skip
    assert api.get(image["url"]).status_code == 200
    # TimelineJS (shown on the programme's own site): media, and the link to the item's page.
    tl = api.get("/api/timelines/2020", params={"format": "timelinejs"}).json()
    event = next(e for e in tl["events"] if e["unique_id"] == "media-buurtfeest-2020")
    assert event["media"]["url"] == BASE + display
    assert event["media"]["thumbnail"] == BASE + thumbnail
    assert event["media"]["link"] == BASE + full
    assert f'<a href="{BASE}/media/buurtfeest-2020">' in event["text"]["text"]
    # The Kronieken JSON (the photo is themed corona).
    chronicle = api.get("/api/kronieken").json()
    kroniek = next(e for e in chronicle["entries"] if e["ref"] == "media/buurtfeest-2020")
    assert kroniek["image"]["thumbnail"] == BASE + thumbnail
    # Nothing relative is left in these documents; the same file URLs also as of a moment.
    moment = datetime.now(UTC).isoformat()
    for params in ({}, {"format": "timelinejs"}, {"as_of": moment}):
        text = api.get("/api/timelines/2020", params=params).text
        assert not RELATIVE.search(text), params
        assert BASE + thumbnail in text, params
    assert not RELATIVE.search(api.get("/api/kronieken").text)
    # The archive's own pages and its HTML and Markdown documents stay relative.
    assert f'<img src="{thumbnail}"' in page(api, "/timelines/2020")
    standalone = api.get("/api/timelines/2020", params={"format": "html"}).text
    assert f'<img src="{thumbnail}"' in standalone
    assert (
        f"]({thumbnail})]({full})"
        in api.get("/api/timelines/2020", params={"format": "markdown"}).text
    )
    assert f'<img src="{thumbnail}"' in page(api, "/kronieken")
    assert api.get("/api/media/buurtfeest-2020").json()["files"][0]["url"] == full


def _entry(api: Any, ref: str, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    entries = api.get("/api/timelines/2020", params=params, headers=headers).json()["entries"]
    found: dict[str, Any] = next(e for e in entries if e["ref"] == ref)
    return found


def _event(api: Any, ref: str, headers: dict[str, str]) -> dict[str, Any]:
    tl = api.get("/api/timelines/2020", params={"format": "timelinejs"}, headers=headers).json()
    found: dict[str, Any] = next(e for e in tl["events"] if e["unique_id"] == ref.replace("/", "-"))
    return found


def test_an_episode_borrows_the_image_of_a_linked_media_item_the_reader_may_read(
    api: Any,
) -> None:
    # Three episodes of 2020 without files; each linked to one photo with an image: a
    # public one, a curators-only one and one under embargo.
    for key in ("duimdrop", "bouwkeet", "plein"):
        api.add_episode(id=key, title=f"Episode {key}", happenings=[])
    add_media(api, episodes=["duimdrop"])
    public = upload(api, "media", "buurtfeest-2020", png())
    add_media(api, id="portret", title="Portret van een bewoner", consent="curators",
              episodes=["bouwkeet"])  # fmt: skip
    secret = upload(api, "media", "portret", png(colour=(200, 30, 30)))
    add_media(api, id="expositie", title="Foto voor de expositie", episodes=["plein"])
    embargoed = upload(api, "media", "expositie", png(colour=(30, 200, 30)))
    api.archive.embargo("media", "expositie", "2999-01-01", actor="anna")
    # The public episode entry shows the linked photo: thumbnail on the HTML timeline
    # (absolute in JSON and TimelineJS), alt and credit of the photo, `from` naming it.
    entry = _entry(api, "episodes/duimdrop", {})
    assert entry["image"]["thumbnail"] == BASE + public["thumbnail_url"]
    assert entry["image"]["from"] == "media/buurtfeest-2020"
    assert entry["image"]["alt"] == "Foto: Buurtfeest op het Visserijplein"
    assert entry["image"]["credit"] == "Foto: Florian Braakman · Rechten: CC BY 4.0"
    assert _event(api, "episodes/duimdrop", {})["media"]["url"] == BASE + public["display_url"]
    html = page(api, "/timelines/2020")
    li = re.search(r'<li id="episodes-duimdrop".*?</li>', html, re.S)
    assert li and f'<img src="{public["thumbnail_url"]}"' in li.group(0)
    # The restricted photos lend nothing to the public or a researcher: not in JSON, not in
    # TimelineJS, not on the page, not as of now.
    moment = datetime.now(UTC).isoformat()
    readers: list[dict[str, str]] = [{}, api.researcher]
    for headers in readers:
        for ref in ("episodes/bouwkeet", "episodes/plein"):
            assert _entry(api, ref, headers)["image"] is None, (ref, headers)
            assert _entry(api, ref, headers, as_of=moment)["image"] is None, (ref, headers)
            assert "media" not in _event(api, ref, headers), (ref, headers)
        for secret_url in (secret["url"], embargoed["url"]):
            for path, params in (
                ("/api/timelines/2020", {"format": "json"}),
                ("/api/timelines/2020", {"format": "timelinejs"}),
                ("/api/timelines/2020", {"format": "html"}),
                ("/api/timelines/2020", {"format": "markdown"}),
                ("/timelines/2020", {}),
            ):
                text = api.get(path, params=params, headers=headers).text
                assert secret_url not in text, (path, params, headers)
    # A curator, who may read them, sees each episode with its photo.
    assert _entry(api, "episodes/bouwkeet", api.curator)["image"]["from"] == "media/portret"
    assert _entry(api, "episodes/plein", api.curator)["image"]["from"] == "media/expositie"
    # An episode with a picture of its own keeps it.
    own = upload(api, "episodes", "duimdrop", png(colour=(10, 10, 10)))
    entry = _entry(api, "episodes/duimdrop", {})
    assert entry["image"]["thumbnail"] == BASE + own["thumbnail_url"]
    assert "from" not in entry["image"]


def test_as_of_lists_a_file_removed_later_without_a_url(api: Any) -> None:
    api.add_episode(happenings=[])  # its own picture is the file that is removed later
    add_media(api, episodes=["duimdrop"])
    kept = upload(api, "media", "buurtfeest-2020", png())
    removed = upload(api, "media", "buurtfeest-2020", png(colour=(90, 90, 90)), "weg.png")
    on_episode = upload(api, "episodes", "duimdrop", png(colour=(1, 2, 3)), "eigen.png")
    time.sleep(0.02)
    before = datetime.now(UTC).isoformat()
    time.sleep(0.02)
    for kind, key, file in (("media", "buurtfeest-2020", removed),
                            ("episodes", "duimdrop", on_episode)):  # fmt: skip
        gone = api.delete(f"/api/{kind}/{key}/files/{file['id']}", headers=api.curator)
        assert gone.status_code == 204
        assert api.get(file["url"]).status_code == 404  # only current files are served
    readers: list[dict[str, str]] = [{}, api.researcher, api.curator]
    for headers in readers:
        # The answer as of before: both files as recorded, the removed one without URLs.
        then = api.get(
            "/api/media/buurtfeest-2020", params={"as_of": before}, headers=headers
        ).json()
        files = {f["id"]: f for f in then["files"]}
        assert set(files) == {kept["id"], removed["id"]}
        assert files[kept["id"]]["url"] == kept["url"] and files[kept["id"]]["unavailable"] is None
        gone_file = files[removed["id"]]
        assert gone_file["unavailable"] == "removed"
        assert gone_file["sha256"] == removed["sha256"] and gone_file["filename"] == "weg.png"
        for name in ("url", "thumbnail_url", "display_url", "original_url"):
            assert gone_file[name] is None, name
        # Now: only the kept file.
        now = api.get("/api/media/buurtfeest-2020", headers=headers).json()
        assert [f["id"] for f in now["files"]] == [kept["id"]]
        # The pages as of before say so, and offer no URL of the removed files.
        media_page = page(api, "/media/buurtfeest-2020", params={"as_of": before}, headers=headers)
        assert "Bestand later verwijderd: weg.png" in media_page
        episode_page = page(api, "/episodes/duimdrop", params={"as_of": before}, headers=headers)
        assert "Bestand later verwijderd: eigen.png" in episode_page
        # The timeline as of before: the episode's own picture is gone, so it borrows the
        # linked photo's kept image (never the removed one).
        entry = _entry(api, "episodes/duimdrop", headers, as_of=before)
        assert entry["image"]["link"] == BASE + kept["url"]
        # Every file URL any of these answers offers works for this reader.
        offered: set[str] = set()
        for text in (
            media_page,
            episode_page,
            api.get("/api/media/buurtfeest-2020", params={"as_of": before}, headers=headers).text,
            api.get("/api/episodes/duimdrop", params={"as_of": before}, headers=headers).text,
            api.get("/api/timelines/2020", params={"as_of": before}, headers=headers).text,
            api.get(
                "/api/timelines/2020", params={"as_of": before, "format": "timelinejs"},
                headers=headers,
            ).text,
            api.get("/timelines/2020", params={"as_of": before}, headers=headers).text,
        ):  # fmt: skip
            offered.update(FILE_URL.findall(text))
        assert offered and not any(url.startswith(removed["url"]) for url in offered)
        assert not any(url.startswith(on_episode["url"]) for url in offered)
        for url in sorted(offered):
            assert api.get(url, headers=headers).status_code == 200, (url, headers)
