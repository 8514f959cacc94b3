"""Upcasting: happenings recorded before they had `themes` read back with `themes == []`.

The happening record inside `HappeningRecorded` / `HappeningRevised` gained its `themes` list
after the first content was written. Those events are now `class_version = 2`, and
`upcast_v1_v2` gives a version 1 happening an empty list when it is read; the aggregates'
snapshots are version 2 as well. The stored log is never rewritten: version 1 events stay
as they are, new events say `"class_version":2`, and export/import keeps both byte for byte.

The version 1 events are made the way the first content was: the application writes them,
and the test takes them back to version 1 (no `class_version`, no `themes`) with the
application's own transcoder, then inserts them into an empty store of each kind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from archive.application import Wijkarchief
from archive.config import Settings
from archive.exchange import export_keys, export_to, import_log
from archive.shredding import decrypt_value
from bootstrap import open_archive
from events.items import ArchiveItem, Episode, item_id

KEY = "avondklok-2021"
EPISODE_ID = item_id("episodes", KEY)
# Where the happening events are defined now, and the topics the first content wrote them
# under (before they moved from ArchiveItem to events.parts.ItemParts; still registered).
NOW = {
    "events.parts:ItemParts.HappeningRecorded": "events.items:ArchiveItem.HappeningRecorded",
    "events.parts:ItemParts.HappeningRevised": "events.items:ArchiveItem.HappeningRevised",
}
HAPPENING_TOPICS = {*NOW, *NOW.values()}


def _plain(stored: StoredEvent) -> StoredEvent:
    """A stored event (or notification) as the bare record `insert_events` takes."""
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=stored.state,
    )


def _unsealed(app: Wijkarchief, item: UUID, node: Any) -> Any:
    """Stored JSON with every sealed value opened: the first content sealed no episode."""
    if isinstance(node, str) and node.startswith("wa-enc:"):
        return decrypt_value(app.keys.get(item), item, node, "")
    if isinstance(node, dict):
        return {k: _unsealed(app, item, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_unsealed(app, item, v) for v in node]
    return node


def _back_to_v1(app: Wijkarchief, stored: StoredEvent) -> StoredEvent:
    """The stored event as version 1 wrote it: no `class_version`, happenings without themes,
    nothing sealed (episodes had no key then)."""
    state: dict[str, Any] = app.mapper.transcoder.decode(stored.state)
    state = _unsealed(app, UUID(str(stored.originator_id)), state)
    if stored.topic in HAPPENING_TOPICS:
        assert state.pop("class_version") == 2  # what this version writes ...
        del state["happening"]["themes"]  # ... and the field version 1 did not have
    elif isinstance(state.get("state"), dict):  # a snapshot of the aggregate
        assert state["state"].pop("class_version") == 3  # version 3: with files
        del state["state"]["files"], state["state"]["file_count"]  # (issue 19)
        for happening in state["state"]["happenings"].values():
            del happening["themes"]
    else:
        assert "class_version" not in state
    return StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=NOW.get(stored.topic, stored.topic),  # the topic the first content wrote
        state=app.mapper.transcoder.encode(state),
    )


def _v1_log(tmp_path: Path) -> tuple[list[StoredEvent], StoredEvent]:
    """An episode's events, and a snapshot of it, in the shape of the first content."""
    scratch = Wijkarchief(Settings(data_dir=tmp_path / "scratch"))
    try:
        scratch.register("episodes", {"id": KEY, "title": "De avondklok"}, actor="anna")
        scratch.record_happening(
            "episodes", KEY,
            {"date": "2021-01-23", "title": "Avondklok ingesteld", "text": "Om negen uur binnen."},
            actor="anna",
        )  # fmt: skip
        scratch.record_happening(
            "episodes", KEY, {"date": "2021-04-28", "title": "Avondklok opgeheven"}, actor="anna"
        )
        scratch.revise_happening(
            "episodes", KEY, "h2", {"text": "Na drie maanden."}, actor="bram", reason="aanvulling"
        )
        events = [
            _back_to_v1(scratch, _plain(n))
            for n in scratch.recorder.select_notifications(start=1, limit=100)
        ]
        scratch.take_snapshot(EPISODE_ID)
        assert scratch.snapshots is not None
        (snapshot,) = scratch.snapshots.recorder.select_events(EPISODE_ID, desc=True, limit=1)
        return events, _back_to_v1(scratch, _plain(snapshot))
    finally:
        scratch.close()


