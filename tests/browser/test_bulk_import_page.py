"""The curator's bulk import in a real browser (/importeren).

1. A curator uploads a sheet of media items with a zip of photos and checks it: the dry run
   shows, in place, the rows that would be added; nothing is written yet.
2. "Importeren" imports the same files: every item is there, with its photo.
3. A sheet with errors shows every error by row and column, and writes nothing.
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHEET = (
    "id;titel;soort;datum;toestemming;bestanden\n"
    "browser-import-markt;De markt op het Tussendijkenplein;foto;zomer 2020;openbaar;markt.png\n"
    "browser-import-krant;Speelplein in de krant;artikel;2021-06-03;;\n"
)


def _status(server: Any, path: str) -> int:
    request = urllib.request.Request(
        server.url + path, headers={"Authorization": f"Bearer {server.token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _files(tmp_path: Path, sheet: str) -> tuple[Path, Path]:
    photo = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 120, 40)).save(photo, "PNG")
    sheet_path = tmp_path / "media.csv"
    sheet_path.write_text(sheet, encoding="utf-8")
    zip_path = tmp_path / "fotos.zip"
    with zipfile.ZipFile(zip_path, "w") as bundle:
        bundle.writestr("fotos/markt.png", photo.getvalue())
    return sheet_path, zip_path


def test_a_curator_checks_then_imports_a_sheet_with_photos(
    curator: Any, server: Any, artifacts: Path, tmp_path: Path
) -> None:
    page = curator
    sheet, bundle = _files(tmp_path, SHEET)
    # The menu leads to the import page.
    page.get_by_role("link", name="Importeren").click()
    page.wait_for_url(re.compile(r"/importeren$"))
    page.get_by_label("Media-items").check()
    page.get_by_label("Blad").set_input_files(str(sheet))
    page.get_by_label("Bestanden (zip, optioneel)").set_input_files(str(bundle))

    # Check: the report appears in place, as a table of the rows it would add.
    page.get_by_role("button", name="Controleren (proef)").click()
    page.locator("#rapport[data-checked='1'] table.import-items").wait_for()
    report = page.locator("#rapport")
    assert "Proef: 2 item(s) zouden worden toegevoegd" in report.inner_text()
    rows = page.locator("table.import-items tbody tr")
    assert rows.count() == 2
    assert "media/browser-import-markt" in rows.nth(0).inner_text()
    assert "markt.png" in rows.nth(0).inner_text()
    assert "alleen curatoren" in rows.nth(1).inner_text()  # no consent: curators only
    assert not page.locator(".no-js-hint").first.is_visible()
    page.screenshot(path=str(artifacts / "import-dry-run.png"), full_page=True)
    # Nothing is written by the check.
    assert _status(server, "/api/media/browser-import-markt") == 404
    # The chosen files are still chosen.
    assert page.locator("#sheet").evaluate("e => e.files.length") == 1

    # Import: the same files, all rows at once.
    page.get_by_role("button", name="Importeren", exact=True).click()
    page.locator("#rapport .notice.ok h2", has_text="2 item(s) geïmporteerd").wait_for()
    page.screenshot(path=str(artifacts / "import-done.png"), full_page=True)
    page.get_by_role("link", name="media/browser-import-markt").click()
    page.wait_for_url(re.compile(r"/media/browser-import-markt$"))
    assert page.locator("h1").inner_text() == "De markt op het Tussendijkenplein"
    request = urllib.request.Request(
        server.url + "/api/media/browser-import-markt",
        headers={"Authorization": f"Bearer {server.token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        media = json.load(response)
    assert [f["filename"] for f in media["files"]] == ["markt.png"]
    assert media["consent"] == "public" and media["date"] == "2020-22"


def test_a_sheet_with_errors_shows_every_error_and_writes_nothing(
    curator: Any, server: Any, artifacts: Path, tmp_path: Path
) -> None:
    page = curator
    bad = (
        "id;titel;soort;datum\n"
        "browser-fout-1;;foto;2020\n"  # row 2: no title
        "Browser Fout;Titel;schilderij;maart 2020x\n"  # row 3: id, kind and date wrong
        "browser-fout-3;Goed;foto;2020\n"  # row 4: fine, but not written either
    )
    sheet, _ = _files(tmp_path, bad)
    page.goto("/importeren")
    page.get_by_label("Media-items").check()
    page.get_by_label("Blad").set_input_files(str(sheet))
    # Straight to "Importeren": the import checks everything first and refuses the whole sheet.
    page.get_by_role("button", name="Importeren", exact=True).click()
    page.locator("table.import-errors").wait_for()
    assert "er is niets geïmporteerd" in page.locator("#rapport .notice.error h2").inner_text()
    cells = page.locator("table.import-errors tbody tr").all_inner_texts()
    found = [tuple(row.split("\t")[:2]) for row in cells]
    assert found == [("2", "titel"), ("3", "id"), ("3", "soort"), ("3", "datum")]
    page.screenshot(path=str(artifacts / "import-errors.png"), full_page=True)
    assert _status(server, "/api/media/browser-fout-3") == 404
