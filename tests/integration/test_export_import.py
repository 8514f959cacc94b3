"""The whole log goes out as JSON Lines and comes back byte for byte."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.application import Wijkarchief
from archive.config import Settings
from archive.exchange import export_keys, export_to, import_from, import_log
from archive.service import Archive
from bootstrap import open_archive
from entrypoints.cli import main
from events.errors import InvalidInput, StoreNotEmpty
from events.items import item_id
from tests.conftest import postgres_schema_settings


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
    archive.issue_token("anna", "curator")


def _export(app: Wijkarchief, path: Path) -> bytes:
    with path.open("w", encoding="utf-8") as out:
        export_to(app, out)
    return path.read_bytes()


def test_export_import_export_is_byte_identical(settings: Settings, tmp_path: Path) -> None:
    # A filled archive is exported.
    source = open_archive(settings)
    _fill(source)
    first = _export(source, tmp_path / "first.jsonl")
    export_keys(source, tmp_path / "first.keys")
    source.close()

    # Every line names its actor, and the log is complete.
    lines = [json.loads(line) for line in first.decode().splitlines()]
    assert [line["position"] for line in lines] == list(range(1, len(lines) + 1))
    assert all(line["state"]["actor"] for line in lines)

    # It is imported into an empty store (always SQLite here) and exported again.
    target = open_archive(Settings(data_dir=tmp_path / "copy"))
    imported = import_log(target, tmp_path / "first.jsonl", keys=tmp_path / "first.keys")
    assert imported.events == len(lines)
    second = _export(target, tmp_path / "second.jsonl")
    assert second == first

    # The read models of the copy answer like the original.
    target.catch_up()
    assert target.item("stories", "0001")["title"] == "Nieuw"
    assert target.recorded_history("stories", "0001")[-1]["reason"] == "typo"
    target.close()


def test_import_into_a_non_empty_store_is_refused(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    # An archive with something in it.
    archive = open_archive(sqlite_settings)
    _fill(archive)
    dump = tmp_path / "dump.jsonl"
    _export(archive, dump)
    position = archive.position()

    # Importing into it is refused with a clear message, and writes nothing.
    with pytest.raises(StoreNotEmpty, match="leeg archief"):
        import_from(archive, dump)
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


# -- moving with the keys (issue 17) ------------------------------------------------------


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Settings]:
    """An empty PostgreSQL schema (its search index in a directory of its own)."""
    yield from postgres_schema_settings(tmp_path / "pg-data")


def _use(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Point the command line at a store, as a user's environment does."""
    monkeypatch.setenv("WIJKARCHIEF_DATA", str(settings.data_dir))
    if settings.uses_postgres:
        assert settings.database_url is not None
        monkeypatch.setenv("WIJKARCHIEF_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("WIJKARCHIEF_DATABASE_SCHEMA", settings.database_schema)
    else:
        monkeypatch.delenv("WIJKARCHIEF_DATABASE_URL", raising=False)
        monkeypatch.delenv("WIJKARCHIEF_DATABASE_SCHEMA", raising=False)


def _fill_personal(settings: Settings) -> None:
    """Two stories and a media item with personal fields; the second story erased."""
    archive = open_archive(settings)
    archive.register(
        "stories",
        {"number": "0001", "title": "Buurtkeuken", "consent": "public",
         "body_markdown": "Mijn moeder kookte voor de hele straat.",
         "storytellers": ["Fatima Yilmaz"]},
        actor="anna",
    )  # fmt: skip
    archive.register(
        "stories",
        {"number": "0002", "title": "Vergeten", "consent": "public",
         "body_markdown": "Dit moet weg.", "storytellers": ["Piet Jansen"]},
        actor="anna",
    )  # fmt: skip
    archive.register(
        "media",
        {"id": "foto-1", "title": "Foto", "summary": "Met buurvrouw Truus", "consent": "public"},
        actor="anna",
    )
    archive.erase("stories", "0002", actor="anna", reason="verzoek verteller")
    archive.close()


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.postgres
@pytest.mark.parametrize("direction", ["sqlite-to-postgres", "postgres-to-sqlite"])
def test_a_move_with_its_keys_keeps_every_text_and_every_erasure(
    direction: str,
    postgres: Settings,
    sqlite_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, target = (
        (sqlite_settings, postgres)
        if direction == "sqlite-to-postgres"
        else (postgres, sqlite_settings)
    )
    _fill_personal(source)
    log, keys = tmp_path / "move.jsonl", tmp_path / "move.keys"

    # The archive goes out as its log and its keys; the key file is for its owner only.
    _use(monkeypatch, source)
    code, out, err = _cli(["export", str(log), "--keys", str(keys)], capsys)
    assert code == 0, err
    assert "sleutels" in out
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert "Fatima" not in log.read_text() and "Fatima" not in keys.read_text()

    # It comes in whole in the other kind of store.
    _use(monkeypatch, target)
    code, out, err = _cli(["import", str(log), "--keys", str(keys)], capsys)
    assert code == 0, err
    moved = open_archive(target)
    story = moved.item("stories", "0001")
    assert story["body_markdown"] == "Mijn moeder kookte voor de hele straat."
    assert story["storytellers"] == ["Fatima Yilmaz"]
    assert moved.item("media", "foto-1")["summary"] == "Met buurvrouw Truus"
    assert [hit["id"] for hit in moved.search("moeder kookte", role="curator")["hits"]] == ["0001"]
    assert moved.recorded_history("stories", "0001")[0]["data"]["storytellers"] == ["Fatima Yilmaz"]

    # The erased story stays erased: no key travelled for it.
    erased = moved.item("stories", "0002")
    assert erased["erased"] is True
    assert erased["body_markdown"] == "" and erased["storytellers"] == []
    assert moved.search("weg", role="curator")["total"] == 0

    # A new story in the moved archive is sealed under a new key, as before.
    moved.register(
        "stories", {"number": "0003", "title": "Nieuw", "body_markdown": "Tekst"}, actor="anna"
    )
    moved.close()

    # Exported again, the log is the same bytes up to the new story, the keys the same rows.
    again, again_keys = tmp_path / "again.jsonl", tmp_path / "again.keys"
    assert main(["export", str(again), "--keys", str(again_keys)]) == 0
    assert again.read_bytes().startswith(log.read_bytes())
    assert set(keys.read_text().splitlines()[1:]) < set(again_keys.read_text().splitlines()[1:])


def test_an_import_without_keys_is_refused_naming_the_items(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # An archive exported without its keys.
    source = Settings(data_dir=tmp_path / "source")
    _fill_personal(source)
    log = tmp_path / "log.jsonl"
    _use(monkeypatch, source)
    code, _, err = _cli(["export", str(log)], capsys)
    assert code == 0
    assert "--keys" in err  # a warning that the texts stay behind

    # Importing it is refused in one line naming how many items would lose their text (the
    # erased story has no text to lose), and nothing is written.
    _use(monkeypatch, settings)
    code, _, err = _cli(["import", str(log)], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "2 items" in err and "--keys" in err and "--without-keys" in err
    target = open_archive(settings)
    assert target.position() == 0
    target.close()

    # --without-keys imports anyway: the texts are empty, and it says so.
    code, _, err = _cli(["import", str(log), "--without-keys"], capsys)
    assert code == 0
    assert "2 items" in err
    target = open_archive(settings)
    assert target.item("stories", "0001")["body_markdown"] == ""
    # Every word is sealed, the title too: what is left is the structure.
    assert target.item("stories", "0001")["title"] == "BoTu nr. 0001"
    target.close()


def test_a_key_file_missing_a_key_is_refused_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A key file that lacks the media item's key (an older keys backup, say).
    source = Settings(data_dir=tmp_path / "source")
    _fill_personal(source)
    log, keys = tmp_path / "log.jsonl", tmp_path / "log.keys"
    _use(monkeypatch, source)
    assert main(["export", str(log), "--keys", str(keys)]) == 0
    media_id = str(item_id("media", "foto-1"))
    lines = keys.read_text().splitlines()
    keys.write_text("\n".join(line for line in lines if media_id not in line) + "\n")

    # The import names the one item that would lose its text, and writes nothing.
    _use(monkeypatch, Settings(data_dir=tmp_path / "target"))
    capsys.readouterr()
    code, _, err = _cli(["import", str(log), "--keys", str(keys)], capsys)
    assert code == 2 and "1 item " in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "content",
    ["", "geen json\n", '{"format": "iets anders", "version": 1}\n',
     '{"format": "wijkarchief-keys", "version": 1}\n{"item_id": 5}\n'],
)  # fmt: skip
def test_a_bad_key_file_is_refused_in_one_line(
    content: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = Settings(data_dir=tmp_path / "source")
    _fill_personal(source)
    log, keys = tmp_path / "log.jsonl", tmp_path / "bad.keys"
    _use(monkeypatch, source)
    assert main(["export", str(log)]) == 0
    keys.write_text(content)

    target = Settings(data_dir=tmp_path / "target")
    _use(monkeypatch, target)
    capsys.readouterr()
    code, _, err = _cli(["import", str(log), "--keys", str(keys)], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "bad.keys" in err
    assert Wijkarchief(target).position() == 0


def test_keys_are_not_loaded_over_existing_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A key file, and a target whose key store already holds a key (the log is empty).
    source = Settings(data_dir=tmp_path / "source")
    _fill_personal(source)
    log, keys = tmp_path / "log.jsonl", tmp_path / "log.keys"
    _use(monkeypatch, source)
    assert main(["export", str(log), "--keys", str(keys)]) == 0
    target = Settings(data_dir=tmp_path / "target")
    app = Wijkarchief(target)
    app.keys.create(item_id("stories", "0001"))
    app.close()

    # Importing with keys is refused instead of mixing two sets of keys.
    _use(monkeypatch, target)
    capsys.readouterr()
    code, _, err = _cli(["import", str(log), "--keys", str(keys)], capsys)
    assert code == 2 and "sleutels" in err
    assert len(err.strip().splitlines()) == 1


def test_an_older_key_file_does_not_bring_an_erased_text_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Keys taken before story 0002 was erased; the log taken after.
    source = Settings(data_dir=tmp_path / "source")
    archive = open_archive(source)
    archive.register(
        "stories", {"number": "0002", "title": "Vergeten", "body_markdown": "Dit moet weg."},
        actor="anna",
    )  # fmt: skip
    archive.close()
    old_log, old_keys, log = tmp_path / "old.jsonl", tmp_path / "old.keys", tmp_path / "new.jsonl"
    _use(monkeypatch, source)
    assert main(["export", str(old_log), "--keys", str(old_keys)]) == 0
    archive = open_archive(source)
    archive.erase("stories", "0002", actor="anna")
    archive.close()
    assert main(["export", str(log)]) == 0
    assert str(item_id("stories", "0002")) in old_keys.read_text()

    # The pair imports, and the key the log says was destroyed is destroyed again.
    target = Settings(data_dir=tmp_path / "target")
    _use(monkeypatch, target)
    capsys.readouterr()
    code, out, err = _cli(["import", str(log), "--keys", str(old_keys)], capsys)
    assert code == 0, err
    assert "opnieuw vernietigd" in out
    moved = open_archive(target)
    assert moved.keys.get(item_id("stories", "0002")) is None
    assert moved.recorded_history("stories", "0002")[0]["data"]["body"] == ""
    moved.close()
