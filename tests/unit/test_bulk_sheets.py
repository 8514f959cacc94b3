"""Reading and planning a curator's sheet: CSV as Excel writes it, .xlsx, Dutch headers, and
every error reported with its row and column (archive/sheets.py, archive/bulk.py)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from archive.bulk import DEFAULT_CONSENT, plan
from archive.sheets import FileSource, UnreadableSheet, read_sheet

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bulk"


def planned(kind: str, data: bytes, name: str = "blad.csv"):
    header, rows = read_sheet(data, name)
    return plan(kind, header, rows)


def test_a_utf8_csv_with_a_byte_order_mark_and_english_headers() -> None:
    # Excel's "CSV UTF-8" starts with a BOM; the first header must still be `number`.
    data = "\ufeffnumber,title,body_markdown,storytellers\n0001,Jumbo,Tekst,Anna; Bram\n"
    result = planned("stories", data.encode("utf-8"))
    assert result.errors == []
    (candidate,) = result.candidates
    assert candidate.key == "0001"
    assert candidate.fields["storytellers"] == ["Anna", "Bram"]


def test_dutch_excel_csv_semicolons_windows_1252_and_dutch_headers() -> None:
    # Dutch Excel: `;` between cells, Windows-1252 (é, ë), lists inside quotes.
    data = (
        "Nummer;Titel;Tekst;Vertellers;Datum;Toestemming;Thema's\r\n"
        '42;Café op de hoek;Het café ging dicht.;"Zoë; Henk";najaar 2020;openbaar;corona\r\n'
    ).encode("cp1252")
    result = planned("stories", data)
    assert result.errors == []
    fields = result.candidates[0].fields
    # Excel drops leading zeros: 42 is story 0042.
    assert result.candidates[0].key == "0042"
    assert fields["title"] == "Café op de hoek"
    assert fields["storytellers"] == ["Zoë", "Henk"]
    assert fields["date"] == "2020-23"  # najaar 2020, as the commands store it
    assert fields["consent"] == "public"
    assert fields["themes"] == ["corona"]


def test_the_example_sheets_of_the_docs_are_clean() -> None:
    stories = planned("stories", (FIXTURES / "verhalen.csv").read_bytes(), "verhalen.csv")
    media = planned("media", (FIXTURES / "media.csv").read_bytes(), "media.csv")
    assert (stories.errors, media.errors) == ([], [])
    assert [c.key for c in stories.candidates] == ["0101", "0102", "0103"]
    assert media.candidates[0].files == ["gaffelstraat.png"]
    assert media.candidates[0].fields["media_kind"] == "photo"  # "foto"


def test_an_xlsx_with_numbers_and_dates_as_excel_stores_them() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "titel", "soort", "datum", "koppelingen"])
    sheet.append(["foto-markt", "De markt", "foto", datetime(2020, 6, 1), "stories/7"])
    sheet.append(["krant-2021", "Krant", "artikel", 2021, None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = planned("media", buffer.getvalue(), "media.xlsx")
    assert result.errors == []
    first, second = result.candidates
    assert first.fields["date"] == "2020-06-01"
    assert first.fields["links"] == ["stories/0007"]
    assert second.fields["date"] == "2021"


def test_every_error_is_reported_with_its_row_and_column() -> None:
    data = (
        "nummer;titel;tekst;datum;toestemming;vreemd\n"
        "12345;;x;maart 2020x;iedereen;\n"  # row 2: four wrong cells
        "0002;Goed;Tekst;2020;;\n"  # row 3: fine
        "0002;Dubbel;Tekst;2020;;\n"  # row 4: the same number again
        "\n"  # an empty line is skipped, not an error
        "0005;Zonder tekst;;;;\n"  # row 6
    )
    result = planned("stories", data.encode())
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (1, "vreemd"),
        (2, "nummer"), (2, "titel"), (2, "datum"), (2, "toestemming"),
        (4, "nummer"),
        (6, "tekst"),
    }  # fmt: skip
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "vier cijfers" in messages[(2, "nummer")]
    assert "rij 3" in messages[(4, "nummer")]
    assert "Onbekende kolom" in messages[(1, "vreemd")]
    assert [c.key for c in result.candidates] == ["0002"]
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)


def test_missing_required_columns_are_errors_of_the_header() -> None:
    result = planned("media", b"titel;datum\nIets;2020\n")
    assert [(e.row, e.column) for e in result.errors] == [(1, "id")]


def test_the_header_errors_name_the_columns_as_the_dutch_sheet_does() -> None:
    """A stories sheet without a text column: `tekst`, not the API's `body_markdown`."""
    result = planned("stories", b"nummer;titel;titel;vreemd\n0700;Markt;Markt;x\n")
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert messages[(1, "tekst")] == "De kolom tekst ontbreekt (verplicht)."
    assert messages[(1, "titel")] == "De kolom titel staat er twee keer in."
    assert "nummer, tekst, vertellers, titel" in messages[(1, "vreemd")]
    assert not any("body_markdown" in m or "storytellers" in m for m in messages.values())


def test_without_a_consent_column_an_item_is_for_curators_only() -> None:
    result = planned("media", b"id,title\nfoto-1,Een foto\n")
    assert result.candidates[0].fields["consent"] == DEFAULT_CONSENT == "curators"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "leeg.csv"),
        (b"PK\x03\x04 not really a zip", "blad.xlsx"),
        (b"\x00\x01\x02binary", "blad.csv"),
        (b"whatever", "blad.xls"),
    ],
)
def test_an_unreadable_file_is_one_clear_error(data: bytes, name: str) -> None:
    with pytest.raises(UnreadableSheet) as refused:
        read_sheet(data, name)
    assert refused.value.status == 422 and refused.value.message


def test_a_zip_gives_its_files_by_base_name_only() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("fotos/markt.jpg", b"jpeg")
        archive.writestr("../../etc/passwd", b"root")
        archive.writestr("__MACOSX/._markt.jpg", b"resource fork")
    source = FileSource.zip(buffer)
    assert source.names() == {"markt.jpg", "passwd"}
    with source.open("markt.jpg") as stream:
        assert stream.read() == b"jpeg"
    with pytest.raises(UnreadableSheet):
        FileSource.zip(io.BytesIO(b"no zip"))
