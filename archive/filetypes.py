"""What a file is, decided from its bytes; images cleaned; thumbnails and display sizes.

The type comes from the content, never from the name or the header a client sent: a table
of signatures (the first bytes of each allowed format, as the formats define them) picks a
candidate, and images and PDFs must then open in Pillow or PDFium. Anything else is refused
(`UnsupportedType`, 415): HTML, SVG (script can hide in it), executables, archives, …

Images are decoded and encoded again (`clean_image`): what is written is the pixels, with
the EXIF orientation applied, and no EXIF, XMP, IPTC or comment (so no GPS position, camera
serial or owner name). The ICC colour profile is kept. Pillow's decompression-bomb guard is
on: an image of more than `MAX_PIXELS` pixels is refused before it is decoded. PDFs, audio
and video lose their metadata in `archive.scrubbing`.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO, Any

from events.errors import TooLarge, UnsupportedType

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/tiff")
AUDIO_VIDEO = (
    "audio/mpeg", "audio/mp4", "audio/ogg", "audio/wav", "video/mp4", "video/webm",
)  # fmt: skip
ALLOWED = (*IMAGE_TYPES, "application/pdf", *AUDIO_VIDEO)
EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/tiff": "tif",
    "application/pdf": "pdf", "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/ogg": "ogg",
    "audio/wav": "wav", "video/mp4": "mp4", "video/webm": "webm",
}  # fmt: skip
MAX_PIXELS = 60_000_000  # a 60-megapixel scan; beyond it Pillow refuses (decompression bomb)
THUMBNAIL = 320  # px, the longer side
DISPLAY = 1600
SNIFF = 4096  # bytes read to decide


def refused(what: str = "") -> UnsupportedType:
    allowed = "JPEG, PNG, WebP, TIFF, PDF, MP3, M4A, OGG, WAV, MP4 en WebM"
    reason = f" ({what})" if what else ""
    return UnsupportedType(
        f"Dit bestandstype wordt niet bewaard{reason}. Toegestaan: {allowed}.", field="file"
    )


def sniff(head: bytes) -> str:
    """The allowed content type the first bytes announce; `UnsupportedType` otherwise."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        if brand in (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
                     b"dash", b"M4V ", b"MSNV"):  # fmt: skip
            return "video/mp4"
        raise refused(f"MP4-variant {brand.decode('latin-1')!r}")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return "video/webm"
        raise refused("Matroska, geen WebM")
    if head.startswith(b"ID3") or _mpeg_audio_frame(head):
        return "audio/mpeg"
    raise refused()


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio (layer III) frame header: sync bits, a layer, a valid bitrate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    layer = (head[1] >> 1) & 0x3
    bitrate = head[2] >> 4
    version = (head[1] >> 3) & 0x3
    return layer == 0b01 and version != 0b01 and bitrate not in (0, 0xF)


def family_limit(content_type: str, image_limit: int, media_limit: int) -> int:
    """The size limit of a type: photos, scans and PDFs one, audio and video another."""
    return media_limit if content_type in AUDIO_VIDEO else image_limit


def check_size(content_type: str, size: int, image_limit: int, media_limit: int) -> None:
    """`TooLarge` (413) when a file of this type is over its limit."""
    limit = family_limit(content_type, image_limit, media_limit)
    if size > limit:
        raise TooLarge(
            f"Het bestand is te groot: {size // (1024 * 1024)} MB, hoogstens "
            f"{limit // (1024 * 1024)} MB voor dit soort bestand.",
            field="file",
        )


@dataclass
class Prepared:
    """What is stored of an upload: clean bytes, or a clean copy in a temporary file (the
    caller closes it; audio and video), or neither (the upload is stored as sent);
    derivatives by name, and the size of an image."""

    clean: bytes | None
    derivatives: dict[str, bytes]
    width: int | None = None
    height: int | None = None
    cleaned: IO[bytes] | None = None


def _open_image(source: IO[bytes]) -> Any:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge(
            f"Het beeld heeft te veel pixels (hoogstens {MAX_PIXELS // 1_000_000} miljoen).",
            field="file",
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise refused(f"geen leesbaar beeld: {type(error).__name__}") from None
    return image


def clean_image(source: IO[bytes], content_type: str) -> Prepared:
    """The image encoded again without metadata, with a thumbnail and a display size."""
    from PIL import ImageOps

    image = _open_image(source)
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image)
    upright.info = {}  # nothing of the upload's metadata is carried over
    out = io.BytesIO()
    fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/tiff": "TIFF"}[
        content_type
    ]
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        options.update(quality=92, optimize=True)
    elif fmt == "WEBP":
        options.update(quality=90)
    elif fmt == "TIFF":
        options.update(compression="tiff_lzw")
    if fmt == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    upright.save(out, format=fmt, **options)
    derivatives = {
        "thumbnail": _jpeg(upright, THUMBNAIL),
        "display": _jpeg(upright, DISPLAY),
    }
    return Prepared(out.getvalue(), derivatives, upright.width, upright.height)


def _jpeg(image: Any, longest: int) -> bytes:
    """A JPEG of the image at most `longest` px on its longer side (transparency on white)."""
    from PIL import Image

    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    if copy.mode in ("RGBA", "LA", "P", "PA") or "transparency" in copy.info:
        rgba = copy.convert("RGBA")
        copy = Image.new("RGB", rgba.size, "white")
        copy.paste(rgba, mask=rgba.getchannel("A"))
    elif copy.mode != "RGB":
        copy = copy.convert("RGB")
    out = io.BytesIO()
    copy.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()


def pdf_thumbnail(source: IO[bytes]) -> Prepared:
    """A PDF checked by opening it, with its first page as a thumbnail."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(source.read())
    except pdfium.PdfiumError as error:
        raise refused(f"geen leesbare PDF: {error}") from None
    try:
        if len(document) == 0:
            raise refused("een PDF zonder pagina's")
        page = document[0]
        width, height = page.get_size()
        scale = THUMBNAIL / max(width, height, 1)
        bitmap = page.render(scale=scale)
        return Prepared(None, {"thumbnail": _jpeg(bitmap.to_pil(), THUMBNAIL)})
    finally:
        document.close()
