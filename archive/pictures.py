"""How an item's files are shown: which file pictures the item, its alt text and its credit.

Pure functions over an item's plain data as the catalogue and `Archive.item` give it, i.e.
already read through the visibility policy: whoever may read the item may fetch its files
(the bytes routes apply the same policy), and whoever may not never gets the item, so never
a URL of its files. Used by the web pages, the timelines (HTML, Markdown, TimelineJS), the
Kronieken and the search hits.

- `shown_files(item)`: the files that can be served, each with its URLs and its `family`
  (`image`, `pdf`, `audio`, `video`); a file of an erased item has no URL and is left out.
- `picture(item)`: what pictures the item, or None: its first image (the 1600 px display
  size, the 320 px thumbnail, the full file as link), else the first page of its first PDF
  (the thumbnail, linking to the PDF). With a Dutch `alt`, a `caption` and a `credit`.
- `credit(item)`: "Foto: Florian Braakman" for a photo whose maker is recorded (the seed
  records a photographer as the photo's `outlet`), "Bron: …" for the outlet of other media,
  and "Rechten: …" where rights are recorded.

- `borrowed(item, readable)`: an episode without a picture of its own shows the picture of
  the first linked media item with an image, looked up among the items the reader may read
  (`readable`: ref → item, only those the visibility policy let through).
- `absolute(image, base)`: the picture with its URLs under the archive's base URL.

URLs are relative to the archive (`/api/media/…/files/f1/display`): right on the archive's
own pages and in its HTML and Markdown documents. The JSON documents that leave the archive
(the timeline's and the Kronieken's JSON, TimelineJS) carry them absolute (`absolute`).
"""

from __future__ import annotations

from typing import Any

from archive.files import file_links
from archive.filetypes import DISPLAY, EXTENSIONS, THUMBNAIL

# The word for a media item's kind, as a picture of it is introduced.
MEDIA_WORDS = {
    "photo": "Foto",
    "drawing": "Tekening",
    "video": "Video",
    "audio": "Geluidsopname",
    "report": "Rapport",
    "article": "Artikel",
}
# How "there is no file of this" is said, per kind of media.
NO_FILE = {
    "photo": "Van deze foto is geen bestand in het archief opgenomen.",
    "drawing": "Van deze tekening is geen bestand in het archief opgenomen.",
    "video": "Van deze video is geen bestand in het archief opgenomen.",
    "audio": "Van deze geluidsopname is geen bestand in het archief opgenomen.",
    "report": "Van dit rapport is geen bestand in het archief opgenomen.",
    "article": "Van dit artikel is geen bestand in het archief opgenomen.",
}
# The fields of a picture that are URLs of the archive.
URL_FIELDS = ("url", "thumbnail", "link")
# Media kinds that are pictures or recordings: without a file they still show an empty tile.
VISUAL_KINDS = ("photo", "drawing", "video", "audio")


def family(content_type: str) -> str:
    """`image`, `pdf`, `audio`, `video` (or `other`) of a file's content type."""
    if content_type == "application/pdf":
        return "pdf"
    head = content_type.split("/", 1)[0]
    return head if head in ("image", "audio", "video") else "other"


