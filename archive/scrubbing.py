"""The metadata of PDFs, audio and video removed before they are stored (images: `clean_image`).

A file whose metadata cannot be removed is refused (`MetadataNotRemovable`, 422), never
stored with it. What is removed, per type (docs/media-files.md):

- **PDF** (`archive.pdfscrub`, pikepdf, i.e. qpdf): the document information dictionary
  (author, creator, producer, title, dates) and every XMP metadata stream (the catalog's
  `/Metadata`, and those of pages, images, fonts and forms), `/PieceInfo` (an editor's
  private data), and the EXIF, XMP, IPTC and comments inside its JPEG images (the picture
  data untouched). The file is written anew, so earlier revisions of an incrementally
  updated PDF (and the metadata they held) are gone too; a PDF encrypted with an owner
  password is written unencrypted. One that needs a password to open is refused.
- **MP3**: every ID3v2 tag at the start, the ID3v1 tag and any APEv2 tag (mutagen); Lyrics3,
  an appended ID3v2 tag or a tag in the middle (MP3s joined together) are refused.
- **M4A, MP4**: every box that carries metadata rather than the recording — `udta` (the
  iTunes `ilst` tags, the `©xyz` location), `meta` (Apple's `keys`/`ilst`, such as
  `com.apple.quicktime.location.ISO6709`), `uuid` (XMP, vendors' own) — at the top, in
  `moov` and in each `trak` becomes a `free` box of the same size filled with zeros, as do
  the old `free`/`skip` boxes (edits leave old tags in them). No size or offset changes, so
  the media data is untouched. A track of timed GPS data (`gpmd`, `camm`) is refused.
- **OGG**: the Vorbis comments (mutagen; the encoder's vendor string stays).
- **WAV**: every chunk but the sound's own (`fmt `, `data`, `fact`, `cue `, `smpl`, `inst`,
  `plst`) becomes a `JUNK` chunk of zeros: `LIST`/`INFO`, `id3 `, `bext`, `iXML`, `_PMX`, …
- **WebM**: not cleaned (no well-kept Python library writes Matroska tags): stored as sent.

Audio and video are cleaned in a copy (a spooled temporary file), in place and piece by
piece, so a large recording is never held whole in memory; PDFs (at most 25 MB) in memory.
"""

from __future__ import annotations

import re
import shutil
import struct
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from archive.filetypes import EXTENSIONS
from events.errors import ArchiveError, InvalidInput

PIECE = 256 * 1024  # bytes read or written at a time
SPOOL_IN_MEMORY = 1024 * 1024  # a file larger than this is spooled to a temporary file
# The types `scrub_media` cleans (a PDF has `archive.pdfscrub`, an image `clean_image`).
CLEANED = ("audio/mpeg", "audio/mp4", "audio/ogg", "audio/wav", "video/mp4")
MP4_METADATA = {b"udta", b"meta", b"uuid", b"free", b"skip"}
MP4_GPS_TRACKS = {b"gpmd", b"camm"}  # GoPro's GPS and Google's camera motion (with GPS)
WAV_SOUND = {b"fmt ", b"data", b"fact", b"cue ", b"smpl", b"inst", b"plst"}


class MetadataNotRemovable(InvalidInput):
    """A PDF, recording or video whose metadata the archive cannot remove: not stored."""

    title = "Metadata niet te verwijderen"


def not_removable(what: str) -> MetadataNotRemovable:
    return MetadataNotRemovable(
        f"De metadata van dit bestand kan niet worden verwijderd ({what}); het wordt niet "
        "bewaard. Sla het opnieuw op zonder metadata (of in een ander programma) en "
        "upload het dan.",
        field="file",
    )


def scrub_media(source: IO[bytes], content_type: str) -> IO[bytes]:
    """A temporary file with the recording or video without its metadata (the caller
    closes it); `MetadataNotRemovable` when that cannot be done."""
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
    try:
        # An MP3's leading ID3 tags are not copied at all (mutagen would move the rest).
        source.seek(_leading_id3(source) if content_type == "audio/mpeg" else 0)
        shutil.copyfileobj(source, copy, PIECE)
        source.seek(0)
        cleaner = {
            "audio/mpeg": _mp3, "audio/mp4": _mp4, "video/mp4": _mp4, "audio/ogg": _ogg,
            "audio/wav": _wav,
        }[content_type]  # fmt: skip
        name = EXTENSIONS[content_type].upper()
        try:
            cleaner(copy)
        except ArchiveError:
            raise
        except Exception as error:  # mutagen's errors, a malformed structure
            raise not_removable(f"{name}: {type(error).__name__}: {str(error)[:120]}") from None
        if _size(copy) == 0:
            raise not_removable(f"{name}: zonder de metadata blijft er niets over")
        copy.seek(0)
        return copy
    except BaseException:
        copy.close()
        raise


