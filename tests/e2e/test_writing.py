"""Writing over HTTP: curators only, versions on every change, problems a curator understands.

`api` (tests/e2e/conftest.py) is the app over an empty archive on each store, with curators
anna and bram and researcher rita.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx

STORY = {"number": "0042", "title": "De speelgoedcontainer", "body_markdown": "Elke middag."}


def test_a_curator_registers_a_story_and_gets_it_back(api) -> None:
    response = api.post(
        "/api/stories",
        json={
            **STORY,
            "storytellers": ["Fatima"],
            "date": "najaar 2020",
            "rights": "Wijkcollectie BoTu",
            "consent": "research",
        },
        headers=api.curator,
    )
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/stories/0042"
    story = response.json()
    assert response.headers["ETag"] == f'"{story["version"]}"'
    assert int(response.headers["X-Archive-Position"]) == story["position"]
    assert story["position"] == api.archive.position()
    assert (story["number"], story["date"], story["consent"]) == ("0042", "2020-23", "research")
    assert story["storytellers"] == ["Fatima"]
    # Readable for curators and researchers, not for the public.
    assert api.get("/api/stories/0042", headers=api.researcher).status_code == 200
    api.problem(api.get("/api/stories/0042"), 404)


def test_a_story_without_consent_is_for_curators_only(api) -> None:
    story = api.post("/api/stories", json=STORY, headers=api.curator).json()
    assert story["consent"] == "curators"
    api.problem(api.get("/api/stories/0042", headers=api.researcher), 404)


def test_writes_need_a_curator_token(api) -> None:
    position = api.archive.position()
    anonymous = api.post("/api/stories", json=STORY)
    problem = api.problem(anonymous, 401)
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert "curatortoken" in problem["detail"]
    api.problem(api.post("/api/stories", json=STORY, headers=api.researcher), 403)
    revoked = api.archive.issue_token("oud", "curator")
    api.archive.revoke_token("oud")
    api.problem(api.post("/api/stories", json=STORY, headers=_bearer(revoked)), 401)
    assert api.archive.position() == position + 2  # only the token's own two events

    api.add_story()
    for method, path, body in [
        ("PATCH", "/api/stories/0042", {"title": "x"}),
        ("POST", "/api/stories/0042/assessments", {"quality": "x", "assessment": "shown"}),
        ("DELETE", "/api/stories/0042/assessments/a1", None),
        ("POST", "/api/stories/0042/happenings", {"date": "2020", "title": "x"}),
        ("PATCH", "/api/stories/0042/happenings/h1", {"title": "x"}),
        ("POST", "/api/stories/0042/links", {"target": "episodes/duimdrop"}),
        ("DELETE", "/api/stories/0042/links/episodes/duimdrop", None),
        ("POST", "/api/episodes", {"id": "x", "title": "x"}),
        ("PATCH", "/api/episodes/x", {"title": "x"}),
        ("POST", "/api/media", {"id": "x", "title": "x"}),
        ("PATCH", "/api/media/x", {"title": "x"}),
    ]:
        headers = {"If-Match": "1"}
        api.problem(api.http.request(method, path, json=body, headers=headers), 401)
        forbidden = api.http.request(method, path, json=body, headers={**headers, **api.researcher})
        api.problem(forbidden, 403)


def test_every_event_written_through_the_api_names_the_token(api) -> None:
    api.add_episode(id="duimdrop", title="Duimdrop")
    story = api.add_story(links=["episodes/duimdrop"])
    api.patch(
        "/api/stories/0042",
        json={"title": "Nieuw", "reason": "typefout"},
        headers={**api.curator2, "If-Match": str(story["version"])},
    )
    api.post(
        "/api/stories/0042/assessments",
        json={"quality": "betrouwbaarheid", "assessment": "shown"},
        headers=api.curator2,
    )
    history = api.get("/api/stories/0042/history").json()["items"]
    assert [(h["type"], h["actor"]) for h in history] == [
        ("Registered", "anna"),
        ("Linked", "anna"),
        ("Retitled", "bram"),
        ("QualityAssessed", "bram"),
    ]
    assert history[2]["reason"] == "typefout"


def test_a_taken_number_or_slug_is_a_conflict(api) -> None:
    api.add_story()
    api.add_episode(id="duimdrop")
    api.post("/api/media", json={"id": "nrc-1", "title": "x"}, headers=api.curator)
    position = api.archive.position()
    problem = api.problem(api.post("/api/stories", json=STORY, headers=api.curator), 409)
    assert "0042" in problem["detail"]
    assert problem["field"] == "number"
    taken = {"id": "duimdrop", "title": "x"}
    api.problem(api.post("/api/episodes", json=taken, headers=api.curator), 409)
    taken = {"id": "nrc-1", "title": "y"}
    api.problem(api.post("/api/media", json=taken, headers=api.curator), 409)
    # Nothing was written, the first story is as it was.
    assert api.archive.position() == position
    first = api.get("/api/stories/0042", headers=api.curator).json()
    assert first["title"] == "De speelgoedcontainer"


def test_bad_input_is_a_422_naming_the_field(api) -> None:
    position = api.archive.position()

    def refused(body: dict[str, object], field: str) -> dict[str, object]:
        problem = api.problem(api.post("/api/stories", json=body, headers=api.curator), 422)
        assert problem["field"] == field, problem
        return problem

    missing = refused({"number": "0042", "body_markdown": "x"}, "title")
    assert "verplicht" in str(missing["detail"])
    refused({**STORY, "date": "ergens in de zomer"}, "date")
    refused({**STORY, "date": "2020-13-45"}, "date")
    refused({**STORY, "number": "42"}, "number")
    refused({**STORY, "consent": "iedereen"}, "consent")
    refused({**STORY, "storytellers": "Fatima"}, "storytellers")
    refused({**STORY, "titel": "typo"}, "titel")
    refused({**STORY, "title": "   "}, "title")
    quality = refused(
        {**STORY, "qualities": [{"quality": "geluk", "assessment": "shown"}]}, "quality"
    )
    assert "Onbekende kwaliteit" in str(quality["detail"])
    refused(
        {**STORY, "qualities": [{"quality": "betrouwbaarheid", "assessment": "x"}]}, "assessment"
    )
    not_json = api.post(
        "/api/stories",
        content=b"{niet json",
        headers={**api.curator, "Content-Type": "application/json"},
    )
    api.problem(not_json, 422)
    api.problem(api.post("/api/stories", json=[1, 2], headers=api.curator), 422)
    # Text no store can keep: a NUL character, a lone surrogate (\ud800 in the JSON).
    refused({**STORY, "body_markdown": "een\x00twee"}, "body_markdown")
    refused({**STORY, "storytellers": ["Fatima", "\x00"]}, "storytellers.1")
    surrogate = api.post(
        "/api/stories",
        content=b'{"number": "0042", "title": "\\ud800", "body_markdown": "x"}',
        headers={**api.curator, "Content-Type": "application/json"},
    )
    assert api.problem(surrogate, 422)["field"] == "title"
    # Nothing was written.
    assert api.archive.position() == position
    # A link to an item that does not exist refuses the whole story.
    api.problem(
        api.post("/api/stories", json={**STORY, "episodes": ["bestaat-niet"]}, headers=api.curator),
        404,
    )
    assert api.archive.position() == position


def test_revising_needs_the_version_it_was_based_on(api) -> None:
    story = api.add_story()
    version = story["version"]
    missing = api.patch("/api/stories/0042", json={"title": "Nieuw"}, headers=api.curator)
    assert "If-Match" in api.problem(missing, 428)["detail"]

    # A plain number, a quoted ETag and a weak one are all accepted.
    for if_match in (str(version), f'"{version + 1}"', f'W/"{version + 2}"'):
        answer = api.patch(
            "/api/stories/0042",
            json={"title": f"Titel {if_match}"},
            headers={**api.curator, "If-Match": if_match},
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["ETag"] == f'"{answer.json()["version"]}"'
    current = answer.json()
    assert current["version"] == version + 3

    stale = api.patch(
        "/api/stories/0042", json={"title": "Oud"}, headers={**api.curator, "If-Match": "1"}
    )
    assert "gewijzigd" in api.problem(stale, 412)["detail"]
    api.problem(
        api.patch(
            "/api/stories/0042", json={"title": "x"}, headers={**api.curator, "If-Match": "abc"}
        ),
        412,
    )
    assert api.get("/api/stories/0042", headers=api.curator).json()["title"] == current["title"]
    api.problem(
        api.patch(
            "/api/stories/0999", json={"title": "x"}, headers={**api.curator, "If-Match": "1"}
        ),
        404,
    )
    bad = api.patch(
        "/api/stories/0042", json={"date": "morgen"}, headers={**api.curator, "If-Match": "*"}
    )
    assert api.problem(bad, 422)["field"] == "date"


def test_a_revision_changes_fields_links_and_qualities_and_says_why(api) -> None:
    api.add_episode()
    api.add_episode(id="botu12", title="BoTu12", happenings=[], assessments=[])
    story = api.add_story(
        episodes=["duimdrop"], qualities=[{"quality": "betrouwbaarheid", "assessment": "shown"}]
    )
    response = api.patch(
        "/api/stories/0042",
        json={
            "body_markdown": "Elke *middag*.",
            "storytellers": ["Fatima", "Deniz"],
            "date": None,
            "episodes": ["botu12"],
            "qualities": [
                {"quality": "reliability", "assessment": "shown"},
                {"quality": "flexibiliteit", "assessment": "partial"},
            ],
            "consent": "public",
            "reason": "gesprek met de vertellers",
        },
        headers={**api.curator, "If-Match": str(story["version"])},
    )
    assert response.status_code == 200, response.text
    revised = response.json()
    assert revised["body_html"] == "<p>Elke <em>middag</em>.</p>"
    assert revised["storytellers"] == ["Fatima", "Deniz"]
    assert revised["date"] is None
    assert revised["episodes"] == ["botu12"]
    assert [(q["quality"], q["assessment"]) for q in revised["qualities"]] == [
        ("betrouwbaarheid", "shown"),
        ("flexibiliteit", "partial"),
    ]
    # The links moved both ways.
    assert api.get("/api/episodes/duimdrop").json()["stories"] == []
    assert api.get("/api/episodes/botu12").json()["stories"] == ["0042"]
    history = api.get("/api/stories/0042/history").json()["items"]
    reasons = {h["type"]: h["reason"] for h in history}
    assert reasons["TextRevised"] == "gesprek met de vertellers"
    assert reasons["Unlinked"] == "gesprek met de vertellers"


def test_script_in_markdown_never_reaches_body_html(api) -> None:
    markdown = (
        "Hallo <script>alert('x')</script> wijk.\n\n"
        '<img src="x.png" onerror="alert(1)"> [klik](javascript:alert(1)) '
        '<a href="https://www.nrc.nl" onclick="steel()">NRC</a>'
    )
    story = api.add_story(body_markdown=markdown, consent="public")
    for answer in (story, api.get("/api/stories/0042").json()):
        html = answer["body_html"]
        assert "<script" not in html and "alert('x')" not in html
        assert "onerror" not in html and "onclick" not in html
        assert "javascript:" not in html
        assert 'href="https://www.nrc.nl"' in html
        assert answer["body_markdown"] == markdown
    episode = api.add_episode(body_markdown="<script>x()</script>**vet**")
    assert episode["body_html"] == "<p><strong>vet</strong></p>"


def test_assessments_are_added_corrected_and_retracted_with_history(api) -> None:
    api.add_episode(assessments=[])
    created = api.post(
        "/api/episodes/duimdrop/assessments",
        json={
            "quality": "Institutional flexibility",
            "element": "betrokken bestuur",
            "assessment": "partial",
            "evidence": "met een jaar verlengd",
            "source": "monitor-veerkracht-botu-2021.txt:6510",
        },
        headers=api.curator,
    )
    assert created.status_code == 201, created.text
    assessment = created.json()
    assert assessment["quality"] == "institutionele-souplesse"
    assert assessment["element"] == "betrokken-bestuur"
    assert created.headers["Location"] == f"/api/episodes/duimdrop/assessments/{assessment['id']}"
    listed = api.get("/api/episodes/duimdrop/assessments").json()
    assert [a["id"] for a in listed["items"]] == [assessment["id"]]

    url = f"/api/episodes/duimdrop/assessments/{assessment['id']}"
    api.problem(api.patch(url, json={"assessment": "shown"}, headers=api.curator), 428)
    api.problem(
        api.patch(url, json={"assessment": "shown"}, headers={**api.curator, "If-Match": "1"}),
        412,
    )
    revised = api.patch(
        url,
        json={"assessment": "shown", "reason": "hele bron gelezen"},
        headers={**api.curator, "If-Match": str(assessment["version"])},
    )
    assert revised.status_code == 200, revised.text
    assert revised.json()["assessment"] == "shown"
    bad = api.patch(url, json={"quality": "geluk"}, headers={**api.curator, "If-Match": "*"})
    assert api.problem(bad, 422)["field"] == "quality"

    retracted = api.delete(url, params={"reason": "dubbel"}, headers=api.curator)
    assert retracted.status_code == 204
    assert int(retracted.headers["X-Archive-Position"]) == api.archive.position()
    assert api.get("/api/episodes/duimdrop").json()["assessments"] == []
    api.problem(api.delete(url, headers=api.curator), 404)
    history = api.get("/api/episodes/duimdrop/history").json()["items"]
    kept = [h for h in history if h["type"] in ("QualityAssessed", "AssessmentRevised")]
    assert len(kept) == 2 and kept[0]["data"]["assessment"]["evidence"] == "met een jaar verlengd"
    assert history[-1]["type"] == "AssessmentRetracted"
    assert history[-1]["reason"] == "dubbel"

    unknown = api.post(
        "/api/episodes/duimdrop/assessments",
        json={"quality": "geluk", "assessment": "shown"},
        headers=api.curator,
    )
    assert api.problem(unknown, 422)["field"] == "quality"
    api.problem(
        api.post(
            "/api/boeken/duimdrop/assessments",
            json={"quality": "betrouwbaarheid", "assessment": "shown"},
            headers=api.curator,
        ),
        404,
    )
    api.problem(
        api.post(
            "/api/episodes/niets/assessments",
            json={"quality": "betrouwbaarheid", "assessment": "shown"},
            headers=api.curator,
        ),
        404,
    )


def test_happenings_are_recorded_and_corrected(api) -> None:
    api.add_episode(happenings=[])
    created = api.post(
        "/api/episodes/duimdrop/happenings",
        json={"date": "najaar 2020", "title": "Protest", "text": "Op het plein."},
        headers=api.curator,
    )
    assert created.status_code == 201, created.text
    happening = created.json()
    assert happening["date"] == "2020-23"
    bad = api.post(
        "/api/episodes/duimdrop/happenings",
        json={"date": "2020-99-99", "title": "x"},
        headers=api.curator,
    )
    assert api.problem(bad, 422)["field"] == "date"
    revised = api.patch(
        f"/api/episodes/duimdrop/happenings/{happening['id']}",
        json={"date": "2020-11-02", "reason": "krantenbericht"},
        headers={**api.curator, "If-Match": str(happening["version"])},
    )
    assert revised.status_code == 200, revised.text
    episode = api.get("/api/episodes/duimdrop").json()
    assert [(h["date"], h["title"]) for h in episode["happenings"]] == [("2020-11-02", "Protest")]
    api.problem(
        api.patch(
            "/api/episodes/duimdrop/happenings/h9",
            json={"title": "x"},
            headers={**api.curator, "If-Match": "*"},
        ),
        404,
    )


def test_links_are_made_and_removed_both_ways(api) -> None:
    api.add_episode()
    api.add_story()
    linked = api.post(
        "/api/stories/0042/links", json={"target": "episodes/duimdrop"}, headers=api.curator
    )
    assert linked.status_code == 201, linked.text
    assert linked.json()["links"] == ["episodes/duimdrop"]
    assert api.get("/api/episodes/duimdrop").json()["stories"] == ["0042"]
    bad = api.post("/api/stories/0042/links", json={"target": "duimdrop"}, headers=api.curator)
    assert api.problem(bad, 422)["field"] == "links"
    api.problem(
        api.post("/api/stories/0042/links", json={"target": "stories/0042"}, headers=api.curator),
        422,
    )
    removed = api.delete("/api/stories/0042/links/episodes/duimdrop", headers=api.curator)
    assert removed.status_code == 200
    assert removed.json()["links"] == []
    assert api.get("/api/episodes/duimdrop").json()["stories"] == []


def test_episodes_and_media_are_registered_and_revised(api) -> None:
    episode = api.add_episode()
    assert episode["assessments"][0]["element"] == "betrokken-bestuur"
    assert api.get("/api/episodes/duimdrop").headers["ETag"] == f'"{episode["version"]}"'
    media = api.post(
        "/api/media",
        json={
            "id": "nrc-2020-11-26-laat-duimdrop-een-les-zijn",
            "kind": "article",
            "title": "Laat Duimdrop een les zijn",
            "outlet": "NRC",
            "date": "2020-11-26",
            "url": "https://www.nrc.nl/",
            "summary": "Een opiniestuk.",
            "episodes": ["duimdrop"],
            "qualities": [{"quality": "betrouwbaarheid", "assessment": "lacking"}],
        },
        headers=api.curator,
    )
    assert media.status_code == 201, media.text
    item = media.json()
    for field in ("id", "kind", "title", "outlet", "date", "url", "summary", "episodes"):
        assert field in item
    assert (item["kind"], item["episodes"]) == ("article", ["duimdrop"])
    assert item["qualities"][0]["assessment"] == "lacking"
    assert api.get("/api/episodes/duimdrop").json()["media"] == [item["id"]]

    revised = api.patch(
        f"/api/media/{item['id']}",
        json={"kind": "report", "outlet": "NRC Handelsblad", "reason": "bron"},
        headers={**api.curator, "If-Match": str(item["version"])},
    )
    assert revised.status_code == 200, revised.text
    assert (revised.json()["kind"], revised.json()["outlet"]) == ("report", "NRC Handelsblad")
    bad = api.patch(
        f"/api/media/{item['id']}",
        json={"url": "ftp://x"},
        headers={**api.curator, "If-Match": "*"},
    )
    assert api.problem(bad, 422)["field"] == "url"
    bad_kind = api.post(
        "/api/media", json={"id": "y", "title": "y", "kind": "boek"}, headers=api.curator
    )
    assert api.problem(bad_kind, 422)["field"] == "kind"
    listed = api.get("/api/media").json()
    assert [m["id"] for m in listed["items"]] == [item["id"]]

    # Linking the media item made a new version of the episode.
    etag = api.get("/api/episodes/duimdrop").headers["ETag"]
    assert etag != f'"{episode["version"]}"'
    renamed = api.patch(
        "/api/episodes/duimdrop",
        json={"title": "Duimdrop blijft", "media": [], "reason": "titel uit de bron"},
        headers={**api.curator, "If-Match": etag},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["title"] == "Duimdrop blijft"
    assert renamed.json()["media"] == []
    api.problem(
        api.patch(
            "/api/episodes/duimdrop",
            json={"storytellers": ["x"]},
            headers={**api.curator, "If-Match": "*"},
        ),
        422,
    )


def test_an_oversize_body_is_refused_with_413(api) -> None:
    position = api.archive.position()
    huge = {**STORY, "body_markdown": "x" * (1024 * 1024 + 1)}
    problem = api.problem(api.post("/api/stories", json=huge, headers=api.curator), 413)
    assert "te groot" in problem["detail"]

    # Sent in chunks without a length, it is counted as it streams in.
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"number": "0042", "title": "x", "body_markdown": "'
        for _ in range(40):
            yield b"x" * 32 * 1024
        yield b'"}'

    async def stream() -> httpx.Response:
        transport = httpx.ASGITransport(app=api.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.post(
                "/api/stories",
                content=chunks(),
                headers={**api.curator, "Content-Type": "application/json"},
            )

    streamed = asyncio.run(stream())
    assert "content-length" not in {k.lower() for k in streamed.request.headers}
    api.problem(streamed, 413)
    assert api.archive.position() == position


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class _FailingView:
    """A read model that breaks when told to: a view with a bug, or its store gone away."""

    name = "failing"

    def __init__(self) -> None:
        self.broken = False
        self.at = 0

    def position(self) -> int:
        return self.at

    def process(self, changes: Any, states: Any) -> None:
        if self.broken:
            raise RuntimeError("the view cannot be written")
        self.at = changes[-1].position

    def reset(self) -> None:
        self.at = 0

    def purge(self) -> None:
        """Nothing on disk to purge."""

    def close(self) -> None:
        """Nothing to release."""


def test_a_recorded_write_is_acknowledged_even_when_a_view_fails_after_it(api) -> None:
    # A view that keeps up for now follows the log beside the others.
    view = _FailingView()
    api.archive.add_view(view)
    before = api.archive.position()
    # It breaks; a curator registers a story: the event is saved before the views catch up.
    view.broken = True
    response = api.post("/api/stories", json=STORY, headers=api.curator)
    # The write is acknowledged with its position, not a 500 that would make her repeat it.
    assert response.status_code == 201, response.text
    written = int(response.headers["X-Archive-Position"])
    assert written > before
    assert response.json()["title"] == STORY["title"]
    # The log holds it once; the broken view lags behind the write.
    assert api.archive.recorded_item("stories", "0042")["version"] == 1
    assert view.position() < written
    # Once the view works again, the next catch-up brings it up to the write.
    view.broken = False
    api.archive.catch_up()
    assert view.position() >= written
