"""Reading a curator's sheet (CSV or .xlsx) into rows, and the files a sheet names.

`read_sheet(data, filename)` gives the header as written and every non-empty row as
`(row number as the spreadsheet shows it, {header: text})`; the header is row 1. CSV may
come as Excel writes it: UTF-8 with or without a byte-order mark, or Windows-1252 ("CSV
(gescheiden door lijstscheidingsteken)"), separated by `;` (Dutch Excel), `,` or a tab.
An .xlsx is read with openpyxl (first sheet, values not formulas); its numbers, dates and
booleans become text as a curator would have typed them.

`FileSource` answers which files a sheet may name: a folder (command line) or a zip (command
line and web). Names are looked up by their base name only, so a sheet can never reach a
file outside the folder or the zip (`../`, absolute paths). Unreadable input raises
`UnreadableSheet` (422) with a Dutch message.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Any

from events.errors import InvalidInput

MAX_SHEET_BYTES = 10 * 1024 * 1024  # a sheet of 5,000 rows of text fits easily
MAX_ROWS = 5_000
MAX_COLUMNS = 60
# An .xlsx is a zip: refuse one that would unpack to more than this (a zip bomb).
MAX_XLSX_UNPACKED = 100 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"

Row = tuple[int, dict[str, str]]
# What reading a member of a damaged or encrypted zip may raise.
BROKEN_FILE: tuple[type[Exception], ...] = (
    zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError,
    ValueError,
)  # fmt: skip


class UnreadableSheet(InvalidInput):
    """A sheet or zip that cannot be read at all (not CSV/xlsx, broken, too large)."""

    title = "Onleesbaar bestand"


def read_sheet(data: bytes, filename: str = "") -> tuple[list[str], list[Row]]:
    """The header (as written) and the non-empty rows of a CSV or .xlsx sheet."""
    if not data.strip():
        raise UnreadableSheet("Het bestand is leeg.", field="sheet")
    if len(data) > MAX_SHEET_BYTES:
        raise UnreadableSheet(
            f"Het bestand is te groot (max. {MAX_SHEET_BYTES // (1024 * 1024)} MB).",
            field="sheet",
        )
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        table = _xlsx_table(data)
    elif filename.lower().endswith((".xls", ".ods", ".numbers")):
        raise UnreadableSheet(
            "Dit spreadsheetformaat wordt niet gelezen: sla het op als .xlsx of als CSV.",
            field="sheet",
        )
    else:
        table = _csv_table(data)
    return _rows(table)


def _csv_table(data: bytes) -> list[list[str]]:
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        content = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    if "\x00" in content:
        raise UnreadableSheet(
            "Dit is geen CSV-bestand (het bevat binaire gegevens). Kies een .csv of .xlsx.",
            field="sheet",
        )
    first = content.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    try:
        return [list(row) for row in csv.reader(io.StringIO(content), delimiter=delimiter)]
    except csv.Error as error:
        message = f"Het CSV-bestand is niet te lezen: {error}."
        raise UnreadableSheet(message, field="sheet") from None


def _xlsx_table(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
                raise UnreadableSheet("Het .xlsx-bestand is uitgepakt te groot.", field="sheet")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UnreadableSheet:
        raise
    except Exception:  # openpyxl raises many kinds (KeyError, InvalidFileException, …)
        raise UnreadableSheet(
            "Het .xlsx-bestand is niet te lezen. Sla het opnieuw op als .xlsx of als CSV.",
            field="sheet",
        ) from None
    try:
        sheet = workbook.worksheets[0]
        table: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            if len(table) > MAX_ROWS + 1:
                break
            table.append([_cell_text(v) for v in values[: MAX_COLUMNS + 1]])
        return table
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """A spreadsheet value as the text a curator meant."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(table: list[list[str]]) -> tuple[list[str], list[Row]]:
    while table and not any(cell.strip() for cell in table[0]):
        table = table[1:]  # blank lines above the header
    if not table:
        raise UnreadableSheet("Het bestand bevat geen kopregel.", field="sheet")
    header = [cell.strip() for cell in table[0]]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise UnreadableSheet(f"Te veel kolommen (max. {MAX_COLUMNS}).", field="sheet")
    rows: list[Row] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise UnreadableSheet(
                f"Te veel rijen (max. {MAX_ROWS}); splits het bestand.", field="sheet"
            )
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        extra = [cell for cell in cells[len(header) :] if cell.strip()]
        if extra:
            values[""] = extra[0]  # a value under no header: reported by the planner
        rows.append((number, values))
    return header, rows


def base_name(name: str) -> str:
    """The file name without any folder, for `/` and `\\` alike."""
    return PureWindowsPath(PurePosixPath(name.strip()).name).name


class FileSource:
    """The files a sheet may name, by base name: a folder or a zip (or none)."""

    def __init__(self, members: dict[str, Any], opener: Any, label: str) -> None:
        self._members = members
        self._open = opener
        self.label = label

    @classmethod
    def none(cls) -> FileSource:
        """No folder or zip was given: every named file is missing."""
        return cls({}, None, "geen map of zip")

    @classmethod
    def folder(cls, path: Path) -> FileSource:
        """The regular files directly inside a folder."""
        if not path.is_dir():
            raise UnreadableSheet(f"Map {path} bestaat niet.", field="files")
        members = {p.name: p for p in path.iterdir() if p.is_file()}
        return cls(members, lambda p: p.open("rb"), f"map {path}")

    @classmethod
    def zip(cls, stream: IO[bytes], label: str = "zip") -> FileSource:
        """The files of a zip (any folder inside it; the first of a base name wins)."""
        try:
            archive = zipfile.ZipFile(stream)
            infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            raise UnreadableSheet(
                "Het zip-bestand is niet te lezen; maak het opnieuw aan.", field="files"
            ) from None
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = base_name(info.filename)
            if not info.is_dir() and name and not name.startswith(".") and name not in members:
                members[name] = info
        return cls(members, archive.open, label)

    def names(self) -> set[str]:
        """The base names of every file."""
        return set(self._members)

    def size(self, name: str) -> int:
        """The size in bytes of a file (unpacked)."""
        member = self._members[name]
        return int(member.stat().st_size if isinstance(member, Path) else member.file_size)

    @contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        """A stream of a file's bytes."""
        stream = self._open(self._members[name])
        try:
            yield stream
        finally:
            stream.close()
