"""The curator's assessment form says how the grade was made: basis, note, coder, moments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from archive.service import Archive
from tests.browser.test_pages_http import SAME_SITE, Pages, textarea

FORM = "/episodes/duimdrop/beoordeling"


@pytest.fixture
def site(seeded: Archive) -> Iterator[Pages]:
    yield Pages(seeded)


def test_the_form_offers_basis_note_coder_and_the_items_moments(site: Pages) -> None:
    form = site.get(FORM, curator=True).text
    assert 'name="basis" value="reading"' in form and 'name="note"' in form
    assert 'name="coder"' in form
    happenings = site.archive.item("episodes", "duimdrop", role="curator")["happenings"]
    for happening in happenings:
        assert f'name="happenings" value="{happening["id"]}"' in form


def test_a_reading_without_a_note_is_refused_and_keeps_what_was_ticked(site: Pages) -> None:
    data = {"quality": "betrouwbaarheid", "assessment": "partial", "basis": "reading",
            "note": "", "happenings": ["h1", "h2"], "evidence": "Mijn bewijs."}  # fmt: skip
    response = site.post(FORM, data=data, curator=True, headers=SAME_SITE)
    assert response.status_code == 422
    assert 'id="note-fout"' in response.text
    assert 'value="h2" checked' in response.text
    assert textarea(response, "evidence") == "Mijn bewijs."


def test_a_reading_with_its_note_and_moment_shows_on_the_page(site: Pages) -> None:
    data = {"quality": "betrouwbaarheid", "element": "probleemoplossend-vermogen",
            "assessment": "lacking", "basis": "reading", "note": "Mijn lezing van r. 12.",
            "coder": "Marieke", "happenings": ["h2"]}  # fmt: skip
    response = site.post(FORM, data=data, curator=True, headers=SAME_SITE)
    assert response.status_code == 303, response.text
    made = site.archive.item("episodes", "duimdrop", role="curator")["assessments"][-1]
    assert (made["basis"], made["coder"], made["happenings"]) == ("reading", "Marieke", ["h2"])
    page = site.get("/episodes/duimdrop").text
    assert "Mijn lezing van r. 12." in page
    moment = page.split('id="happening-h2"')[1].split("</li>\n        <li")[0]
    assert f"#assessment-{made['id']}" in moment and "lezing van de codeur" in moment
