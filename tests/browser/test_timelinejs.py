"""The `format=timelinejs` answer loaded into the real TimelineJS (npm) in Chromium, offline.

For every year from 2000 to 2030: a year without entries answers 404 problem+json (TimelineJS
shows an error screen for `events: []`); a year with entries renders without an error
message, opens on its title slide and then on an event of that year, and shows each event's
date once, as the archive's Dutch label (a range is not followed by its end date again).
"""

from __future__ import annotations

import json
import mimetypes
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DESKTOP, Server
from tests.browser.pictured import pictured

pytestmark = [pytest.mark.browser, pytest.mark.slow]

YEARS = range(2000, 2031)
ORIGIN = "http://timelinejs.test"
HARNESS = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="stylesheet" href="/dist/css/timeline.css">
<script src="/dist/js/timeline.js"></script></head>
<body style="margin:0"><div id="tl" style="width:1200px;height:700px"></div>
<script type="application/json" id="data">__DATA__</script>
<script>
  window.tlLoaded = false;
  const data = JSON.parse(document.getElementById('data').textContent);
  window.timeline = new TL.Timeline('tl', data, {
    language: 'nl', hash_bookmark: false, script_path: location.origin + '/dist/js/', font: null,
  });
  window.timeline.on('loaded', () => { window.tlLoaded = true; });
</script>
</body></html>"""


def _fetch(server: Server, year: int, fmt: str) -> tuple[int, str, str]:
    """(status, content type, body) of the year's timeline in `fmt`."""
    url = f"{server.url}/api/timelines/{year}?format={fmt}"
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.headers["content-type"], answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["content-type"], error.read().decode()


@pytest.fixture(scope="module")
def years(server: Server) -> dict[int, tuple[dict[str, Any] | None, dict[str, Any]]]:
    """Per year: its TimelineJS JSON (None for a 404) and its plain JSON timeline (2020 with
    pictures on some slides: `tests.browser.pictured`)."""
    pictured(server.url, server.token)
    found = {}
    for year in YEARS:
        status, kind, body = _fetch(server, year, "timelinejs")
        plain = json.loads(_fetch(server, year, "json")[2])
        if plain["entries"]:
            assert status == 200, (year, body)
            found[year] = (json.loads(body), plain)
        else:
            assert status == 404, (year, status, body[:300])
            assert kind.startswith("application/problem+json"), kind
            assert json.loads(body)["status"] == 404
            found[year] = (None, plain)
    assert sum(1 for data, _ in found.values() if data) >= 3, "the seed spans several years"
    return found


def test_an_empty_year_answers_404_problem(
    years: dict[int, tuple[dict[str, Any] | None, dict[str, Any]]],
) -> None:
    assert years[2000][0] is None
    assert years[2030][0] is None


def _local(dist: Path, url: str) -> Path:
    """The file of TimelineJS's dist folder that `url` asks for (its fonts: `/css/...`)."""
    relative = url[len(ORIGIN) + 1 :].split("?")[0].removeprefix("dist/")
    return dist / relative


def _load(
    browser: Any, dist: Path, data: dict[str, Any], api: str | None = None
) -> tuple[Any, Any, list[str]]:
    """A tab with TimelineJS showing `data` on a site of its own (`ORIGIN`, as on the
    programme's site); any request off this machine is refused.

    With `api` (the archive's address), requests to the archive are let through: the
    feed's pictures (issue 19) are absolute URLs under the archive's base URL. A relative
    `/api/…` would ask `ORIGIN`, and is refused like any other request elsewhere. (The
    archive's answers are fetched by Playwright and handed to the page: Chromium's Private
    Network Access keeps a page of a public origin from loading 127.0.0.1 itself; the real
    archive has a public address.)
    """
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL")
    outside: list[str] = []
    html = HARNESS.replace("__DATA__", json.dumps(data).replace("</", "<\\/"))

    def serve(route: Any) -> None:
        url = route.request.url
        if url == ORIGIN + "/":
            route.fulfill(status=200, content_type="text/html", body=html)
        elif url.startswith(ORIGIN + "/") and _local(dist, url).is_file():
            path = _local(dist, url)
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            route.fulfill(status=200, content_type=kind, body=path.read_bytes())
        elif api and url.startswith(api + "/"):
            route.fulfill(response=route.fetch())
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", serve)
    tab = context.new_page()
    tab.goto(ORIGIN + "/")
    tab.wait_for_function("window.tlLoaded || document.querySelector('.tl-message-full')")
    return context, tab, outside


