"""Files on items: what an item's `files` list and an upload's answer hold."""

from __future__ import annotations

from pydantic import Field

from api.models.common import Answer, Page


class FilePublic(Answer):
    """A file of an item: a photo, scan, drawing, PDF, audio or video (docs/media-files.md)."""

    id: str = Field(examples=["f1"])
    content_type: str = Field(
        description="Bepaald uit de inhoud (niet uit naam of header).", examples=["image/jpeg"]
    )
    bytes: int = Field(description="Grootte van het bewaarde (opgeschoonde) bestand.")
    sha256: str = Field("", description="SHA-256 (hex) van het bewaarde bestand; ook de ETag.")
    filename: str = Field("", examples=["buurtfeest.jpg"])
    width: int | None = None
    height: int | None = None
    original_kept: bool = Field(False, description="Het origineel (met metadata) is bewaard.")
    variants: list[str] = Field(default_factory=list, examples=[["display", "thumbnail"]])
    url: str | None = Field(None, examples=["/api/media/buurtfeest/files/f1"])
    thumbnail_url: str | None = Field(None, description="Beelden en PDF's (320 px).")
    display_url: str | None = Field(None, description="Beelden: weergave (1600 px, JPEG).")
    original_url: str | None = Field(None, description="Alleen voor curatoren bewaard origineel.")
    unavailable: str | None = Field(
        None,
        description="Waarom een bestand geen URL heeft: `removed` (een as_of-antwoord noemt een "
        "bestand dat een curator later verwijderde) of `erased` (het item is gewist); null "
        "voor een bestand dat geleverd wordt.",
        examples=[None, "removed"],
    )


class FileWritten(FilePublic):
    """The answer to an upload: the file, the item it is on and the log position."""

    item: str = Field(examples=["media/buurtfeest"])
    position: int | None = None


class FileList(Page):
    """The files of an item."""

    items: list[FilePublic]