def shown_files(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The item's files that can be served, in order, with their URLs and `family`."""
    if item.get("tombstone") or item.get("erased"):
        return []
    shown = []
    for record in item.get("files") or []:
        linked = file_links(item["kind"], item["id"], record)
        if not linked.get("url"):
            continue
        linked["family"] = family(str(linked.get("content_type") or ""))
        linked["display_size"] = scaled(linked, DISPLAY)
        linked["thumbnail_size"] = scaled(linked, THUMBNAIL)
        linked["alt"] = alt_text(item, linked)
        linked["about"] = describe(linked)
        shown.append(linked)
    return shown


def scaled(file: dict[str, Any], longest: int) -> dict[str, int] | None:
    """Width and height of an image's derivative whose longer side is at most `longest`."""
    width, height = file.get("width"), file.get("height")
    if not isinstance(width, int) or not isinstance(height, int) or width < 1 or height < 1:
        return None
    factor = min(1.0, longest / max(width, height))
    return {"width": max(1, round(width * factor)), "height": max(1, round(height * factor))}


def describe(file: dict[str, Any]) -> str:
    """`JPEG, 1,2 MB, 1200 × 900 px`: the type, size and (of an image) dimensions in Dutch."""
    parts = [EXTENSIONS.get(str(file.get("content_type")), "bestand").upper()]
    size = file.get("bytes")
    if isinstance(size, int):
        parts.append(size_nl(size))
    if isinstance(file.get("width"), int) and isinstance(file.get("height"), int):
        parts.append(f"{file['width']} × {file['height']} px")
    return ", ".join(parts)


def size_nl(size: int) -> str:
    """A size as people read it, with a decimal comma: `830 kB`, `1,2 MB`."""
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{round(size / 1000)} kB"
    return f"{size / 1_000_000:.1f} MB".replace(".", ",")


def picture(item: dict[str, Any]) -> dict[str, Any] | None:
    """What pictures the item (its first image, else its first PDF's first page), or None."""
    files = shown_files(item)
    chosen = next((f for f in files if f["family"] == "image"), None)
    if chosen is None:
        chosen = next((f for f in files if f["family"] == "pdf" and f["thumbnail_url"]), None)
    if chosen is None:
        return None
    image = chosen["family"] == "image"
    return {
        "file": chosen["id"],
        "content_type": chosen["content_type"],
        "url": (chosen["display_url"] if image else None) or chosen["thumbnail_url"],
        "size": chosen["display_size"] if image else None,
        "thumbnail": chosen["thumbnail_url"],
        "thumbnail_size": chosen["thumbnail_size"],
        "link": chosen["url"],
        "alt": chosen["alt"],
        "caption": item.get("title") or "",
        "credit": credit(item),
    }


def borrowed(item: dict[str, Any], readable: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """An episode's picture: its own, else the image of its first linked media item that has
    one (`from` names it). Only items in `readable` (those the reader may read) lend one."""
    own = picture(item)
    if own is not None or item.get("kind") != "episodes":
        return own
    for ref in item.get("links") or []:
        other = readable.get(ref) if ref.startswith("media/") else None
        if other is None or other.get("tombstone"):
            continue
        found = picture(other)
        if found is not None and family(str(found["content_type"])) == "image":
            return {**found, "from": ref}
    return None


def absolute(image: dict[str, Any] | None, base: str) -> dict[str, Any] | None:
    """The picture with its archive URLs (`/api/…`) under `base` (the archive's address)."""
    if not image or not base:
        return image
    return {
        name: f"{base}{value}" if name in URL_FIELDS and str(value or "").startswith("/") else value
        for name, value in image.items()
    }


def thumbnail_url(item: dict[str, Any]) -> str | None:
    """The thumbnail of what pictures the item (an image or a PDF's first page), or None."""
    found = picture(item)
    return found["thumbnail"] if found else None


def alt_text(item: dict[str, Any], file: dict[str, Any]) -> str:
    """A Dutch alternative text for a file of the item, from the item's title.

    `Foto: Astrid Mennen, Bouwkeet`; a title that already says what it is (`Foto bij de
    casus …`) is kept as it is; a PDF's thumbnail is `Eerste pagina van ‘…’ (pdf)`; a picture
    on a story or an episode is `Afbeelding bij het verhaal ‘…’` / `Afbeelding bij ‘…’`.
    """
    title = str(item.get("title") or "").strip()
    if family(str(file.get("content_type") or "")) == "pdf":
        return f"Eerste pagina van ‘{title}’ (pdf)"
    if item.get("kind") == "media":
        word = MEDIA_WORDS.get(str(item.get("media_kind") or ""), "Afbeelding")
        if word in ("Artikel", "Rapport", "Video", "Geluidsopname"):
            word = "Afbeelding"
        if title.lower().startswith(word.lower()):
            return title
        return f"{word}: {title}" if title else word
    if item.get("kind") == "stories":
        return f"Afbeelding bij het verhaal ‘{title}’"
    return f"Afbeelding bij ‘{title}’"


def tile_word(item: dict[str, Any]) -> str:
    """The short word before a linked media item's title on a tile: Foto, Tekening, …"""
    return MEDIA_WORDS.get(str(item.get("media_kind") or ""), "Media")


def credit(item: dict[str, Any]) -> str:
    """Who made it and who holds the rights, as recorded: `Foto: Florian Braakman`."""
    parts = []
    outlet = str(item.get("outlet") or "").strip()
    if item.get("kind") == "media" and outlet:
        word = "Foto" if item.get("media_kind") == "photo" else "Bron"
        parts.append(f"{word}: {outlet}")
    rights = str(item.get("rights") or "").strip()
    if rights:
        parts.append(f"Rechten: {rights}")
    return " · ".join(parts)


def no_file_text(item: dict[str, Any]) -> str:
    """What the page says when a media item has no file in the archive."""
    return NO_FILE.get(
        str(item.get("media_kind") or ""), "Van dit item is geen bestand in het archief opgenomen."
    )
