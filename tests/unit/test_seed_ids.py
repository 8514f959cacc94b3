"""No seed item's id names a person: ids are in every link, URL and log line, and an erasure
of a person cannot take them out (they are the items' natural keys)."""

from __future__ import annotations

import re

from stories.loader import CONTENT_DIR, content_files


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", text.lower()) if len(w) > 2}


def test_no_seed_id_carries_a_persons_name() -> None:
    files = content_files([CONTENT_DIR])
    # The residents and photographers the seed names: storytellers, the people of portraits
    # and the photographers credited as outlet (other `people` are often organisations).
    people: set[str] = set()
    for file in files:
        names = list(file.fields.get("storytellers", []))
        if file.fields.get("media_kind") == "photo":
            names.extend([*file.fields.get("people", []), file.fields.get("outlet", "")])
        people.update(n for n in names if n and len(n.split()) >= 2)
    assert "Astrid Mennen" in people  # the check below could fail
    for file in files:
        id_words = _words(file.key)
        for person in people:
            surname = _words(person.split()[-1])
            assert not (surname and surname <= id_words), f"{file.ref} names {person}"
