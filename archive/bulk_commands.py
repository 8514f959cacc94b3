"""The bulk import command: a curator's sheet of stories or media items, all or nothing.

`import_sheet` reads the sheet (`archive.sheets`), plans it (`archive.bulk`: every cell
checked by the domain's validators), then builds every new item through the same command
code as a single registration (`ItemCommands._registered`: the same checks, defaults,
sealing and events) and checks what needs the store: a number or id already taken, links to
items that do not exist, files named but not in the folder or zip. Only when no row has an
error, and it is not a dry run, are all items (and the existing items they link to) written
in ONE save: the event store commits them in one transaction, so a failure part-way (another
writer taking a number in between, a lost connection) leaves nothing. A row whose number or
id already exists is an error, not a skip: an import never half-applies a sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from archive.bulk import Plan, RowError, plan
from archive.filetypes import SNIFF, check_size, sniff
from archive.sheets import BROKEN_FILE, FileSource, base_name, read_sheet
from events.errors import AlreadyExists, ArchiveError, StaleVersion
from events.items import ArchiveItem, acting_as, ref

if TYPE_CHECKING:
    from collections.abc import Callable

    from archive.config import Settings


@dataclass
class ImportReport:
    """What an import added (or a dry run would add), and every error by row."""

    kind: str
    dry_run: bool
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False
    position: int | None = None
    files: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data, as the API answers it."""
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "position": self.position,
            "total": len(self.items),
            "items": self.items,
            "errors": [e.as_dict() for e in self.errors],
            "files": self.files,
        }


