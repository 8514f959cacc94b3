"""What a storyteller entrusted to curators alone never reaches a reader who may not read it.

Each test is one finding of the privacy issue, told as a scenario over HTTP (API and pages),
on both stores and both search backends. A leak is looked for as a person would: the marker
words of the hidden text, anywhere in the bytes of the answer.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest

pytestmark = pytest.mark.usefixtures("search_backend")

DRAFT = "Henk Vermeulen woont boven de bakkerij"
TELLER = "Henk Vermeulen"


def _moment() -> str:
    """A moment strictly between two writes (the store's clock has microseconds)."""
    time.sleep(0.01)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    return moment


def _found(word: str, text: str) -> bool:
    """Whether the marker is in the text. A number (a story's "0043") counts only as a whole
    number: every answer carries times of recording and citation moments with microseconds
    ("…T05:20:12.004312+00:00"), scores ("1.0043") and positions, whose digits hold any four
    digits now and then (one answer in a few thousand). A number that names the story stands
    apart: "stories/0043", "BoTu nr. 0043", "\"0043\""."""
    if not word.isdigit():
        return word in text
    return re.search(rf"(?<![\w.]){re.escape(word)}(?!\w|\.\d)", text) is not None


def _no_trace(api, paths: list[str], *words: str, headers: dict[str, str] | None = None) -> None:
    for path in paths:
        response = api.get(path, headers=headers or {})
        for word in words:
            assert not _found(word, response.text), f"{word!r} leaks through {path}"


def test_widening_consent_publishes_the_clean_version_only(api) -> None:
    # A curator registers a draft, for curators only, with the teller's name and address.
    api.add_story(
        number="0042", consent="curators", body_markdown=DRAFT, storytellers=[TELLER],
        title="Verhaal van Henk Vermeulen",
    )  # fmt: skip
    draft_moment = _moment()
    # She cleans it: new text, an anonymous teller, a neutral title; still curators-only.
    version = api.get("/api/stories/0042", headers=api.curator).json()["version"]
    cleaned = api.patch(
        "/api/stories/0042",
        json={"body_markdown": "Een bewoner vertelt over de buurt.", "storytellers": ["Anoniem"],
              "title": "Een verhaal uit de buurt"},
        headers={**api.curator, "If-Match": str(version)},
    )  # fmt: skip
    assert cleaned.status_code == 200, cleaned.text
    clean_moment = _moment()
    # Then she makes it public.
    version = cleaned.json()["version"]
    widened = api.patch(
        "/api/stories/0042", json={"consent": "public"},
        headers={**api.curator, "If-Match": str(version)},
    )  # fmt: skip
    assert widened.status_code == 200
    # The public reads the clean story now ...
    assert api.get("/api/stories/0042").json()["storytellers"] == ["Anoniem"]
    # ... but nothing of the draft: not as it was, not in its history, not in the feeds.
    for moment in (draft_moment, clean_moment):
        api.problem(api.get("/api/stories/0042", params={"as_of": moment}), 404)
        assert api.get("/stories/0042", params={"as_of": moment}).status_code == 404
    paths = [
        "/api/stories/0042", "/api/stories/0042/history", "/stories/0042", "/api/events",
        "/api/changes", "/api/timelines/2020", f"/api/timelines/2020?as_of={draft_moment}",
        f"/api/kronieken?as_of={draft_moment}", "/api/kronieken", "/timelines/2020",
    ]  # fmt: skip
    _no_trace(api, paths, "Vermeulen", "bakkerij")
    _no_trace(api, paths, "Vermeulen", "bakkerij", headers=api.researcher)
    # Search finds the clean words only (the query itself is echoed, so look at the hits).
    for word in ("Vermeulen", "bakkerij"):
        assert api.get("/api/search", params={"q": word}).json()["total"] == 0
        assert "/stories/0042" not in api.get("/search", params={"q": word}).text
    assert api.get("/api/search", params={"q": "bewoner buurt"}).json()["total"] == 1
    # A curator still has every version and word.
    curator_history = api.get("/api/stories/0042/history", headers=api.curator).text
    assert "Vermeulen" in curator_history and "bakkerij" in curator_history


@pytest.mark.parametrize(
    "hidden", [{"consent": "curators"}, {"consent": "research"}, {"embargo": "2999-01-01"}]
)
def test_withdrawing_a_hidden_story_announces_nothing(api, hidden, monkeypatch) -> None:
    # The citations of computed answers are fixed at a moment whose microseconds hold the
    # story's number (as once happened by chance): that is no trace of the story.
    moment = "2026-12-06T05:20:12.004312+00:00"
    monkeypatch.setattr("api.routes.search.now_iso", lambda: moment)
    monkeypatch.setattr("api.routes.timelines.now_iso", lambda: moment)
    # A story the public could never read: curators-only, research-only or embargoed.
    api.add_story(number="0043", consent=hidden.get("consent", "public"), title="Geheim verhaal")
    if "embargo" in hidden:
        api.archive.embargo("stories", "0043", hidden["embargo"], actor="anna")
    # The teller withdraws consent.
    api.archive.withdraw("stories", "0043", reason="op verzoek", policy="AVG-beleid 2021",
                         actor="anna")  # fmt: skip
    # The public sees no tombstone anywhere: the story answers as a missing one does.
    missing = api.problem(api.get("/api/stories/9999"), 404)
    hidden_answer = api.problem(api.get("/api/stories/0043"), 404)
    assert hidden_answer["detail"] == missing["detail"].replace("9999", "0043")
    _no_trace(
        api, ["/api/stories", "/api/changes", "/api/events", "/", "/search?q=verhaal",
              "/api/search?q=verhaal", "/api/search?q=Geheim"],
        "0043", "AVG-beleid",
    )  # fmt: skip
    # A researcher sees the tombstone only of what research consent let them read.
    tombstones = [s for s in api.get("/api/stories", headers=api.researcher).json()["items"]]
    if hidden.get("consent") == "research":
        assert [s["id"] for s in tombstones] == ["0043"]
        assert api.get("/api/stories/0043", headers=api.researcher).status_code == 410
    else:
        assert tombstones == []
        assert api.get("/api/stories/0043", headers=api.researcher).status_code == 404


def test_a_public_episode_does_not_name_its_hidden_story(api) -> None:
    # A public episode and a curators-only story about it, linked both ways.
    api.add_episode()
    api.add_story(number="0044", consent="curators", episodes=["duimdrop"])
    assert api.get("/api/episodes/duimdrop", headers=api.curator).json()["stories"] == ["0044"]
    # The public reads the episode: no link, no history entry, no feed entry names the story.
    episode = api.get("/api/episodes/duimdrop").json()
    assert episode["stories"] == [] and episode["links"] == []
    _no_trace(
        api, ["/api/episodes/duimdrop", "/api/episodes/duimdrop/history", "/episodes/duimdrop",
              "/api/events", "/api/changes", "/api/episodes"],
        "0044",
    )  # fmt: skip


def test_hidden_and_missing_items_answer_alike(api) -> None:
    # One story hidden from the public, one embargoed; another number never used.
    api.add_story(number="0045", consent="curators")
    api.add_story(number="0046", consent="public")
    api.archive.embargo("stories", "0046", "2999-01-01", actor="anna")
    # Every read of them answers exactly as the missing number does.
    for suffix in ("", "/history", "/assessments"):
        missing = api.get(f"/api/stories/0999{suffix}")
        for number in ("0045", "0046"):
            hidden = api.get(f"/api/stories/{number}{suffix}")
            assert hidden.status_code == missing.status_code == 404
            assert hidden.json()["detail"] == missing.json()["detail"].replace("0999", number)
            assert hidden.headers.get("content-type") == missing.headers.get("content-type")
    assert api.get("/stories/0045").status_code == api.get("/stories/0999").status_code == 404


def test_the_leak_check_finds_a_number_as_a_number_only() -> None:
    # The forms a story's number leaks in are found ...
    for leak in ('"id":"0043","ref":"stories/0043"', "BoTu nr. 0043.", "/stories/0043?x=1"):
        assert _found("0043", leak), leak
    # ... the digits of a moment, a score or a position are not.
    for chance in ('"at":"2026-12-06T05:20:12.004312+00:00"', "as_of=2026-12-06T05%3A20%3A12."
                   "120043%2B00%3A00", '"score":1.0043,', '"position":100435'):  # fmt: skip
        assert not _found("0043", chance), chance
