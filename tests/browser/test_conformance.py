"""Every page checked by third-party checkers: axe-core in Chromium and the Nu HTML checker.

The pages: home, search with and without words, every episode, a story, a media item (and
one with an image, one with a recording, one without a file: `tests.browser.pictured`), an
item as it was (`as_of`), a timeline, the Kronieken, the matrix, an unknown item's 404, and
the login, logout and curator pages (new story, edit, an item with its curator forms), the
list pages, the curator's confirmation, link and forget-a-person pages, and issue 19's
edit pages (logged in).
axe-core runs with its experimental rules on (WCAG 2.5.3 "label in name" is one of them) and
no serious or critical violation may remain; the Nu checker may report no error.
"""

from __future__ import annotations

import http.cookiejar
import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from api.pages.auth import COOKIE
from tests.browser.conftest import DESKTOP, PHONE, Server
from tests.browser.pictured import pictured

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SERIOUS = ("serious", "critical")


def _get_json(server: Server, path: str) -> Any:
    with urllib.request.urlopen(server.url + path, timeout=30) as answer:
        return json.loads(answer.read())


def _list(server: Server, kind: str) -> list[dict[str, Any]]:
    """Every item of a kind the public sees, from the JSON API."""
    found = _get_json(server, f"/api/{kind}?limit=100")
    items: list[dict[str, Any]] = found["items"] if isinstance(found, dict) else found
    return items


def _states(server: Server) -> None:
    """Once per server: a research-only story (its row on the curator's list says so) and an
    erased one (its page offers only what can still succeed)."""
    try:
        _get_json(server, "/api/stories/8952")
        return  # made already (the public reads the erased story's remains)
    except urllib.error.HTTPError:
        pass
    for number, title, consent in (
        ("8951", "Onderzoeksverhaal over de conformiteit", "research"),
        ("8952", "Te wissen verhaal over de conformiteit", "public"),
    ):
        body = {"number": number, "title": title, "date": "1931", "consent": consent,
                "body_markdown": f"Tekst van {title}."}  # fmt: skip
        request = urllib.request.Request(
            server.url + "/api/stories", data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Bearer {server.token}",
                     "Content-Type": "application/json"},
        )  # fmt: skip
        urllib.request.urlopen(request, timeout=30).close()
    server.cli("erase", "8952", "--actor", "anna", "--reason", "conformiteit")


def pages(server: Server) -> list[tuple[str, str, bool]]:
    """(name, path, as curator) of every page to check."""
    shown = pictured(server.url, server.token)  # items with files (issue 19)
    _states(server)
    episodes = [item["id"] for item in _list(server, "episodes")]
    assert episodes, "the seeded archive has episodes"
    story = _list(server, "stories")[0]["id"]
    media = _list(server, "media")[0]["id"]
    history = _get_json(server, f"/api/episodes/{episodes[0]}/history")
    first = history["items"][0]["recorded_at"]
    public = [
        ("home", "/", False),
        ("search", "/search", False),
        ("search q", "/search?q=duimdrop", False),
        ("search facets", "/search?q=participatie&kind=episodes&year=2020", False),
        *[(f"episode {e}", f"/episodes/{e}", False) for e in episodes],
        ("story", f"/stories/{story}", False),
        ("media", f"/media/{media}", False),
        ("media with image", f"/media/{shown['photo']}", False),
        ("media with recording", f"/media/{shown['recording']}", False),
        ("media without file", "/media/foto-bouwkeet-verhaal-0003", False),
        ("search with thumbnails", "/search?q=buurtmaaltijd", False),
        ("as of", f"/episodes/{episodes[0]}?as_of={urllib.parse.quote(first)}", False),
        ("timeline 2020", "/timelines/2020", False),
        ("kronieken", "/kronieken", False),
        ("matrix", "/matrix", False),
        ("not found", "/episodes/bestaat-niet", False),
        ("login", "/inloggen", False),
        ("logout", "/uitloggen", False),
        ("episodes list", "/episodes", False),
        ("stories list", "/stories?sort=title&limit=10", False),
        ("media list", "/media", False),
        ("list refused filter", "/episodes?year=twintig", False),
    ]
    curator = [
        ("curator home", "/", True),
        ("curator episode", f"/episodes/{episodes[0]}", True),
        ("assessment form", f"/episodes/{episodes[0]}/beoordeling", True),
        ("curator story", f"/stories/{story}", True),
        ("new story", "/verhalen/nieuw", True),
        ("bulk import", "/importeren", True),
        ("edit story", f"/stories/{story}/bewerken", True),
        ("curator stories list", "/stories", True),
        ("withdraw", f"/stories/{story}/intrekken", True),
        ("embargo", f"/stories/{story}/embargo", True),
        ("erase", f"/media/{media}/wissen", True),
        ("links", f"/episodes/{episodes[0]}/koppeling?zoek=duim", True),
        ("forget person", "/personen/vergeten", True),
        # Issue 19: the curators' edit pages.
        ("edit episode", f"/episodes/{episodes[0]}/bewerken", True),
        ("new happening", f"/episodes/{episodes[0]}/gebeurtenis", True),
        ("correct happening", "/episodes/duimdrop/gebeurtenis/h1", True),
        ("correct assessment", "/episodes/duimdrop/beoordeling/a1", True),
        ("retract assessment", "/episodes/duimdrop/beoordeling/a1/intrekken", True),
        ("new media item", "/media-items/nieuw", True),
        ("edit media item", f"/media/{media}/bewerken", True),
        ("media files", f"/media/{media}/bestanden", True),
        ("curator media", f"/media/{media}", True),
        ("curator list with consent", "/stories?year=1931", True),
        ("erased story", "/stories/8952", True),
        ("links only itself", "/stories/8951/koppeling?zoek=onderzoeksverhaal", True),
    ]
    return public + curator


