"""Files shown where people look (issue 19), through the real HTTP stack, on both stores.

A curator uploads a PNG to a photo item: its page shows the display size linking to the full
file, with a Dutch alt and the credit; the story and the episode it is linked to show its
thumbnail; a search hit carries `thumbnail_url`; the 2020 timeline (JSON, HTML, Markdown,
TimelineJS `media`) and the Kronieken carry the picture. A media item without a file says
so, with its source's link. A curators-only item's file never reaches a public reader's
timeline, TimelineJS feed, search hit or page.
"""

from __future__ import annotations

import io
import re
from typing import Any

from PIL import Image

from tests import samples

PHOTO = {
    "id": "buurtfeest-2020",
    "kind": "photo",
    "title": "Buurtfeest op het Visserijplein",
    "outlet": "Florian Braakman",
    "rights": "CC BY 4.0",
    "date": "2020-06-13",
    "themes": ["corona"],
    "consent": "public",
}


def png(size: tuple[int, int] = (800, 600), colour: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def upload(api: Any, kind: str, key: str, data: bytes, name: str = "foto.png") -> dict[str, Any]:
    response = api.post(
        f"/api/{kind}/{key}/files", files={"file": (name, data, "image/png")}, headers=api.curator
    )
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def add_media(api: Any, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/media", json={**PHOTO, **fields}, headers=api.curator)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def page(api: Any, path: str, **kwargs: Any) -> str:
    response = api.get(path, **kwargs)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_an_uploaded_photo_is_shown_where_people_look(api) -> None:
    # A story and an episode, and a photo item linked to both.
    api.add_story()
    api.add_episode()
    add_media(api, episodes=["duimdrop"], stories=["0042"])
    # Before any upload the photo's page says there is no file (no empty frame).
    before = page(api, "/media/buurtfeest-2020")
    assert "Geen bestand in het archief" in before and "<img" not in before
    assert "Foto: Florian Braakman" in before
    # A curator uploads a PNG through the API.
    file = upload(api, "media", "buurtfeest-2020", png())
    assert file["display_url"] == "/api/media/buurtfeest-2020/files/f1/display"
    # The media page shows the display size, linking to the full file, with a Dutch alt
    # from the title and the credit and rights in the caption.
    html = page(api, "/media/buurtfeest-2020")
    assert "Geen bestand in het archief" not in html
    img = re.search(r'<a class="file-link" href="([^"]+)"><img src="([^"]+)" alt="([^"]+)"', html)
    assert img, html[:3000]
    assert img.group(1) == file["url"] and img.group(2) == file["display_url"]
    assert img.group(3) == "Foto: Buurtfeest op het Visserijplein"
    assert 'width="800" height="600"' in html
    assert "Foto: Florian Braakman · Rechten: CC BY 4.0" in html
    # The display image the page names is served, to the public too.
    shown = api.get(file["display_url"])
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    # The story and the episode show the linked photo's thumbnail, linking to its page.
    for path in ("/stories/0042", "/episodes/duimdrop"):
        linked = page(api, path)
        assert "Beeld en geluid" in linked, path
        assert f'<img src="{file["thumbnail_url"]}"' in linked, path
        assert 'href="/media/buurtfeest-2020"' in linked
    # A search hit carries the thumbnail; the page of hits shows it.
    found = api.get("/api/search", params={"q": "Visserijplein"}).json()
    hit = next(h for h in found["hits"] if h["id"] == "buurtfeest-2020")
    assert hit["thumbnail_url"] == file["thumbnail_url"]
    assert all("thumbnail_url" in h for h in found["hits"])
    assert f'<img src="{file["thumbnail_url"]}"' in page(api, "/search?q=Visserijplein")
    # The timeline of 2020 carries the picture: JSON, Markdown, HTML and TimelineJS (the
    # JSON forms leave the archive: their URLs are under WIJKARCHIEF_BASE_URL).
    base = api.archive.settings.base_url
    entries = api.get("/api/timelines/2020").json()["entries"]
    entry = next(e for e in entries if e["ref"] == "media/buurtfeest-2020")
    assert entry["image"]["url"] == base + file["display_url"]
    assert entry["image"]["link"] == base + file["url"]
    assert entry["image"]["credit"] == "Foto: Florian Braakman · Rechten: CC BY 4.0"
    markdown = api.get("/api/timelines/2020", params={"format": "markdown"}).text
    assert f"]({file['thumbnail_url']})]({file['url']})" in markdown
    timeline_html = page(api, "/timelines/2020")
    assert f'<img src="{file["thumbnail_url"]}" alt="Foto: Buurtfeest op het Visserijplein"' in (
        timeline_html
    )
    tl = api.get("/api/timelines/2020", params={"format": "timelinejs"}).json()
    event = next(e for e in tl["events"] if e["unique_id"] == "media-buurtfeest-2020")
    assert event["media"]["url"] == base + file["display_url"]
    assert event["media"]["thumbnail"] == base + file["thumbnail_url"]
    assert event["media"]["credit"] == "Foto: Florian Braakman · Rechten: CC BY 4.0"
    assert api.get(event["media"]["url"]).status_code == 200
    # The Kronieken (the photo is themed corona): JSON, Markdown and HTML.
    chronicle = api.get("/api/kronieken").json()
    kroniek = next(e for e in chronicle["entries"] if e["ref"] == "media/buurtfeest-2020")
    assert kroniek["image"]["thumbnail"] == base + file["thumbnail_url"]
    assert file["thumbnail_url"] in api.get("/api/kronieken", params={"format": "markdown"}).text
    assert f'<img src="{file["thumbnail_url"]}"' in page(api, "/kronieken")


def test_a_pdf_is_its_first_page_and_a_recording_a_player(api) -> None:
    # A report with a one-page PDF: its page shows the first page, linking to the PDF.
    add_media(
        api, id="rapport", kind="report", title="Verslag bewonersavond", outlet="Veldacademie"
    )
    out = io.BytesIO()
    Image.new("RGB", (595, 842), (255, 255, 255)).save(out, "PDF")
    response = api.post(
        "/api/media/rapport/files",
        files={"file": ("verslag.pdf", out.getvalue(), "application/pdf")},
        headers=api.curator,
    )
    assert response.status_code == 201, response.text
    pdf = response.json()
    html = page(api, "/media/rapport")
    assert f'<a class="file-pdf" href="{pdf["url"]}"><img src="{pdf["thumbnail_url"]}"' in html
    assert "Eerste pagina van ‘Verslag bewonersavond’ (pdf)" in html
    assert "Bron: Veldacademie" in html
    # A search hit of the report carries the PDF page's thumbnail.
    hits = api.get("/api/search", params={"q": "bewonersavond"}).json()["hits"]
    assert hits[0]["thumbnail_url"] == pdf["thumbnail_url"]
    # An audio item: a player with controls, over the file (served in ranges).
    add_media(api, id="interview", kind="audio", title="Gesprek met de buurtconciërge")
    wav = samples.plain_wav()
    response = api.post(
        "/api/media/interview/files",
        files={"file": ("gesprek.wav", wav, "audio/wav")},
        headers=api.curator,
    )
    assert response.status_code == 201, response.text
    audio = response.json()
    html = page(api, "/media/interview")
    assert f'<audio controls preload="metadata" src="{audio["url"]}"' in html
    ranged = api.get(audio["url"], headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100
    # No picture: the hit has no thumbnail, the timeline entry no image.
    hits = api.get("/api/search", params={"q": "buurtconciërge"}).json()["hits"]
    assert hits[0]["thumbnail_url"] is None


def test_a_media_item_without_a_file_says_so_with_its_source(api) -> None:
    add_media(
        api, id="tekening", kind="drawing", title="Corona Kronieken – Samen een veerkrachtig BoTu",
        outlet="Monitor ‘Veerkracht in Bospolder-Tussendijken’",
        url="https://www.verhalenvanbotu.nl", rights="",
    )  # fmt: skip
    html = page(api, "/media/tekening")
    assert "Geen bestand in het archief" in html
    assert "Van deze tekening is geen bestand in het archief opgenomen." in html
    assert "Bron: Monitor ‘Veerkracht in Bospolder-Tussendijken’" in html
    assert 'Bekijk het bij de bron: <a href="https://www.verhalenvanbotu.nl"' in html
    assert "<img" not in html and "<figure" not in html
    assert api.get("/api/media/tekening").json()["files"] == []


def test_a_curators_only_file_never_reaches_a_public_reader(api) -> None:
    # A public photo and a curators-only photo, both of 2020, each with a file.
    add_media(api)
    public = upload(api, "media", "buurtfeest-2020", png())
    add_media(api, id="geheim", title="Portret van een bewoner", consent="curators")
    secret = upload(api, "media", "geheim", png(colour=(200, 30, 30)))
    secret_base = "/api/media/geheim/files/"
    assert secret["url"].startswith(secret_base)
    # The curator's TimelineJS feed carries both pictures.
    curated = api.get(
        "/api/timelines/2020", params={"format": "timelinejs"}, headers=api.curator
    ).text
    assert secret["display_url"] in curated and public["display_url"] in curated
    # The public's (and a researcher's) feeds, timelines, Kronieken and search carry none.
    readers: list[dict[str, str]] = [{}, api.researcher]
    for headers in readers:
        for path, params in (
            ("/api/timelines/2020", {"format": "timelinejs"}),
            ("/api/timelines/2020", {"format": "json"}),
            ("/api/timelines/2020", {"format": "html"}),
            ("/api/timelines/2020", {"format": "markdown"}),
            ("/api/kronieken", {}),
            ("/api/search", {"q": "portret bewoner"}),
            ("/timelines/2020", {}),
            ("/search", {"q": "portret"}),
        ):
            text = api.get(path, params=params, headers=headers).text
            assert secret_base not in text, (path, params)
        assert (
            public["display_url"]
            in api.get("/api/timelines/2020", params={"format": "timelinejs"}, headers=headers).text
        )
    # The file itself answers 404 to the public, as a missing one.
    api.problem(api.get(secret["display_url"]), 404)
