"""Reading an upload as it streams in: multipart/form-data, field `file`, never whole.

The request body is fed piece by piece to python-multipart's streaming parser; the bytes of
the `file` part go to a spooled temporary file (in memory up to 1 MiB, then on disk) with a
running count. As soon as the first bytes are in, the type is decided from them
(`archive.filetypes.sniff`: 415 for anything not allowed) and with it the limit of its
family (`WIJKARCHIEF_MAX_IMAGE_MB`, `WIJKARCHIEF_MAX_MEDIA_MB`); once the count passes the
limit nothing more is kept: the rest of the body is read and dropped (so an ordinary HTTP
client gets to read the answer) and the answer is 413. The whole body passes `BodyLimit`
with the larger limit `upload_limit` gives these routes.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request
from starlette.types import Scope

from archive.filetypes import SNIFF, check_size, sniff
from events.errors import ArchiveError, InvalidInput, TooLarge

UPLOAD_PATH = re.compile(r"^/api/(episodes|stories|media)/[^/]+/files/?$")
SLACK = 64 * 1024  # the multipart envelope around the file: boundaries, headers, fields
SPOOL_IN_MEMORY = 1024 * 1024
FIELD = "file"


def upload_limit(scope: Scope) -> int | None:
    """The body limit of an upload route (None: the app's ordinary limit)."""
    if scope.get("method") != "POST" or not UPLOAD_PATH.match(scope.get("path", "")):
        return None
    archive = getattr(scope["app"].state, "archive", None)
    if archive is None:
        return None
    return int(archive.settings.max_upload_bytes) + SLACK


@dataclass
class Upload:
    """The `file` part of a multipart body, spooled."""

    file: IO[bytes]
    filename: str = ""
    size: int = 0
    content_type: str = ""


@dataclass
class _State:
    image_limit: int
    media_limit: int
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_field: bytes = b""
    header_value: bytes = b""
    current: Upload | None = None
    found: Upload | None = None
    head: bytearray = field(default_factory=bytearray)
    limit: int | None = None
    refused: ArchiveError | None = None
    parts: int = 0


def _disposition(value: bytes) -> tuple[str, str]:
    """The field name and file name of a part's Content-Disposition."""
    _kind, options = parse_options_header(value)
    name = options.get(b"name", b"").decode("utf-8", "replace")
    filename = options.get(b"filename", b"").decode("utf-8", "replace")
    return name, filename


async def read_upload(request: Request, image_limit: int, media_limit: int) -> Upload:
    """The `file` part of the request, spooled; `ArchiveError` (400, 413, 415, 422)."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InvalidInput(
            "Stuur het bestand als multipart/form-data met het veld 'file'.", field="file"
        )
    state = _State(image_limit, media_limit)
    parser = MultipartParser(boundary, _callbacks(state))  # type: ignore[arg-type]
    try:
        async for piece in request.stream():
            if piece:
                parser.write(piece)
        parser.finalize()
    except ClientDisconnect:
        raise InvalidInput("De upload is afgebroken.", field="file") from None
    except ArchiveError:
        raise
    except Exception as error:  # python-multipart's MultipartParseError and the like
        if state.refused is None:
            raise InvalidInput(f"Ongeldige multipart-inhoud: {error}.", field="file") from None
    finally:
        current = state.current
        if current is not None and current is not state.found:
            current.file.close()
    if state.refused is not None:
        if state.found is not None:
            state.found.file.close()
        raise state.refused
    if state.found is None:
        raise InvalidInput("Het veld 'file' ontbreekt of is leeg.", field="file")
    state.found.file.seek(0)
    return state.found


def _callbacks(state: _State) -> dict[str, Any]:
    def on_part_begin() -> None:
        state.headers = {}
        state.parts += 1

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state.header_field += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state.header_value += data[start:end]

    def on_header_end() -> None:
        state.headers[state.header_field.strip().lower()] = state.header_value.strip()
        state.header_field = state.header_value = b""

    def on_headers_finished() -> None:
        name, filename = _disposition(state.headers.get(b"content-disposition", b""))
        if name == FIELD and state.found is None and state.refused is None:
            spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
            state.current = Upload(spool, filename)
        else:
            state.current = None  # other fields, a second file: not kept

    def on_part_data(data: bytes, start: int, end: int) -> None:
        upload = state.current
        if upload is None or state.refused is not None:
            return
        piece = data[start:end]
        upload.size += len(piece)
        if state.limit is None:
            state.head += piece
            if len(state.head) < SNIFF:
                upload.file.write(piece)
                return
            _decide(state, upload)
            if state.refused is not None:
                return
        if state.limit is not None and upload.size > state.limit:
            _refuse_size(state, upload)
            return
        upload.file.write(piece)

    def on_part_end() -> None:
        upload = state.current
        if upload is None or state.refused is not None:
            return
        if state.limit is None:
            if upload.size == 0:
                upload.file.close()
                state.current = None
                return
            _decide(state, upload)
            if state.refused is not None:
                return
        if state.limit is not None and upload.size > state.limit:
            _refuse_size(state, upload)
            return
        state.found = upload
        state.current = None

    return {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    }


def _decide(state: _State, upload: Upload) -> None:
    """The type from the first bytes, and with it the size limit (or the refusal)."""
    try:
        upload.content_type = sniff(bytes(state.head[:SNIFF]))
    except ArchiveError as error:
        _drop(state, upload, error)
        return
    state.limit = (
        state.media_limit
        if upload.content_type.startswith(("audio/", "video/"))
        else (state.image_limit)
    )


def _refuse_size(state: _State, upload: Upload) -> None:
    try:
        check_size(upload.content_type, upload.size, state.image_limit, state.media_limit)
    except TooLarge as error:
        _drop(state, upload, error)


def _drop(state: _State, upload: Upload, error: ArchiveError) -> None:
    """Keep nothing more of this upload: the rest of the body is read and dropped."""
    state.refused = error
    upload.file.close()
    state.current = None
