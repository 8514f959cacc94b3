"""The archive as its users see it: the application plus the read models that follow it.

`Archive` is what the command line and the API talk to. Commands go to the event-sourced
application (`archive.application.Wijkarchief`) and return the log position they wrote.
Read-your-writes: in this process's views (`follow=True`, the embedded default), every read
of a view first brings the views up to the log's newest position (`fresh`), so a write is
readable and searchable by the next request, and a burst of writes is indexed in one
catch-up (one search commit) instead of one per write. With a separate projector process
(`wijkarchief project`, `follow=False`), a command waits for the views instead
(`wait_for(position)`).

Who may read what: `role` is `public` (no token), `researcher` or `curator`. A story's
consent scope (`public`, `research`, `curators`) decides which roles see it.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from archive.application import Wijkarchief, check_kind, event_record
from archive.bulk_commands import BulkCommands
from archive.catalogue import Catalogue, open_catalogue
from archive.config import Settings
from archive.files import FileReads, as_recorded
from archive.keeping import KeepsViews, followers_lock
from archive.owed import Owed, waiting
from archive.pictures import thumbnail_url
from archive.ports import SearchView, View
from archive.projection import Followers, Progress
from archive.rendered import RendersReadModels
from archive.visibility import (
    in_scope,
    may_know,
    may_read,
    not_found,
    readable_history,
    scopes,
    tombstone,
    with_readable_links,
)
from events import dates, qualities
from events.errors import InvalidInput, Withdrawn
from events.items import ItemEvent, item_id
from events.personal import names_person, redact
from events.rules import text as checked_text

log = logging.getLogger("wijkarchief.archive")


class Archive(FileReads, KeepsViews, RendersReadModels, BulkCommands, Wijkarchief):
    """The archive: the event-sourced application and its read models, kept in step.

    The one door: the command line, the API and the projector talk to this object only.
    Commands are the application's own (`Wijkarchief`); every save ends in `_save`, the
    post-save hook that keeps the views' promise. Reads go through the visibility policy.
    The read models are injected (`search`, `views`); the catalogue is the archive's own.
    """

    # The application's name names its tables and settings: the same store as Wijkarchief's
    # (eventsourcing would otherwise name a subclass after itself).
    name = "Wijkarchief"

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        follow: bool = True,
        search: SearchView | None = None,
        views: Iterable[View] = (),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(settings)
        # The clock decides when embargoes lift; tests inject one instead of sleeping.
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.catalogue: Catalogue = open_catalogue(self.settings)
        self.search_view = search
        # One reader of the log feeds every view (each page decoded and replayed once).
        injected = [search] if search is not None else []
        self.followers = Followers(self, [self.catalogue, *injected, *views])
        # follow=False: another process (`wijkarchief project`) keeps the views up to date.
        self.follow = follow
        # One catch-up at a time: API requests run in a thread pool.
        self._lock = threading.RLock()
        # Every view has processed at least this position (0: not known yet).
        self._caught_up = 0
        # (log head, monotonic time) of the last catch-up before a read that failed.
        self._failed: tuple[int, float] | None = None
        # Rendered timelines and Kronieken by (what, …, role): (state they were made at, value).
        self._cache: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = OrderedDict()
        self._cache_lock = threading.Lock()
        # Table rewrites an erasure could not do cleanly yet (PostgreSQL), tried by themselves.
        self.owed = Owed(self.settings)
        if follow:
            self.catch_up()
        self.owed.poke()

    def add_view(self, view: View) -> None:
        """Follow one more read model from now on (caught up at once when following)."""
        with self._lock, self._followers_lock():
            self.followers.add(view)
            if self.follow:
                self.followers.catch_up(views=[view])

    def close(self) -> None:
        """Release the read models and the stores (an owed rewrite tried once more)."""
        self.owed.close()
        for view in self.views:
            view.close()
        super().close()

    # -- commands: the application's own; each save ends in `_save`, the post-save hook -----

    def _save(self, *aggregates: Any) -> int:
        """Save (see `Wijkarchief._save`), then keep the views' promise (`_written`)."""
        return self._written(super()._save(*aggregates))

    def erase(self, kind: str, key: str, *, actor: str, reason: str = "") -> int:
        """Erase an item's words for good (its keys destroyed), and purge every view."""
        with waiting(self.settings.erasure_wait):  # then a rewrite is owed (archive.owed)
            position = super().erase(kind, key, actor=actor, reason=reason)
            self._purge_views()
        return position

    def forget_person(
        self, name: str, *, actor: str, reason: str = "", progress: Progress | None = None
    ) -> dict[str, Any]:
        """Take a person's name out of every item that names it, now or in its history.

        The items are those `items_naming` finds; each gets a `PersonForgotten` event
        holding its words with the name taken out, under a new key, and its older keys are
        destroyed; then every view is purged. The items stay. Returns the refs changed, and
        the refs whose older events hold the name unsealed (recorded before every word was
        sealed; the log never changes, so nothing rewrites those: see docs/privacy.md).
        """
        found = self.items_naming(name, progress=progress)
        name = checked_text(name, "name", limit=500)
        with waiting(self.settings.erasure_wait):  # then a rewrite is owed (archive.owed)
            for item_ref in found["items"]:
                kind, _, key = item_ref.partition("/")
                self.forget_person_in(kind, key, name, actor=actor, reason=redact(reason, name))
            if found["items"]:
                self._purge_views()
        return found

    def items_naming(self, name: str, *, progress: Progress | None = None) -> dict[str, Any]:
        """The items `forget_person(name)` would change, without changing anything.

        One pass over the log finds the items any of whose events name the person (as
        whole words, any case): `items` (refs), and `unsealed`, those whose older events
        hold the name unsealed. For curators only: it reads every item.
        """
        name = checked_text(name, "name", limit=500)
        if len(name) < 2:
            raise InvalidInput("Geef een naam van minstens twee tekens.", field="name")
        naming: dict[Any, bool] = {}  # item id -> holds the name unsealed somewhere
        total = self.position()
        for notification, event in self.decoded():
            if progress is not None:
                progress("logboek", notification.id, total)
            if not isinstance(event, ItemEvent):
                continue
            record = event_record(event)
            if names_person([record["data"], record["reason"]], name):
                plain = names_person(notification.state.decode("utf-8", "replace"), name)
                naming[event.originator_id] = naming.get(event.originator_id, False) or plain
        refs = {
            item_id(i["kind"], i["id"]): f"{i['kind']}/{i['id']}" for i in self.recorded_items()
        }
        found = {uid: plain for uid, plain in naming.items() if uid in refs}
        return {
            "items": sorted(refs[uid] for uid in found),
            "unsealed": sorted(refs[uid] for uid, plain in found.items() if plain),
        }

    # -- queries (plain data) ----------------------------------------------

    def item(
        self, kind: str, key: str, *, role: str = "public", as_of: datetime | None = None
    ) -> dict[str, Any]:
        """One item as the role may see it, now or as recorded at `as_of`.

        The policy of `archive.visibility`: an item the reader may not know answers as a
        missing one; a withdrawn item they could read answers its tombstone; an older
        version only when its consent then included the reader.
        """
        check_kind(kind)
        current = self.recorded_item(kind, key)
        if role == "curator":
            if as_of is None:
                return current
            return as_recorded(self.recorded_item(kind, key, as_of=as_of), current)
        today = self.today()
        if not may_know(current, role, today):
            raise not_found(kind, key)
        if current.get("withdrawn"):
            raise Withdrawn(
                f"{tombstone(current)['title']}: de toestemming is ingetrokken.",
                details={"tombstone": tombstone(current)},
            )
        if not may_read(current, role, today):
            raise not_found(kind, key)
        item = current
        if as_of is not None:
            item = as_recorded(self.recorded_item(kind, key, as_of=as_of), current)
            if not in_scope(item.get("consent"), role):
                raise not_found(kind, key)
        self.fresh()  # the links are checked against the catalogue
        return with_readable_links(item, self.readable_refs(role))

    def readable_refs(self, role: str) -> Callable[[str], bool]:
        """A test of a reference (`kind/key`): may the role read that item now?

        It reads the catalogue as it is: callers bring the views up first (`fresh`), once
        per request, as every read of the catalogue does.
        """
        if role == "curator":
            return lambda ref: True
        today = self.today()
        known: dict[str, bool] = {}

        def readable(ref: str) -> bool:
            if ref not in known:
                kind, _, key = ref.partition("/")
                found = self.catalogue.item(kind, key) if kind and key else None
                known[ref] = found is not None and may_read(found, role, today)
            return known[ref]

        return readable

    def today(self) -> str:
        """Today's ISO day by the archive's clock."""
        return self.clock().date().isoformat()

    def items(
        self,
        kind: str,
        *,
        role: str = "public",
        quality: str | None = None,
        assessment: str | None = None,
        year: int | None = None,
    ) -> list[dict[str, Any]]:
        """Items of a kind, filtered (quality with assessment: one assessment matches both)."""
        check_kind(kind)
        quality_id = qualities.resolve(quality).id if quality else None
        wanted = qualities.check_assessment(assessment) if assessment else None
        result = []
        today = self.today()
        filtered = bool(quality or assessment or year is not None)
        self.fresh()
        readable = self.readable_refs(role)
        for item in self.catalogue.items(kind):
            if role != "curator" and item.get("withdrawn"):
                if not filtered and may_know(item, role, today):
                    result.append(tombstone(item))
                continue
            if not may_read(item, role, today):
                continue
            item = with_readable_links(item, readable)
            if (quality_id or wanted) and not any(
                (quality_id is None or a["quality"] == quality_id)
                and (wanted is None or a["assessment"] == wanted)
                for a in item["assessments"]
            ):
                continue
            if year is not None and year not in item_years(item):
                continue
            result.append(item)
        return result

    def recorded_items(self) -> list[dict[str, Any]]:
        """Every item as the catalogue holds it: withdrawn ones too, no role applied."""
        self.fresh()
        return list(self.catalogue.items())

    def all_items(self, *, role: str = "public") -> list[dict[str, Any]]:
        """Every item the role may see."""
        self.fresh()
        today = self.today()
        readable = self.readable_refs(role)
        return [
            with_readable_links(item, readable)
            for item in self.catalogue.items()
            if may_read(item, role, today)
        ]

    def history(self, kind: str, key: str, *, role: str = "public") -> list[dict[str, Any]]:
        """Every event of an item the role may read, oldest first."""
        self.item(kind, key, role=role)
        return readable_history(self.recorded_history(kind, key), role, self.readable_refs(role))

    def stats(self, *, role: str = "public") -> dict[str, Any]:
        """Counts by kind and by year, for the home page."""
        by_kind: dict[str, int] = {}
        by_year: dict[int, int] = {}
        for item in self.all_items(role=role):
            by_kind[item["kind"]] = by_kind.get(item["kind"], 0) + 1
            for year in item_years(item):
                by_year[year] = by_year.get(year, 0) + 1
        return {"kinds": by_kind, "years": dict(sorted(by_year.items()))}

    def search(
        self,
        q: str,
        *,
        kind: str | None = None,
        quality: str | None = None,
        assessment: str | None = None,
        year: int | None = None,
        limit: int = 20,
        offset: int = 0,
        role: str = "public",
        sort: str | None = None,
    ) -> dict[str, Any]:
        """Dutch full-text search: items with their matching moments, and facet counts.

        With words naming a quality, `assessment` filters that quality's assessment; `sort`
        is `relevance` or `date` (None: relevance with words, date without).
        """
        index = self.search_view
        if index is None:
            raise InvalidInput("Er is geen zoekindex ingesteld.")
        self.fresh()
        result: dict[str, Any] = index.search(
            q,
            kind=check_kind(kind) if kind else None,
            quality=qualities.resolve(quality).id if quality else None,
            assessment=qualities.check_assessment(assessment) if assessment else None,
            year=year,
            limit=limit,
            offset=offset,
            consents=scopes(role),
            today=None if role == "curator" else self.today(),
            sort=sort or None,
        )
        self._thumbnails(result["hits"], role)
        return result

    def _thumbnails(self, hits: list[dict[str, Any]], role: str) -> None:
        """Each hit's `thumbnail_url` (an image's or a PDF's first page), from the catalogue:
        the search index keeps no files; the page's items in one read. Only of an item the role
        may read now."""
        today = self.today()
        items = self.catalogue.by_refs([f"{hit['kind']}/{hit['id']}" for hit in hits])
        for hit in hits:
            found = items.get(f"{hit['kind']}/{hit['id']}")
            readable = found is not None and may_read(found, role, today)
            hit["thumbnail_url"] = thumbnail_url(found) if found and readable else None


def item_years(item: dict[str, Any]) -> list[int]:
    """The years an item touches: its own date and its happenings' dates."""
    years: set[int] = set()
    for value in [item.get("date"), *(h["date"] for h in item.get("happenings", []))]:
        if value:
            years.update(dates.touched_years(value))
    return sorted(years)


def parse_as_of(value: str | None) -> datetime | None:
    """An ISO date-time (or date) for `as_of`; naive times are taken as UTC."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"Ongeldige as_of {value!r}: gebruik ISO 8601, bv. 2021-01-01T00:00:00Z.",
            field="as_of",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


__all__ = ["Archive", "followers_lock", "item_years", "parse_as_of"]
