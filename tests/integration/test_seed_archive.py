"""The seed archive, read back through the application, against the source documents.

Each governance case of chapter 4 of the monitor ends with a reflection under the heading
"Responsieve overheid", one paragraph per pair `Framework element - quality`. The set of
pairs the archive records for a case must be exactly the set of those headings in the
source (none missing, none added), each with the assessment the paragraph makes.
"""

from __future__ import annotations

import re

import pytest

from archive.service import Archive
from events import qualities
from stories.citations import fold, lines, missing_figures, passage

MONITOR = "monitor-veerkracht-botu-2021.txt"
# The lines of each case in the monitor.
CASES = {
    "botu12": "5993-6160",
    "delfshaven-helpt": "6162-6328",
    "zelfregiehuis-protest": "6329-6466",
    "duimdrop": "6467-6558",
}
# The assessment each reflection paragraph makes, by the line of its heading. Read from the
# paragraph: shown where the source says the quality shows; lacking where it says it is
# missing or fails; partial where it says both ("enige blijk", "beperkte", "onvoldoende").
ASSESSED = {
    6127: "shown",  # BoTu12: thema's op de agenda, "wat blijk geeft van institutionele souplesse"
    6137: "shown",  # BoTu12: "Het laat zien dat zij beschikt over mobiliserend vermogen"
    6144: "shown",  # BoTu12: "de overheid zich als betrouwbare partner opstelt"
    6151: "partial",  # BoTu12: verbindend kapitaal van een kerngroep "onvoldoende" wijkbreed
    6250: "shown",  # Delfshaven Helpt: gemeente sluit zich aan, mobiliseert
    6262: "shown",  # Delfshaven Helpt: verbindt partners (Unilever, Jumbo, scholen)
    6274: "partial",  # Delfshaven Helpt: "een beperkte institutionele souplesse", wel ambtenaren
    6292: "partial",  # Delfshaven Helpt: meer middelen, maar beperkte fondsen
    6314: "shown",  # Delfshaven Helpt: Pier 80 als centraal knooppunt (lezing van de codeur)
    6428: "lacking",  # Zelfregiehuis: communicatie schiet tekort
    6438: "shown",  # Zelfregiehuis: coalitie en protest gemobiliseerd
    6449: "lacking",  # Zelfregiehuis: verbindend vermogen ontbreekt
    6464: "shown",  # Zelfregiehuis: gemeente hielp een andere plek vinden (lezing van de codeur)
    6533: "shown",  # Duimdrop: overheid draagt bij aan verspreiding van de actie
    6540: "partial",  # Duimdrop: "enige blijk … van institutionele souplesse", geen beleid
    6545: "lacking",  # Duimdrop: "Gebrek aan communicatie … belemmert … betrouwbaarheid"
    6552: "partial",  # Duimdrop: continuïteit bedreigd, verlenging biedt tijd
}
HEADING = re.compile(r"^(?P<element>[A-Za-z ]+?) +- +(?P<quality>[a-z ]+)$")


def _headings(case: str) -> dict[tuple[str, str], int]:
    """(quality id, element id) → heading line, for every reflection heading of a case."""
    first = int(CASES[case].split("-")[0])
    found = {}
    for offset, line in enumerate(lines(f"{MONITOR}:{CASES[case]}")):
        match = HEADING.match(fold(line))
        if match:
            element = qualities.resolve_element(match["element"]).id
            quality = qualities.resolve(match["quality"]).id
            found[(quality, element)] = first + offset
    return found


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_records_every_assessment_the_report_makes(seeded: Archive, case: str) -> None:
    # The reflection headings of the case, read from the source itself.
    headings = _headings(case)
    assert len(headings) >= 4, headings

    # The archive records exactly those pairs: none missing, none the report does not make.
    recorded = {
        (a["quality"], a["element"]): a for a in seeded.item("episodes", case)["assessments"]
    }
    assert set(recorded) == set(headings)

    # Each with the paragraph's assessment, citing the paragraph, quoting it.
    for pair, line in headings.items():
        assessment = recorded[pair]
        assert assessment["assessment"] == ASSESSED[line], (case, pair)
        first = int(assessment["source"].split(":")[1].split("-")[0])
        assert abs(first - line) <= 2, (case, pair, assessment["source"])
        assert fold(assessment["evidence"].split(" … ")[0]) in passage(assessment["source"])


