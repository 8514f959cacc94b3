"""The whole log goes out as JSON Lines and comes back byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive import open_archive
from archive.application import Wijkarchief
from archive.config import Settings
from archive.exchange import export_to, import_from
from archive.service import Archive
from events.errors import InvalidInput, StoreNotEmpty


def _fill(archive: Archive) -> None:
    archive.register("episodes", {"id": "duimdrop", "title": "Acties voor Duimdrop"}, actor="anna")
    archive.register(
        "stories",
        {"number": "0001", "title": "Coöperatie “BoTu” €", "consent": "public",
         "links": ["episodes/duimdrop"], "date": "2020-23"},
        actor="anna",
    )  # fmt: skip
    archive.assess(
        "episodes", "duimdrop",
        {"quality": "betrouwbaarheid", "assessment": "lacking", "evidence": "Gebrek aan …"},
        actor="bram",
    )  # fmt: skip
    archive.revise("stories", "0001", {"title": "Nieuw"}, actor="bram", reason="typo")
    archive.app.issue_token("anna", "curator")


def _export(app: Wijkarchief, path: Path) -> bytes:
    with path.open("w", encoding="utf-8") as out:
        export_to(app, out)
    return path.read_bytes()


def test_export_import_export_is_byte_identical(settings: Settings, tmp_path: Path) -> None:
    # A filled archive is exported.
    source = open_archive(settings)
    _fill(source)
    first = _export(source.app, tmp_path / "first.jsonl")
    source.close()

    # Every line names its actor, and the log is complete.
    lines = [json.loads(line) for line in first.decode().splitlines()]
    assert [line["position"] for line in lines] == list(range(1, len(lines) + 1))
    assert all(line["state"]["actor"] for line in lines)

    # It is imported into an empty store (always SQLite here) and exported again.
    target = open_archive(Settings(data_dir=tmp_path / "copy"))
    assert import_from(target.app, tmp_path / "first.jsonl") == len(lines)
    second = _export(target.app, tmp_path / "second.jsonl")
    assert second == first

    # The read models of the copy answer like the original.
    target.catch_up()
    assert target.item("stories", "0001")["title"] == "Nieuw"
    assert target.app.history("stories", "0001")[-1]["reason"] == "typo"
    target.close()


def test_import_into_a_non_empty_store_is_refused(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    # An archive with something in it.
    archive = open_archive(sqlite_settings)
    _fill(archive)
    dump = tmp_path / "dump.jsonl"
    _export(archive.app, dump)
    position = archive.position()

    # Importing into it is refused with a clear message, and writes nothing.
    with pytest.raises(StoreNotEmpty, match="leeg archief"):
        import_from(archive.app, dump)
    assert archive.position() == position
    archive.close()


def test_a_bad_line_writes_nothing(tmp_path: Path) -> None:
    # A dump whose third line is broken.
    good = json.dumps(
        {"position": 1, "originator_id": "6f1c8a46-2c2c-4a7f-8d7c-2f1f3b9a0a11",
         "originator_version": 1, "topic": "x:Y", "state": {"actor": "a"}}
    )  # fmt: skip
    dump = tmp_path / "bad.jsonl"
    dump.write_text(good + "\n" + good + "\n{not json\n", encoding="utf-8")

    # The import names the line and leaves the store empty.
    app = Wijkarchief(Settings(data_dir=tmp_path / "empty"))
    with pytest.raises(InvalidInput, match="regel 3"):
        import_from(app, dump)
    assert app.position() == 0
    app.close()