def _leading_id3(source: IO[bytes]) -> int:
    """Where the ID3v2 tags at the start of a file end (0: none, or one not understood)."""
    start = 0
    for _ in range(16):
        source.seek(start)
        header = source.read(10)
        if len(header) < 10 or header[:3] != b"ID3" or any(b & 0x80 for b in header[6:10]):
            break
        size = (header[6] << 21) | (header[7] << 14) | (header[8] << 7) | header[9]
        start += 10 + size + (10 if header[3] == 4 and header[5] & 0x10 else 0)
    return start


def _size(handle: IO[bytes]) -> int:
    return handle.seek(0, 2)


def _zero(handle: IO[bytes], start: int, end: int) -> None:
    handle.seek(start)
    while start < end:
        step = min(PIECE, end - start)
        handle.write(bytes(step))
        start += step


def _mp3(handle: IO[bytes]) -> None:
    import mutagen.apev2
    import mutagen.id3

    for _ in range(16):  # some taggers put one ID3v2 tag before another
        handle.seek(0)
        if handle.read(3) != b"ID3":
            break
        mutagen.id3.delete(handle, delete_v1=False, delete_v2=True)
    for _ in range(16):  # at the end, in either order: an APEv2 tag and an ID3v1 tag
        size = _size(handle)
        mutagen.id3.delete(handle, delete_v1=True, delete_v2=False)
        mutagen.apev2.delete(handle)
        if _size(handle) == size:
            break
    handle.seek(0)
    head = handle.read(3)
    handle.seek(max(0, _size(handle) - 64 * 1024))
    tail = handle.read()
    if head == b"ID3" or tail[-128:-125] == b"TAG" or b"APETAGEX" in tail:
        raise not_removable("MP3: de ID3- of APE-tag blijft staan")
    if b"LYRICSBEGIN" in tail or tail[-10:-7] == b"3DI":
        raise not_removable("MP3: een Lyrics3- of ID3v2-tag aan het eind")
    if _tag_inside(handle):
        raise not_removable("MP3 met een ID3- of APE-tag midden in het bestand")


_ID3_HEADER = re.compile(  # "ID3", version 2.2–2.4, flags (low bits clear), syncsafe size
    rb"ID3[\x02-\x04]\x00[\x00\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0\xb0\xc0\xd0\xe0\xf0]"
    rb"[\x00-\x7f]{4}"
)


def _tag_inside(handle: IO[bytes]) -> bool:
    """An ID3v2 header (or an APE tag) anywhere in the file: MP3s joined together keep
    each one's tag in the middle, where no tagger looks (read in pieces, a few bytes over)."""
    handle.seek(0)
    carried = b""
    while piece := handle.read(PIECE):
        window = carried + piece
        if b"APETAGEX" in window:
            return True
        at = window.find(b"ID3")  # bytes.find, far faster than a pattern over the piece
        while at != -1:
            if _ID3_HEADER.match(window, at):
                return True
            at = window.find(b"ID3", at + 1)
        carried = piece[-16:]
    return False


