"""Real files with a resident's name and home in their metadata, made with the libraries
the archive cleans them with (pikepdf, mutagen) or by their formats' own rules.

Every sample carries `NAME` (and where a format has one, `PLACE`, a location) in its
metadata, written out in plain bytes, so a check of the raw bytes means something.
"""

from __future__ import annotations

import io
import struct
import wave

NAME = "Fatima Bewoner"
PLACE = "+51.9123+004.4456/"  # ISO 6709: a house in Bospolder
SERIAL = "SERIE-778899"


PHOTO_COLOUR = (200, 120, 40)


def phone_jpeg() -> bytes:
    """A JPEG as a phone writes it: make, serial and GPS in its EXIF, the name in its XMP
    and in a comment."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "Telefoonmerk"  # Make
    exif[0xA431] = SERIAL  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (51.0, 54.0, 44.0), "E", (4.0, 26.0, 44.0)
    xmp = f"<x:xmpmeta><dc:creator>{NAME}</dc:creator></x:xmpmeta>".encode()
    out = io.BytesIO()
    Image.new("RGB", (80, 60), PHOTO_COLOUR).save(
        out, "JPEG", exif=exif, xmp=xmp, comment=f"Foto van {NAME}"
    )
    return out.getvalue()


def pdf(pages: int = 2) -> bytes:
    """A PDF whose information dictionary, XMP (catalog and page) name the resident, with a
    phone photo (`phone_jpeg`) in the lower left corner of its first page."""
    import pikepdf

    document = pikepdf.Pdf.new()
    photo = document.make_stream(phone_jpeg())
    photo.Type, photo.Subtype, photo.Filter = (
        pikepdf.Name.XObject,
        pikepdf.Name.Image,
        pikepdf.Name.DCTDecode,
    )
    photo.Width, photo.Height, photo.BitsPerComponent = 80, 60, 8
    photo.ColorSpace = pikepdf.Name.DeviceRGB
    for number in range(pages):
        document.add_blank_page(page_size=(400, 300))
        page = document.pages[number]
        drawing = b"0 0 0.5 rg 50 50 300 200 re f"
        if number == 0:
            page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Foto=photo))
            drawing += b" q 40 0 0 30 0 0 cm /Foto Do Q"
        page.Contents = document.make_stream(drawing)
        page.obj.Metadata = document.make_stream(
            f"<x:xmpmeta><dc:creator>{NAME}</dc:creator></x:xmpmeta>".encode()
        )
    document.docinfo["/Author"] = NAME
    document.docinfo["/Creator"] = f"Scanner {SERIAL}"
    with document.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [NAME]
        meta["xmp:CreatorTool"] = SERIAL
        meta["pdfaid:part"], meta["pdfaid:conformance"] = "2", "B"  # claims PDF/A-2b
    out = io.BytesIO()
    document.save(out, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()


def locked_pdf() -> bytes:
    """A PDF that opens only with a password."""
    import pikepdf

    document = pikepdf.Pdf.new()
    document.add_blank_page()
    document.docinfo["/Author"] = NAME
    out = io.BytesIO()
    document.save(out, encryption=pikepdf.Encryption(user="geheim", owner="geheim"))
    return out.getvalue()


def mp3_frames(count: int = 200) -> bytes:
    """MPEG-1 layer III frames (128 kbit/s, 44.1 kHz) of silence: 26 ms each."""
    return (b"\xff\xfb\x90\x64" + bytes(413)) * count


def mp3() -> bytes:
    """An MP3 with an ID3v2 tag (artist, comment), an APEv2 tag and an ID3v1 tag."""
    import mutagen.apev2
    from mutagen.id3 import COMM, ID3, TPE1

    handle = io.BytesIO(mp3_frames())
    tags = ID3()
    tags.add(TPE1(encoding=3, text=[NAME]))
    tags.add(COMM(encoding=3, lang="nld", desc="", text=[f"Thuis, {PLACE}"]))
    tags.save(handle, v1=2)  # v1=2: an ID3v1 tag too
    ape = mutagen.apev2.APEv2()
    ape["Artist"] = NAME
    ape.save(handle)
    return handle.getvalue()


def _box(kind: bytes, *parts: bytes) -> bytes:
    data = b"".join(parts)
    return struct.pack(">I4s", 8 + len(data), kind) + data


def _full(kind: bytes, *parts: bytes, version: int = 0, flags: int = 0) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *parts)


SAMPLES, SAMPLE_SIZE = 430, 64  # 430 AAC frames of 1024 samples at 44.1 kHz: ~10 s
MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _trak(number: int, handler: bytes, entry: bytes, chunk: int) -> bytes:
    tkhd = _full(b"tkhd", struct.pack(">5I", 0, 0, number, 0, SAMPLES * 1024), bytes(8),
                 struct.pack(">hhhh", 0, 0, 0x100, 0), MATRIX, bytes(8), flags=3)  # fmt: skip
    mdhd = _full(b"mdhd", struct.pack(">4I", 0, 0, 44100, SAMPLES * 1024), b"\x15\xc7\x00\x00")
    hdlr = _full(b"hdlr", bytes(4), handler, bytes(12), b"\x00")
    dinf = _box(b"dinf", _full(b"dref", struct.pack(">I", 1), _full(b"url ", flags=1)))
    stbl = _box(b"stbl",
                _full(b"stsd", struct.pack(">I", 1), entry),
                _full(b"stts", struct.pack(">3I", 1, SAMPLES, 1024)),
                _full(b"stsc", struct.pack(">4I", 1, 1, SAMPLES, 1)),
                _full(b"stsz", struct.pack(">2I", SAMPLE_SIZE, SAMPLES)),
                _full(b"stco", struct.pack(">2I", 1, chunk)))  # fmt: skip
    minf = _box(b"minf", _full(b"smhd", bytes(4)), dinf, stbl)
    return _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf))


def _mp4a() -> bytes:
    config = b"\x04\x11\x40\x15" + bytes(3) + struct.pack(">II", 128000, 128000)
    config += b"\x05\x02\x12\x10"  # AAC LC, 44.1 kHz, stereo
    esds = _full(b"esds", b"\x03\x19\x00\x00\x00", config, b"\x06\x01\x02")
    return _box(b"mp4a", bytes(6), struct.pack(">H", 1), bytes(8),
                struct.pack(">HHHHI", 2, 16, 0, 0, 44100 << 16), esds)  # fmt: skip


def _locations() -> tuple[bytes, bytes]:
    """`moov/udta/©xyz` (a phone's location) and Apple's `moov/meta` keys and items."""
    xyz = PLACE.encode()
    udta = _box(b"udta", _box(b"\xa9xyz", struct.pack(">HH", len(xyz), 0x15C7), xyz))
    key = b"com.apple.quicktime.location.ISO6709"
    meta = _full(
        b"meta",
        _full(b"hdlr", bytes(4), b"mdta", bytes(12), b"\x00"),
        _full(b"keys", struct.pack(">I", 1), _box(b"mdta", key)),
        _box(b"ilst", _box(struct.pack(">I", 1), _box(b"data", struct.pack(">II", 1, 0), xyz))),
    )
    return udta, meta


def mp4(brand: bytes = b"M4A ", *, gps_track: bool = False) -> tuple[bytes, bytes]:
    """An M4A (or, with brand `isom`, an MP4) with a location in `moov/udta/©xyz` and in
    Apple's `moov/meta`, and iTunes tags (artist, comment) written by mutagen; and the
    media data of its samples, which must come through untouched."""
    from mutagen.mp4 import MP4

    ftyp = _box(b"ftyp", brand, struct.pack(">I", 0), brand, b"isom")
    media = bytes((i * 7) % 256 for i in range(SAMPLES * SAMPLE_SIZE))
    udta, meta = _locations()

    def moov(chunk: int) -> bytes:
        traks = _trak(1, b"soun", _mp4a(), chunk)
        if gps_track:
            traks += _trak(2, b"meta", _box(b"gpmd", bytes(6), struct.pack(">H", 1)), chunk)
        mvhd = _full(b"mvhd", struct.pack(">4I", 0, 0, 44100, SAMPLES * 1024),
                     struct.pack(">IH", 0x10000, 0x100), bytes(10), MATRIX, bytes(24),
                     struct.pack(">I", 3))  # fmt: skip
        return _box(b"moov", mvhd, traks, udta, meta)

    chunk = len(ftyp) + len(moov(0)) + 8
    handle = io.BytesIO(ftyp + moov(chunk) + _box(b"mdat", media))
    audio = MP4(handle)
    audio.add_tags()
    assert audio.tags is not None
    audio.tags["\xa9ART"] = [NAME]
    audio.tags["\xa9cmt"] = [f"Opgenomen bij {NAME} thuis"]
    handle.seek(0)
    audio.save(handle)
    return handle.getvalue(), media


def plain_wav(seconds: float = 0.5) -> bytes:
    """A WAV (16-bit mono, 8 kHz) of silence, with no metadata."""
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(bytes(int(8000 * seconds) * 2))
    return out.getvalue()


def wav(seconds: float = 1.0) -> bytes:
    """A WAV (16-bit mono, 8 kHz) with a LIST/INFO chunk (artist, comment) and an ID3 chunk."""
    from mutagen.id3 import TPE1
    from mutagen.wave import WAVE

    plain = plain_wav(seconds)
    info = b"INFO"
    for key, text in ((b"IART", NAME), (b"ICMT", f"Thuis, {PLACE}")):
        value = text.encode() + b"\x00"
        value += b"\x00" * (len(value) & 1)
        info += struct.pack("<4sI", key, len(value)) + value
    data = plain + struct.pack("<4sI", b"LIST", len(info)) + info
    handle = io.BytesIO(data[:4] + struct.pack("<I", len(data) - 8) + data[8:])
    audio = WAVE(handle)
    audio.add_tags()
    assert audio.tags is not None
    audio.tags.add(TPE1(encoding=3, text=[NAME]))
    handle.seek(0)
    audio.save(handle)
    return handle.getvalue()


def ogg(seconds: int = 2, *, extra: bytes = b"") -> bytes:
    """An Ogg Opus stream whose comments name the resident (pages written by mutagen);
    `extra` after the comments (binary data, which RFC 7845 lets a tagger keep)."""
    from mutagen.ogg import OggPage

    vendor = b"libopus 1.4"
    comments = [f"ARTIST={NAME}".encode(), f"LOCATION={PLACE}".encode()]
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor
    tags += struct.pack("<I", len(comments))
    tags += b"".join(struct.pack("<I", len(c)) + c for c in comments) + extra
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    packets = [[head], [tags]] + [[b"\xf8\xff\xfe"] * 50 for _ in range(seconds)]
    out = b""
    for number, content in enumerate(packets):
        page = OggPage()
        page.serial, page.sequence, page.packets = 1234, number, content
        page.position = 312 + 48000 * (number - 1) if number > 1 else 0
        page.first = number == 0
        page.last = number == len(packets) - 1
        out += page.write()
    return out
