"""An erasure, and forgetting a person, checked on the raw bytes of everything the archive keeps.

After `erase` (one item) and `erase-person` (a name across the archive) no file under the data
directory (event store, catalogue and key store with their WAL files, the search index), no
row of the PostgreSQL schema and no fresh export holds the name or the erased words, while
the items themselves stay. Both stores, both search backends.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from archive.config import Settings
from archive.exchange import export_to
from archive.service import Archive
from bootstrap import open_archive

pytestmark = pytest.mark.usefixtures("search_backend")

NAME = "Henk Vermeulen"
MARKERS = (b"vermeulen", b"bakkerij", b"schoenmaker")


def _files(data_dir: Path) -> bytes:
    """Every byte of every file under the data directory, lower-cased."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file()).lower()


def _postgres(settings: Settings) -> bytes:
    """Every value of every table of the test's schema, as bytes, lower-cased."""
    if not settings.uses_postgres:
        return b""
    import psycopg

    pg = settings.postgres()
    params: dict[str, Any] = {k: pg[k] for k in ("dbname", "host", "port", "user", "password")}
    found = io.BytesIO()
    with psycopg.connect(**params, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (settings.database_schema,),
        ).fetchall()
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM "{settings.database_schema}"."{table}"'):
                for value in row:
                    found.write(value if isinstance(value, bytes) else str(value).encode())
    return found.getvalue().lower()


def _export(archive: Archive) -> bytes:
    out = io.StringIO()
    export_to(archive, out)
    return out.getvalue().encode().lower()


def _everywhere(archive: Archive, settings: Settings) -> bytes:
    """What a scan of the disk, the database and a fresh export reads."""
    return _files(settings.data_dir) + _postgres(settings) + _export(archive)


def _register_story_naming_henk(archive: Archive, number: str) -> None:
    """A story with the teller's name in every field that takes words."""
    archive.register(
        "stories",
        {
            "number": number,
            "title": f"Het verhaal van {NAME}",
            "summary": f"{NAME} vertelt over de bakkerij.",
            "body_markdown": f"Ik ben {NAME} en ik woon boven de bakkerij.",
            "storytellers": [NAME],
            "people": [NAME, "de schoenmaker"],
            "places": ["Bakkerij Vermeulen, Schiedamseweg"],
            "themes": ["familie Vermeulen"],
            "source": f"Interview met {NAME}",
            "rights": f"© {NAME}",
            "consent": "public",
            "date": "2020",
            "happenings": [
                {"date": "2020-05", "title": f"{NAME} opent de bakkerij weer",
                 "text": "De schoenmaker helpt.", "source": f"brief van {NAME}"}
            ],
            "assessments": [
                {"quality": "verbindend-vermogen", "assessment": "shown",
                 "evidence": f"{NAME} bracht buren samen", "source": "interview"}
            ],
        },
        actor="anna",
    )  # fmt: skip
    archive.revise("stories", number, {"date": "2020-05"}, actor="anna", reason=f"{NAME} belde")


def test_an_erased_story_leaves_no_word_anywhere(settings: Settings) -> None:
    archive = open_archive(settings)
    try:
        # A story names its teller in every field; the archive is read so every view has it.
        _register_story_naming_henk(archive, "0201")
        assert archive.search("bakkerij")["total"] >= 1
        # Before the erasure the words are in the views on disk (so the scan below could fail).
        assert b"bakkerij" in _files(settings.data_dir) + _postgres(settings)

        # The story is erased.
        archive.erase("stories", "0201", actor="anna", reason="AVG art. 17")

        # No byte of its words is left: not on disk, not in the database, not in an export.
        found = _everywhere(archive, settings)
        for marker in MARKERS:
            assert marker not in found, marker
        # What remains is the structure: kind, number, dates, consent, that it was erased.
        story = archive.item("stories", "0201", role="curator")
        assert story["erased"] and story["date"] == "2020-05" and story["consent"] == "public"
        assert story["title"] == "BoTu nr. 0201 (gewist)"
        assert [a["quality"] for a in story["assessments"]] == ["verbindend-vermogen"]
        history = archive.history("stories", "0201", role="curator")
        assert "ermeulen" not in str(history).lower()
    finally:
        archive.close()


