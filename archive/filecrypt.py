"""Sealing a file's bytes: AES-256-GCM in chunks, under a key of the file's own.

Each file gets a random 256-bit key when it is attached. The key is a sealed word of the
`FileAttached` event (`events.personal.SEALED_PARTS["file"]`), so it is itself encrypted
under the item's key: erasing the item (its keys destroyed) leaves no way to open the
file's blobs, and forgetting a person carries the file keys over to the item's next key
generation (`PersonForgotten` holds the item's `files`), so files stay readable then.

The sealed form is streamable and seekable (audio and video seek with HTTP ranges):

    b"WAF1" + 8-byte random nonce prefix
    then per chunk of CHUNK clean bytes (the last may be shorter, an empty file has one empty
    chunk): AES-GCM(key, nonce = prefix + chunk index (4 bytes),
                     data = chunk, associated data = item id + index + last-chunk flag)

so a chunk cannot be moved, dropped, cut off or carried to another item unnoticed. A range
of clean bytes needs only the chunks it touches.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"WAF1"
HEADER = len(MAGIC) + 8
CHUNK = 256 * 1024
TAG = 16


def new_key() -> bytes:
    """A fresh key for one file."""
    return AESGCM.generate_key(bit_length=256)


def _associated(item: UUID, index: int, last: bool) -> bytes:
    return item.bytes + struct.pack(">IB", index, 1 if last else 0)


def seal(key: bytes, item: UUID, pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The sealed form of the clean bytes given in pieces of any size (streamed)."""
    prefix = os.urandom(8)
    aead = AESGCM(key)
    yield MAGIC + prefix
    buffer = bytearray()
    index = 0
    for piece in pieces:
        buffer += piece
        # Keep one chunk back: only at the end is it known which chunk is the last.
        while len(buffer) > CHUNK:
            chunk = bytes(buffer[:CHUNK])
            del buffer[:CHUNK]
            yield aead.encrypt(
                prefix + struct.pack(">I", index), chunk, _associated(item, index, False)
            )
            index += 1
    yield aead.encrypt(
        prefix + struct.pack(">I", index), bytes(buffer), _associated(item, index, True)
    )


def sealed_size(size: int) -> int:
    """How many bytes the sealed form of `size` clean bytes takes."""
    chunks = max(1, -(-size // CHUNK))
    return HEADER + size + chunks * TAG


def sealed_span(size: int, start: int, end: int) -> tuple[int, int, int]:
    """For clean bytes [start, end) of a file of `size`: the first chunk index and the
    sealed byte range [from, to) that holds the chunks they are in."""
    first = start // CHUNK
    last = max(first, (max(end, 1) - 1) // CHUNK)
    begin = HEADER + first * (CHUNK + TAG)
    finish = min(HEADER + (last + 1) * (CHUNK + TAG), sealed_size(size))
    return first, begin, finish


def unseal(
    key: bytes,
    item: UUID,
    size: int,
    header: bytes,
    sealed: Iterable[bytes],
    first: int = 0,
    start: int = 0,
    end: int | None = None,
) -> Iterator[bytes]:
    """The clean bytes [start, end) from sealed chunks beginning at chunk `first`.

    `header` is the blob's first HEADER bytes; `sealed` yields the sealed bytes from chunk
    `first` on (pieces of any size). Raises `cryptography.exceptions.InvalidTag` when a
    chunk was changed or belongs elsewhere.
    """
    if header[: len(MAGIC)] != MAGIC or len(header) < HEADER:
        raise ValueError("not a sealed file")
    end = size if end is None else end
    prefix = header[len(MAGIC) : HEADER]
    aead = AESGCM(key)
    last_index = max(0, (size - 1) // CHUNK)
    index = first
    buffer = bytearray()

    def opened(data: bytes, index: int) -> bytes:
        clean = aead.decrypt(
            prefix + struct.pack(">I", index), data, _associated(item, index, index == last_index)
        )
        offset = index * CHUNK
        return clean[max(0, start - offset) : max(0, end - offset)]

    for piece in sealed:
        buffer += piece
        while len(buffer) >= CHUNK + TAG:
            data = bytes(buffer[: CHUNK + TAG])
            del buffer[: CHUNK + TAG]
            out = opened(data, index)
            index += 1
            if out:
                yield out
            if index * CHUNK >= end:
                return
    if buffer:
        out = opened(bytes(buffer), index)
        if out:
            yield out