@pytest.fixture(scope="module")
def every_page(server: Server) -> list[tuple[str, str, bool]]:
    return pages(server)


@pytest.fixture(scope="module")
def session(server: Server) -> str:
    """The session cookie's value of curator anna, logged in through the login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = urllib.parse.urlencode({"token": server.token}).encode()
    login = urllib.request.Request(
        server.url + "/inloggen", data=form, headers={"Origin": server.url}
    )
    opener.open(login, timeout=30).close()
    return next(str(c.value) for c in jar if c.name == COOKIE)


def _axe(page: Any, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the loaded page (experimental rules on)."""
    page.evaluate(axe_source)
    found: dict[str, Any] = page.evaluate(
        """async () => {
            const experimental = axe.getRules(['experimental']).map(r => r.ruleId);
            const rules = Object.fromEntries(experimental.map(id => [id, {enabled: true}]));
            return await axe.run(document, {rules, resultTypes: ['violations']});
        }"""
    )
    return [v for v in found["violations"] if v["impact"] in SERIOUS]


def _describe(violations: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_serious_violation_on_any_page(
    browser: Any,
    server: Server,
    every_page: list[tuple[str, str, bool]],
    axe_source: str,
    viewport: dict[str, int],
    session: str,
) -> None:
    context = browser.new_context(base_url=server.url, viewport=viewport, locale="nl-NL")
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": COOKIE, "value": session, "url": server.url}])
    public = browser.new_context(base_url=server.url, viewport=viewport, locale="nl-NL")
    problems = {}
    try:
        for name, path, as_curator in every_page:
            tab = (context if as_curator else public).new_page()
            tab.goto(path)
            assert not as_curator or "/inloggen" not in tab.url, (name, "not logged in")
            violations = _axe(tab, axe_source)
            if violations:
                problems[f"{name} {path}"] = _describe(violations)
            tab.close()
    finally:
        context.close()
        public.close()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_the_history_links_name_contains_their_visible_text(
    browser: Any, server: Server, axe_source: str
) -> None:
    """WCAG 2.5.3: each "bekijk deze versie" link's accessible name starts with its text."""
    context = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="nl-NL")
    try:
        tab = context.new_page()
        tab.goto("/episodes/duimdrop")
        links = tab.locator("#geschiedenis a", has_text="bekijk deze versie")
        assert links.count() > 0
        for i in range(links.count()):
            visible, name = links.nth(i).evaluate(
                """a => {
                    const shown = a.cloneNode(true);
                    shown.querySelectorAll('.visually-hidden').forEach(e => e.remove());
                    const squash = t => t.replace(/\\s+/g, ' ').trim();
                    return [squash(shown.textContent),
                            squash(a.getAttribute('aria-label') || a.textContent)];
                }"""
            )
            assert visible == "bekijk deze versie"
            assert name.startswith(visible), name
    finally:
        context.close()


@pytest.fixture(scope="module")
def nu_errors(
    server: Server,
    every_page: list[tuple[str, str, bool]],
    vnu_command: list[str],
    tmp_path_factory: pytest.TempPathFactory,
    session: str,
) -> dict[str, list[str]]:
    """The Nu checker's errors per page, from one run over every page's HTML."""
    folder = tmp_path_factory.mktemp("nu")
    files: dict[str, str] = {}
    for i, (name, path, as_curator) in enumerate(every_page):
        request = urllib.request.Request(server.url + path)
        if as_curator:
            request.add_header("Cookie", f"{COOKIE}={session}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                body = answer.read()
        except urllib.error.HTTPError as error:  # the 404 page is a page too
            body = error.read()
        file = folder / f"page-{i}.html"
        file.write_bytes(body)
        files[file.name] = f"{name} {path}"
    done = subprocess.run(
        [*vnu_command, "--errors-only", "--format", "json", *[str(folder / f) for f in files]],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    report = json.loads(done.stderr or done.stdout)
    errors: dict[str, list[str]] = {name: [] for name in files.values()}
    for message in report["messages"]:
        url = message.get("url", "?")
        where = files.get(url.rsplit("/", 1)[-1], url)
        line = message.get("lastLine", "?")
        errors.setdefault(where, []).append(f"line {line}: {message['message']}")
    return errors


def test_the_nu_checker_finds_no_error_on_any_page(nu_errors: dict[str, list[str]]) -> None:
    problems = {page: found for page, found in nu_errors.items() if found}
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_the_kronieken_chart_is_legible_at_phone_width(browser: Any, server: Server) -> None:
    """At 375 px every text of the chart is drawn at 10 px or more; the page never scrolls
    sideways (the chart scrolls inside its own box, which the keyboard can reach)."""
    context = browser.new_context(base_url=server.url, viewport=PHONE, locale="nl-NL")
    try:
        tab = context.new_page()
        tab.goto("/kronieken")
        sizes = tab.evaluate(
            """() => [...document.querySelectorAll('figure svg text')].map(t => {
                const scale = t.ownerSVGElement.getScreenCTM().a;
                return scale * parseFloat(getComputedStyle(t).fontSize);
            })"""
        )
        assert sizes, "the chart has texts"
        assert min(sizes) >= 10, f"smallest chart text {min(sizes):.1f} px at phone width"
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        box = tab.locator("figure [role=region]")
        assert box.get_attribute("tabindex") == "0"
        assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    finally:
        context.close()
