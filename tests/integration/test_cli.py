"""The command line, run as a user runs it: exit codes, one-line reasons, real stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from entrypoints.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WIJKARCHIEF_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("WIJKARCHIEF_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_seed_is_idempotent(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Seeding an empty store registers every content item.
    assert main(["seed"]) == 0
    first = capsys.readouterr().out
    assert "items vastgelegd" in first

    # Seeding again registers nothing new and writes nothing.
    assert main(["export", str(data_dir.parent / "a.jsonl")]) == 0
    assert main(["seed"]) == 0
    assert "0 items vastgelegd" in capsys.readouterr().out
    assert main(["export", str(data_dir.parent / "b.jsonl")]) == 0
    assert (data_dir.parent / "a.jsonl").read_bytes() == (data_dir.parent / "b.jsonl").read_bytes()

    # --if-empty does nothing on a filled store.
    assert main(["seed", "--if-empty"]) == 0
    assert "niets geladen" in capsys.readouterr().out


def test_tokens_are_printed_once_and_stored_hashed(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A curator token is created and printed.
    assert main(["token", "create", "--role", "curator", "--name", "anna"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("anna.")

    # The log holds its hash, never the token itself.
    assert main(["export", str(data_dir.parent / "log.jsonl")]) == 0
    log = (data_dir.parent / "log.jsonl").read_text()
    assert token.split(".", 1)[1] not in log
    assert "secret_hash" in log

    # Revoking an unknown token fails with a one-line reason.
    assert main(["token", "revoke", "niemand"]) == 2
    assert capsys.readouterr().err.strip() == "wijkarchief: Er is geen token 'niemand'."


def test_a_token_name_is_not_reused_without_replace(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A curator token named anna.
    assert main(["token", "create", "--role", "curator", "--name", "anna"]) == 0
    first = capsys.readouterr().out.strip()

    # A second token of that name is refused in one line naming --replace; the first works.
    assert main(["token", "create", "--role", "researcher", "--name", "anna"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "anna" in err[0] and "--replace" in err[0]
    assert _authenticate(first) == ("anna", "curator")

    # With --replace the new token takes its place and the old one stops working.
    assert main(["token", "create", "--role", "researcher", "--name", "anna", "--replace"]) == 0
    second = capsys.readouterr().out.strip()
    assert _authenticate(first) is None
    assert _authenticate(second) == ("anna", "researcher")

    # A revoked name is free again.
    assert main(["token", "revoke", "anna"]) == 0
    assert main(["token", "create", "--role", "curator", "--name", "anna"]) == 0
    third = capsys.readouterr().out.strip().splitlines()[-1]
    assert _authenticate(third) == ("anna", "curator")


def _authenticate(token: str) -> tuple[str, str] | None:
    from archive.application import Wijkarchief

    app = Wijkarchief()
    try:
        return app.authenticate(token)
    finally:
        app.close()


def test_import_refuses_a_filled_store(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A store with one token in it, exported.
    main(["token", "create", "--role", "researcher", "--name", "bram"])
    dump = data_dir.parent / "dump.jsonl"
    assert main(["export", str(dump)]) == 0
    capsys.readouterr()

    # Importing into the same store fails with a clear one-line reason.
    assert main(["import", str(dump)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "leeg archief" in err[0]

    # A missing file is a clear error too.
    assert main(["import", str(data_dir.parent / "nope.jsonl")]) == 2
    assert "bestaat niet" in capsys.readouterr().err


def test_load_reports_the_file_with_a_bad_date(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A curator's file with a date that is neither EDTF nor Dutch.
    bad = tmp_path / "0100.md"
    bad.write_text('---\nkind: story\nnumber: "0100"\ntitle: X\ndate: "2020-13"\n---\nTekst\n')

    # Loading it fails, naming the file and the date, and writes nothing.
    assert main(["load", str(bad), "--actor", "anna"]) == 2
    err = capsys.readouterr().err
    assert "0100.md" in err and "2020-13" in err
    assert main(["history", "stories", "0100"]) == 2


def test_qualities_skos(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The vocabulary comes out as a SKOS concept scheme with both labels.
    assert main(["qualities", "--skos"]) == 0
    graph = json.loads(capsys.readouterr().out)["@graph"]
    flexibility = next(n for n in graph if n["@id"].endswith("/institutionele-souplesse"))
    assert {"@value": "institutional flexibility", "@language": "en"} in flexibility[
        "skos:prefLabel"
    ]
