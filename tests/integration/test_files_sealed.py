"""Files of items on disk and in the database: sealed, erased for good, moved, shared.

- No clean byte of a file is ever on disk or in PostgreSQL (only sealed blobs); after
  `erase` there are no blobs of the item at all, and its file name is in no byte either.
- Forgetting a person keeps the files readable (their keys move to the new key generation).
- Export → import (with the keys) into a fresh archive, also SQLite → PostgreSQL, gives the
  same files with the same SHA-256.
- On PostgreSQL a file attached through one archive object is served by another (two
  workers or hosts share the blob table).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from archive.config import Settings
from archive.exchange import export_blobs, export_keys, export_to, import_log
from bootstrap import open_archive
from tests.conftest import postgres_schema_settings
from tests.integration.test_erasure_bytes import _export, _files, _postgres

NAME = "Henk Vermeulen"
MARKER = b"GELUIDSOPNAME-VAN-DE-BAKKERIJ"


def _audio() -> bytes:
    """An MP3 without tags (so stored as sent), with a marker all through it."""
    return b"\xff\xfb\x90\x64" + MARKER * 30_000


def _photo() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((600, 400), 90).convert("RGB").save(out, "PNG")
    return out.getvalue()


def _story(archive, number: str = "0301") -> None:
    archive.register(
        "stories",
        {"number": number, "title": f"Het verhaal van {NAME}", "storytellers": [NAME],
         "consent": "public"},
        actor="anna",
    )  # fmt: skip


def _scan(archive, settings: Settings) -> bytes:
    return _files(settings.data_dir) + _postgres(settings) + _export(archive)


def test_an_erased_item_leaves_no_byte_of_its_files(settings: Settings) -> None:
    archive = open_archive(settings)
    try:
        # A story with a recording and a photo, named after the teller.
        _story(archive)
        audio = archive.attach_file(
            "stories", "0301", io.BytesIO(_audio()), f"{NAME} interview.mp3", actor="anna"
        )
        photo = archive.attach_file(
            "stories", "0301", io.BytesIO(_photo()), f"{NAME}.png", actor="anna",
            keep_original=True,
        )  # fmt: skip
        clean_photo = b"".join(archive.open_file("stories", "0301", photo["id"]).read())
        assert hashlib.sha256(clean_photo).hexdigest() == photo["sha256"]
        # Sealed from the start: no clean byte on disk or in the database, only blobs.
        found = _scan(archive, settings)
        assert MARKER.lower() not in found
        assert clean_photo[1000:1064].lower() not in found
        held = list(archive.blobs.addresses())
        assert len(held) == 5  # the recording; the photo, its thumbnail, display, original
        # The story is erased.
        archive.erase("stories", "0301", actor="anna", reason="AVG art. 17")
        # No blob is left, the files are not served, and no byte names the teller.
        assert list(archive.blobs.addresses()) == []
        assert all(not archive.blobs.exists(a) for a in held)
        found = _scan(archive, settings)
        assert b"vermeulen" not in found
        assert MARKER.lower() not in found
        story = archive.item("stories", "0301", role="curator")
        assert [f["content_type"] for f in story["files"]] == ["audio/mpeg", "image/png"]
        assert all(not f["sha256"] and not f["filename"] for f in story["files"])
        with pytest.raises(Exception, match="geen bestand"):
            archive.open_file("stories", "0301", audio["id"], role="curator")
        # The history keeps that there were files, and nothing to open them with.
        history = archive.history("stories", "0301", role="curator")
        attached = [e["data"]["file"] for e in history if e["type"] == "FileAttached"]
        assert len(attached) == 2 and all(not f["sha256"] for f in attached)
    finally:
        archive.close()


def test_forgetting_a_person_keeps_the_files(settings: Settings) -> None:
    archive = open_archive(settings)
    try:
        _story(archive, "0302")
        sent = archive.attach_file(
            "stories", "0302", io.BytesIO(_audio()), f"{NAME}.mp3", actor="anna"
        )
        archive.forget_person(NAME, actor="anna")
        # The name is out of the file name; the bytes open under the item's next key.
        files = archive.item("stories", "0302", role="curator")["files"]
        assert NAME not in files[0]["filename"] and files[0]["sha256"] == sent["sha256"]
        data = b"".join(archive.open_file("stories", "0302", sent["id"]).read())
        assert data == _audio()
    finally:
        archive.close()


@pytest.mark.postgres
def test_export_import_carries_the_files_to_postgresql(tmp_path: Path) -> None:
    # An embedded archive with a photo and a recording.
    source = open_archive(Settings(data_dir=tmp_path / "source"))
    try:
        _story(source, "0303")
        sent = [
            source.attach_file("stories", "0303", io.BytesIO(data), name, actor="anna")
            for data, name in [(_photo(), "foto.png"), (_audio(), "opname.mp3")]
        ]
        with (tmp_path / "log.jsonl").open("w", encoding="utf-8") as out:
            export_to(source, out)
        export_keys(source, tmp_path / "log.keys")
        assert export_blobs(source, tmp_path / "log.jsonl") == 4  # photo, thumbnail, display, audio
    finally:
        source.close()
    # Imported into a fresh PostgreSQL archive: the same files, the same SHA-256.
    for settings in postgres_schema_settings(tmp_path / "target"):
        target = open_archive(settings)
        try:
            imported = import_log(target, tmp_path / "log.jsonl", keys=tmp_path / "log.keys")
            assert imported.blobs == 4
            target.rebuild()
            files = target.item("stories", "0303", role="curator")["files"]
            assert [f["sha256"] for f in files] == [f["sha256"] for f in sent]
            for file in sent:
                data = b"".join(target.open_file("stories", "0303", file["id"]).read())
                assert hashlib.sha256(data).hexdigest() == file["sha256"]
        finally:
            target.close()


@pytest.mark.postgres
def test_a_file_attached_through_one_worker_is_served_by_another(tmp_path: Path) -> None:
    for settings in postgres_schema_settings(tmp_path / "one"):
        # Two archive objects on one database, each with a data directory of its own.
        other = Settings(
            data_dir=tmp_path / "two", database_url=settings.database_url,
            database_schema=settings.database_schema,
        )  # fmt: skip
        first, second = open_archive(settings), open_archive(other)
        try:
            _story(first, "0304")
            sent = first.attach_file("stories", "0304", io.BytesIO(_audio()), "a.mp3", actor="a")
            data = b"".join(second.open_file("stories", "0304", sent["id"]).read(100, 200))
            assert data == _audio()[100:200]
            assert not (tmp_path / "one" / "blobs").exists()  # in the database, not on disk
        finally:
            first.close()
            second.close()
