"""After a restore without keys, new words are never stored unsealed: the write is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.config import Settings
from archive.exchange import export_to, import_log
from bootstrap import open_archive
from events.errors import KeyMissing


def test_a_keyless_item_takes_no_new_words(settings: Settings, tmp_path: Path) -> None:
    # An archive with a story is exported without its keys ...
    source = open_archive(Settings(data_dir=tmp_path / "source"))
    source.register(
        "stories",
        {"number": "0301", "title": "De markt", "body_markdown": "Over de markt.",
         "consent": "public"},
        actor="anna",
    )  # fmt: skip
    log = tmp_path / "log.jsonl"
    with log.open("w", encoding="utf-8") as out:
        export_to(source, out)
    source.close()

    # ... and restored without them (the curator chose --without-keys).
    target = open_archive(settings)
    try:
        import_log(target, log, without_keys=True)
        position = target.position()

        # New words for it are refused with a clear reason, and nothing is written.
        with pytest.raises(KeyMissing, match="sleutels"):
            target.revise("stories", "0301", {"body_markdown": "Geheime nieuwe tekst"},
                          actor="anna")  # fmt: skip
        with pytest.raises(KeyMissing):
            target.revise("stories", "0301", {"title": "Nieuwe titel"}, actor="anna")
        assert target.position() == position
        raw = b"".join(n.state for n in target.recorder.select_notifications(start=1, limit=1000))
        assert b"Geheime" not in raw and b"Nieuwe titel" not in raw

        # A new item gets a key of its own, as always.
        target.register("stories", {"number": "0302", "title": "Nieuw"}, actor="anna")
        assert target.item("stories", "0302", role="curator")["title"] == "Nieuw"
    finally:
        target.close()
