"""Screenshots of the main pages at desktop and phone width, into test-artifacts/.

Each page is also checked for what a person relies on: one h1, the landmarks, and (on a
375px phone) no sideways scrolling of the page itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

PAGES = {
    "home": "/",
    "matrix": "/matrix",
    "kronieken": "/kronieken",
    "search": "/search?q=institutional+flexibility",
    "episode": "/episodes/duimdrop",
}


def _check_page(page: Any, path: str) -> None:
    assert page.locator("h1").count() == 1, path
    assert page.evaluate("document.documentElement.lang") == "nl"
    for landmark in ("header", "nav", "main"):
        assert page.locator(landmark).count() >= 1, (path, landmark)


@pytest.mark.parametrize("name", list(PAGES))
def test_desktop_screenshot(browser: Any, server: Any, artifacts: Path, name: str) -> None:
    context = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="nl-NL")
    try:
        page = context.new_page()
        answer = page.goto(PAGES[name])
        assert answer is not None and answer.status == 200
        _check_page(page, PAGES[name])
        page.screenshot(path=str(artifacts / f"{name}-desktop.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("name", ["home", "matrix", "episode"])
def test_phone_screenshot(browser: Any, server: Any, artifacts: Path, name: str) -> None:
    context = browser.new_context(
        base_url=server.url, viewport=PHONE, locale="nl-NL", device_scale_factor=2,
        is_mobile=True, has_touch=True,
    )  # fmt: skip
    try:
        page = context.new_page()
        answer = page.goto(PAGES[name])
        assert answer is not None and answer.status == 200
        _check_page(page, PAGES[name])
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{name} scrolls sideways on a phone by {overflow}px"
        page.screenshot(path=str(artifacts / f"{name}-phone.png"), full_page=True)
    finally:
        context.close()


def test_keyboard_focus_is_visible(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Direct naar de inhoud"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
