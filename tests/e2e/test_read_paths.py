"""Every read path applies the visibility policy: a walk over every GET of the OpenAPI document.

The archive holds a public story (the control, which every role must meet somewhere), and
stories that are curators-only, research-only, embargoed, withdrawn while curators-only,
erased, and widened from a curators-only draft; a public episode links to the hidden ones.
Each GET operation the OpenAPI document lists is called as the public, a researcher and a
curator, with its path parameters filled with every item and its query parameters with
`as_of`, every `format`, search words and a year. No answer may hold a word (or a
reference) of what that role may not read. A new read endpoint is walked as soon as it is
in the OpenAPI document; one that forgets the policy fails here.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("search_backend")

# The word each hidden story carries (title, text, teller), by number.
HIDDEN = {
    "7301": "Kwartiermaker",  # curators-only
    "7302": "Zandloper",  # research-only
    "7303": "Lantaarnpaal",  # public, under an embargo until 2999
    "7304": "Vuurtoren",  # curators-only, then withdrawn
    "7305": "Molenwiek",  # public, then erased
}
DRAFT = "Waterspuwer"  # the curators-only draft of 7306, published cleaned
CONTROL = "Zichtbaar"  # the public story 7300
FORBIDDEN = {
    "public": ["7301", "7302", "7303", "7304", "7305-words", "draft"],
    "researcher": ["7301", "7303", "7304", "7305-words", "draft"],
    "curator": ["7305-words"],
}


def _story(api, number: str, word: str, consent: str, **extra: Any) -> None:
    api.add_story(
        number=number, title=f"Verhaal {word}", body_markdown=f"Tekst over {word}.",
        storytellers=[f"Truus {word}"], consent=consent, date="2020-05", themes=["corona"],
        **extra,
    )  # fmt: skip


def _moment() -> str:
    time.sleep(0.01)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    return moment


@pytest.fixture
def walked(api) -> Any:
    # The control, and a public episode of 2020.
    _story(api, "7300", CONTROL, "public")
    api.add_episode(id="buurtpark", date="2020", title="Het buurtpark")
    # The hidden stories, each linked from the public episode.
    _story(api, "7301", HIDDEN["7301"], "curators", episodes=["buurtpark"])
    _story(api, "7302", HIDDEN["7302"], "research", episodes=["buurtpark"])
    _story(api, "7303", HIDDEN["7303"], "public", episodes=["buurtpark"])
    api.archive.embargo("stories", "7303", "2999-01-01", actor="anna")
    _story(api, "7304", HIDDEN["7304"], "curators", episodes=["buurtpark"])
    api.archive.withdraw("stories", "7304", reason="op verzoek", policy="beleid", actor="anna")
    _story(api, "7305", HIDDEN["7305"], "public", episodes=["buurtpark"])
    api.archive.erase("stories", "7305", actor="anna", reason="AVG")
    # A draft, cleaned and then made public.
    _story(api, "7306", DRAFT, "curators")
    draft_moment = _moment()
    api.archive.revise(
        "stories", "7306",
        {"title": "Een schoon verhaal", "body_markdown": "Schone tekst.",
         "storytellers": ["Anoniem"], "consent": "public"},
        actor="anna",
    )  # fmt: skip
    return {"as_of": draft_moment}


def _forbidden(role: str) -> list[str]:
    """The strings no answer to this role may contain."""
    found: list[str] = []
    for what in FORBIDDEN[role]:
        if what == "draft":
            found.append(DRAFT)
        elif what == "7305-words":
            found.append(HIDDEN["7305"])
        else:
            found.extend([HIDDEN[what], f"stories/{what}", f'"{what}"'])
    return found


def _fillings(path: str) -> list[str]:
    """The path with its parameters filled in every way the walk tries."""
    numbers = ["7300", *HIDDEN, "7306"]
    if "{kind}" in path:
        return [
            *(path.replace("{kind}", "stories").replace("{key}", n) for n in numbers),
            path.replace("{kind}", "episodes").replace("{key}", "buurtpark"),
        ]
    if "{number}" in path:
        return [path.replace("{number}", n) for n in numbers]
    if "{episode_id}" in path:
        return [path.replace("{episode_id}", "buurtpark")]
    if "{year}" in path:
        return [path.replace("{year}", "2020")]
    if "{" in path:
        return [re.sub(r"\{[^}]+\}", "x", path)]
    return [path]


def _queries(operation: dict[str, Any], as_of: str) -> list[dict[str, Any]]:
    """The query strings tried on an operation: none, then each parameter it has."""
    names = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
    tried: list[dict[str, Any]] = [{}]
    if "limit" in names:
        tried.append({"limit": 1000})
    if "after" in names:
        tried.append({"after": 0, "limit": 1000})
    if "as_of" in names:
        tried.append({"as_of": as_of})
    if "format" in names:
        schema = names["format"].get("schema", {})
        formats = schema.get("enum") or [
            v for s in schema.get("anyOf", []) for v in s.get("enum", [])
        ]
        tried.extend({"format": f} for f in formats or ["json", "markdown", "html"])
        if "as_of" in names:
            tried.extend({"format": f, "as_of": as_of} for f in formats or ["json"])
    if "q" in names:
        words = [*HIDDEN.values(), DRAFT, CONTROL, "Truus", "corona"]
        tried.extend({"q": w} for w in words)
        tried.append({"q": "", "limit": 1000})
    if "year" in names:
        tried.append({"year": 2020, "limit": 1000})
    return tried


def test_every_read_path_applies_the_policy(api, walked) -> None:
    paths = api.app.openapi()["paths"]
    reads = [(path, ops["get"]) for path, ops in paths.items() if "get" in ops]
    assert len(reads) >= 14  # the walk covers the document (health, lists, items, feeds, …)
    headers = {"public": {}, "researcher": api.researcher, "curator": api.curator}
    seen: dict[str, str] = {role: "" for role in headers}
    for path, operation in reads:
        for filled in _fillings(path):
            for query in _queries(operation, walked["as_of"]):
                for role, header in headers.items():
                    response = api.get(filled, params=query, headers=header)
                    assert response.status_code < 500, (filled, query, role, response.text)
                    # What the caller sent is echoed back (a problem's `instance`, the query):
                    # look past it.
                    text = response.text.replace(filled, "")
                    if "q" in query:
                        text = text.replace(str(query["q"]), "")
                    for word in _forbidden(role):
                        assert word not in text, f"{word!r} reaches {role}: {filled} {query}"
                    seen[role] += text
    # The walk did meet what each role may read (so the checks above could have failed).
    assert all(CONTROL in text for text in seen.values())
    assert HIDDEN["7302"] in seen["researcher"]
    assert HIDDEN["7301"] in seen["curator"] and DRAFT in seen["curator"]
    assert HIDDEN["7304"] in seen["curator"]
