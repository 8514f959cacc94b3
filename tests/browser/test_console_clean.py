"""The main pages load in Chromium without one error in the console: no failed request
(a page without an icon made Chromium ask for /favicon.ico, a 404 on every first visit),
no script error, no image that does not load."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = ("/", "/stories", "/episodes", "/media", "/episodes/duimdrop", "/search?q=corona",
         "/matrix", "/qualities", "/timelines/2020", "/kronieken")  # fmt: skip


def test_the_public_pages_log_no_error(page: Any) -> None:
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{m.text} {m.location}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    for path in PAGES:
        answer = page.goto(path, wait_until="load")
        assert answer is not None and answer.status == 200, path
        page.wait_for_timeout(300)  # the icon is asked for after the load
        broken = page.evaluate(
            "Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0)"
            ".map(i => i.src)"
        )
        assert broken == [], (path, broken)
    assert failed == [], failed
    assert errors == [], errors
