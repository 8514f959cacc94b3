"""`wijkarchief import-rows`: a dry run, the import, and a sheet with errors (exit 2, nothing
written), with the files from a folder and from a zip."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from PIL import Image

from entrypoints.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bulk"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WIJKARCHIEF_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("WIJKARCHIEF_DATABASE_URL", raising=False)
    return tmp_path / "data"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "green").save(buffer, "PNG")
    return buffer.getvalue()


def test_dry_run_then_import_of_stories(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sheet = str(FIXTURES / "verhalen.csv")
    # The dry run lists the rows and writes nothing.
    assert main(["import-rows", sheet, "--kind", "stories", "--dry-run", "--actor", "anna"]) == 0
    out = capsys.readouterr().out
    assert "rij 2: stories/0101 De bakker op de Schiedamseweg" in out
    assert "Proef: 3 item(s)" in out
    assert main(["history", "stories", "0101"]) == 2  # not there
    capsys.readouterr()
    # The import adds them.
    assert main(["import-rows", sheet, "--kind", "stories", "--actor", "anna"]) == 0
    assert "3 item(s) toegevoegd" in capsys.readouterr().out
    # Again: every row is taken now; exit 2, an error per row, nothing written.
    assert main(["import-rows", sheet, "--kind", "stories", "--actor", "anna"]) == 2
    err = capsys.readouterr().err
    assert "rij 2, kolom nummer: Verhaalnummer '0101' is al in gebruik." in err
    assert err.strip().splitlines()[-1].startswith("wijkarchief: 3 fout(en)")


def test_media_from_an_xlsx_with_files_in_a_folder_or_zip(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = Workbook()
    book.active.append(["id", "titel", "soort", "bestanden"])
    book.active.append(["foto-een", "Foto een", "foto", "een.png"])
    sheet = tmp_path / "media.xlsx"
    book.save(sheet)
    folder = tmp_path / "fotos"
    folder.mkdir()
    # A folder without the file: the row's error names it.
    assert main(["import-rows", str(sheet), "--kind", "media", "--files", str(folder),
                 "--actor", "anna"]) == 2  # fmt: skip
    assert "'een.png' staat niet in de map" in capsys.readouterr().err
    # A zip with it: imported and attached.
    bundle = tmp_path / "fotos.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("een.png", _png())
    assert main(["import-rows", str(sheet), "--kind", "media", "--files", str(bundle),
                 "--actor", "anna"]) == 0  # fmt: skip
    assert "media/foto-een Foto een (+ een.png)" in capsys.readouterr().out
    # A path that is neither a folder nor a zip is one clear line.
    assert main(["import-rows", str(sheet), "--kind", "media", "--files", str(tmp_path / "x"),
                 "--actor", "anna"]) == 2  # fmt: skip
    assert "geen map en geen zip" in capsys.readouterr().err
