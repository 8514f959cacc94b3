"""Files on items: attach (clean, seal, store), remove, read through the policy, erase.

`FileCommands` is a mixin of the application (`archive.application.Wijkarchief`), which
opens the blob store (`self.blobs`, `archive.blobs.open_blob_store`); `FileReads` is a mixin
of `archive.service.Archive`, whose reads go through the visibility policy.

Attaching a file (`attach_file`, also what the API's upload and the bulk import call):

1. the type is decided from the bytes (`archive.filetypes.sniff`; 415 otherwise) and the
   size checked against its family's limit (413);
2. an image is decoded and encoded again without its metadata, with a thumbnail (320 px)
   and a display size (1600 px); a PDF is opened and its first page becomes a thumbnail;
   audio and video are kept as sent;
3. every blob (the clean file, its derivatives, the original if a curator asks to keep it)
   is sealed under a fresh key of the file (`archive.filecrypt`) and put in the blob store;
4. `FileAttached` is recorded on the item, with that key as a sealed word.

The same clean bytes attached twice to one item are one file: the answer is the first.

Content addressing: a blob's address is the SHA-256 of its *sealed* bytes (what the store
holds), not of the clean file. The log keeps the addresses after an erasure; an address of
the clean bytes (or of them with the item id) would let anyone holding a copy of a photo
prove it was in the erased item. Sealed bytes are random to anyone without the key, so
their address says nothing, and any copy of the store can be checked without keys. The
clean file's SHA-256 is in the event as a sealed word; duplicates are found per item by it,
never across items (two items sharing a blob would share its fate on erasure).
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote
from uuid import UUID

from archive import filecrypt
from archive.filetypes import (
    EXTENSIONS,
    IMAGE_TYPES,
    SNIFF,
    Prepared,
    check_size,
    clean_image,
    pdf_thumbnail,
    sniff,
)
from archive.pdfscrub import scrub_pdf
from archive.ports import BlobMissing, BlobStore
from archive.scrubbing import CLEANED, PIECE, SPOOL_IN_MEMORY, scrub_media
from events.errors import InvalidInput, NotFound
from events.files import public_file
from events.items import ArchiveItem, acting_as

if TYPE_CHECKING:
    from archive.config import Settings

Source = str | Path | IO[bytes]


def file_links(kind: str, key: str, record: dict[str, Any]) -> dict[str, Any]:
    """A file as answers show it: its public fields and the URLs of its forms.

    `unavailable` says why a file has no URLs: `erased` (its key is gone) or `removed` (an
    `as_of` answer lists a file a curator has since taken off the item: only files on the
    item now are served, so it gets no URL rather than one that answers 404).
    """
    shown = public_file(record) if "key" in record else dict(record)
    base = f"/api/{kind}/{quote(key, safe='')}/files/{shown['id']}"
    variants = shown.get("variants") or []
    shown["unavailable"] = None
    if not shown.get("sha256"):  # erased: its key is gone, nothing of it is served
        shown["unavailable"] = "erased"
    elif shown.pop("removed", False):
        shown["unavailable"] = "removed"
    if shown["unavailable"]:
        variants = []
        base = ""
    shown["url"] = base or None
    shown["thumbnail_url"] = f"{base}/thumbnail" if "thumbnail" in variants else None
    shown["display_url"] = f"{base}/display" if "display" in variants else None
    shown["original_url"] = f"{base}/original" if "original" in variants else None
    return shown


def as_recorded(past: dict[str, Any], now: dict[str, Any] | None) -> dict[str, Any]:
    """An item as recorded in the past, its files no longer on the item (`now`) marked
    `removed`: listed as they were, never served (see `file_links`)."""
    files = past.get("files") or []
    current = {f.get("id") for f in (now or {}).get("files") or []}
    if all(f.get("id") in current for f in files):
        return past
    marked = [f if f.get("id") in current else {**f, "removed": True} for f in files]
    return {**past, "files": marked}


@contextmanager
def _seekable(source: Source, limit: int) -> Iterator[tuple[IO[bytes], int]]:
    """The source as a seekable binary file and its size (a stream copied to a spooled
    temporary file first, refused once it passes `limit`)."""
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            yield handle, Path(source).stat().st_size
        return
    if source.seekable():
        size = source.seek(0, 2)
        source.seek(0)
        yield source, size
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        size = 0
        while piece := source.read(PIECE):
            size += len(piece)
            if size > limit:
                check_size("video/mp4", size, limit, limit)
            spool.write(piece)
        spool.seek(0)
        yield spool, size


def _pieces(handle: IO[bytes]) -> Iterator[bytes]:
    handle.seek(0)
    while piece := handle.read(PIECE):
        yield piece


def _digest(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for piece in _pieces(handle):
        digest.update(piece)
    handle.seek(0)
    return digest.hexdigest()


class FileCommands:
    """Attach and remove files; erasure deletes their blobs."""

    if TYPE_CHECKING:  # what the application provides
        settings: Settings
        blobs: BlobStore

        def _load(
            self, kind: str, key: str, expected_version: int | None = None
        ) -> ArchiveItem: ...

        def _save(self, *aggregates: Any) -> int: ...

        events: Any

    def attach_file(
        self,
        kind: str,
        key: str,
        source: Source,
        filename: str = "",
        *,
        actor: str,
        keep_original: bool = False,
    ) -> dict[str, Any]:
        """Attach a file (a path or a binary stream) to an item; the API's 201 answer.

        What is stored has no metadata (`clean_image`, `archive.scrubbing`). Refused: a
        type not allowed (`UnsupportedType`, 415), over the size limit (`TooLarge`, 413),
        metadata that cannot be removed (`MetadataNotRemovable`, 422), an unknown item
        (404), an erased item (422). Returns `id`,
        `content_type`, `bytes`, `sha256`, `filename`, `url`, `thumbnail_url`,
        `display_url`, `original_url`, `width`, `height`, `item` and `position`.
        """
        settings = self.settings
        item = self._load(kind, key)
        if item.erased:
            item.attach_file({})  # refused by the domain: nothing more on an erased item
        with _seekable(source, settings.max_upload_bytes) as (handle, size), ExitStack() as stack:
            content_type = sniff(handle.read(SNIFF))
            handle.seek(0)
            check_size(content_type, size, settings.max_image_bytes, settings.max_media_bytes)
            prepared = self._prepare(handle, content_type)
            # What is stored: the clean bytes (images, PDFs), a clean copy (audio, video), or
            # the upload itself (WebM); a clean form keeps the original only when asked.
            clean: IO[bytes] = handle
            if prepared.clean is not None:
                clean = io.BytesIO(prepared.clean)
            elif prepared.cleaned is not None:
                clean = stack.enter_context(prepared.cleaned)
            sha256 = _digest(clean)
            existing = next((f for f in item.files.values() if f.get("sha256") == sha256), None)
            if existing is not None:
                return {**file_links(kind, key, existing), "item": item.ref, "position": None}
            secret = filecrypt.new_key()
            stored: list[str] = []
            try:
                blob = self._put(secret, item.id, _pieces(clean))
                stored.append(blob)
                variants: dict[str, dict[str, Any]] = {}
                for name, data in prepared.derivatives.items():
                    address = self._put(secret, item.id, [data])
                    stored.append(address)
                    variants[name] = {"blob": address, "bytes": len(data),
                                      "content_type": "image/jpeg"}  # fmt: skip
                if keep_original and clean is not handle:
                    address = self._put(secret, item.id, _pieces(handle))
                    stored.append(address)
                    variants["original"] = {"blob": address, "bytes": size,
                                            "content_type": content_type}  # fmt: skip
                fields: dict[str, Any] = {
                    "content_type": content_type,
                    "bytes": clean.seek(0, 2),
                    "sha256": sha256,
                    "filename": _filename(filename, content_type),
                    "key": secret.hex(),
                    "blob": blob,
                    "variants": variants,
                    "width": prepared.width,
                    "height": prepared.height,
                }
                with acting_as(actor):
                    record = item.attach_file(fields)
                position = self._save(item)
            except BaseException:
                for address in stored:  # nothing recorded: no blob left behind
                    self.blobs.delete(address)
                raise
        return {**file_links(kind, key, record), "item": item.ref, "position": position}

    def _prepare(self, handle: IO[bytes], content_type: str) -> Prepared:
        if content_type in IMAGE_TYPES:
            return clean_image(handle, content_type)
        if content_type == "application/pdf":  # metadata removed; its first page rendered
            clean = scrub_pdf(handle)
            return Prepared(clean, pdf_thumbnail(io.BytesIO(clean)).derivatives)
        if content_type in CLEANED:
            return Prepared(None, {}, cleaned=scrub_media(handle, content_type))
        return Prepared(None, {})

    def _put(self, secret: bytes, item: UUID, pieces: Any) -> str:
        return self.blobs.put(filecrypt.seal(secret, item, pieces))

    def remove_file(
        self, kind: str, key: str, file_id: str, *, actor: str, reason: str = ""
    ) -> int:
        """Take a file off an item (`FileRemoved`; the history keeps it, the blobs stay
        until the item is erased)."""
        item = self._load(kind, key)
        with acting_as(actor, reason):
            item.remove_file(file_id)
        return self._save(item)

    def erase(self, kind: str, key: str, *, actor: str, reason: str = "") -> int:
        """Erase the item (see `ItemCommands.erase`), then delete every blob it ever had."""
        item = self._load(kind, key)
        addresses = self._blobs_of(item.id)
        position: int = super().erase(kind, key, actor=actor, reason=reason)  # type: ignore[misc]
        for address in addresses:
            self.blobs.delete(address)
        return position

    def _blobs_of(self, item: UUID) -> set[str]:
        """The address of every blob any `FileAttached` of the item names."""
        found: set[str] = set()
        for event in self.events.get(item):
            record = getattr(event, "file", None)
            if type(event).__name__ == "FileAttached" and isinstance(record, dict):
                found.add(record["blob"])
                found.update(v["blob"] for v in (record.get("variants") or {}).values())
        return found


def _filename(name: str, content_type: str) -> str:
    """The uploaded name without any folder, at most 255 characters (a default if none)."""
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(c for c in base if c.isprintable())[:255]
    return base or f"bestand.{EXTENSIONS[content_type]}"


@dataclass
class Opened:
    """A file (or one of its forms) ready to be served: what it is and its bytes."""

    content_type: str
    size: int
    etag: str
    filename: str
    public: bool
    _blobs: BlobStore
    _address: str
    _key: bytes
    _item: UUID

    def read(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """The clean bytes [start, end), decrypted chunk by chunk as they are sent."""
        end = self.size if end is None else end
        first, begin, finish = filecrypt.sealed_span(self.size, start, end)
        header = b"".join(self._blobs.stream(self._address, 0, filecrypt.HEADER))
        sealed = self._blobs.stream(self._address, begin, finish)
        return filecrypt.unseal(self._key, self._item, self.size, header, sealed, first, start, end)


class FileReads:
    """Reading files through the visibility policy (a mixin of `archive.service.Archive`)."""

    if TYPE_CHECKING:
        blobs: BlobStore

        def item(self, kind: str, key: str, *, role: str = "public") -> dict[str, Any]: ...

        def _load(
            self, kind: str, key: str, expected_version: int | None = None
        ) -> ArchiveItem: ...

    def files(self, kind: str, key: str, *, role: str = "public") -> list[dict[str, Any]]:
        """The files of an item the role may read, with their URLs."""
        item = self.item(kind, key, role=role)
        return [file_links(kind, key, f) for f in item.get("files") or []]

    def open_file(
        self, kind: str, key: str, file_id: str, form: str = "file", *, role: str = "public"
    ) -> Opened:
        """A file of an item (or its `thumbnail`, `display`, `original`) to serve.

        The role must be allowed to read the item now (else `NotFound`, as for a missing
        file; a withdrawn item answers as `item` does); nothing of an erased item is served.
        """
        shown = self.item(kind, key, role=role)
        missing = NotFound(f"{kind}/{key} heeft geen bestand {file_id!r}.", field="file_id")
        if shown.get("erased"):
            raise missing
        item = self._load(kind, key)
        record = item.files.get(file_id)
        if record is None or not record.get("key"):
            raise missing
        if form == "file":
            address, size, content_type = record["blob"], record["bytes"], record["content_type"]
            etag, suffix = record["sha256"], ""
        elif form in (record.get("variants") or {}):
            variant = record["variants"][form]
            address, size, content_type = variant["blob"], variant["bytes"], variant["content_type"]
            etag, suffix = address, f"-{form}"
        else:
            raise missing
        if not self.blobs.exists(address):
            raise missing
        stem, _, _ext = str(record.get("filename") or "bestand").rpartition(".")
        name = f"{stem or _ext}{suffix}.{EXTENSIONS.get(content_type, 'bin')}"
        return Opened(
            content_type, int(size), etag, name, shown.get("consent") == "public"
            and not shown.get("embargo_until"), self.blobs, address,
            bytes.fromhex(record["key"]), item.id,
        )  # fmt: skip


def copy_blobs(source: BlobStore, target: BlobStore) -> int:
    """Copy every blob the target lacks (export, import); each address checked on arrival."""
    count = 0
    for address in source.addresses():
        if target.exists(address):
            continue
        stored = target.put(source.stream(address))
        if stored != address:
            target.delete(stored)
            raise InvalidInput(f"Blob {address} is beschadigd (andere SHA-256).")
        count += 1
    return count


__all__ = [
    "BlobMissing", "FileCommands", "FileReads", "Opened", "as_recorded", "copy_blobs", "file_links",
]  # fmt: skip
