"""A bulk import writes every row or none, on SQLite and on PostgreSQL.

`Archive.import_sheet` validates the whole sheet first and then saves every new item (and
the existing items they link to) in one save, which the event store commits as one
transaction. These tests run on both stores (the `archive` fixture) and read the raw log.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from archive.service import Archive
from archive.sheets import FileSource
from events.errors import AlreadyExists

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bulk"
SHEET = (FIXTURES / "verhalen.csv").read_bytes()


def _raw_log(archive: Archive) -> bytes:
    """Every stored event's state as the store holds it."""
    return b"".join(bytes(n.state) for n in archive.notifications(0, 10_000))


def test_a_good_sheet_adds_every_item_readable_with_its_words_sealed(archive: Archive) -> None:
    # An episode the sheet links to already exists.
    archive.register("episodes", {"id": "buurtsoep", "title": "Buurtsoep"}, actor="anna")
    sheet = SHEET.replace(b"onderzoek;corona;;", b"onderzoek;corona;buurtsoep;")
    # The dry run says what would be added and writes nothing.
    before = archive.position()
    dry = archive.import_sheet("stories", sheet, "verhalen.csv", actor="anna", dry_run=True)
    assert dry.errors == [] and [i["ref"] for i in dry.items] == [
        "stories/0101", "stories/0102", "stories/0103",
    ]  # fmt: skip
    assert archive.position() == before and not archive.exists("stories", "0101")

    # The import writes them all, with the actor on every event.
    report = archive.import_sheet("stories", sheet, "verhalen.csv", actor="anna")
    assert report.imported and report.errors == []
    story = archive.item("stories", "0102", role="curator")
    assert story["storytellers"] == ["Henk de Vries", "Aisha Bakker"]
    assert story["consent"] == "research" and story["links"] == ["episodes/buurtsoep"]
    assert archive.item("episodes", "buurtsoep", role="curator")["links"] == ["stories/0102"]
    assert archive.item("stories", "0103", role="curator")["consent"] == "curators"
    assert {e["actor"] for e in archive.recorded_history("stories", "0101")} == {"anna"}
    # Privacy by default: no consent given, no reader but a curator sees it.
    with pytest.raises(Exception, match="geen verhaal"):
        archive.item("stories", "0103", role="public")
    # Every word is sealed in the log: not a name or a sentence of the sheet in clear.
    raw = _raw_log(archive)
    for words in (b"Aisha Bakker", b"Fatima El Amrani", b"pallets", b"De bakker op de"):
        assert words not in raw
    assert b"wa-enc:" in raw
    # And found by search.
    assert archive.search("pallets", role="curator")["total"] == 1


def test_one_bad_row_writes_nothing(archive: Archive) -> None:
    bad = SHEET + b"0104;Fout;Tekst;Iemand;maart 2020x;;;;\n"
    before = archive.position()
    report = archive.import_sheet("stories", bad, "verhalen.csv", actor="anna")
    assert not report.imported
    assert [(e.row, e.column) for e in report.errors] == [(5, "datum")]
    assert archive.position() == before
    assert not any(archive.exists("stories", n) for n in ("0101", "0102", "0103"))


def test_a_failure_inside_the_one_save_leaves_nothing(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 0102 is taken after the sheet was checked: the checks pass (exists is fooled, as if
    # another writer registered it in between), the store refuses the second item's version
    # 1 part-way through the batch, and the transaction is rolled back whole.
    archive.register(
        "stories", {"number": "0102", "title": "Eerder", "body_markdown": "x"}, actor="bram"
    )
    before = archive.position()
    real = archive.exists
    fooled = lambda kind, key: key != "0102" and real(kind, key)  # noqa: E731
    monkeypatch.setattr(archive, "_taken", lambda kind: fooled)
    with pytest.raises(AlreadyExists, match="niets geïmporteerd"):
        archive.import_sheet("stories", SHEET, "verhalen.csv", actor="anna")
    monkeypatch.undo()
    assert archive.position() == before
    assert not archive.exists("stories", "0101") and not archive.exists("stories", "0103")
    assert archive.item("stories", "0102", role="curator")["title"] == "Eerder"
    # The read models agree: the catalogue lists only the story that was there.
    assert [s["id"] for s in archive.items("stories", role="curator")] == ["0102"]


def test_rows_may_link_to_each_other_and_share_a_linked_item(archive: Archive) -> None:
    archive.register("episodes", {"id": "markt", "title": "De markt"}, actor="anna")
    sheet = (
        b"id;titel;soort;episodes;koppelingen\n"
        b"foto-1;Foto 1;foto;markt;media/foto-2\n"
        b"foto-2;Foto 2;foto;markt;\n"
    )
    report = archive.import_sheet("media", sheet, "media.csv", actor="anna")
    assert report.imported, report.errors
    assert sorted(archive.item("episodes", "markt", role="curator")["links"]) == [
        "media/foto-1", "media/foto-2",
    ]  # fmt: skip
    assert sorted(archive.item("media", "foto-2", role="curator")["links"]) == [
        "episodes/markt", "media/foto-1",
    ]  # fmt: skip


def test_taken_numbers_and_missing_links_are_errors_of_their_rows(archive: Archive) -> None:
    archive.register(
        "stories", {"number": "0101", "title": "Al daar", "body_markdown": "x"}, actor="anna"
    )
    sheet = SHEET.replace(b"onderzoek;corona;;", b"onderzoek;corona;bestaat-niet;")
    report = archive.import_sheet("stories", sheet, "verhalen.csv", actor="anna", dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [(2, "nummer"), (3, "episodes")]
    assert "al in gebruik" in report.errors[0].message
    assert "bestaat-niet" in report.errors[1].message


def test_named_files_are_checked_in_the_dry_run_and_attached_after(archive: Archive) -> None:
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(photo, "PNG")
    sheet = (FIXTURES / "media.csv").read_bytes()

    def folder(tmp: Path, files: dict[str, bytes]) -> FileSource:
        tmp.mkdir(exist_ok=True)
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        return FileSource.folder(tmp)

    base = archive.settings.data_dir.parent
    # Missing, then of a refused type: errors of row 2, column `files`.
    for files, expected in (({}, "staat niet in"), ({"gaffelstraat.png": b"<html>"}, "type")):
        source = folder(base / f"bestanden-{len(files)}", files)
        report = archive.import_sheet("media", sheet, "m.csv", actor="anna", files=source)
        assert [(e.row, e.column) for e in report.errors] == [(2, "files")]
        assert expected in report.errors[0].message
        assert not archive.exists("media", "foto-gaffelstraat-2020")
    # Present and a real PNG: imported and attached.
    source = folder(base / "bestanden-goed", {"gaffelstraat.png": photo.getvalue()})
    report = archive.import_sheet("media", sheet, "m.csv", actor="anna", files=source)
    assert report.imported and [f["attached"] for f in report.files] == [True]
    (attached,) = archive.item("media", "foto-gaffelstraat-2020", role="curator")["files"]
    assert attached["content_type"] == "image/png" and attached["filename"] == "gaffelstraat.png"