def _stored_states(app: Wijkarchief) -> list[tuple[str, dict[str, Any]]]:
    """Every event of the log as (topic, stored JSON state), undecoded."""
    return [
        (n.topic, json.loads(n.state))
        for n in app.recorder.select_notifications(start=1, limit=1000)
    ]


def test_version_1_happenings_read_back_with_empty_themes(
    settings: Settings, tmp_path: Path
) -> None:
    # The log of an episode as the first content wrote it, in an empty store.
    events, _ = _v1_log(tmp_path)
    assert [e.topic for e in events] == [
        "events.items:Episode.Registered",
        "events.items:ArchiveItem.HappeningRecorded",
        "events.items:ArchiveItem.HappeningRecorded",
        "events.items:ArchiveItem.HappeningRevised",
    ]
    writer = Wijkarchief(settings)
    writer.recorder.insert_events(events)
    writer.close()

    # The archive opens on it: every happening reads back with an empty list of themes.
    archive = open_archive(settings)
    try:
        happenings = archive.item("episodes", KEY)["happenings"]
        assert [(h["id"], h["title"], h["themes"]) for h in happenings] == [
            ("h1", "Avondklok ingesteld", []),
            ("h2", "Avondklok opgeheven", []),
        ]
        assert happenings[1]["text"] == "Na drie maanden."
        history = archive.recorded_history("episodes", KEY)
        assert [e["data"]["happening"]["themes"] for e in history[1:]] == [[], [], []]
        assert all("class_version" not in e["data"] for e in history)

        # The views catch up over the version 1 events: catalogue, search, timeline.
        archive.catch_up()
        assert archive.catalogue.position() == len(events)
        listed = archive.catalogue.item("episodes", KEY)
        assert listed is not None
        assert [h["themes"] for h in listed["happenings"]] == [[], []]
        found = archive.search("avondklok ingesteld")["hits"]  # the item, its moment inside
        assert [h["ref"] for h in found] == [f"episodes/{KEY}"]
        assert [(m["happening"], m["date"]) for m in found[0]["moments"]][:1] == [
            ("h1", "2021-01-23")
        ]
        entries = archive.timeline(2021)["entries"]
        assert [(e["title"], e["themes"]) for e in entries if e["kind"] == "happening"] == [
            ("Avondklok ingesteld", []),
            ("Avondklok opgeheven", []),
        ]

        # The store itself is not rewritten: those events are still version 1.
        stored = _stored_states(archive)
        assert all("class_version" not in state for _, state in stored)
        assert all("themes" not in state["happening"] for _, state in stored[1:])

        # A change written now is a version 2 event, under the same topic.
        position = archive.revise_happening(
            "episodes", KEY, "h1", {"themes": ["corona"]}, actor="bram", reason="thema"
        )
        topic, state = _stored_states(archive)[-1]
        assert position == len(events) + 1
        assert topic == "events.parts:ItemParts.HappeningRevised"
        assert state["class_version"] == 2
        # The episode of an older archive had no key: it gets one now, new words are sealed.
        assert state["happening"]["themes"].startswith("wa-enc:")
        _, recorded = archive.record_happening(
            "episodes", KEY, {"date": "2021-02-01", "title": "Boetes"}, actor="bram"
        )
        topic, state = _stored_states(archive)[-1]
        assert topic == "events.parts:ItemParts.HappeningRecorded"
        assert (state["class_version"], state["happening"]["themes"]) == (2, [])

        # Old and new read together; the views follow on the next read of them (the corona
        # theme now counts).
        themes = {h["id"]: h["themes"] for h in archive.item("episodes", KEY)["happenings"]}
        assert themes == {"h1": ["corona"], "h2": [], recorded: []}
        archive.fresh()
        listed = archive.catalogue.item("episodes", KEY)
        assert listed is not None
        assert {h["id"]: h["themes"] for h in listed["happenings"]} == themes
        chronicle = archive.kronieken()["entries"]
        assert [e["title"] for e in chronicle if e["ref"] == f"episodes/{KEY}"] == [
            "Avondklok ingesteld"
        ]
    finally:
        archive.close()


