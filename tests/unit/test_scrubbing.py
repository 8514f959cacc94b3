"""The metadata cleaning of PDFs, audio and video, below the HTTP layer (archive.scrubbing,
archive.pdfscrub): the corners of the formats, and that a damaged file is refused with a
`MetadataNotRemovable` (or another 4xx error), never an exception that would be a 500.
"""

from __future__ import annotations

import io
import random
import struct

import mutagen
import pytest
from PIL import Image

from archive.pdfscrub import jpeg_without_metadata, scrub_pdf
from archive.scrubbing import MetadataNotRemovable, scrub_media
from events.errors import ArchiveError
from tests import samples


def _scrub(data: bytes, content_type: str) -> bytes:
    cleaned = scrub_media(io.BytesIO(data), content_type)
    try:
        return cleaned.read()
    finally:
        cleaned.close()


def test_a_jpeg_keeps_its_picture_and_colours_and_loses_the_rest() -> None:
    image = Image.effect_noise((120, 80), 60).convert("RGB")
    exif = Image.Exif()
    exif[0xA431] = samples.SERIAL
    for options in ({}, {"progressive": True}, {"icc_profile": b"\x00" * 128}):
        out = io.BytesIO()
        image.save(out, "JPEG", exif=exif, comment=samples.NAME, **options)
        before, after = out.getvalue(), jpeg_without_metadata(out.getvalue())
        assert samples.SERIAL.encode() not in after and samples.NAME.encode() not in after
        old, new = Image.open(io.BytesIO(before)), Image.open(io.BytesIO(after))
        assert old.tobytes() == new.tobytes()  # the same pixels
        assert new.info.get("icc_profile") == old.info.get("icc_profile")
        assert not new.getexif()
    with pytest.raises(ValueError):
        jpeg_without_metadata(b"\x89PNG\r\n\x1a\n")


def test_mp4_boxes_of_64_bit_size_and_to_the_end_of_the_file() -> None:
    original, media = samples.mp4()
    # The media data box once with a 64-bit size (size 1, then the size), once with size 0
    # (to the end of the file): the walk over the boxes takes both (the chunk offsets of the
    # first are 8 bytes off; only the boxes are looked at here).
    at = original.index(b"mdat") - 4
    body = original[at + 8 :]
    large = original[:at] + struct.pack(">I4sQ", 1, b"mdat", len(body) + 16) + body
    to_end = original[:at] + struct.pack(">I4s", 0, b"mdat") + body
    for data in (large, to_end):
        served = _scrub(data, "audio/mp4")
        assert samples.NAME.encode() not in served and samples.PLACE.encode() not in served
        assert served.count(media) == 1 and len(served) == len(data)


def test_a_wav_chunk_of_odd_length_keeps_its_pad_byte() -> None:
    original = samples.wav(0.1)
    odd = b"ICMT" + struct.pack("<I", 3) + b"abc" + b"\x00"  # 3 bytes and a pad byte
    data = original + b"LIST" + struct.pack("<I", 4 + len(odd)) + b"INFO" + odd
    data = data[:4] + struct.pack("<I", len(data) - 8) + data[8:]
    served = _scrub(data, "audio/wav")
    assert b"abc" not in served and b"INFO" not in served and len(served) == len(data)
    audio = mutagen.File(io.BytesIO(served))
    assert audio.info.length == pytest.approx(0.1)


def test_an_mp3_without_frames_is_stored_without_its_tag_and_a_joined_one_refused() -> None:
    # As the sniffing does, an ID3 tag before anything is taken for an MP3: its tag goes.
    junk = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4
    assert _scrub(junk, "audio/mpeg") == bytes(range(256)) * 4
    with pytest.raises(MetadataNotRemovable):
        _scrub(samples.mp3() + samples.mp3(), "audio/mpeg")
    # A tag that claims more than the file holds: nothing would be left, so it is refused.
    with pytest.raises(MetadataNotRemovable):
        _scrub(b"ID3\x03\x00\x00\x7f\x7f\x7f\x7f" + bytes(100), "audio/mpeg")


@pytest.mark.parametrize(
    ("content_type", "make"),
    [
        ("application/pdf", lambda: samples.pdf(1)),
        ("audio/mpeg", samples.mp3),
        ("audio/mp4", lambda: samples.mp4()[0]),
        ("audio/wav", lambda: samples.wav(0.1)),
        ("audio/ogg", lambda: samples.ogg(1)),
    ],
)
def test_a_damaged_file_is_cleaned_or_refused_never_an_error(content_type: str, make) -> None:
    base = make()
    chance = random.Random(19)
    for _ in range(60):
        data = bytearray(base)
        how = chance.random()
        if how < 0.4:
            for _ in range(chance.randint(1, 20)):
                data[chance.randrange(len(data))] = chance.randrange(256)
        elif how < 0.7:
            data = data[: chance.randrange(12, len(data))]
        else:
            at = chance.randrange(len(data))
            data[at:at] = bytes(chance.randrange(256) for _ in range(chance.randint(1, 50)))
        try:
            if content_type == "application/pdf":
                scrub_pdf(io.BytesIO(bytes(data)))
            else:
                _scrub(bytes(data), content_type)
        except ArchiveError as error:
            assert 400 <= error.status < 500
