"""Reading the archive over HTTP: the contract's answers, who sees what, citable positions.

`api` (tests/e2e/conftest.py) is the app over an empty archive on each store.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest


def test_health_counts_the_events_and_names_the_position(api) -> None:
    response = api.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    # Three tokens were issued: three events.
    assert body["events"] == api.archive.position() == 3
    assert response.headers["X-Archive-Position"] == "3"


def test_qualities_give_both_labels_and_page(api) -> None:
    body = api.get("/api/qualities").json()
    by_id = {q["id"]: q for q in body["items"]}
    flexibility = by_id["institutionele-souplesse"]
    assert flexibility["label_en"] == "institutional flexibility"
    for field in ("id", "label_nl", "label_en", "framework", "element", "definition"):
        assert field in flexibility
    assert body["total"] == len(body["items"]) >= 11 + 5

    second = api.get("/api/qualities", params={"limit": 2, "offset": 1}).json()
    assert [q["id"] for q in second["items"]] == [q["id"] for q in body["items"][1:3]]
    api.problem(api.get("/api/qualities", params={"limit": 1001}), 422)


def test_episodes_list_filters_combine_and_detail_has_happenings(api) -> None:
    api.add_episode()
    api.add_episode(
        id="botu12",
        title="BoTu12",
        date="2019/2020",
        happenings=[],
        assessments=[
            {"quality": "institutionele-souplesse", "assessment": "lacking"},
            {"quality": "betrouwbaarheid", "assessment": "shown"},
        ],
    )
    api.add_story(links=["episodes/duimdrop"])

    everything = api.get("/api/episodes").json()
    assert everything["total"] == 2
    first = everything["items"][0]
    for field in ("id", "title", "period", "summary", "assessments"):
        assert field in first
    assert set(first["assessments"][0]) >= {
        "quality",
        "element",
        "assessment",
        "evidence",
        "source",
    }

    # Quality (by its English label) and assessment match within one assessment.
    found = api.get(
        "/api/episodes", params={"quality": "Institutional Flexibility", "assessment": "shown"}
    ).json()
    assert [e["id"] for e in found["items"]] == ["duimdrop"]
    # botu12 shows reliability and lacks flexibility: no single assessment matches both.
    none = api.get(
        "/api/episodes",
        params={"quality": "institutionele souplesse", "assessment": "partial"},
    ).json()
    assert none["items"] == [] and none["total"] == 0
    by_year = api.get("/api/episodes", params={"year": 2021}).json()
    assert [e["id"] for e in by_year["items"]] == ["duimdrop"]

    detail = api.get("/api/episodes/duimdrop")
    assert detail.status_code == 200
    episode = detail.json()
    assert episode["period"] == "2020-09/2021-03"
    assert episode["happenings"][0]["date"] == "2020-11-26"
    assert set(episode["happenings"][0]) >= {"date", "title", "text", "source"}
    assert episode["stories"] == ["0042"]
    assert episode["media"] == []


def test_unknown_filters_and_items_are_problems(api) -> None:
    problem = api.problem(api.get("/api/episodes", params={"quality": "geluk"}), 422)
    assert problem["field"] == "quality"
    assert "Onbekende kwaliteit" in problem["detail"]
    problem = api.problem(api.get("/api/episodes", params={"assessment": "soms"}), 422)
    assert problem["field"] == "assessment"
    problem = api.problem(api.get("/api/episodes", params={"year": "twintig"}), 422)
    assert problem["field"] == "year"
    api.problem(api.get("/api/stories/0999"), 404)
    api.problem(api.get("/api/episodes/bestaat-niet"), 404)
    api.problem(api.get("/api/media/bestaat-niet"), 404)
    problem = api.problem(api.get("/api/verhalen/0001/history"), 404)
    assert "Onbekende soort" in problem["detail"]
    api.problem(api.get("/api/nergens"), 404)


def test_story_answer_has_the_contract_fields(api) -> None:
    api.add_episode()
    api.add_story(
        episodes=["duimdrop"],
        qualities=[{"quality": "verbindend vermogen", "assessment": "partial"}],
        rights="Wijkcollectie BoTu / Veldacademie",
    )
    response = api.get("/api/stories/0042")
    assert response.status_code == 200
    story = response.json()
    for field in (
        "number", "title", "storytellers", "body_markdown", "body_html", "date", "qualities",
        "episodes", "version",
    ):  # fmt: skip
        assert field in story
    assert story["number"] == "0042"
    assert story["date"] == "2020-23"
    assert story["body_html"] == "<p>Elke middag <em>leenden</em> wij speelgoed.</p>"
    assert story["episodes"] == ["duimdrop"]
    assert story["qualities"][0]["quality"] == "verbindend-vermogen"
    assert story["rights"] == "Wijkcollectie BoTu / Veldacademie"
    listed = api.get("/api/stories").json()
    assert listed["items"][0]["number"] == "0042"
    assert listed["items"][0]["body_html"] == story["body_html"]


def test_who_sees_which_story(api) -> None:
    api.add_story(number="0001", consent="public")
    api.add_story(number="0002", consent="research")
    api.add_story(number="0003", consent="curators")
    api.add_story(number="0004", consent=None)  # no consent recorded: curators only

    def numbers(headers: dict[str, str]) -> list[str]:
        body = api.get("/api/stories", headers=headers).json()
        assert body["total"] == len(body["items"])
        return [s["number"] for s in body["items"]]

    assert numbers({}) == ["0001"]
    assert numbers(api.researcher) == ["0001", "0002"]
    assert numbers(api.curator) == ["0001", "0002", "0003", "0004"]

    api.problem(api.get("/api/stories/0002"), 404)
    assert api.get("/api/stories/0002", headers=api.researcher).status_code == 200
    api.problem(api.get("/api/stories/0003", headers=api.researcher), 404)
    assert api.get("/api/stories/0004", headers=api.curator).json()["consent"] == "curators"
    # History and search follow the same rules.
    api.problem(api.get("/api/stories/0003/history"), 404)
    hits = api.get("/api/search", params={"q": "speelgoed"}).json()["hits"]
    assert [h["id"] for h in hits] == ["0001"]

    # A wrong token is refused, also for reads.
    wrong = api.get("/api/stories", headers={"Authorization": "Bearer anna.fout"})
    api.problem(wrong, 401)
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    api.problem(api.get("/api/stories", headers={"Authorization": "Basic YW5uYQ=="}), 401)


def test_withdrawn_story_is_a_tombstone(api) -> None:
    api.add_story(number="0017")
    api.archive.withdraw(
        "stories", "0017", reason="verteller vroeg erom", policy="intrekkingsbeleid 2024",
        actor="anna",
    )  # fmt: skip
    problem = api.problem(api.get("/api/stories/0017"), 410)
    assert problem["tombstone"]["number"] == "0017"
    assert problem["tombstone"]["withdrawn"]["policy"] == "intrekkingsbeleid 2024"
    assert "speelgoed" not in api.get("/api/stories/0017").text
    listed = api.get("/api/stories").json()["items"]
    assert listed == [
        {
            "kind": "stories",
            "id": "0017",
            "ref": "stories/0017",
            "number": "0017",
            "title": "BoTu nr. 0017 (ingetrokken)",
            "tombstone": True,
            "withdrawn": listed[0]["withdrawn"],
            "position": api.archive.position(),
        }
    ]
    api.problem(api.get("/api/stories/0017/history"), 410)
    # Curators still read it.
    assert api.get("/api/stories/0017", headers=api.curator).status_code == 200


def test_item_reads_carry_etag_and_position_and_as_of_reproduces_the_past(api) -> None:
    created = api.add_story()
    time.sleep(0.01)
    before = datetime.now(UTC)
    time.sleep(0.01)
    revised = api.patch(
        "/api/stories/0042",
        json={"title": "De speelgoedcontainer op het plein"},
        headers={**api.curator, "If-Match": str(created["version"])},
    )
    assert revised.status_code == 200

    now = api.get("/api/stories/0042")
    story = now.json()
    assert now.headers["ETag"] == f'"{story["version"]}"'
    assert int(now.headers["X-Archive-Position"]) == story["position"] == api.archive.position()
    assert story["title"] == "De speelgoedcontainer op het plein"

    then = api.get("/api/stories/0042", params={"as_of": before.isoformat()})
    assert then.status_code == 200
    old = then.json()
    assert old["title"] == "De speelgoedcontainer"
    assert old["version"] == created["version"]
    assert then.headers["ETag"] == f'"{created["version"]}"'
    assert old["as_of"] == before.isoformat()
    assert old["position"] == story["position"]
    # The same question gives the same answer later too.
    assert api.get("/api/stories/0042", params={"as_of": before.isoformat()}).json() == old

    # Naive times are UTC, "Z" is accepted, nonsense is a 422 naming the parameter.
    zulu = before.replace(tzinfo=None).isoformat() + "Z"
    assert api.get("/api/stories/0042", params={"as_of": zulu}).json()["title"] == old["title"]
    problem = api.problem(api.get("/api/stories/0042", params={"as_of": "gisteren"}), 422)
    assert problem["field"] == "as_of"
    api.problem(api.get("/api/stories/0042", params={"as_of": "2001-01-01T00:00:00Z"}), 404)


def test_list_answers_page_and_cite(api) -> None:
    for number in ("0001", "0002", "0003"):
        api.add_story(number=number)
    page = api.get("/api/stories", params={"limit": 2, "offset": 1})
    body = page.json()
    assert [s["number"] for s in body["items"]] == ["0002", "0003"]
    assert (body["total"], body["limit"], body["offset"]) == (3, 2, 1)
    assert body["position"] == int(page.headers["X-Archive-Position"]) == api.archive.position()
    api.problem(api.get("/api/stories", params={"limit": 0}), 422)
    api.problem(api.get("/api/stories", params={"offset": -1}), 422)


def test_history_names_every_event_its_actor_and_reason(api) -> None:
    story = api.add_story()
    api.patch(
        "/api/stories/0042",
        json={"body_markdown": "Elke middag leenden wij speelgoed, zei Fatima.", "reason": "bron"},
        headers={**api.curator2, "If-Match": f'"{story["version"]}"'},
    )
    response = api.get("/api/stories/0042/history")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["type"] for i in items] == ["Registered", "TextRevised"]
    assert [i["actor"] for i in items] == ["anna", "bram"]
    assert [i["version"] for i in items] == [1, 2]
    assert items[1]["reason"] == "bron"
    assert items[1]["data"]["body"] == "Elke middag leenden wij speelgoed, zei Fatima."
    for item in items:
        assert set(item) >= {"version", "type", "recorded_at", "actor", "data"}


def test_search_finds_ranks_and_counts(api) -> None:
    api.add_episode()
    api.add_story(qualities=[{"quality": "betrouwbaarheid", "assessment": "shown"}], date="2020-03")
    response = api.get("/api/search", params={"q": "speelgoed"})
    assert response.status_code == 200
    body = response.json()
    # The story's text, and the episode's "speelgoedcontainers" (a compound, split).
    assert body["total"] == 2
    assert {(h["kind"], h["id"]) for h in body["hits"]} == {
        ("stories", "0042"),
        ("episodes", "duimdrop"),
    }
    hit = next(h for h in body["hits"] if h["kind"] == "stories")
    assert {"kind", "id", "title", "snippet", "score"} <= set(hit)
    assert body["items"] == body["hits"]
    assert set(body["facets"]) >= {"kind", "quality", "year"}
    assert body["position"] == int(response.headers["X-Archive-Position"])

    # The labels of assessed qualities are found too, in English.
    labelled = api.get("/api/search", params={"q": "institutional flexibility"}).json()
    assert {h["ref"] for h in labelled["hits"]} == {"episodes/duimdrop"}
    by_kind = api.get("/api/search", params={"q": "", "kind": "episodes"}).json()
    assert {h["kind"] for h in by_kind["hits"]} == {"episodes"}
    by_quality = api.get("/api/search", params={"quality": "reliability"}).json()
    assert {h["ref"] for h in by_quality["hits"]} == {"stories/0042"}
    assert api.get("/api/search", params={"q": "speelgoed", "year": 2019}).json()["total"] == 0

    api.problem(api.get("/api/search", params={"q": "x", "limit": 1001}), 422)
    api.problem(api.get("/api/search", params={"q": "x", "kind": "boeken"}), 422)
    assert api.problem(api.get("/api/search", params={"quality": "x"}), 422)["field"] == "quality"


def test_timeline_in_every_format(api) -> None:
    api.add_episode()
    api.add_story(date="2020-03-16")
    response = api.get("/api/timelines/2020")
    assert response.status_code == 200
    timeline = response.json()
    assert timeline["year"] == 2020
    assert timeline["position"] == int(response.headers["X-Archive-Position"])
    dates = [e["date"] for e in timeline["entries"]]
    assert "2020-11-26" in dates and "2020-03-16" in dates
    assert dates.index("2020-03-16") < dates.index("2020-11-26")
    for entry in timeline["entries"]:
        assert {"date", "title", "kind", "ref", "qualities"} <= set(entry)

    markdown = api.get("/api/timelines/2020", params={"format": "markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "Duimdrop" in markdown.text
    html = api.get("/api/timelines/2020", params={"format": "html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "<" in html.text and "X-Archive-Position" in html.headers
    timelinejs = api.get("/api/timelines/2020", params={"format": "timelinejs"})
    assert "events" in timelinejs.json()

    assert api.problem(api.get("/api/timelines/2020", params={"format": "pdf"}), 422)
    api.problem(api.get("/api/timelines/twintig"), 422)
    # As recorded before anything was: an empty timeline.
    past = api.get("/api/timelines/2020", params={"as_of": "2001-01-01T00:00:00Z"}).json()
    assert past["entries"] == []
    assert past["as_of"] == "2001-01-01T00:00:00+00:00"
    # TimelineJS cannot show a year without events: 404 problem, not `events: []`.
    empty = api.problem(api.get("/api/timelines/1999", params={"format": "timelinejs"}), 404)
    assert "1999" in empty["detail"]


def test_kronieken_in_every_format(api) -> None:
    pytest.importorskip("archive.kronieken")
    api.add_episode(themes=["corona"])
    response = api.get("/api/kronieken")
    assert response.status_code == 200
    body = response.json()
    assert "title" in body and isinstance(body["entries"], list)
    assert body["position"] == int(response.headers["X-Archive-Position"])
    for entry in body["entries"]:
        assert {"date", "title", "text", "kind", "ref"} <= set(entry)
    markdown = api.get("/api/kronieken", params={"format": "markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    html = api.get("/api/kronieken", params={"format": "html"})
    assert html.headers["content-type"].startswith("text/html")
    api.problem(api.get("/api/kronieken", params={"format": "timelinejs"}), 422)
    api.problem(api.get("/api/kronieken", params={"as_of": "vroeger"}), 422)


def test_event_log_pages_and_honours_consent(api) -> None:
    api.add_story(number="0001", consent="public")
    api.add_story(number="0002", consent="curators")
    # A curator pages through every event: the tokens' and the hidden story's too.
    first = api.get("/api/events", params={"after": 0, "limit": 4}, headers=api.curator)
    assert first.status_code == 200
    page = first.json()
    assert [e["position"] for e in page["items"]] == [1, 2, 3, 4]
    assert page["next"] == 4
    assert page["items"][0]["type"] == "AccessToken.Issued"
    registered = page["items"][3]
    assert registered["type"] == "Story.Registered"
    assert registered["originator"] == "stories/0001"
    assert registered["data"]["title"] == "De speelgoedcontainer"
    assert registered["data"]["actor"] == "anna"
    seen = api.get("/api/events", params={"after": 0}, headers=api.curator).json()
    assert any(e["originator"] == "stories/0002" for e in seen["items"])

    # The public reads only the public story's events: no token, no trace of the hidden one.
    public = api.get("/api/events", params={"after": 0}).json()
    assert public["items"] and {e["originator"] for e in public["items"]} == {"stories/0001"}
    assert all("data" in e for e in public["items"])
    assert "0002" not in json.dumps(public)
    assert public["next"] == api.archive.position()
    end = api.get("/api/events", params={"after": public["next"]}).json()
    assert end["items"] == [] and end["next"] == public["next"]

    # A withdrawn story's events leave the public feed.
    api.archive.withdraw("stories", "0001", reason="op verzoek", policy="beleid", actor="anna")
    after = api.get("/api/events", params={"after": 0}).json()
    assert after["items"] == []
    api.problem(api.get("/api/events", params={"limit": 5000}), 422)