def _boxes(handle: IO[bytes], start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """The boxes in [start, end): type, start, header length, size."""
    while start + 8 <= end:
        handle.seek(start)
        size, kind = struct.unpack(">I4s", handle.read(8))
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", handle.read(8))
            header = 16
        elif size == 0:
            size = end - start
        if size < header or start + size > end:
            raise ValueError(f"box {kind!r} at {start} has a wrong size")
        yield kind, start, header, size
        start += size
    if start != end:
        raise ValueError(f"{end - start} bytes left over at {start}")


def _free(handle: IO[bytes], start: int, header: int, size: int) -> None:
    handle.seek(start + 4)
    handle.write(b"free")
    _zero(handle, start + header, start + size)


def _mp4(handle: IO[bytes]) -> None:
    import mutagen.mp4

    moov = False
    for kind, start, header, size in list(_boxes(handle, 0, _size(handle))):
        if kind in MP4_METADATA:
            _free(handle, start, header, size)
        elif kind == b"moov":
            moov = True
            _moov(handle, start + header, start + size)
    if not moov:
        raise not_removable("MP4 zonder moov-box")
    _check(handle, mutagen.mp4.MP4, "MP4")


def _moov(handle: IO[bytes], begin: int, end: int) -> None:
    for kind, start, header, size in list(_boxes(handle, begin, end)):
        if kind in MP4_METADATA:
            _free(handle, start, header, size)
        elif kind == b"trak":
            for inner, at, head, length in list(_boxes(handle, start + header, start + size)):
                if inner in MP4_METADATA:
                    _free(handle, at, head, length)
                elif inner == b"mdia" and _sample_format(handle, at + head, at + length) in (
                    MP4_GPS_TRACKS
                ):
                    raise not_removable("MP4 met een spoor van GPS-gegevens")


def _sample_format(handle: IO[bytes], begin: int, end: int) -> bytes:
    """The format of a track's first sample description (mdia/minf/stbl/stsd)."""
    for path in (b"minf", b"stbl", b"stsd"):
        found = next(((s, h, z) for k, s, h, z in _boxes(handle, begin, end) if k == path), None)
        if found is None:
            return b""
        start, header, size = found
        begin, end = start + header, start + size
    handle.seek(begin + 8 + 4)  # version and flags, entry count; then the entry's size
    return handle.read(4)


def _ogg(handle: IO[bytes]) -> None:
    import mutagen
    import mutagen.oggopus
    import mutagen.oggvorbis

    handle.seek(0)
    audio: Any = mutagen.File(handle)
    kinds = (mutagen.oggvorbis.OggVorbis, mutagen.oggopus.OggOpus)
    if not isinstance(audio, kinds):
        raise not_removable("OGG, maar geen Vorbis of Opus")
    handle.seek(0)
    audio.delete(handle)
    _check(handle, kinds, "OGG")
    _ogg_comment_empty(handle)


def _ogg_comment_empty(handle: IO[bytes]) -> None:
    """One logical stream, whose comment packet holds nothing but the encoder's name (and
    zeros): mutagen keeps an Opus packet's binary data after the comments."""
    import mutagen.ogg

    page_of: Any = mutagen.ogg.OggPage  # untyped
    total = _size(handle)
    handle.seek(0)
    serials: set[int] = set()
    first: list[Any] = []
    packets: list[bytes] = []
    while handle.tell() < total:
        page = page_of(handle)
        serials.add(page.serial)
        if len(packets) < 2 and page.serial == next(iter(serials)):
            first.append(page)
            packets = page_of.to_packets(first, strict=False)
    if len(serials) != 1:
        raise not_removable("OGG met meer dan één stroom")
    comment = packets[1] if len(packets) > 1 else b""
    framing = comment.startswith(b"\x03vorbis")
    if not framing and not comment.startswith(b"OpusTags"):
        raise not_removable("OGG zonder commentaarpakket")
    body = comment[7 if framing else 8 :]
    (vendor,) = struct.unpack_from("<I", body)
    (count,) = struct.unpack_from("<I", body, 4 + vendor)
    rest = body[8 + vendor :]
    if framing and rest[:1] == b"\x01":
        rest = rest[1:]
    if count or rest.strip(b"\x00"):
        raise not_removable("OGG: er blijven gegevens in het commentaarpakket")


def _wav(handle: IO[bytes]) -> None:
    import mutagen.wave

    total = _size(handle)
    handle.seek(0)
    _riff, size, _wave = struct.unpack("<4sI4s", handle.read(12))
    end = min(8 + size, total)
    position = 12
    while position + 8 <= end:
        handle.seek(position)
        kind, length = struct.unpack("<4sI", handle.read(8))
        stop = position + 8 + length
        if stop > total:
            if kind == b"data":  # a recorder's data chunk whose size was never set
                break
            raise not_removable(f"WAV: het stuk {kind!r} is langer dan het bestand")
        if kind not in WAV_SOUND:
            handle.seek(position)
            handle.write(b"JUNK")
            _zero(handle, position + 8, stop)
        position = stop + (length & 1)
    _check(handle, mutagen.wave.WAVE, "WAV")


def _check(handle: IO[bytes], kind: type[Any] | tuple[type[Any], ...], name: str) -> None:
    """The cleaned file still reads as its kind (mutagen), with no tags left."""
    import mutagen

    handle.seek(0)
    audio: Any = mutagen.File(handle)
    if not isinstance(audio, kind):
        raise not_removable(f"{name}: na het verwijderen niet meer leesbaar")
    if audio.tags:
        raise not_removable(f"{name}: er blijven tags staan")
