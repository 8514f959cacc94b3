"""One reader of the log feeds every view: each page is read and decoded once, for all of
them, and a view that fell behind is fed alone until it is in step again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from archive import keeping
from archive.application import Wijkarchief
from archive.catalogue import open_catalogue
from archive.config import Settings
from archive.projection import Change, Followers, ItemStates
from archive.service import Archive


class Notebook:
    """A view that writes down what it was given (its position is the last one it saw)."""

    def __init__(self, name: str, fail_at: int | None = None, broken: bool = False) -> None:
        self.name = name
        self.fail_at = fail_at  # refuse a page holding this position (once)
        self.broken = broken  # refuse every page
        self.pages: list[list[int]] = []
        self.items: dict[str, dict[str, Any]] = {}
        self.given: list[str] = []  # the refs of every item given, page after page
        self.tries = 0  # pages offered, failed ones included
        self._position = 0

    def position(self) -> int:
        return self._position

    def process(self, changes: Sequence[Change], states: ItemStates) -> None:
        self.tries += 1
        positions = [change.position for change in changes]
        if self.broken:
            raise RuntimeError("this view's disk is full")
        if self.fail_at is not None and self.fail_at in positions:
            self.fail_at = None
            raise RuntimeError("this view's store went away")
        touched = states.touched(changes)
        self.items.update(touched)
        self.given.extend(touched)
        self.pages.append(positions)
        self._position = positions[-1]

    def reset(self) -> None:
        self.pages.clear()
        self.items.clear()
        self.given.clear()
        self._position = 0

    def purge(self) -> None:
        """Nothing on disk to purge."""

    def close(self) -> None:
        """Nothing to release."""


def _register_one(app: Wijkarchief, number: int) -> None:
    app.register(
        "stories",
        {"number": f"{number:04d}", "title": f"Verhaal {number}", "date": "2020-04"},
        actor="curator:test",
    )


def _register(app: Wijkarchief, count: int) -> None:
    for number in range(1, count + 1):
        _register_one(app, number)


def test_views_in_step_share_every_page(settings: Settings) -> None:
    # A log of twelve stories, and two views that have seen nothing yet.
    app = Wijkarchief(settings)
    _register(app, 12)
    first, second = Notebook("first"), Notebook("second")
    followers = Followers(app, [first, second], page_size=5)
    decoded: list[int] = []
    decode = app.decode

    def counting(notifications: Any) -> Any:
        decoded.append(len(notifications))
        return decode(notifications)

    app.decode = counting  # type: ignore[method-assign]

    # Catching up reads each page once and gives both views the very same pages.
    last = app.recorder.max_notification_id() or 0
    assert followers.catch_up() == 2 * last
    assert first.pages == second.pages
    assert sum(decoded) == last
    assert [len(page) for page in first.pages] == [5, 5, 2]

    # They get the same plain data of every item, as the last page left it.
    assert first.items == second.items
    assert first.items["stories/0012"]["title"] == "Verhaal 12"

    # Nothing new: nothing is read.
    decoded.clear()
    assert followers.catch_up() == 0
    assert decoded == []
    app.close()


def test_items_come_in_the_order_of_their_last_change_whatever_the_page(
    settings: Settings,
) -> None:
    # Three stories, then the first one retitled: its last change is the newest.
    app = Wijkarchief(settings)
    _register(app, 3)
    app.revise("stories", "0001", {"title": "Verhaal 1, herzien"}, actor="curator:test")

    # Fed one event per page, or the whole log in one page, a view ends up with the items
    # written in the same order (a search index lists them in that order when browsing):
    # each item where it was written last.
    orders = []
    for page_size in (1, 500):
        notebook = Notebook(f"pages of {page_size}")
        Followers(app, [notebook], page_size=page_size).catch_up()
        orders.append(list(dict.fromkeys(reversed(notebook.given)))[::-1])
    assert orders[0] == orders[1] == ["stories/0002", "stories/0003", "stories/0001"]
    app.close()


def test_a_view_behind_catches_up_alone_then_in_step(settings: Settings) -> None:
    # Two views; the second one's store fails on the page holding position 7.
    app = Wijkarchief(settings)
    _register(app, 12)
    last = app.recorder.max_notification_id()
    steady, flaky = Notebook("steady"), Notebook("flaky", fail_at=7)
    followers = Followers(app, [steady, flaky], page_size=5)

    # The failure surfaces at the end; the steady view went on to the end of the log.
    with pytest.raises(RuntimeError):
        followers.catch_up()
    assert steady.position() == last
    assert flaky.position() == 5

    # The next catch-up feeds the flaky view alone up to where the steady one is.
    assert followers.catch_up() == last - 5
    assert steady.position() == flaky.position() == last
    assert flaky.pages == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], list(range(11, last + 1))]
    assert steady.pages == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], list(range(11, last + 1))]
    assert flaky.items == steady.items
    app.close()


def test_a_broken_view_does_not_hold_the_others_back(settings: Settings) -> None:
    # Two views in step, the second with a disk that has filled up.
    app = Wijkarchief(settings)
    _register(app, 3)
    steady, broken = Notebook("steady"), Notebook("broken", broken=True)
    followers = Followers(app, [steady, broken], page_size=5)

    # Every catch-up reports the failure, and the steady view still gets every new event.
    for count in (4, 5):
        _register_one(app, count)
        with pytest.raises(RuntimeError, match="disk is full"):
            followers.catch_up()
        assert steady.position() == app.recorder.max_notification_id()
        assert f"stories/{count:04d}" in steady.items
    assert broken.position() == 0

    # Repaired, the broken view is fed alone from where it stood and gets everything.
    broken.broken = False
    followers.catch_up()
    assert broken.position() == steady.position()
    assert broken.items == steady.items
    app.close()


def test_the_catalogue_and_a_view_rebuild_in_one_pass(settings: Settings) -> None:
    # The real catalogue beside a notebook, a log of 30 stories and a few retitlings.
    app = Wijkarchief(settings)
    _register(app, 30)
    for number in (3, 17):
        app.revise("stories", f"{number:04d}", {"title": f"Verhaal {number}, herzien"}, actor="c")
    catalogue = open_catalogue(settings)
    notebook = Notebook("notebook")
    followers = Followers(app, [catalogue, notebook], page_size=8)
    followers.catch_up()

    # A rebuild drops both and builds them again from one read of the log.
    reads: list[int] = []
    select = app.recorder.select_notifications

    def counted(**kw: Any) -> Any:
        reads.append(1)
        return select(**kw)

    app.recorder.select_notifications = counted  # type: ignore[method-assign,assignment]
    before = list(catalogue.items("stories"))
    last = app.recorder.max_notification_id() or 0
    assert followers.rebuild() == 2 * last
    assert len(reads) == len(notebook.pages)

    # Both hold the items as they are now, corrections included.
    assert list(catalogue.items("stories")) == before
    retitled = catalogue.item("stories", "0017")
    assert retitled is not None and retitled["title"] == "Verhaal 17, herzien"
    assert notebook.items["stories/0003"]["title"] == "Verhaal 3, herzien"
    # A page of refs in one read (a search's hits): those that exist, as `item` gives them,
    # also beyond one statement's worth of refs.
    asked = ["stories/0017", "stories/9999", *(f"stories/{n:04d}" for n in range(1, 700))]
    found = catalogue.by_refs(asked)
    assert sorted(found) == [f"stories/{n:04d}" for n in range(1, 31)]
    assert found["stories/0017"] == retitled
    catalogue.close()
    app.close()


def test_reads_retry_a_failed_view_after_a_write_not_on_every_read(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # An archive following in-process, with one more view, whose disk then fills up.
    archive = Archive(settings)
    notebook = Notebook("notebook")
    archive.add_view(notebook)
    notebook.broken = True
    tries = notebook.tries

    # A write, then reads: the first read tries the view once and logs it; the catalogue
    # has the write all the same, and the next reads at the same position do not try again.
    archive.register("stories", {"number": "0001", "title": "Een"}, actor="curator:test")
    with caplog.at_level("ERROR", logger="wijkarchief.archive"):
        for _ in range(3):
            assert [i["id"] for i in archive.items("stories", role="curator")] == ["0001"]
    assert notebook.tries == tries + 1
    assert caplog.text.count("Views did not catch up") == 1

    # A new write is tried at once, and the catalogue has it.
    archive.register("stories", {"number": "0002", "title": "Twee"}, actor="curator:test")
    assert [i["id"] for i in archive.items("stories", role="curator")] == ["0001", "0002"]
    assert notebook.tries == tries + 2

    # After FRESH_RETRY_SECONDS a read at the same position tries again; repaired, it works.
    monkeypatch.setattr(keeping, "FRESH_RETRY_SECONDS", 0.0)
    notebook.broken = False
    archive.items("stories", role="curator")
    assert notebook.position() == archive.position()
    archive.close()