def test_a_person_forgotten_is_gone_from_every_item_that_named_them(settings: Settings) -> None:
    archive = open_archive(settings)
    try:
        # Henk is a teller of one story, named in another, and a resident in an episode.
        _register_story_naming_henk(archive, "0202")
        archive.register(
            "stories",
            {"number": "0203", "title": "De buurtkeuken", "consent": "curators",
             "body_markdown": f"Op dinsdag kookt {NAME.upper()} voor de hele straat."},
            actor="anna",
        )  # fmt: skip
        archive.register(
            "episodes",
            {"id": "buurtkeuken", "title": "De buurtkeuken", "people": [NAME, "Gemeente"],
             "summary": "Bewoners koken samen."},
            actor="anna",
        )  # fmt: skip
        # A story that named him once, and no longer does: its history still holds the name.
        archive.register(
            "stories",
            {"number": "0204", "title": "Anoniem verhaal", "storytellers": [NAME],
             "body_markdown": "Over de markt."},
            actor="anna",
        )  # fmt: skip
        archive.revise("stories", "0204", {"storytellers": ["Anoniem"]}, actor="anna")
        archive.register("stories", {"number": "0205", "title": "Over de markt"}, actor="anna")
        archive.fresh()  # the views read it all (as the next request would)
        assert b"henk vermeulen" in _files(settings.data_dir) + _postgres(settings)

        # He asks to be forgotten.
        found = archive.forget_person(NAME, actor="anna", reason=f"verzoek van {NAME}")

        # Every item that named him, now or before, was changed, and no other.
        assert found == {
            "items": ["episodes/buurtkeuken", "stories/0202", "stories/0203", "stories/0204"],
            "unsealed": [],
        }
        # No byte of the name is left anywhere (the bakery's name, "Bakkerij Vermeulen", is
        # not his name and stays).
        assert b"henk vermeulen" not in _everywhere(archive, settings)
        # The items stay, with every other word.
        episode = archive.item("episodes", "buurtkeuken")
        assert episode["people"] == ["Gemeente"] and episode["summary"] == "Bewoners koken samen."
        keuken = archive.item("stories", "0203", role="curator")
        assert keuken["body_markdown"] == "Op dinsdag kookt [naam verwijderd] voor de hele straat."
        teller = archive.item("stories", "0202")
        assert teller["storytellers"] == [] and "bakkerij" in teller["body_markdown"]
        assert teller["title"] == "Het verhaal van [naam verwijderd]"
        assert archive.item("stories", "0204", role="curator")["storytellers"] == ["Anoniem"]
        assert archive.search("bakkerij")["total"] >= 1
        assert archive.search('"Henk Vermeulen"')["total"] == 0
        # Its history keeps every version's structure, and the forgetting itself.
        history: list[dict[str, Any]] = archive.history("stories", "0202", role="curator")
        assert history[-1]["type"] == "PersonForgotten"
        assert "henk vermeulen" not in str(history).lower()

        # New words are sealed under the new key and read back; a second request is a no-op.
        archive.revise("stories", "0202", {"summary": "Over brood."}, actor="anna")
        assert archive.item("stories", "0202")["summary"] == "Over brood."
        assert archive.forget_person(NAME, actor="anna")["items"] == []
    finally:
        archive.close()


def test_a_rebuild_after_forgetting_reads_the_same(settings: Settings) -> None:
    archive = open_archive(settings)
    try:
        # A person is forgotten, and the views are rebuilt from the log.
        _register_story_naming_henk(archive, "0206")
        archive.forget_person(NAME, actor="anna")
        before = archive.item("stories", "0206")
        archive.rebuild()
        # The rebuilt views hold the redacted words and no trace of the name.
        assert archive.catalogue.item("stories", "0206") is not None
        assert archive.item("stories", "0206") == before
        assert archive.search("bakkerij")["total"] >= 1
        assert b"henk vermeulen" not in _files(settings.data_dir) + _postgres(settings)
    finally:
        archive.close()