def test_the_figures_of_the_cases_are_in_their_happenings(seeded: Archive) -> None:
    # The figures the report gives for the cases, each in a happening citing the passage.
    expected = {
        "delfshaven-helpt": ["550", "900", "2.200"],
        "duimdrop": ["1.425"],
    }
    for case, figures in expected.items():
        happenings = seeded.item("episodes", case)["happenings"]
        for figure in figures:
            holding = [h for h in happenings if figure in h["title"] + h["text"]]
            assert holding, f"{case}: no happening with {figure}"
            assert all(not missing_figures(figure, h["source"]) for h in holding)


def test_the_reflection_on_resilient_governance_uses_the_resilience_framework(
    seeded: Archive,
) -> None:
    # Every quality of the Resilience Framework is assessed, each with a quote from the source.
    reflection = seeded.item("episodes", "veerkrachtig-besturen")["assessments"]
    framework = {q.id for q in qualities.QUALITIES if q.framework == qualities.RESILIENCE}
    assert {a["quality"] for a in reflection} == framework
    for assessment in reflection:
        label = qualities.get(assessment["quality"]).label_nl
        assert label.split()[0].lower() in passage(assessment["source"]).lower()


def test_the_wijkcollectie_and_the_media(seeded: Archive) -> None:
    # The five stories, public, with their storytellers.
    stories = {s["id"]: s for s in seeded.items("stories")}
    assert sorted(stories) == ["0001", "0003", "0010", "0017", "0019"]
    assert stories["0001"]["storytellers"] == ["Dirck Slabbekoorn"]
    assert all(s["storytellers"] for s in stories.values())

    # The media: the articles of "BoTu in de media", the photographs and the drawing.
    media = {m["id"]: m for m in seeded.items("media")}
    kinds = [m["media_kind"] for m in media.values()]
    assert kinds.count("photo") >= 5 and kinds.count("drawing") == 1
    assert sum(k in ("article", "report") for k in kinds) == 12
    drawing = next(m for m in media.values() if m["media_kind"] == "drawing")
    assert "Corona Kronieken" in drawing["title"]

    # Links are made both ways: the NRC opinion piece and the Duimdrop case.
    nrc = "media/nrc-2020-11-26-laat-duimdrop-een-les-zijn"
    assert "episodes/duimdrop" in media[nrc.split("/")[1]]["links"]
    assert nrc in seeded.item("episodes", "duimdrop")["links"]


@pytest.mark.parametrize("year", [2019, 2020, 2022])
def test_the_yearly_timelines_have_substance(seeded: Archive, year: int) -> None:
    # Each timeline lists dated entries of that year, in date order, every one with a source.
    entries = seeded.timeline(year)["entries"]
    assert len(entries) >= 3
    starts = [e["date"] for e in entries]
    assert all(str(year) in s or "/" in s or "X" in s for s in starts)
    assert all(e["source"] for e in entries)


def test_the_2020_timeline_against_the_source(seeded: Archive) -> None:
    # Entries in date order; every figure of an entry stands in the passage it cites.
    entries = seeded.timeline(2020)["entries"]
    from events import dates

    keys = [dates.sort_key(e["date"]) for e in entries]
    assert keys == sorted(keys)
    for entry in entries:
        if entry["kind"] == "happening":
            missing = missing_figures(f"{entry['title']} {entry['text']}", entry["source"])
            assert not missing, (entry["title"], missing)

    # The moments of the corona spring stand in their month: March before the summer.
    titles = [e["title"] for e in entries]
    assert titles.index("550 vrijwilligers in twee weken") < titles.index(
        next(t for t in titles if "Zomercampus" in t)
    )


def test_the_corona_kronieken_against_the_source(seeded: Archive) -> None:
    # The chronicle keeps the timeline's date order (a date as vague as "2020" first, as in
    # the 2020 timeline); its first dated moment is the first measures of March 2020.
    chronicle = seeded.kronieken()
    entries = chronicle["entries"]
    from events import dates

    precise = [e for e in entries if e["date"] != "2020"]
    assert precise[0]["date"].startswith("2020-03")
    spans = [dates.span(e["date"]) for e in entries]
    assert all(s.end >= "2020-03-01" and s.start >= "2020-01-01" for s in spans)
    keys = [dates.sort_key(e["date"]) for e in entries]
    assert keys == sorted(keys)

    # It tells the figures of Delfshaven Helpt, each with a source that holds them.
    volunteers = next(e for e in entries if "550" in e["title"])
    assert volunteers["ref"] == "episodes/delfshaven-helpt"
    assert not missing_figures(volunteers["title"], volunteers["source"])
    assert any("900" in e["text"] for e in entries)
    # Nothing from before the crisis, and nothing unrelated to it.
    assert not any(e["ref"] == "episodes/duimdrop" for e in entries)
