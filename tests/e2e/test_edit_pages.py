"""The curators' edit pages of issue 19 through the real ASGI stack, on both stores: an
episode's edit form and its stale-edit merge, a media item registered and given a file
without JavaScript, happenings added and corrected, assessments corrected and retracted.
Every form reports every problem at once and keeps what was typed; a forged or anonymous
post is refused; nothing a curator can send is answered with a 500.
"""

from __future__ import annotations

import dataclasses
import io
import random
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal
from PIL import Image

from api.main import create_app
from archive.service import Archive
from tests.e2e.conftest import BASE, PortalTransport

SAME_SITE = {"Origin": BASE}
EPISODE = {
    "id": "duimdrop",
    "title": "Acties voor Duimdrop",
    "date": "2020-23",
    "summary": "Bewoners komen in actie.",
    "consent": "public",
    "happenings": [{"date": "2020-11-26", "title": "Opiniestuk in NRC", "source": "nrc"}],
    "assessments": [
        {"quality": "mobiliserend-vermogen", "assessment": "shown", "evidence": "Acties."}
    ],
}


class Form(HTMLParser):
    """The fields of the form whose action ends with `action`, as a browser sends them."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside = action, False
        self.fields: dict[str, Any] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = attr.get("action", "").endswith(self.action)
        if not self.inside:
            return
        if tag == "input" and attr.get("name"):
            if attr.get("type") in ("radio", "checkbox"):
                if "checked" in attr:
                    self.fields[attr["name"]] = attr.get("value", "")
            elif attr.get("type") != "file":
                self.fields[attr["name"]] = attr.get("value", "")
        elif tag == "textarea":
            self._textarea = attr["name"]
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select = attr["name"]
        elif tag == "option" and self._select and "selected" in attr:
            self.fields[self._select] = attr["value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] = (self.fields[self._textarea] + data).removeprefix("\n")


def form_of(page: httpx.Response, action: str) -> dict[str, Any]:
    parser = Form(action)
    parser.feed(page.text)
    assert parser.fields, f"no form posting to …{action} on the page"
    return parser.fields


def field_error_ids(page: str) -> set[str]:
    """The fields marked invalid, each described by its error message."""
    marked = set(re.findall(r'id="([a-z_]+)"[^>]*aria-describedby="[^"]*\b\1-fout', page))
    invalid = set(re.findall(r'id="([a-z_]+)"[^>]*aria-invalid="true"', page))
    return marked & invalid


@pytest.fixture
def web(archive: Archive, portal: BlockingPortal) -> Iterator[dict[str, httpx.Client]]:
    """Curators anna and bram and researcher rita logged in, each a browser of their own."""
    app = create_app(archive)
    browsers = {}
    for name, role in (("anna", "curator"), ("bram", "curator"), ("rita", "researcher")):
        token = archive.issue_token(name, role)
        browser = httpx.Client(transport=PortalTransport(app, portal), base_url=BASE)
        assert browser.post("/inloggen", data={"token": token}, headers=SAME_SITE).is_redirect
        browsers[name] = browser
    browsers["public"] = httpx.Client(transport=PortalTransport(app, portal), base_url=BASE)
    archive.register("episodes", EPISODE, actor="anna")
    yield browsers
    for browser in browsers.values():
        browser.close()
    app.state.sessions.close()


def post(browser: httpx.Client, path: str, data: dict[str, Any], **kw: Any) -> httpx.Response:
    return browser.post(path, data=data, headers=SAME_SITE, **kw)


def types_after(archive: Archive, kind: str, key: str, version: int) -> list[str]:
    return [e["type"] for e in archive.history(kind, key, role="curator") if e["version"] > version]


def png(size: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), (200, 60, 40)).save(out, "PNG")
    return out.getvalue()


# -- episodes -------------------------------------------------------------------------


def test_an_episode_edit_shows_dates_in_words_and_records_only_what_changed(
    archive: Archive, web: dict[str, httpx.Client]
) -> None:
    page = web["anna"].get("/episodes/duimdrop/bewerken")
    assert page.status_code == 200
    form = form_of(page, "/episodes/duimdrop/bewerken")
    # The date as people write it, not the code.
    assert form["date"] == "najaar 2020"
    before = int(form["version"])
    form.update(
        title="Acties voor het behoud van Duimdrop",
        date="maart 2020",
        themes="jeugd\r\ncorona\r\n",
        reason="volgens de monitor",
    )
    assert post(web["anna"], "/episodes/duimdrop/bewerken", form).status_code == 303
    assert types_after(archive, "episodes", "duimdrop", before) == [
        "Retitled",
        "Dated",
        "ThemesRevised",
    ]
    episode = archive.item("episodes", "duimdrop", role="curator")
    assert (episode["date"], episode["themes"]) == ("2020-03", ["jeugd", "corona"])
    assert archive.history("episodes", "duimdrop")[-1]["reason"] == "volgens de monitor"


def test_a_stale_episode_edit_keeps_the_other_curators_change(
    archive: Archive, web: dict[str, httpx.Client]
) -> None:
    anna = form_of(web["anna"].get("/episodes/duimdrop/bewerken"), "/bewerken")
    bram = form_of(web["bram"].get("/episodes/duimdrop/bewerken"), "/bewerken")
    anna["title"] = "Duimdrop blijft"
    assert post(web["anna"], "/episodes/duimdrop/bewerken", anna).status_code == 303
    # Bram saves a summary from the page he loaded before anna saved.
    bram["summary"] = "Kinderen, ouders en buurt komen samen in actie."
    conflict = post(web["bram"], "/episodes/duimdrop/bewerken", bram)
    assert conflict.status_code == 412
    assert "iemand anders heeft deze episode intussen gewijzigd" in conflict.text
    assert 'id="verschil-title"' in conflict.text and 'id="verschil-summary"' in conflict.text
    merged = form_of(conflict, "/bewerken")
    assert merged["title"] == "Duimdrop blijft"
    assert post(web["bram"], "/episodes/duimdrop/bewerken", merged).status_code == 303
    episode = archive.item("episodes", "duimdrop", role="curator")
    assert episode["title"] == "Duimdrop blijft"
    assert episode["summary"] == "Kinderen, ouders en buurt komen samen in actie."


def test_every_problem_of_the_episode_form_at_once_keeping_what_was_typed(
    archive: Archive, web: dict[str, httpx.Client]
) -> None:
    form = form_of(web["anna"].get("/episodes/duimdrop/bewerken"), "/bewerken")
    before = int(form["version"])
    form.update(
        title="  ",
        date="ergens in de zomer",
        consent="iedereen",
        summary="Mijn <nieuwe> samenvatting",
    )
    answer = post(web["anna"], "/episodes/duimdrop/bewerken", form)
    assert answer.status_code == 422
    assert field_error_ids(answer.text) >= {"title", "date", "consent"}
    summary = answer.text.split('id="fouten"', 1)[1].split("</div>", 1)[0]
    assert summary.count("<li>") == 3
    kept = form_of(answer, "/bewerken")
    assert kept["summary"] == "Mijn <nieuwe> samenvatting"
    assert kept["date"] == "ergens in de zomer"
    assert types_after(archive, "episodes", "duimdrop", before) == []


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/episodes/bestaat-niet/bewerken", 404),
        ("/episodes/duimdrop/beoordeling/a99", 404),
        ("/episodes/duimdrop/gebeurtenis/h99", 404),
        ("/media/bestaat-niet/bestanden", 404),
        ("/media/bestaat-niet/bewerken", 404),
    ],
)
def test_unknown_things_are_404_pages(web: dict[str, httpx.Client], path: str, status: int) -> None:
    assert web["anna"].get(path).status_code == status
    assert post(web["anna"], path, {"title": "x", "date": "2020"}).status_code == status


def test_forged_anonymous_and_researchers_posts_are_refused(
    archive: Archive, web: dict[str, httpx.Client]
) -> None:
    form = form_of(web["anna"].get("/episodes/duimdrop/bewerken"), "/bewerken")
    form["title"] = "Gekaapt"
    for path in (
        "/episodes/duimdrop/bewerken",
        "/media-items/nieuw",
        "/episodes/duimdrop/gebeurtenis",
        "/episodes/duimdrop/beoordeling/a1/intrekken",
    ):
        # Another site's form (no Origin of ours): refused, nothing recorded.
        forged = web["anna"].post(path, data=form, headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403, path
        assert web["anna"].post(path, data=form).status_code == 403, path  # no Origin at all
        assert post(web["rita"], path, form).status_code == 403, path
        anonymous = post(web["public"], path, form)
        assert anonymous.status_code == 303 and "/inloggen" in anonymous.headers["location"]
    assert archive.item("episodes", "duimdrop", role="curator")["title"] == EPISODE["title"]


def test_a_mangled_version_counts_as_stale_and_a_junk_form_is_no_500(
    web: dict[str, httpx.Client],
) -> None:
    form = form_of(web["anna"].get("/episodes/duimdrop/bewerken"), "/bewerken")
    for version in ("", "abc", "-1", "9" * 40):
        answer = post(web["anna"], "/episodes/duimdrop/bewerken", {**form, "version": version})
        assert answer.status_code == 412, version
    junk = post(web["anna"], "/episodes/duimdrop/bewerken", {"title": "\x00", "version": "1"})
    assert 400 <= junk.status_code < 500


# -- media ------------------------------------------------------------------------------


def test_a_media_item_is_registered_with_every_problem_shown_first(
    archive: Archive, web: dict[str, httpx.Client]
) -> None:
    form = form_of(web["anna"].get("/media-items/nieuw"), "/media-items/nieuw")
    assert form["consent"] == "public" and form["media_kind"] == "article"
    form.update(id="Foto Plein!", title="", url="ftp://x", date="13e maand 2020")
    answer = post(web["anna"], "/media-items/nieuw", form)
    assert answer.status_code == 422
    assert field_error_ids(answer.text) >= {"id", "title", "url", "date"}
    assert form_of(answer, "/media-items/nieuw")["url"] == "ftp://x"
    form.update(
        id="foto-bospolderplein",
        title="Het Bospolderplein",
        url="",
        date="zomer 2020",
        media_kind="photo",
    )
    done = post(web["anna"], "/media-items/nieuw", form)
    assert done.status_code == 303
    assert done.headers["location"] == "/media/foto-bospolderplein/bestanden?gedaan=nieuw"
    item = archive.item("media", "foto-bospolderplein", role="curator")
    assert (item["media_kind"], item["date"], item["consent"]) == ("photo", "2020-22", "public")
    # The same id again: a conflict, said at the field.
    again = post(web["anna"], "/media-items/nieuw", form)
    assert again.status_code == 409 and 'id="id-fout"' in again.text


def test_a_file_goes_up_without_javascript_and_a_refused_one_says_why(
    archive: Archive, web: dict[str, httpx.Client]
) -> None:
    archive.register(
        "media", {"id": "tekening", "title": "Tekening", "media_kind": "drawing"}, actor="anna"
    )
    page = web["anna"].get("/media/tekening/bestanden")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    sent = web["anna"].post(
        "/media/tekening/bestanden",
        headers=SAME_SITE,
        files={"file": ("tekening.png", png(), "image/png")},
    )
    assert sent.status_code == 303
    listed = web["anna"].get(sent.headers["location"])
    assert "tekening.png" in listed.text and "Het bestand is toegevoegd." in listed.text
    assert len(archive.files("media", "tekening", role="curator")) == 1
    # A web page with a picture's name: refused by its content, the page says why.
    html = b"<!doctype html><html><script>alert(1)</script></html>"
    refused = web["anna"].post(
        "/media/tekening/bestanden",
        headers=SAME_SITE,
        files={"file": ("foto.png", html, "image/png")},
    )
    assert refused.status_code == 415
    assert 'id="file-fout"' in refused.text and 'aria-invalid="true"' in refused.text
    # The script's way: the same route answers JSON like the API.
    as_json = web["anna"].post(
        "/media/tekening/bestanden",
        files={"file": ("b.png", png(80), "image/png")},
        headers={**SAME_SITE, "Accept": "application/json"},
    )
    assert as_json.status_code == 201, as_json.text
    assert {"id", "content_type", "bytes", "sha256", "url", "thumbnail_url"} <= set(as_json.json())
    problem = web["anna"].post(
        "/media/tekening/bestanden",
        files={"file": ("x.exe", b"MZ\x90\x00" * 50, "image/png")},
        headers={**SAME_SITE, "Accept": "application/json"},
    )
    assert problem.status_code == 415
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert problem.json()["detail"]
    # No file chosen: a 4xx with the reason, not a 500.
    empty = web["anna"].post(
        "/media/tekening/bestanden",
        headers=SAME_SITE,
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert empty.status_code == 422 and "Kies eerst een bestand" in empty.text


# -- happenings and assessments ---------------------------------------------------------


def test_a_happening_is_added_and_corrected_with_every_problem_at_once(
    archive: Archive, web: dict[str, httpx.Client]
) -> None:
    wrong = post(
        web["anna"],
        "/episodes/duimdrop/gebeurtenis",
        {"date": "", "title": "", "text": "Mijn tekst"},
    )
    assert wrong.status_code == 422
    assert field_error_ids(wrong.text) >= {"date", "title"}
    assert form_of(wrong, "/gebeurtenis")["text"] == "Mijn tekst"
    added = post(
        web["anna"],
        "/episodes/duimdrop/gebeurtenis",
        {"date": "najaar 2020", "title": "Petitie aangeboden", "text": "1.500 handtekeningen"},
    )
    assert added.status_code == 303
    new = next(
        h
        for h in archive.item("episodes", "duimdrop")["happenings"]
        if h["title"] == "Petitie aangeboden"
    )
    assert new["date"] == "2020-23" and f"#happening-{new['id']}" in added.headers["location"]

    path = f"/episodes/duimdrop/gebeurtenis/{new['id']}"
    form = form_of(web["anna"].get(path), path)
    assert form["date"] == "najaar 2020"
    form.update(date="16 november 2020", reason="precieze datum uit de krant")
    assert post(web["anna"], path, form).status_code == 303
    history = archive.history("episodes", "duimdrop")
    assert history[-1]["type"] == "HappeningRevised"
    assert history[-1]["reason"] == "precieze datum uit de krant"

    # Bram corrects it from the page he had open before: refused, his typing kept.
    bram = form_of(web["bram"].get(path), path)
    form["title"] = "Petitie aangeboden aan de wethouder"
    form["version"] = str(archive.item("episodes", "duimdrop")["version"])
    assert post(web["anna"], path, form).status_code == 303
    bram["text"] = "Bijna 1.500 handtekeningen."
    stale = post(web["bram"], path, bram)
    assert stale.status_code == 412
    assert "aan de wethouder" in stale.text
    assert form_of(stale, path)["text"] == "Bijna 1.500 handtekeningen."


def test_an_assessment_is_corrected_and_retracted(
    archive: Archive, web: dict[str, httpx.Client]
) -> None:
    page = web["anna"].get("/episodes/duimdrop")
    assert 'href="/episodes/duimdrop/beoordeling/a1"' in page.text
    form = form_of(web["anna"].get("/episodes/duimdrop/beoordeling/a1"), "/beoordeling/a1")
    assert form["quality"] == "mobiliserend-vermogen" and form["assessment"] == "shown"
    # Every problem at once: a reading without a note, an unknown element.
    wrong = post(
        web["anna"],
        "/episodes/duimdrop/beoordeling/a1",
        {**form, "basis": "reading", "note": "", "element": "onzin", "quality": ""},
    )
    assert wrong.status_code == 422
    assert field_error_ids(wrong.text) >= {"note", "element", "quality"}
    form.update(
        assessment="partial",
        basis="reading",
        note="De bron zegt het niet zelf.",
        reason="tweede lezing",
    )
    assert post(web["anna"], "/episodes/duimdrop/beoordeling/a1", form).status_code == 303
    a1 = archive.item("episodes", "duimdrop")["assessments"][0]
    assert (a1["assessment"], a1["basis"]) == ("partial", "reading")

    confirm = web["anna"].get("/episodes/duimdrop/beoordeling/a1/intrekken")
    assert "de geschiedenis van dit item bewaart haar" in confirm.text
    retract = form_of(confirm, "/intrekken")
    assert (
        post(web["anna"], "/episodes/duimdrop/beoordeling/a1/intrekken", retract).status_code == 422
    )  # a reason is asked
    retract["reason"] = "dubbel gecodeerd"
    done = post(web["anna"], "/episodes/duimdrop/beoordeling/a1/intrekken", retract)
    assert done.status_code == 303
    assert archive.item("episodes", "duimdrop")["assessments"] == []
    assert archive.history("episodes", "duimdrop")[-1]["type"] == "AssessmentRetracted"
    # Retracted: the pages for it are 404 now, not 500.
    assert web["anna"].get("/episodes/duimdrop/beoordeling/a1").status_code == 404


def test_a_new_assessment_reports_every_problem_at_once(web: dict[str, httpx.Client]) -> None:
    answer = post(
        web["anna"],
        "/episodes/duimdrop/beoordeling",
        {
            "quality": "",
            "assessment": "",
            "basis": "reading",
            "note": "",
            "evidence": "Mijn citaat",
        },
    )
    assert answer.status_code == 422
    assert {"quality", "note"} <= field_error_ids(answer.text)
    assert 'id="assessment-fout"' in answer.text
    assert "Mijn citaat" in answer.text


def test_a_photo_over_the_limit_is_refused_with_413_and_says_so(
    archive: Archive, web: dict[str, httpx.Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    archive.register("media", {"id": "groot", "title": "Grote foto"}, actor="anna")
    # A limit of 1 MB for pictures (WIJKARCHIEF_MAX_IMAGE_MB), and a 3 MB picture.
    small = dataclasses.replace(archive.settings, max_image_bytes=1024 * 1024)
    monkeypatch.setattr(archive, "settings", small)
    noise = random.Random(7).randbytes(1000 * 1000 * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (1000, 1000), noise).save(out, "PNG", compress_level=0)
    big = out.getvalue()
    as_json = web["anna"].post(
        "/media/groot/bestanden",
        files={"file": ("groot.png", big, "image/png")},
        headers={**SAME_SITE, "Accept": "application/json"},
    )
    assert as_json.status_code == 413
    assert "MB" in as_json.json()["detail"]
    page = web["anna"].post(
        "/media/groot/bestanden", files={"file": ("groot.png", big, "image/png")},
        headers=SAME_SITE,
    )  # fmt: skip
    assert page.status_code == 413 and 'id="file-fout"' in page.text
    assert archive.files("media", "groot", role="curator") == []


def test_a_media_item_is_edited_kind_outlet_and_link_in_one_event(
    archive: Archive, web: dict[str, httpx.Client]
) -> None:
    archive.register("media", {"id": "nrc-stuk", "title": "Laat Duimdrop een les zijn",
                               "date": "2020-11-26"}, actor="anna")  # fmt: skip
    form = form_of(web["anna"].get("/media/nrc-stuk/bewerken"), "/media/nrc-stuk/bewerken")
    assert form["date"] == "26 november 2020" and form["media_kind"] == "article"
    before = int(form["version"])
    form.update(outlet="NRC", url="https://www.nrc.nl/duimdrop", media_kind="article",
                consent="research")  # fmt: skip
    assert post(web["anna"], "/media/nrc-stuk/bewerken", form).status_code == 303
    assert types_after(archive, "media", "nrc-stuk", before) == [
        "ConsentRecorded", "DetailsRevised",
    ]  # fmt: skip
    item = archive.item("media", "nrc-stuk", role="curator")
    assert (item["outlet"], item["url"], item["consent"]) == (
        "NRC", "https://www.nrc.nl/duimdrop", "research",
    )  # fmt: skip
