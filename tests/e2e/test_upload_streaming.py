"""Uploads stream: a real uvicorn never holds a large file in memory.

A 60 MB "photo" (a JPEG header, then 60 MB) is refused with 413 once it passes the 25 MB
limit of images, and a 60 MB recording (audio may be 200 MB) is stored: in both cases the
server's peak resident memory (`VmHWM` of /proc) grows by far less than the file's size,
because the body is parsed as it arrives and spooled to a temporary file, sealed and stored
in pieces. A file uploaded through one host is served by the other on PostgreSQL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from archive.config import Settings
from bootstrap import open_archive
from tests.conftest import postgres_schema_settings
from tests.servers import child_env, uvicorn

MB = 1024 * 1024
BOUNDARY = "wijkarchief-grens"


def _body(head: bytes, size: int, filename: str) -> Iterator[bytes]:
    """A multipart body with one file part of `size` bytes, made as it is sent."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    yield head
    left = size - len(head)
    piece = bytes(range(256)) * 4096  # 1 MiB
    while left > 0:
        yield piece[: min(left, len(piece))]
        left -= len(piece)
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def _peak_kib(pid: int) -> int:
    """The process's peak resident memory so far, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _setup(settings: Settings) -> str:
    archive = open_archive(settings)
    try:
        archive.register("media", {"id": "groot", "title": "Groot bestand"}, actor="anna")
        return archive.issue_token("anna", "curator")
    finally:
        archive.close()


def test_a_60_mb_upload_never_sits_in_the_servers_memory(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    token = _setup(settings)
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
    }
    with (
        uvicorn(child_env(settings), tmp_path / "server.log") as server,
        httpx.Client(base_url=server.base, timeout=120) as http,
    ):
        url = "/api/media/groot/files"
        # Warm up: a small upload, so the first request's imports are not counted.
        small = http.post(url, content=_body(b"ID3\x03\x00" + bytes(5), 2 * MB, "a.mp3"),
                          headers=headers)  # fmt: skip
        assert small.status_code == 201, small.text
        before = _peak_kib(server.process.pid)
        # A 60 MB "photo", sent without a Content-Length (chunked): refused with 413.
        refused = http.post(url, content=_body(b"\xff\xd8\xff\xe0", 60 * MB, "groot.jpg"),
                            headers=headers)  # fmt: skip
        assert refused.status_code == 413, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "25 MB" in refused.json()["detail"]
        after_refused = _peak_kib(server.process.pid)
        # A 60 MB recording: its (empty) ID3 tag removed in a copy, piece by piece; stored,
        # served back whole and in a range.
        head = b"ID3\x03\x00\x00\x00\x00\x00\x00"
        stored = http.post(url, content=_body(head, 60 * MB, "lang.mp3"), headers=headers)
        assert stored.status_code == 201, stored.text
        after_stored = _peak_kib(server.process.pid)
        answer = stored.json()
        assert answer["bytes"] == 60 * MB - len(head)
        expected = hashlib.sha256(b"".join(_body(head, 60 * MB, "x"))[
            len(next(_body(head, 0, "x"))) + len(head) : -len(f"\r\n--{BOUNDARY}--\r\n")
        ]).hexdigest()  # fmt: skip
        assert answer["sha256"] == expected
        digest = hashlib.sha256()
        with http.stream(
            "GET", answer["url"], headers={"Authorization": headers["Authorization"]}
        ) as served:
            for piece in served.iter_bytes():
                digest.update(piece)
        assert digest.hexdigest() == expected
        after_served = _peak_kib(server.process.pid)
    grown = {
        "refused": (after_refused - before) // 1024,
        "stored": (after_stored - before) // 1024,
        "served": (after_served - before) // 1024,
    }
    print(f"peak RSS growth in MiB for 60 MiB files: {grown}")
    # Far below the file's 60 MB: the body was never held whole.
    assert all(growth < 20 for growth in grown.values()), grown


@pytest.mark.postgres
def test_a_file_uploaded_through_one_host_is_served_by_another(tmp_path: Path) -> None:
    for settings in postgres_schema_settings(tmp_path / "a"):
        token = _setup(settings)
        host_b = Settings(
            data_dir=tmp_path / "b", database_url=settings.database_url,
            database_schema=settings.database_schema,
        )  # fmt: skip
        auth = {"Authorization": f"Bearer {token}"}
        with (
            uvicorn(child_env(settings), tmp_path / "a.log") as a,
            uvicorn(child_env(host_b), tmp_path / "b.log") as b,
        ):
            audio = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 2000
            sent = httpx.post(
                f"{a.base}/api/media/groot/files", files={"file": ("o.mp3", audio)},
                headers=auth, timeout=30,
            )  # fmt: skip
            assert sent.status_code == 201, sent.text
            served = httpx.get(f"{b.base}{sent.json()['url']}", timeout=30)
            clean = audio[10:]  # without its (empty) ID3 tag
            assert served.status_code == 200 and served.content == clean
            part = httpx.get(f"{b.base}{sent.json()['url']}", headers={"Range": "bytes=10-19"})
            assert part.status_code == 206 and part.content == clean[10:20]
