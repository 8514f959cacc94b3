"""The pure helpers behind the leftovers of issue 19: absolute picture URLs, an episode's
borrowed image, and a file removed later in an `as_of` answer."""

from __future__ import annotations

from typing import Any

from archive.files import as_recorded, file_links
from archive.pictures import absolute, borrowed

SHA = "a" * 64


def _file(file_id: str, content_type: str = "image/png") -> dict[str, Any]:
    return {
        "id": file_id, "content_type": content_type, "bytes": 10, "sha256": SHA,
        "filename": f"{file_id}.png", "width": 800, "height": 600,
        "variants": ["display", "thumbnail"],
    }  # fmt: skip


def _media(key: str, *files: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"kind": "media", "id": key, "ref": f"media/{key}", "media_kind": "photo",
            "title": key, "files": list(files), **fields}  # fmt: skip


def test_absolute_prefixes_only_the_archive_urls() -> None:
    image = {"url": "/api/x/display", "thumbnail": None, "link": "/api/x", "alt": "/niet"}
    shown = absolute(image, "https://a.example")
    assert shown == {"url": "https://a.example/api/x/display", "thumbnail": None,
                     "link": "https://a.example/api/x", "alt": "/niet"}  # fmt: skip
    assert absolute(image, "") is image and absolute(None, "https://a.example") is None


def test_an_episode_borrows_only_from_a_readable_linked_image() -> None:
    photo = _media("foto", _file("f1"))
    report = _media("rapport", _file("f1", "application/pdf"), media_kind="report")
    episode = {"kind": "episodes", "id": "e", "ref": "episodes/e", "title": "E",
               "links": ["media/rapport", "media/geheim", "media/foto"], "files": []}  # fmt: skip
    # The secret photo is linked but not among the readable items: it lends nothing; a
    # PDF's page is not borrowed; the readable photo is.
    found = borrowed(episode, {"media/foto": photo, "media/rapport": report})
    assert found is not None and found["from"] == "media/foto"
    assert found["thumbnail"] == "/api/media/foto/files/f1/thumbnail"
    assert borrowed(episode, {"media/rapport": report}) is None
    # Only episodes borrow; an item with its own picture keeps it.
    story = {**episode, "kind": "stories", "ref": "stories/e"}
    assert borrowed(story, {"media/foto": photo}) is None
    own = {**episode, "files": [_file("f1")]}
    mine = borrowed(own, {"media/foto": photo})
    assert mine is not None and "from" not in mine


def test_a_file_removed_later_is_listed_without_urls() -> None:
    past = _media("foto", _file("f1"), _file("f2"))
    now = _media("foto", _file("f1"))
    marked = as_recorded(past, now)
    assert [f.get("removed", False) for f in marked["files"]] == [False, True]
    assert as_recorded(now, now) is now
    kept, gone = (file_links("media", "foto", f) for f in marked["files"])
    assert kept["url"] == "/api/media/foto/files/f1" and kept["unavailable"] is None
    assert gone["unavailable"] == "removed" and "removed" not in gone
    assert [gone[n] for n in ("url", "thumbnail_url", "display_url", "original_url")] == [None] * 4
    erased = file_links("media", "foto", {**_file("f1"), "sha256": ""})
    assert erased["unavailable"] == "erased" and erased["url"] is None
