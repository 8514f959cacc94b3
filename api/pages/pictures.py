"""What an item page shows of files: the media item's own file (or that it has none), and
on a story or an episode its own files and its linked media as tiles.

Pure helpers over plain data already read through the visibility policy (the item, and the
linked items the reader may read); the markup is in `templates/_item_files.html`.
"""

from __future__ import annotations

from typing import Any

from api.pages.templating import item_path
from archive.pictures import (
    VISUAL_KINDS,
    credit,
    describe,
    no_file_text,
    picture,
    shown_files,
    tile_word,
)


def files_context(
    item: dict[str, Any], linked: list[dict[str, Any]], *, as_of: bool = False
) -> dict[str, Any]:
    """`files` of an item page: `main`, `more`, `tiles`, `credit`, `no_file`, `source_url`.

    A media item shows its first file large (image, PDF page, player) and the rest below;
    without a file it says so, with the source's link when it has one. A story or an
    episode shows its own files and its linked media (in `linked`) as tiles: those with a
    picture or a recording, and photos, drawings and recordings that have no file (so the
    reader sees the source credits a picture the archive does not hold).
    """
    own = shown_files(item)
    context: dict[str, Any] = {
        "main": None,
        "more": [],
        "tiles": [],
        "credit": credit(item),
        "no_file": None,
        "source_url": item.get("url") or None,
        "as_of": as_of,
        "removed": removed_files(item),
    }
    if item.get("kind") == "media":
        if own:
            context["main"], context["more"] = own[0], own[1:]
        elif not item.get("erased") and not context["removed"]:
            context["no_file"] = no_file_text(item)
        return context
    tiles = [_own_tile(item, f) for f in own]
    tiles += [t for t in (_linked_tile(other) for other in linked) if t is not None]
    context["tiles"] = tiles
    return context


def removed_files(item: dict[str, Any]) -> list[dict[str, Any]]:
    """Files an `as_of` page lists as recorded then, since taken off the item: not served,
    so shown as "bestand later verwijderd" (`archive.files.as_recorded`)."""
    if item.get("tombstone") or item.get("erased"):
        return []
    return [{**f, "about": describe(f)} for f in item.get("files") or [] if f.get("removed")]


def _own_tile(item: dict[str, Any], file: dict[str, Any]) -> dict[str, Any]:
    """A file of the item itself: its thumbnail links to the file, a recording plays."""
    return {
        "href": file["url"],
        "file": file,
        "title": file.get("filename") or item.get("title") or "",
        "word": {"pdf": "Pdf", "audio": "Geluid", "video": "Video"}.get(file["family"], "Bestand"),
        "credit": credit(item),
        "own": True,
    }


def _linked_tile(other: dict[str, Any]) -> dict[str, Any] | None:
    """A linked media item: its picture's thumbnail (or its recording, or "geen bestand")."""
    if other.get("kind") != "media" or other.get("tombstone"):
        return None
    files = shown_files(other)
    found = picture(other)
    recording = next((f for f in files if f["family"] in ("audio", "video")), None)
    if found is None and recording is None and other.get("media_kind") not in VISUAL_KINDS:
        return None
    title = other.get("title") or other["id"]
    word = tile_word(other)
    return {
        "href": item_path("media", other["id"]),
        "picture": found,
        "recording": recording if found is None else None,
        "title": title,
        "word": "" if title.lower().startswith(word.lower()) else word,
        "credit": credit(other),
        "own": False,
    }