def test_a_version_1_snapshot_is_upcast_too(settings: Settings, tmp_path: Path) -> None:
    # A version 1 log and a version 1 snapshot of its last version, in an empty store. The
    # snapshot is marked (another title) so the test can see that it was the one read.
    events, snapshot = _v1_log(tmp_path)
    marked: dict[str, Any] = json.loads(snapshot.state)
    marked["state"]["title"] = "Uit de momentopname"
    snapshot = StoredEvent(
        originator_id=snapshot.originator_id,
        originator_version=snapshot.originator_version,
        topic=snapshot.topic,
        state=json.dumps(marked, separators=(",", ":"), ensure_ascii=False).encode(),
    )
    app = Wijkarchief(settings)
    try:
        app.recorder.insert_events(events)
        assert app.snapshots is not None
        app.snapshots.recorder.insert_events([snapshot])

        # The snapshot itself upcasts: its happenings get an empty list of themes.
        taken: Any = app.mapper.to_domain_event(snapshot)
        aggregate = taken.mutate(None)
        assert isinstance(aggregate, Episode)
        assert [h["themes"] for h in aggregate.happenings.values()] == [[], []]

        # The repository starts from it, and the item reads back upcast.
        item = app.recorded_item("episodes", KEY)
        assert item["title"] == "Uit de momentopname"
        assert [h["themes"] for h in item["happenings"]] == [[], []]

        # A snapshot taken now is of version 2.
        app.revise("episodes", KEY, {"title": "De avondklok van 2021"}, actor="bram")
        app.take_snapshot(EPISODE_ID)
        (latest,) = app.snapshots.recorder.select_events(EPISODE_ID, desc=True, limit=1)
        state = json.loads(latest.state)
        assert state["topic"] == "events.items:Episode"
        assert state["state"]["class_version"] == ArchiveItem.class_version == 3
        assert [h["themes"] for h in state["state"]["happenings"].values()] == [[], []]
    finally:
        app.close()


def _export(app: Wijkarchief, path: Path) -> bytes:
    with path.open("w", encoding="utf-8") as out:
        export_to(app, out)
    return path.read_bytes()


def test_export_import_keeps_mixed_versions_byte_identical(
    settings: Settings, tmp_path: Path
) -> None:
    # A log with version 1 happenings and version 2 ones written after them.
    events, _ = _v1_log(tmp_path)
    source = open_archive(settings)
    source.recorder.insert_events(events)
    source.catch_up()
    source.revise_happening(
        "episodes", KEY, "h2", {"themes": ["avondklok"]}, actor="bram", reason="thema"
    )
    first = _export(source, tmp_path / "first.jsonl")
    export_keys(source, tmp_path / "first.keys")
    source.close()

    # The export keeps each event's version as stored: none for version 1, 2 for the new one.
    lines = [json.loads(line) for line in first.decode().splitlines()]
    versions = [line["state"].get("class_version") for line in lines]
    assert versions == [None, None, None, None, 2]
    assert [line["topic"] in HAPPENING_TOPICS for line in lines] == [False, *[True] * 4]

    # Imported into an empty store and exported again: the same bytes.
    target = open_archive(Settings(data_dir=tmp_path / "copy"))
    try:
        imported = import_log(target, tmp_path / "first.jsonl", keys=tmp_path / "first.keys")
        assert imported.events == len(lines)
        assert _export(target, tmp_path / "second.jsonl") == first

        # The copy reads the old happenings upcast and the new one as written.
        target.catch_up()
        happenings = target.item("episodes", KEY)["happenings"]
        assert [(h["id"], h["themes"]) for h in happenings] == [("h1", []), ("h2", ["avondklok"])]
    finally:
        target.close()
