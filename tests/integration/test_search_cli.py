"""`wijkarchief search` and the other reads at a terminal: an empty or missing archive, a
query it refuses, and output that is plain text (no HTML, no control characters)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from archive.config import Settings
from bootstrap import open_archive
from entrypoints.cli import main

pytestmark = pytest.mark.usefixtures("search_backend")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WIJKARCHIEF_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("WIJKARCHIEF_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # a `./var` made by mistake would land here
    return tmp_path / "data"


@pytest.mark.parametrize(
    "argv",
    [["search", "buurt"], ["timeline", "2020"], ["kronieken"], ["history", "stories", "0001"]],
)
def test_a_read_of_a_missing_archive_says_so_and_creates_nothing(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) != 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(data_dir) in err and "Traceback" not in err
    assert not data_dir.exists() and not (tmp_path / "var").exists()


def test_search_of_an_empty_archive_finds_nothing(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_archive(Settings(data_dir=data_dir)).close()  # an archive with nothing in it
    assert main(["search", "buurt"]) == 0
    assert capsys.readouterr().out.startswith("0 resultaten")


def test_a_query_that_cannot_be_read_is_one_line(
    data_dir: Path, capsys: pytest.CaptureFixture[str], search_backend: str
) -> None:
    open_archive(Settings(data_dir=data_dir)).close()
    # `NOT NOT a`: Whoosh's parser cannot read it (a traceback before); tantivy's reading can.
    unreadable = ["NOT NOT a"] if search_backend == "whoosh" else []
    for q in [*unreadable, "*e*", "x" * 1001]:
        assert main(["search", q]) == 2
        err = capsys.readouterr().err
        assert err.startswith("wijkarchief: ") and err.count("\n") == 1


def _archive_with_escapes(data_dir: Path) -> None:
    archive = open_archive(Settings(data_dir=data_dir))
    try:
        archive.register(
            "stories",
            {"number": "0001", "title": "De \x1b[31mrode\x1b[0m buurt\x07 & co",
             "body_markdown": "Vrijwilligers <b>hielpen</b> in de buurt.\x1b]0;titel\x07",
             "date": "2020", "consent": "public"},
            actor="anna",
        )  # fmt: skip
    finally:
        archive.close()


def test_search_output_is_plain_text_without_control_characters(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _archive_with_escapes(data_dir)
    assert main(["search", "vrijwilligers"]) == 0
    out = capsys.readouterr().out
    assert "<mark" not in out and "</mark>" not in out and "&amp;" not in out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out), repr(out)
    assert "De [31mrode[0m buurt & co" in out  # the escape character itself is gone
    assert "Vrijwilligers <b>hielpen</b> in de buurt." in out  # text, as written


def test_search_highlights_in_bold_at_a_terminal(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _archive_with_escapes(data_dir)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    assert main(["search", "vrijwilligers"]) == 0
    out = terminal.getvalue()
    assert "\x1b[1mVrijwilligers\x1b[22m" in out  # the match, bold
    assert re.sub(r"\x1b\[(1|22)m", "", out).count("\x1b") == 0  # and no other escape