def _messages(tab: Any) -> list[str]:
    """The messages TimelineJS shows over the timeline (its error screen among them); not
    the "Laden" of a slide's picture still loading (inside `.tl-media`)."""
    message = tab.locator(".tl-message-full, .tl-message-container .tl-message-content")
    return [
        m.inner_text()
        for m in message.all()
        if m.is_visible()
        and m.inner_text().strip()
        and not m.evaluate("m => !!m.closest('.tl-media')")
    ]


def test_the_harness_sees_the_error_screen_of_no_events(
    browser: Any, timelinejs_dist: Path
) -> None:
    """What an empty year used to answer: TimelineJS shows an error instead of a timeline."""
    data = {"title": {"text": {"headline": "Leeg"}}, "events": []}
    context, tab, _ = _load(browser, timelinejs_dist, data)
    try:
        assert _messages(tab), "TimelineJS showed no error for a timeline without events"
    finally:
        context.close()


def test_every_year_with_entries_renders_in_timelinejs(
    browser: Any,
    server: Server,
    timelinejs_dist: Path,
    years: dict[int, tuple[dict[str, Any] | None, dict[str, Any]]],
) -> None:
    problems: dict[int, list[str]] = {}
    for year, (data, plain) in years.items():
        if data is None:
            continue
        context, tab, outside = _load(browser, timelinejs_dist, data, server.url)
        found: list[str] = []
        try:
            shown = _messages(tab)
            if shown:
                found.append(f"TimelineJS message: {shown}")
            if outside:
                found.append(f"asked for {outside}")
            state = tab.evaluate(
                """() => {
                    const t = window.timeline;
                    const first = t.config.events[0];
                    return {
                        current: t.current_id,
                        title: t.config.title ? t.config.title.unique_id : null,
                        first_year: first.start_date.data.year,
                        years: t.config.events.map(e => e.start_date.data.year),
                    };
                }"""
            )
            if state["current"] != state["title"]:
                found.append(f"opens on {state['current']}, not on the title slide")
            if state["first_year"] != year:
                found.append(f"the first event slide is of {state['first_year']}")
            if any(y < year or y > year for y in state["years"]):
                found.append(f"events start outside {year}: {sorted(set(state['years']))}")
            shown_dates = tab.evaluate(
                """() => [...document.querySelectorAll('.tl-slide')]
                     .filter(s => !s.classList.contains('tl-slide-titleslide'))
                     .map(s => (s.querySelector('.tl-headline-date') || {}).textContent || '')"""
            )
            labels = sorted(entry["date_label"] for entry in plain["entries"])
            if sorted(d.strip() for d in shown_dates) != labels:
                wrong = sorted(set(shown_dates) - set(labels))[:5]
                found.append(f"dates shown other than the archive's labels: {wrong}")
        finally:
            context.close()
        if found:
            problems[year] = found
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_a_range_shows_its_date_once(
    browser: Any,
    server: Server,
    timelinejs_dist: Path,
    years: dict[int, tuple[dict[str, Any] | None, dict[str, Any]]],
) -> None:
    data, plain = years[2020]
    assert data is not None
    ranged = next(e for e in plain["entries"] if e["date"] == "2013/2021")
    context, tab, outside = _load(browser, timelinejs_dist, data, server.url)
    try:
        slide = tab.locator(f"#{ranged['id']}")
        assert slide.locator(".tl-headline-date").inner_text().strip() == "2013–2021"
        assert not outside, f"TimelineJS asked for {outside}"
    finally:
        context.close()
