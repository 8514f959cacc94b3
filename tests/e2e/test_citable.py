"""Citable answers, cited passages and the coding table, end to end on each store."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from api.citing import BASE
from tests.e2e.conftest import EPISODE, Api

ASSESSED: dict[str, Any] = EPISODE["assessments"][0]  # type: ignore[index,assignment]


def _csl_renders(csl: dict[str, Any]) -> str:
    """The CSL-JSON item read and formatted by citeproc-py (a real CSL processor)."""
    citeproc = pytest.importorskip("citeproc")
    from citeproc.source.json import CiteProcJSON

    source = CiteProcJSON([csl])
    style = citeproc.CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = citeproc.CitationStylesBibliography(style, source, citeproc.formatter.plain)
    bibliography.register(citeproc.Citation([citeproc.CitationItem(csl["id"])]))
    return str(bibliography.bibliography()[0])


def test_an_item_answer_cites_its_recorded_version(api: Api) -> None:
    api.add_episode()
    story = api.add_story(date="2020-11-26")
    answer = api.get("/api/stories/0042").json()
    citation = answer["citation"]
    link = urlsplit(citation["permalink"])
    query = parse_qs(link.query)
    assert citation["permalink"].startswith(BASE.get())  # WIJKARCHIEF_BASE_URL's default
    assert link.path == "/api/stories/0042"
    assert query["as_of"] == [answer["modified_at"]]
    assert query["position"] == [str(answer["position"])]
    csl = citation["csl"]
    assert csl["container-title"] == "Wijkarchief Bospolder-Tussendijken"
    assert csl["URL"] == citation["permalink"]
    assert csl["issued"] == {"date-parts": [[2020, 11, 26]]}
    assert csl["author"] == [{"literal": "Fatima"}]
    assert story["title"] in citation["text"] and citation["permalink"] in citation["text"]
    rendered = _csl_renders(csl)
    assert story["title"] in rendered and "Fatima" in rendered and "2020" in rendered

    # The permalink fixes the version: a later revision does not change what it answers.
    api.patch(
        "/api/stories/0042",
        json={"title": "Een andere titel", "reason": "test"},
        headers={**api.curator, "If-Match": str(answer["version"])},
    ).raise_for_status()
    cited = api.get(f"{link.path}?{link.query}").json()
    assert cited["title"] == story["title"] and cited["version"] == answer["version"]

    episode = api.get("/api/episodes").json()["items"][0]["citation"]["csl"]
    assert episode["issued"] == {"date-parts": [[2020, 9], [2021, 3]]}
    assert "author" not in episode
    _csl_renders(episode)


def test_answers_cite_themselves(api: Api) -> None:
    api.add_episode()
    for path, title in [
        ("/api/search?q=duimdrop", "duimdrop"),
        ("/api/timelines/2020", "Tijdlijn 2020"),
        ("/api/kronieken", "Corona Kronieken"),
        ("/api/timelines/2020?as_of=2030-01-01T00:00:00Z", "Tijdlijn 2020"),
    ]:
        answer = api.get(path).json()
        citation = answer["citation"]
        query = parse_qs(urlsplit(citation["permalink"]).query)
        assert title in citation["text"]
        assert query["position"] == [str(answer["position"])] and query["as_of"]
        assert citation["csl"]["URL"] == citation["permalink"]
        _csl_renders(citation["csl"])
    fixed = api.get("/api/timelines/2020?as_of=2030-01-01T00:00:00Z").json()["citation"]
    assert parse_qs(urlsplit(fixed["permalink"]).query)["as_of"] == ["2030-01-01T00:00:00+00:00"]


def test_the_cited_passage_of_a_source(api: Api) -> None:
    answer = api.get("/api/sources/monitor-veerkracht-botu-2021.txt", params={"lines": "6190-6194"})
    assert answer.status_code == 200
    passage = answer.json()
    assert passage["file"] == "monitor-veerkracht-botu-2021.txt"
    assert passage["lines"] == [6190, 6194]
    assert passage["text"].startswith("De actiegroep ‘Delfshaven Helpt’")
    assert len(passage["text"].splitlines()) == 5
    assert passage["url"].endswith("/sources/monitor-veerkracht-botu-2021.txt?lines=6190-6194")
    text = api.get(
        "/api/sources/monitor-veerkracht-botu-2021.txt", params={"lines": "6510", "format": "text"}
    )
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.strip() and len(text.text.splitlines()) == 1

    for name in ("README.md", "..%2F..%2Fpyproject.toml", "geen.txt"):
        api.problem(api.get(f"/api/sources/{name}", params={"lines": "1-2"}), 404)
    for lines in ("", "abc", "0-3", "9-3", "1-999999", "1-201", "-4"):
        file = "monitor-veerkracht-botu-2021.txt"
        problem = api.problem(api.get(f"/api/sources/{file}", params={"lines": lines}), 422)
        assert problem.get("field") in ("lines", None), problem


def test_the_coding_table_lists_what_the_reader_may_read(api: Api) -> None:
    api.add_episode()
    api.add_story(number="0043", consent="curators", qualities=[ASSESSED])
    public = api.get("/api/assessments").json()
    assert public["total"] == 1 == len(public["items"])
    row = public["items"][0]
    assert row["item"] == "episodes/duimdrop" and row["quality"] == ASSESSED["quality"]
    assert row["element"] == ASSESSED["element"] and row["evidence"] == ASSESSED["evidence"]
    assert row["source"] == ASSESSED["source"] and row["recorded_at"]
    assert api.get("/api/assessments", headers=api.curator).json()["total"] == 2

    answer = api.get("/api/assessments", params={"format": "csv"})
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    table = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"), newline="")))
    assert [r["item"] for r in table] == ["episodes/duimdrop"]
    assert table[0]["evidence"] == ASSESSED["evidence"]
    header = answer.text.splitlines()[0].split(",")
    assert header[:6] == ["item", "kind", "title", "quality", "element", "assessment"]
    assert "recorded_at" in header and "basis" in header and "coder" in header
    curated = api.get("/api/assessments", params={"format": "csv"}, headers=api.curator).text
    assert "stories/0043" in curated and "stories/0043" not in answer.text
    api.problem(api.get("/api/assessments", params={"format": "xlsx"}), 422)


def test_the_qualities_page_and_the_links_to_it_and_to_the_passages(api: Api) -> None:
    from events import qualities

    page = api.get("/qualities")
    assert page.status_code == 200
    for concept in (*qualities.QUALITIES, *qualities.ELEMENTS):
        assert f'id="{concept.id}"' in page.text
        assert concept.definition.split(",")[0] in page.text

    api.add_episode()
    html = api.get("/episodes/duimdrop").text
    assert f'href="/qualities#{ASSESSED["quality"]}"' in html
    assert 'href="/sources/monitor-veerkracht-botu-2021.txt?lines=6510"' in html
    timeline = api.get("/api/timelines/2020", params={"format": "html"}).text
    assert 'href="/sources/monitor-veerkracht-botu-2021.txt?lines=7106-7115"' in timeline

    shown = api.get("/sources/monitor-veerkracht-botu-2021.txt", params={"lines": "6510"})
    assert shown.status_code == 200 and "<mark>" in shown.text
    assert shown.text.count("<mark>") == 1 and shown.text.count("<li ") == 11  # 5 either side
    assert api.get("/sources/pyproject.toml", params={"lines": "1"}).status_code == 404
    refused = api.get("/sources/monitor-veerkracht-botu-2021.txt", params={"lines": "5-1"})
    assert refused.status_code == 422 and "Foutcode 422" in refused.text


def test_a_long_cited_passage_is_shown_in_parts(api: Api) -> None:
    """A citation longer than the API serves at once (seeded episodes cite 335 lines) is a
    page in parts of 200 lines, never a 422: every `Bron:` link of an item answers."""
    file = "monitor-veerkracht-botu-2021.txt"
    page = api.get(f"/sources/{file}", params={"lines": "284-618"})
    assert page.status_code == 200, page.text[:300]
    assert "regels 284–618" in page.text
    assert "hier staan regels 284–483" in page.text
    assert '<li id="r279">' in page.text and '<li id="r284"><mark>' in page.text
    assert '<li id="r488"><mark>' in page.text and 'id="r489"' not in page.text  # 5 of context
    assert "← Vorige regels" not in page.text
    assert f'href="/sources/{file}?lines=284-618&amp;vanaf=484" rel="next"' in page.text
    assert f"/api/sources/{file}?lines=284-483" in page.text  # the part's JSON is served
    assert api.get(f"/api/sources/{file}", params={"lines": "284-483"}).status_code == 200
    rest = api.get(f"/sources/{file}", params={"lines": "284-618", "vanaf": "484"})
    assert rest.status_code == 200
    assert "hier staan regels 484–618" in rest.text
    assert '<li id="r479"><mark>' in rest.text and '<li id="r618"><mark>' in rest.text
    assert '<li id="r623">' in rest.text and 'id="r624"' not in rest.text
    assert f'href="/sources/{file}?lines=284-618&amp;vanaf=284" rel="prev"' in rest.text
    assert "Volgende regels" not in rest.text
    odd = api.get(f"/sources/{file}", params={"lines": "284-618", "vanaf": "x"})
    assert odd.status_code == 200 and "hier staan regels 284–483" in odd.text
    short = api.get(f"/sources/{file}", params={"lines": "6190-6194"})
    assert short.status_code == 200 and "Volgende regels" not in short.text


def test_an_item_before_it_was_recorded_names_the_moment_in_words(api: Api) -> None:
    """The 404 of a page or answer read before the item existed says when in Dutch, as the
    pages write moments, not the ISO code (`2020-01-01T10:00:00+00:00`)."""
    api.add_episode()
    page = api.get("/episodes/duimdrop", params={"as_of": "2020-01-01T10:00"})
    assert page.status_code == 404
    assert "was op 1 januari 2020, 10:00:00 UTC nog niet vastgelegd" in page.text
    assert "+00:00" not in page.text.split("<main", 1)[1]
    answer = api.get("/api/episodes/duimdrop", params={"as_of": "2020-01-01T12:00:00+02:00"})
    assert "was op 1 januari 2020, 10:00:00 UTC" in api.problem(answer, 404)["detail"]
