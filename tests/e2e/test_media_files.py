"""Files on items through the real HTTP stack (issue 19): upload, serve, refuse, remove.

A curator uploads a phone photo with a GPS position and a camera serial in its EXIF; what
the archive serves has neither (read back with Pillow). HTML, an executable and an SVG with
a script are refused from their content (415), whatever name and type the client claims.
Ranges serve the right bytes (206, 416), ETags answer 304, and a reader who may not read
the item gets the same 404 as for a missing file. On both stores.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from PIL import Image

MEDIA = {"id": "buurtfeest", "title": "Buurtfeest op het plein", "kind": "photo"}


def gps_photo(size: tuple[int, int] = (1200, 900)) -> bytes:
    """A JPEG as a phone writes it: make, serial, and a GPS position in its EXIF."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "Telefoonmerk"  # Make
    exif[0x0112] = 6  # Orientation: rotated, to be applied
    exif[0xA431] = "SERIE-123456"  # BodySerialNumber (in the Exif IFD normally; here too)
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 54.0, 36.0)  # Rotterdam
    gps[3], gps[4] = "E", (4.0, 26.0, 24.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def upload(api: Any, data: bytes, name: str = "foto.jpg", *, kind: str = "media",
           key: str = "buurtfeest", mime: str = "image/jpeg", **params: Any) -> Any:  # fmt: skip
    return api.post(
        f"/api/{kind}/{key}/files", files={"file": (name, data, mime)}, params=params,
        headers=api.curator,
    )  # fmt: skip


def add_media(api: Any, **fields: Any) -> None:
    response = api.post("/api/media", json={**MEDIA, **fields}, headers=api.curator)
    assert response.status_code == 201, response.text


def test_a_photo_loses_its_location_and_serial(api) -> None:
    # A curator registers a photo item and uploads a phone photo.
    add_media(api)
    photo = gps_photo()
    assert b"SERIE-123456" in photo and Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)
    response = upload(api, photo)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["content_type"] == "image/jpeg" and answer["id"] == "f1"
    assert answer["url"] == "/api/media/buurtfeest/files/f1"
    assert answer["thumbnail_url"] and answer["display_url"]
    # What the public downloads has no GPS, no make, no serial: only the pixels, upright.
    served = api.get(answer["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["etag"] == f'"{answer["sha256"]}"'
    assert hashlib.sha256(served.content).hexdigest() == answer["sha256"]
    assert len(served.content) == answer["bytes"]
    image = Image.open(io.BytesIO(served.content))
    exif = image.getexif()
    assert not exif.get_ifd(0x8825) and 0x8825 not in exif
    assert 0x010F not in exif and b"SERIE-123456" not in served.content
    assert b"Telefoonmerk" not in served.content
    assert image.size == (900, 1200)  # the orientation was applied
    # The thumbnail and the display size are JPEGs of at most 320 and 1600 px.
    thumb = Image.open(io.BytesIO(api.get(answer["thumbnail_url"]).content))
    assert max(thumb.size) == 320
    display = api.get(answer["display_url"])
    assert max(Image.open(io.BytesIO(display.content)).size) == 1200
    # The media item lists the file; its history holds FileAttached (without the key).
    item = api.get("/api/media/buurtfeest").json()
    assert [f["id"] for f in item["files"]] == ["f1"]
    assert item["files"][0]["url"] == answer["url"]
    history = api.get("/api/media/buurtfeest/history").json()["items"]
    attached = [e for e in history if e["type"] == "FileAttached"]
    assert attached and attached[0]["actor"] == "anna"
    assert attached[0]["data"]["file"]["filename"] == "foto.jpg"
    assert "key" not in attached[0]["data"]["file"]
    # The same photo again is the same file (nothing new recorded).
    again = upload(api, photo, "kopie.jpg")
    assert again.status_code == 201 and again.json()["id"] == "f1"


def test_the_original_is_kept_only_when_asked_and_only_for_curators(api) -> None:
    add_media(api)
    photo = gps_photo()
    answer = upload(api, photo, keep_original="true").json()
    assert answer["original_kept"] and answer["original_url"]
    # The original (with its EXIF) goes to curators, as a download; the public gets a 404.
    kept = api.get(answer["original_url"], headers=api.curator)
    assert kept.status_code == 200 and kept.content == photo
    assert kept.headers["content-disposition"].startswith("attachment")
    api.problem(api.get(answer["original_url"]), 404)


def test_types_are_decided_from_the_content(api) -> None:
    add_media(api)
    refused = {
        "pagina.jpg": b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        "programma.pdf": b"MZ\x90\x00\x03" + bytes(200),
        "tekening.png": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "leeg.jpg": b"",
    }
    for name, data in refused.items():
        response = upload(api, data, name)
        if data:
            problem = api.problem(response, 415)
            assert "niet bewaard" in problem["detail"]
        else:
            api.problem(response, 422)
    # A PDF is kept (written anew without its metadata: tests/e2e/test_media_scrubbed.py)
    # with a thumbnail of its first page; an MP3 without one.
    pdf = _pdf()
    answer = upload(api, pdf, "verslag", mime="application/octet-stream").json()
    assert answer["content_type"] == "application/pdf" and answer["thumbnail_url"]
    assert answer["filename"] == "verslag"
    assert api.get(answer["url"]).content.startswith(b"%PDF-")
    assert Image.open(io.BytesIO(api.get(answer["thumbnail_url"]).content)).format == "JPEG"
    mp3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 40
    answer = upload(api, mp3, "interview.mp3").json()
    assert answer["content_type"] == "audio/mpeg" and answer["thumbnail_url"] is None
    # Not multipart, or without the field: 422 naming it; no token 401, a researcher 403.
    api.problem(api.post("/api/media/buurtfeest/files", content=b"x", headers=api.curator), 422)
    response = api.post(
        "/api/media/buurtfeest/files", files={"ander": ("a.jpg", gps_photo())},
        headers=api.curator,
    )  # fmt: skip
    api.problem(response, 422)
    api.problem(api.post("/api/media/buurtfeest/files", files={"file": ("a", pdf)}), 401)
    response = api.post(
        "/api/media/buurtfeest/files", files={"file": ("a", pdf)}, headers=api.researcher
    )
    api.problem(response, 403)
    api.problem(upload(api, pdf, key="bestaat-niet"), 404)


def _pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "navy").save(out, "PDF")
    return out.getvalue()


def test_ranges_let_a_player_seek(api) -> None:
    add_media(api, kind="audio")
    # An MP3 without tags (an MPEG frame header first): nothing to remove, stored as sent.
    audio = b"\xff\xfb\x90\x64" + bytes(i % 251 for i in range(700_000))
    answer = upload(api, audio, "interview.mp3").json()
    url = answer["url"]
    whole = api.get(url)
    assert whole.headers["accept-ranges"] == "bytes" and whole.content == audio
    # One range, across the sealed chunks' edges; an open one; the last bytes.
    for header, start, end in [
        ("bytes=262140-524300", 262140, 524301),
        ("bytes=600000-", 600000, len(audio)),
        ("bytes=-100", len(audio) - 100, len(audio)),
        ("bytes=0-0", 0, 1),
    ]:
        part = api.get(url, headers={"Range": header})
        assert part.status_code == 206, header
        assert part.content == audio[start:end], header
        assert part.headers["content-range"] == f"bytes {start}-{end - 1}/{len(audio)}"
        assert part.headers["content-length"] == str(end - start)
    # Past the end: 416 with the size; a stale If-Range: the whole file; an ETag: 304.
    past = api.get(url, headers={"Range": f"bytes={len(audio)}-"})
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{len(audio)}"
    stale = api.get(url, headers={"Range": "bytes=0-9", "If-Range": '"oud"'})
    assert stale.status_code == 200 and stale.content == audio
    assert api.get(url, headers={"If-None-Match": whole.headers["etag"]}).status_code == 304
    assert api.get(url, headers={"Range": "bytes=0-1,5-6"}).status_code == 200


def test_readers_see_files_only_of_items_they_may_read(api) -> None:
    # A curators-only item with a photo: the public and researchers get 404 for it, the
    # same answer as for a file that does not exist.
    add_media(api, id="prive", consent="curators")
    answer = upload(api, gps_photo(), key="prive").json()
    assert api.get(answer["url"], headers=api.curator).status_code == 200
    assert (
        api.get(answer["url"], headers=api.curator).headers["cache-control"].startswith("private")
    )
    anonymous: dict[str, str] = {}
    for headers in (anonymous, api.researcher):
        hidden = api.get(answer["url"], headers=headers)
        missing = api.get("/api/media/bestaat-niet/files/f1", headers=headers)
        assert hidden.status_code == missing.status_code == 404
        assert api.get(answer["thumbnail_url"], headers=headers).status_code == 404
    # A public item's file may be cached by anyone.
    add_media(api)
    public = upload(api, gps_photo()).json()
    assert api.get(public["url"]).headers["cache-control"].startswith("public")
    # Removed: no longer listed or served; the history keeps that it was there.
    assert api.delete(public["url"], headers=api.curator).status_code == 204
    assert api.get("/api/media/buurtfeest").json()["files"] == []
    api.problem(api.get(public["url"]), 404)
    types = [e["type"] for e in api.get("/api/media/buurtfeest/history").json()["items"]]
    assert types[-2:] == ["FileAttached", "FileRemoved"]
    # Withdrawn: readers get the tombstone's 410, no bytes.
    add_media(api, id="ingetrokken")
    gone = upload(api, gps_photo(), key="ingetrokken").json()
    api.archive.withdraw("media", "ingetrokken", reason="verzoek", policy="p", actor="anna")
    assert api.get(gone["url"]).status_code in (404, 410)
    # Stories take files too.
    api.add_story(number="0050")
    story_file = upload(api, gps_photo(), key="0050", kind="stories").json()
    assert story_file["url"] == "/api/stories/0050/files/f1"
    assert api.get(story_file["url"]).status_code == 200
