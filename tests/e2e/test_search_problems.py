"""Search over HTTP on an empty archive and with queries it refuses: problems (API) and Dutch
pages with the problem's status, never a 500; on each store and each search backend."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from anyio.from_thread import BlockingPortal

from api.main import create_app
from archive.service import Archive
from search_index.core import budget
from tests.e2e.conftest import BASE, PortalTransport

pytestmark = pytest.mark.usefixtures("search_backend")

REFUSED = {
    "*e* OR ? OR ??": "twee letters",  # wildcards up front
    "buurt " * 2700: str(budget.MAX_QUERY_CHARS),  # 13,500 characters
}


@pytest.fixture
def empty(archive: Archive, portal: BlockingPortal) -> Iterator[httpx.Client]:
    """The app over an archive nothing was ever written to (not even a token)."""
    transport = PortalTransport(create_app(archive), portal)
    with httpx.Client(transport=transport, base_url=BASE) as http:
        yield http


def test_an_empty_archive_answers_search_and_its_page(empty: httpx.Client) -> None:
    # Whoosh's index without a segment crashed the search (`NoneType` has no `segment_id`).
    for q in ("", "speelgoed", "speel*"):
        found = empty.get("/api/search", params={"q": q})
        assert found.status_code == 200, found.text
        assert found.json()["total"] == 0 and found.json()["items"] == []
        page = empty.get("/search", params={"q": q})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "Geen resultaten" in page.text


def test_refused_queries_are_problems_and_dutch_pages(api, search_backend: str) -> None:
    api.add_story()
    refused = dict(REFUSED)
    if search_backend == "whoosh":  # its parser failed on it (IndexError: a 500); tantivy's
        refused["NOT NOT a"] = "gelezen"  # own reading finds the stories without `a`
    else:
        assert api.get("/api/search", params={"q": "NOT NOT a"}).status_code == 200
    for q, reason in refused.items():
        problem = api.problem(api.get("/api/search", params={"q": q}), 422)
        assert problem.get("field") == "q" or "q" in str(problem.get("errors", "")), problem
        page = api.get("/search", params={"q": q})
        assert page.status_code == 422
        assert page.headers["content-type"].startswith("text/html")
        assert 'role="alert"' in page.text and reason in page.text, page.text[:500]
    # The cap is the same on both: exactly at it is a search.
    at_cap = "speelgoed".ljust(budget.MAX_QUERY_CHARS, " ")
    assert api.get("/api/search", params={"q": at_cap}).json()["total"] == 1
    assert api.get("/search", params={"q": at_cap}).status_code == 200
