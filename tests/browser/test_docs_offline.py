"""`/docs` renders in Chromium with every request off the machine refused.

The browser may reach only the server on 127.0.0.1; a request anywhere else (a CDN) is
aborted and recorded, and fails the test. The page must show the API's operations, with no
Content-Security-Policy violation and no script error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _offline(page: Any) -> tuple[list[str], list[str]]:
    """Abort every request that leaves 127.0.0.1; collect them and the console's errors."""
    elsewhere: list[str] = []
    errors: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            elsewhere.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return elsewhere, errors


def test_swagger_ui_renders_the_operations_without_internet(page: Any) -> None:
    elsewhere, errors = _offline(page)
    page.goto("/docs")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 20
    assert page.get_by_text("/api/episodes/{episode_id}", exact=True).first.is_visible()
    # The read operations do not demand a token; Authorize is offered for the writes.
    assert page.get_by_role("button", name="Authorize").first.is_visible()
    assert not elsewhere, f"requests off the machine: {elsewhere}"
    assert not errors, errors


def test_redoc_leads_to_the_offline_docs(page: Any) -> None:
    elsewhere, errors = _offline(page)
    page.goto("/redoc")
    page.locator(".opblock").first.wait_for()
    assert urlsplit(page.url).path == "/docs"
    assert not elsewhere, f"requests off the machine: {elsewhere}"
    assert not errors, errors
