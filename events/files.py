"""Files on an item: photographs, scans, drawings, PDFs, audio and video.

`ItemFiles` is between `events.parts.ItemParts` and `events.consent.ConsentedItem`, so every
kind of item (episode, story, media item) can hold files. The bytes are not in the log: they
are sealed in the blob store beside it (`archive/files.py`); the event records what the
archive needs to find, open and describe them:

- `FileAttached(file)`: `id` (`f1`, `f2`, … per item), `content_type`, `bytes`, `width` and
  `height` (images), `blob` (the blob store's address of the sealed clean bytes),
  `variants` (`thumbnail`, `display`, `original`: each `{blob, bytes, content_type}`),
  `original_kept`, and three sealed words (`events.personal.SEALED_PARTS["file"]`): the
  `filename` as uploaded, the `sha256` of the clean bytes and the `key` (hex) that opens
  every blob of the file. Erasing the item destroys its keys, so those read back empty and
  no blob can be opened again (and the application deletes the blobs too).
- `FileRemoved(file_id)`: a curator took the file off the item; the history keeps it.

Pure domain, no I/O.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import event

from events.errors import InvalidInput, NotFound
from events.parts import ItemParts

# What an API answer (and a read model) shows of a file: never its key.
PUBLIC_FIELDS = (
    "id", "content_type", "bytes", "sha256", "filename", "width", "height", "original_kept",
)  # fmt: skip
VARIANTS = ("thumbnail", "display", "original")
_HEX = re.compile(r"^[0-9a-f]{64}$")


def public_file(record: dict[str, Any]) -> dict[str, Any]:
    """A file record without its key and blob addresses, with the variants it has."""
    shown = {name: record.get(name) for name in PUBLIC_FIELDS if name in record}
    shown["variants"] = sorted(record.get("variants") or {})
    return shown


def file_record(data: dict[str, Any], file_id: str) -> dict[str, Any]:
    """A checked file record (the application builds it; the domain checks its shape)."""
    for name in ("content_type", "blob", "key", "sha256"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise InvalidInput(f"Een bestand heeft '{name}' nodig.", field=name)
    if not _HEX.match(data["sha256"]) or not _HEX.match(data["key"]):
        raise InvalidInput("sha256 en key zijn 64 hexadecimale tekens.", field="sha256")
    size = data.get("bytes")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InvalidInput("Een bestand heeft een grootte in bytes.", field="bytes")
    variants = data.get("variants") or {}
    if not isinstance(variants, dict) or set(variants) - set(VARIANTS):
        raise InvalidInput(f"Varianten: {', '.join(VARIANTS)}.", field="variants")
    record = {
        "id": file_id,
        "content_type": data["content_type"],
        "bytes": size,
        "sha256": data["sha256"],
        "filename": str(data.get("filename") or "")[:255],
        "key": data["key"],
        "blob": data["blob"],
        "variants": {name: dict(v) for name, v in variants.items()},
        "original_kept": "original" in variants,
    }
    for name in ("width", "height"):
        if isinstance(data.get(name), int):
            record[name] = data[name]
    return record


class ItemFiles(ItemParts):
    """The files of an item (their bytes sealed in the blob store)."""

    if TYPE_CHECKING:  # set by ArchiveItem._init_common (and the snapshot upcast)
        files: dict[str, dict[str, Any]]
        file_count: int
        erased: bool

        @property
        def ref(self) -> str: ...

    def attach_file(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record a file whose sealed bytes are in the blob store; returns its record.

        The same clean bytes attached twice to one item are one file: the first is returned
        and nothing is recorded.
        """
        if self.erased:
            raise InvalidInput(
                f"De gegevens van {self.ref} zijn gewist: er kunnen geen bestanden meer bij.",
                field="file",
            )
        for existing in self.files.values():
            if existing.get("sha256") and existing["sha256"] == data.get("sha256"):
                return existing
        record = file_record(data, f"f{self.file_count + 1}")
        self._file_attached(file=record)
        return record

    @event("FileAttached")
    def _file_attached(self, file: dict[str, Any]) -> None:
        self.files[file["id"]] = file
        self.file_count += 1

    def remove_file(self, file_id: str) -> dict[str, Any]:
        """Take a file off the item (the history keeps that it was there); its record."""
        record = self.file(file_id)
        self._file_removed(file_id=file_id)
        return record

    @event("FileRemoved")
    def _file_removed(self, file_id: str) -> None:
        del self.files[file_id]

    def file(self, file_id: str) -> dict[str, Any]:
        """A file of the item, key included (for the application that opens its blobs)."""
        try:
            return self.files[file_id]
        except KeyError:
            raise NotFound(f"{self.ref} heeft geen bestand {file_id!r}.", field="file_id") from None

    def public_files(self) -> list[dict[str, Any]]:
        """The item's files as read models and answers show them (no keys)."""
        return [public_file(f) for f in sorted(self.files.values(), key=_order)]


def _order(record: dict[str, Any]) -> int:
    return int(str(record["id"]).lstrip("f") or 0)
