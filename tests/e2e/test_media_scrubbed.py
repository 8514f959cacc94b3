"""PDFs, recordings and videos lose their metadata on upload, through the real HTTP stack.

Each sample (`tests/samples.py`) names a resident in its metadata, and the phone video and
recordings carry a home's location. What the archive serves is read back with the library
that wrote it: the metadata is gone, the name and the location are not in the served
bytes, and the file still opens (PDFium renders page 1; mutagen parses the recording, of the
same length; an MP4's media data is byte for byte the same). A file whose metadata cannot be
removed is refused with 422, and nothing is stored. On both stores.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

import mutagen
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from tests import samples
from tests.e2e.test_media_files import add_media, upload

SECRETS = (samples.NAME.encode(), samples.PLACE.encode(), samples.SERIAL.encode(), b"Telefoonmerk")


def _served(api: Any, data: bytes, name: str, mime: str, **params: Any) -> tuple[dict, bytes]:
    """Upload `data`; the answer and the bytes the public is served."""
    assert any(secret in data for secret in SECRETS)  # the sample does carry them
    response = upload(api, data, name, mime=mime, **params)
    assert response.status_code == 201, response.text
    answer = response.json()
    served = api.get(answer["url"])
    assert served.status_code == 200
    content = served.content
    # What is stored is what is served: its SHA-256, its size, its ETag.
    assert hashlib.sha256(content).hexdigest() == answer["sha256"]
    assert len(content) == answer["bytes"]
    assert served.headers["etag"] == f'"{answer["sha256"]}"'
    for secret in SECRETS:
        assert secret not in content, secret
    return answer, content


def test_a_pdf_loses_its_author_and_xmp_and_still_renders(api) -> None:
    add_media(api, kind="report")
    original = samples.pdf(pages=2)
    assert b"Telefoonmerk" in original and samples.SERIAL.encode() in original  # the photo
    answer, served = _served(api, original, "verslag.pdf", "application/pdf")
    assert answer["content_type"] == "application/pdf"
    with pikepdf.open(io.BytesIO(served)) as pdf:
        assert "/Info" not in pdf.trailer
        assert all("/Metadata" not in page.obj for page in pdf.pages)
        assert len(pdf.pages) == 2
        # Its claim to be PDF/A-2b is kept, alone: an XMP of pdfaid:part and conformance.
        assert pdf.open_metadata().pdfa_status == "2B"
        pdfaid = "{http://www.aiim.org/pdfa/ns/id/}"
        assert set(pdf.open_metadata()) == {f"{pdfaid}part", f"{pdfaid}conformance"}
    # PDFium opens it: two pages, page 1 renders (dark blue), no author or creator.
    document = pdfium.PdfDocument(served)
    try:
        assert len(document) == 2
        assert not any(document.get_metadata_dict().values())
        page = document[0].render(scale=0.5).to_pil().convert("RGB")
        assert page.getpixel((100, 75)) == (0, 0, 128)
        # The phone photo in its corner still shows, its JPEG without EXIF, XMP or comment.
        corner = page.getpixel((8, 143))
        assert all(abs(a - b) < 8 for a, b in zip(corner, samples.PHOTO_COLOUR, strict=True))
    finally:
        document.close()
    with pikepdf.open(io.BytesIO(served)) as pdf:
        photo = pdf.pages[0].Resources.XObject.Foto
        image = Image.open(io.BytesIO(photo.read_raw_bytes()))
        assert not image.getexif() and "xmp" not in image.info and "comment" not in image.info
        assert image.size == (80, 60)
    thumb = Image.open(io.BytesIO(api.get(answer["thumbnail_url"]).content))
    assert thumb.format == "JPEG" and max(thumb.size) == 320
    # The same PDF again is the same file: the cleaning gives the same bytes each time.
    again = upload(api, original, "kopie.pdf", mime="application/pdf").json()
    assert again["id"] == answer["id"] and again["sha256"] == answer["sha256"]


def test_the_original_with_its_metadata_is_kept_only_when_asked(api) -> None:
    add_media(api, kind="report")
    original = samples.pdf()
    answer, _served_bytes = _served(
        api, original, "verslag.pdf", "application/pdf", keep_original="true"
    )
    kept = api.get(answer["original_url"], headers=api.curator)
    assert kept.status_code == 200 and kept.content == original
    api.problem(api.get(answer["original_url"]), 404)


def test_an_mp3_loses_its_id3_ape_and_id3v1_tags(api) -> None:
    add_media(api, kind="audio")
    answer, served = _served(api, samples.mp3(), "interview.mp3", "audio/mpeg")
    assert answer["content_type"] == "audio/mpeg"
    # Exactly the MPEG frames, untagged: it plays as before.
    assert served == samples.mp3_frames()
    audio = mutagen.File(io.BytesIO(served))
    assert type(audio).__name__ == "MP3" and audio.tags is None
    assert audio.info.length == pytest.approx(200 * 1152 / 44100, abs=0.1)


@pytest.mark.parametrize(("brand", "mime"), [(b"M4A ", "audio/mp4"), (b"isom", "video/mp4")])
def test_an_mp4_loses_its_tags_and_its_location(api, brand: bytes, mime: str) -> None:
    add_media(api, kind="video" if mime.startswith("video") else "audio")
    original, media = samples.mp4(brand)
    before = mutagen.File(io.BytesIO(original))
    assert before.tags and before.tags["\xa9ART"] == [samples.NAME]
    # mutagen's own delete() leaves the location atoms: the archive must not rely on it.
    answer, served = _served(api, original, "opname.m4a", mime)
    assert answer["content_type"] == mime
    assert b"com.apple.quicktime.location" not in served and b"\xa9xyz" not in served
    after = mutagen.File(io.BytesIO(served))
    assert type(after).__name__ == "MP4" and not after.tags
    assert after.info.length == pytest.approx(before.info.length)
    assert after.info.codec == before.info.codec == "mp4a.40.2"
    # Same size, same offsets: the samples are where the chunk offsets say, unchanged.
    assert len(served) == len(original) and served.count(media) == 1
    assert served.index(media) == original.index(media)


def test_a_wav_loses_its_info_and_id3_chunks(api) -> None:
    add_media(api, kind="audio")
    original = samples.wav()
    _answer, served = _served(api, original, "gesprek.wav", "audio/wav")
    assert b"INFO" not in served and b"id3 " not in served and b"ID3" not in served
    audio = mutagen.File(io.BytesIO(served))
    assert type(audio).__name__ == "WAVE" and audio.tags is None
    assert audio.info.length == pytest.approx(1.0) and audio.info.sample_rate == 8000
    import wave

    with wave.open(io.BytesIO(served)) as sound:  # Python's own reader: the same sound
        assert sound.getnframes() == 8000 and sound.readframes(8000) == bytes(16000)


def test_an_ogg_loses_its_comments(api) -> None:
    add_media(api, kind="audio")
    answer, served = _served(api, samples.ogg(seconds=2), "lied.ogg", "audio/ogg")
    assert answer["content_type"] == "audio/ogg"
    audio = mutagen.File(io.BytesIO(served))
    assert type(audio).__name__ == "OggOpus" and not audio.tags
    assert audio.info.length == pytest.approx(2.0)


def test_a_file_whose_metadata_cannot_be_removed_is_refused(api) -> None:
    add_media(api)
    refused = [
        ("locked.pdf", samples.locked_pdf(), "wachtwoord"),
        ("aaneen.mp3", samples.mp3() + samples.mp3(), "midden in het bestand"),
        ("gopro.mp4", samples.mp4(b"isom", gps_track=True)[0], "GPS"),
        ("kapot.m4a", samples.mp4()[0][:200], "M4A"),
        ("kapot.ogg", b"OggS" + bytes(500), "OGG"),
        ("extra.ogg", samples.ogg(extra=b"\x01" + samples.NAME.encode()), "OGG"),
    ]
    for name, data, why in refused:
        response = upload(api, data, name, mime="application/octet-stream")
        problem = api.problem(response, 422)
        assert problem["title"] == "Metadata niet te verwijderen", problem
        assert why in problem["detail"] and "niet bewaard" in problem["detail"], problem
    # Nothing of them was stored or recorded.
    assert api.get("/api/media/buurtfeest").json()["files"] == []
    history = api.get("/api/media/buurtfeest/history").json()["items"]
    assert "FileAttached" not in [event["type"] for event in history]
