"""A PDF written anew without its metadata (pikepdf, i.e. qpdf); the JPEGs inside it too.

Removed: the document information dictionary (and any other key of the trailer), every XMP
metadata stream (`/Metadata` of the catalog, pages, images, fonts, forms), `/PieceInfo`, and
inside each JPEG image its EXIF, XMP, IPTC and comments (`jpeg_without_metadata`: only the
segments a decoder needs are kept; the compressed picture is copied as it is). A PDF/A claim
is kept as an XMP of `pdfaid:part` and `pdfaid:conformance` alone. Written with
`deterministic_id`, so the same upload gives the same bytes. Refused
(`archive.scrubbing.MetadataNotRemovable`, 422): a PDF that needs a password, a JPEG behind
a filter other than Flate; one qpdf cannot read at all is no PDF (415).
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import IO, Any

from archive.filetypes import refused
from archive.scrubbing import not_removable
from events.errors import ArchiveError


def scrub_pdf(source: IO[bytes]) -> bytes:
    """The PDF written anew without its information dictionary, XMP metadata and the EXIF
    of its JPEG images."""
    import pikepdf

    source.seek(0)
    try:
        pdf = pikepdf.open(io.BytesIO(source.read()))
    except pikepdf.PasswordError:
        raise not_removable("een PDF met een wachtwoord") from None
    except Exception as error:  # qpdf could not make sense of it
        raise refused(f"geen leesbare PDF: {type(error).__name__}") from None
    try:
        with pdf:
            pdfa = _pdfa(pdf)
            for key in set(pdf.trailer.keys()) - {"/Root", "/Size", "/ID"}:
                del pdf.trailer[key]  # /Info, and any key a damaged trailer was read with
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                    for name in ("/Metadata", "/PieceInfo"):
                        if name in obj:
                            del obj[name]
                if isinstance(obj, pikepdf.Stream):
                    _pdf_jpeg(obj)
            if pdfa:
                with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
                    xmp["pdfaid:part"], xmp["pdfaid:conformance"] = pdfa[0], pdfa[1:]
            out = io.BytesIO()
            pdf.save(out, deterministic_id=True, encryption=False, fix_metadata_version=False)
    except ArchiveError:
        raise
    except Exception as error:
        raise not_removable(f"PDF: {type(error).__name__}") from None
    return out.getvalue()


def _pdf_jpeg(stream: Any) -> None:
    """An image stream that is a JPEG (`/DCTDecode`, last of its filters) written again
    without its EXIF, XMP, IPTC and comments: a page scanned or photographed with a phone."""
    import pikepdf

    filters = stream.get("/Filter")
    names = [filters] if isinstance(filters, pikepdf.Name) else list(filters or [])
    if not names or names[-1] != pikepdf.Name.DCTDecode:
        raw = stream.read_raw_bytes()
        if raw.startswith(b"\xff\xd8\xff"):  # a JPEG all the same (its filter misnamed)?
            try:
                clean = jpeg_without_metadata(raw)
            except (ValueError, IndexError, struct.error):
                return  # no JPEG: nothing reads it as one
            stream.write(clean, filter=filters, type_check=False)
        return
    parms = stream.get("/DecodeParms")
    if isinstance(parms, pikepdf.Array):  # one per filter: the JPEG's is the last
        if any(isinstance(p, pikepdf.Dictionary) for p in list(parms)[:-1]):
            raise not_removable("PDF: een JPEG-beeld achter een filter met parameters")
        parms = parms[-1] if len(parms) else None
    data = stream.read_raw_bytes()
    if names[:-1] == [pikepdf.Name.FlateDecode]:  # a JPEG compressed once more
        data = zlib.decompress(data)
    elif len(names) > 1:
        raise not_removable("PDF: een JPEG-beeld achter een ander filter")
    try:
        clean = jpeg_without_metadata(data)
    except (ValueError, IndexError, struct.error):
        raise not_removable("PDF: een JPEG-beeld dat niet te lezen is") from None
    if clean != data or len(names) > 1:
        stream.write(clean, filter=pikepdf.Name.DCTDecode, decode_parms=parms)


# The segments a decoder needs (frame, Huffman and quantisation tables, arithmetic coding,
# restart interval, …) and JFIF, the ICC profile and Adobe's (how the colours decode).
JPEG_KEPT = set(range(0xC0, 0xD0)) | {0xDB, 0xDC, 0xDD, 0xDE, 0xDF, 0xE0, 0xE2, 0xEE}


def jpeg_without_metadata(data: bytes) -> bytes:
    """A JPEG with only the segments a decoder needs before its scan (`JPEG_KEPT`): no APP1
    (EXIF, XMP), APP3–APP13 (IPTC, …), APP15 or COM; the compressed picture itself is copied
    unchanged. `ValueError` when it is no JPEG."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("no JPEG")
    kept, at = [data[:2]], 2
    while True:
        while data[at] == 0xFF and data[at + 1] == 0xFF:  # fill bytes
            at += 1
        if data[at] != 0xFF:
            raise ValueError(f"no JPEG marker at {at}")
        marker = data[at + 1]
        if marker in (0xDA, 0xD9):  # the scan (or the end): the rest as it is
            kept.append(data[at:])
            return b"".join(kept)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            kept.append(data[at : at + 2])
            at += 2
            continue
        (length,) = struct.unpack_from(">H", data, at + 2)
        end = at + 2 + length
        if length < 2 or end > len(data):
            raise ValueError(f"a JPEG segment at {at} is longer than the data")
        if marker in JPEG_KEPT and (marker != 0xDD or length == 4):
            kept.append(data[at:end])
        at = end


def _pdfa(pdf: Any) -> str:
    """The PDF/A part and conformance its XMP claims ("2B"; "" if none): kept, alone."""
    try:
        return str(pdf.open_metadata().pdfa_status)
    except Exception:  # XMP that cannot be read claims nothing
        return ""
