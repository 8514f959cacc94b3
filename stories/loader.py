"""Loading content files (Markdown with YAML front matter) through the archive's commands.

The format is described in `docs/content-format.md`. Loading is idempotent: an item that
already exists is left as it is (curators revise through commands, never by reloading), and a
link that exists is not made twice. Links are made in a second pass, so files may refer to
each other in any order.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from events.errors import ArchiveError, InvalidInput

CONTENT_DIR = Path(__file__).parent / "content"
SOURCES_DIR = Path(__file__).parent / "sources"
SEED_ACTOR = "wijkcollectie-seed"
KIND_OF = {"episode": "episodes", "story": "stories", "media": "media"}


@dataclass
class ContentFile:
    """One parsed content file."""

    path: Path
    kind: str
    key: str
    fields: dict[str, Any]
    links: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.key}"


@dataclass
class LoadReport:
    """What a load did."""

    registered: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    linked: int = 0


def parse(path: Path) -> ContentFile:
    """Read one content file; raise InvalidInput naming the file on any problem."""
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---"):
        raise InvalidInput(f"{path}: het bestand begint niet met '---' (YAML front matter).")
    try:
        _, front, body = raw.split("---", 2)
        meta = yaml.safe_load(front) or {}
    except (ValueError, yaml.YAMLError) as error:
        raise InvalidInput(f"{path}: onleesbare front matter ({error}).") from None
    if not isinstance(meta, dict):
        raise InvalidInput(f"{path}: de front matter moet een YAML-object zijn.")
    kind = KIND_OF.get(str(meta.pop("kind", "")))
    if kind is None:
        raise InvalidInput(f"{path}: 'kind' moet episode, story of media zijn.")
    key = str(meta.pop("number" if kind == "stories" else "id", "") or "")
    links = [str(link) for link in meta.pop("links", None) or []]
    if "qualities" in meta:
        meta["assessments"] = meta.pop("qualities")
    meta["body_markdown"] = body.strip() + "\n" if body.strip() else ""
    # YAML turns unquoted dates into date objects: give curators their string back.
    for name in ("date",):
        if name in meta and meta[name] is not None:
            meta[name] = str(meta[name])
    for happening in meta.get("happenings") or []:
        if isinstance(happening, dict) and happening.get("date") is not None:
            happening["date"] = str(happening["date"])
    meta["number" if kind == "stories" else "id"] = key
    return ContentFile(path=path, kind=kind, key=key, fields=meta, links=links)


def for_domain(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as the domain takes them.

    An assessment's `how` is its `basis` (explicit: the source's verdict; reading: the
    coder's reading, with its `note`). The domain has no note on an item or a happening yet:
    those go into the body, under "Noten bij de bronnen".
    """
    meta = copy.deepcopy(fields)
    notes = [f"- {meta['note']}"] if meta.get("note") else []
    meta.pop("note", None)
    for happening in meta.get("happenings") or []:
        note = happening.pop("note", None) if isinstance(happening, dict) else None
        if note:
            notes.append(f"- Gebeurtenis ‘{happening.get('title', '')}’: {note}")
    for assessment in meta.get("assessments") or []:
        if isinstance(assessment, dict) and "how" in assessment:
            assessment["basis"] = assessment.pop("how")
    if notes:
        body = str(meta.get("body_markdown") or "").strip()
        meta["body_markdown"] = f"{body}\n\n## Noten bij de bronnen\n\n" + "\n".join(notes) + "\n"
    return meta


def content_files(paths: Iterable[Path]) -> list[ContentFile]:
    """Every `*.md` file under the given paths, parsed, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*.md")) if p.name != "README.md")
        else:
            found.append(path)
    return [parse(p) for p in found]


def load(
    archive: Any,
    paths: Iterable[Path],
    *,
    actor: str = SEED_ACTOR,
    progress: Callable[[int, int], None] | None = None,
) -> LoadReport:
    """Register every new item of the files, then make their links."""
    files = content_files(paths)
    report = LoadReport()
    steps = len(files) * 2
    for number, content in enumerate(files, start=1):
        if archive.exists(content.kind, content.key):
            report.skipped.append(content.ref)
        else:
            try:
                archive.register(content.kind, for_domain(content.fields), actor=actor)
            except ArchiveError as error:
                raise type(error)(f"{content.path}: {error.message}", field=error.field) from None
            report.registered.append(content.ref)
        if progress:
            progress(number, steps)
    for number, content in enumerate(files, start=len(files) + 1):
        current = archive.recorded_item(content.kind, content.key)["links"]
        for target in content.links:
            if target not in current:
                try:
                    archive.link(content.ref, target, actor=actor)
                except ArchiveError as error:
                    raise type(error)(f"{content.path}: {error.message}") from None
                report.linked += 1
        if progress:
            progress(number, steps)
    return report


def seed(archive: Any, progress: Callable[[int, int], None] | None = None) -> LoadReport:
    """Load the source-document archive shipped in `stories/content/`."""
    return load(archive, [CONTENT_DIR], progress=progress)