class BulkCommands:
    """`import_sheet`: many new items from one sheet, validated whole, saved at once."""

    if TYPE_CHECKING:  # what the application (archive.application.Wijkarchief) provides
        settings: Settings

        def attach_file(
            self, kind: str, key: str, source: Any, filename: str = "", *, actor: str,
            keep_original: bool = False,
        ) -> dict[str, Any]: ...  # fmt: skip

        def _registered(
            self, kind: str, fields: dict[str, Any], *, actor: str,
            load: Callable[[str, str], ArchiveItem] | None = None,
            taken: Callable[[str, str], bool] | None = None,
        ) -> tuple[ArchiveItem, list[ArchiveItem]]: ...  # fmt: skip

        def exists(self, kind: str, key: str) -> bool: ...

        def _link_all(
            self, item: ArchiveItem, targets: list[str],
            load: Callable[[str, str], ArchiveItem] | None = None,
        ) -> list[ArchiveItem]: ...  # fmt: skip

        def _load(
            self, kind: str, key: str, expected_version: int | None = None
        ) -> ArchiveItem: ...

        def _save(self, *aggregates: Any) -> int: ...

    def import_sheet(
        self,
        kind: str,
        data: bytes,
        filename: str,
        *,
        actor: str,
        files: FileSource | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        """Import a CSV or .xlsx sheet of `kind` (stories or media): all rows or none.

        A dry run (or a sheet with any error) writes nothing and reports every row it would
        add and every error. Raises `UnreadableSheet` when the file cannot be read at all.
        """
        header, rows = read_sheet(data, filename)
        planned = plan(kind, header, rows)
        errors = list(planned.errors)
        source = files or FileSource.none()
        built = self._build(planned, errors, actor=actor)
        errors.extend(self._file_errors(planned, source))
        report = ImportReport(kind, dry_run, errors=sorted(errors, key=planned.order))
        report.items = [
            {"row": c.row, "ref": item.ref, "key": item.key, "title": item.title,
             "date": c.fields.get("date"), "consent": item.consent,
             "links": list(item.links), "files": c.files}
            for c, item in built["items"]
        ]  # fmt: skip
        if report.errors or dry_run:
            return report
        try:
            report.position = self._save(*built["save"])
        except StaleVersion:
            raise AlreadyExists(
                "Een nummer of id uit dit bestand is zojuist door iemand anders vastgelegd; "
                "er is niets geïmporteerd. Controleer het bestand opnieuw."
            ) from None
        report.imported = True
        for candidate, item in built["items"]:
            for name in candidate.files:
                attached = self._attach(item, base_name(name), source, actor)
                report.files.append(attached)
                report.position = max(report.position or 0, attached.pop("position", None) or 0)
        return report

    def _attach(
        self, item: ArchiveItem, name: str, source: FileSource, actor: str
    ) -> dict[str, Any]:
        """Attach one named file to a new item; its answer, or why it failed."""
        try:
            with source.open(name) as stream:
                answer = self.attach_file(item.KIND, item.key, stream, name, actor=actor)
        except ArchiveError as error:
            return {"item": item.ref, "name": name, "attached": False, "message": error.message}
        except BROKEN_FILE:
            message = "Het bestand is niet te lezen (beschadigd of versleuteld)."
            return {"item": item.ref, "name": name, "attached": False, "message": message}
        return {"item": item.ref, "name": name, "attached": True, "id": answer.get("id"),
                "content_type": answer.get("content_type"), "url": answer.get("url"),
                "position": answer.get("position")}  # fmt: skip

    def _file_errors(self, planned: Plan, source: FileSource) -> list[RowError]:
        """A named file that is not in the folder or zip, or of a type or size refused."""
        present = source.names()
        errors = []
        settings = self.settings
        for candidate in planned.candidates:
            for written in candidate.files:
                name = base_name(written)
                message = None
                if name not in present:
                    message = f"Bestand {written!r} staat niet in de {source.label}."
                else:
                    try:
                        with source.open(name) as stream:
                            content_type = sniff(stream.read(SNIFF))
                        check_size(content_type, source.size(name), settings.max_image_bytes,
                                   settings.max_media_bytes)  # fmt: skip
                    except ArchiveError as error:
                        message = f"Bestand {written!r}: {error.message}"
                    except BROKEN_FILE:
                        message = (
                            f"Bestand {written!r} is niet te lezen (beschadigd of versleuteld)."
                        )
                if message:
                    errors.append(RowError(candidate.row, planned.column("files"), message,
                                           "files"))  # fmt: skip
        return errors

    def _build(self, planned: Plan, errors: list[RowError], *, actor: str) -> dict[str, Any]:
        """Every new item with its events (not saved), and what one save must write."""
        batch: dict[str, ArchiveItem] = {}  # every item this import touches, by ref

        def load(kind: str, key: str) -> ArchiveItem:
            found = batch.get(ref(kind, key))
            if found is None:
                found = batch[ref(kind, key)] = self._load(kind, key)
            return found

        made: list[tuple[Any, ArchiveItem, list[str]]] = []
        taken = self._taken(planned.kind)
        for candidate in planned.candidates:
            fields = dict(candidate.fields)
            links = fields.pop("links", [])
            try:
                item, _ = self._registered(planned.kind, fields, actor=actor, taken=taken)
            except ArchiveError as error:
                errors.append(_row_error(planned, candidate.row, error))
                continue
            batch[item.ref] = item
            made.append((candidate, item, links))
        # Links after every item exists: a row may link to a later row of the same sheet.
        for candidate, item, links in made:
            try:
                with acting_as(actor):
                    self._link_all(item, links, load)
            except ArchiveError as error:
                errors.append(_row_error(planned, candidate.row, error, default="links"))
        new = [item for _, item, _ in made]
        made_ids = {item.id for item in new}  # (aggregates compare by value: slow in a list)
        existing = [a for a in batch.values() if a.id not in made_ids and a.pending_events]
        return {"items": [(c, i) for c, i, _ in made], "save": [*new, *existing]}

    def _taken(self, kind: str) -> Callable[[str, str], bool]:
        """Whether a key is in use: the catalogue's keys, read once, when this process keeps
        it up to the log's head (`fresh`); otherwise one read of the store per row. Either
        way the store itself refuses a key taken after this check (the one save fails whole).
        """
        catalogue = getattr(self, "catalogue", None)
        if catalogue is None or not getattr(self, "follow", False):
            return self.exists
        self.fresh()  # type: ignore[attr-defined]  # Archive's: the views up to the log's head
        keys = {item["id"] for item in catalogue.items(kind)}
        return lambda kind_, key: key in keys


def _row_error(
    planned: Plan, row: int, error: ArchiveError, default: str | None = None
) -> RowError:
    name = error.field or default
    return RowError(row, planned.column(name), error.message, name)
