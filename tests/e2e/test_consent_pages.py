"""Withdraw, embargo, erase and forget a person from the web (issue 19), through the real
ASGI stack on both stores: a curator's confirmation page says what will happen, the form
records the event with the archive's own command, and the public sees the outcome.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from anyio.from_thread import start_blocking_portal

from api.main import create_app
from bootstrap import open_archive
from events.date_labels import label_nl
from tests.conftest import postgres_schema_settings
from tests.e2e.conftest import BASE, Api, PortalTransport, bearer

SAME_SITE = {"Origin": BASE}


def browser(api: Any, token: str | None = None) -> httpx.Client:
    """A browser of its own (cookies), logged in with `token` when given."""
    client = httpx.Client(transport=api.transport, base_url=BASE)
    if token:
        answer = client.post("/inloggen", data={"token": token}, headers=SAME_SITE)
        assert answer.status_code == 303, answer.text
    return client


@pytest.fixture
def curator(api: Any) -> Iterator[httpx.Client]:
    """Curator carla, logged in, and the public story 0042 (teller Fatima)."""
    api.add_story()
    client = browser(api, api.archive.issue_token("carla", "curator"))
    yield client
    client.close()


def types(api: Any) -> list[str]:
    return [e["type"] for e in api.archive.history("stories", "0042", role="curator")]


def test_only_a_curator_from_this_site_may_act(api: Any, curator: httpx.Client) -> None:
    # The public is sent to the login page; a researcher is refused.
    public = browser(api)
    answer = public.get("/stories/0042/wissen")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/inloggen")
    researcher = browser(api, api.archive.issue_token("ruud", "researcher"))
    assert researcher.get("/stories/0042/intrekken").status_code == 403
    # A form posted from another site is refused, and nothing is recorded.
    before = types(api)
    answer = curator.post(
        "/stories/0042/wissen",
        data={"understood": "ja"},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403
    answer = curator.post("/stories/0042/intrekken", data={"reason": "x", "policy": "y"})
    assert answer.status_code == 403  # no Origin, no Referer
    assert types(api) == before
    public.close()
    researcher.close()


def test_withdraw_says_what_happens_then_shows_the_tombstone(
    api: Any, curator: httpx.Client
) -> None:
    # The item page offers the action; its confirmation page says what will happen.
    assert 'href="/stories/0042/intrekken"' in curator.get("/stories/0042").text
    page = curator.get("/stories/0042/intrekken").text
    assert "grafsteen" in page and "kan niet worden teruggedraaid" in page
    assert "Er wordt niets uit het logboek verwijderd" in page
    # Without a reason nothing happens, and the page says why.
    refused = curator.post(
        "/stories/0042/intrekken", data={"reason": " ", "policy": "AVG"}, headers=SAME_SITE
    )
    assert refused.status_code == 422 and "Geef de reden" in refused.text
    assert "ConsentWithdrawn" not in types(api)
    # With a reason and a policy: recorded, back to the item page with a notice.
    done = curator.post(
        "/stories/0042/intrekken",
        data={"reason": "op verzoek van de verteller", "policy": "AVG art. 7 lid 3"},
        headers=SAME_SITE,
    )
    assert (
        done.status_code == 303 and done.headers["location"] == "/stories/0042?gedaan=ingetrokken"
    )
    assert types(api)[-1] == "ConsentWithdrawn"
    assert api.archive.history("stories", "0042", role="curator")[-1]["actor"] == "carla"
    # The public sees the tombstone (410), in the list too, and never the words.
    tomb = api.get("/stories/0042")
    assert tomb.status_code == 410
    assert "BoTu nr. 0042 (ingetrokken)" in tomb.text and "AVG art. 7 lid 3" in tomb.text
    assert "speelgoedcontainer" not in tomb.text
    listed = api.get("/stories").text
    assert "BoTu nr. 0042 (ingetrokken)" in listed and "speelgoedcontainer" not in listed


def test_embargo_hides_until_the_day_and_can_be_lifted(api: Any, curator: httpx.Client) -> None:
    page = curator.get("/stories/0042/embargo").text
    assert "verschijnt het vanzelf weer" in page
    # A day that has passed is refused.
    past = curator.post("/stories/0042/embargo", data={"until": "2001-01-01"}, headers=SAME_SITE)
    assert past.status_code == 422 and "na vandaag" in past.text
    # Today in words, as every date on the pages (not its code).
    today = api.archive.today()
    assert f"na vandaag ({label_nl(today)})" in past.text and f"({today})" not in past.text
    assert f"na vandaag, {label_nl(today)}" in page and f", {today})" not in page
    done = curator.post(
        "/stories/0042/embargo", data={"until": "2999-01-01", "reason": "tentoonstelling"},
        headers=SAME_SITE,
    )  # fmt: skip
    assert done.status_code == 303
    assert types(api)[-1] == "Embargoed"
    # The public: not found, not listed; the curator sees the embargo.
    assert api.get("/stories/0042").status_code == 404
    assert "0042" not in api.get("/stories").text
    assert "Onder embargo tot" in curator.get("/stories/0042").text
    # Lifted: readable again.
    lifted = curator.post(
        "/stories/0042/embargo/opheffen", data={"reason": "eerder klaar"}, headers=SAME_SITE
    )
    assert lifted.status_code == 303 and types(api)[-1] == "EmbargoLifted"
    assert api.get("/stories/0042").status_code == 200


def test_erase_asks_for_understanding_then_erases(api: Any, curator: httpx.Client) -> None:
    page = curator.get("/stories/0042/wissen").text
    assert "De woorden van dit verhaal worden onleesbaar gemaakt" in page
    assert "Dit kan niet ongedaan worden gemaakt" in page
    assert "De gebeurtenissen blijven in het logboek" in page
    assert "BoTu nr. 0042 (gewist)" in page
    # Without ticking the box: nothing.
    refused = curator.post("/stories/0042/wissen", data={"reason": "AVG"}, headers=SAME_SITE)
    assert refused.status_code == 422 and "Vink aan" in refused.text
    assert "PersonalDataErased" not in types(api)
    done = curator.post(
        "/stories/0042/wissen", data={"reason": "verzoek Fatima", "understood": "ja"},
        headers=SAME_SITE,
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].endswith("gedaan=gewist")
    assert types(api)[-1] == "PersonalDataErased"
    story = api.get("/api/stories/0042").json()
    assert story["title"] == "BoTu nr. 0042 (gewist)" and not story["storytellers"]
    # The reason went with the words (the confirmation page says so).
    history = api.archive.history("stories", "0042", role="curator")
    assert "Fatima" not in str(history)
    # The item page no longer offers to erase.
    assert "/stories/0042/wissen" not in curator.get("/stories/0042").text


def test_an_erased_item_offers_only_what_can_still_succeed(api: Any, curator: httpx.Client) -> None:
    """Saving new words on an erased item is refused (422 'gegevens zijn gewist'): its page
    no longer offers to edit it, add or correct an assessment or happening, add files or
    withdraw consent; links, the embargo and the history stay."""
    api.add_episode()
    api.archive.register(
        "media", {"id": "foto", "title": "Het plein", "media_kind": "photo", "consent": "public"},
        actor="anna",
    )  # fmt: skip
    before = curator.get("/episodes/duimdrop").text
    assert 'href="/episodes/duimdrop/bewerken"' in before
    assert 'href="/episodes/duimdrop/beoordeling/a1"' in before
    for kind, key in (("episodes", "duimdrop"), ("media", "foto"), ("stories", "0042")):
        done = curator.post(f"/{kind}/{key}/wissen", data={"understood": "ja"}, headers=SAME_SITE)
        assert done.status_code == 303
        page = curator.get(f"/{kind}/{key}").text
        for gone in ("bewerken", "bestanden", "gebeurtenis", "beoordeling", "intrekken"):
            assert f'href="/{kind}/{key}/{gone}' not in page, (kind, gone)
        assert "Corrigeren" not in page and "Beoordeling toevoegen" not in page
        assert "De woorden van dit item zijn gewist: er kan geen tekst meer bij" in page
        for kept in ("koppeling", "embargo"):
            assert f'href="/{kind}/{key}/{kept}"' in page, (kind, kept)
        assert 'id="geschiedenis"' in page and "Persoonsgegevens gewist" in page
    # What is no longer offered indeed cannot succeed.
    refused = curator.post(
        "/episodes/duimdrop/gebeurtenis", data={"date": "2020", "title": "Nieuw"},
        headers=SAME_SITE,
    )  # fmt: skip
    assert refused.status_code == 422 and "zijn gewist" in refused.text
    # An item that is not erased still offers everything.
    api.add_story(number="0043", title="Nog heel")
    whole = curator.get("/stories/0043").text
    assert 'href="/stories/0043/bewerken"' in whole and "Beoordeling toevoegen" in whole
    assert "er kan geen tekst meer bij" not in whole


def test_forget_a_person_lists_the_items_first(api: Any, curator: httpx.Client) -> None:
    api.add_story(number="0043", title="Bij Fatima thuis", storytellers=["Anoniem"])
    api.add_story(number="0044", title="Over iemand anders", storytellers=["Bram"])
    version = api.archive.item("stories", "0042", role="curator")["version"]
    # The check: the two items that name her, and nothing changed.
    found = curator.post(
        "/personen/vergeten", data={"name": "fatima", "stap": "controleren"}, headers=SAME_SITE
    )
    assert found.status_code == 200
    assert "2 items noemen" in found.text
    assert "De speelgoedcontainer" in found.text and "Bij Fatima thuis" in found.text
    assert "Over iemand anders" not in found.text
    assert api.archive.item("stories", "0042", role="curator")["version"] == version
    # A name too short is refused with the archive's message.
    short = curator.post(
        "/personen/vergeten", data={"name": "F", "stap": "controleren"}, headers=SAME_SITE
    )
    assert short.status_code == 422 and "minstens twee tekens" in short.text
    # Confirmed: the name is gone from both.
    done = curator.post(
        "/personen/vergeten", data={"name": "fatima", "reason": "verzoek", "stap": "vergeten"},
        headers=SAME_SITE,
    )  # fmt: skip
    assert done.status_code == 200 and "uit 2 items gehaald" in done.text
    assert "Fatima" not in api.get("/api/stories/0043").text
    assert api.archive.item("stories", "0042", role="curator")["storytellers"] == []


@pytest.fixture
def held_pg(tmp_path: Path) -> Iterator[tuple[Any, psycopg.Connection[Any]]]:
    """A PostgreSQL archive whose erasure waits 0.3 s at most (WIJKARCHIEF_ERASURE_WAIT),
    over the web with story 0042, and another tool's REPEATABLE READ session holding a
    snapshot from before any erasure (as tests/integration/test_owed_rewrites.py does)."""
    for settings in postgres_schema_settings(tmp_path / "data"):
        archive = open_archive(dataclasses.replace(settings, erasure_wait=0.3))
        holder = psycopg.connect(settings.pg_conninfo(), application_name="maandrapport")
        try:
            with start_blocking_portal() as portal:
                app = create_app(archive)
                transport = PortalTransport(app, portal)
                with httpx.Client(transport=transport, base_url=BASE) as http:
                    curator = bearer(archive.issue_token("anna", "curator"))
                    api = Api(archive, app, http, curator, curator, curator, transport)
                    api.add_story()
                    api.add_story(number="0043", title="Bij Fatima thuis")
                    holder.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                    holder.execute("SELECT count(*) FROM pg_class").fetchone()
                    yield api, holder
                app.state.sessions.close()
        finally:
            holder.close()
            archive.close()


@pytest.mark.postgres
def test_an_erasure_on_the_web_says_when_old_copies_are_still_on_disk(
    held_pg: tuple[Any, psycopg.Connection[Any]],
) -> None:
    api, holder = held_pg
    carla = browser(api, api.archive.issue_token("carla", "curator"))
    done = carla.post(
        "/stories/0042/wissen", data={"reason": "AVG", "understood": "ja"}, headers=SAME_SITE
    )
    assert done.status_code == 303
    page = carla.get(done.headers["location"])
    assert "De woorden zijn gewist" in page.text
    # What `wijkarchief erase` prints on stderr and the API's old_copies.message say.
    assert "Let op: Oude kopieën van gewiste woorden staan nog in" in page.text
    assert "maandrapport" in page.text and "vanzelf" in page.text
    # The public, even with the same address, learns nothing of the database.
    assert "Oude kopieën" not in api.get(done.headers["location"]).text
    # Forgetting a person on the web says it too.
    forgot = carla.post(
        "/personen/vergeten", data={"name": "Fatima", "reason": "AVG", "stap": "vergeten"},
        headers=SAME_SITE,
    )  # fmt: skip
    assert forgot.status_code == 200 and "uit 1 item gehaald" in forgot.text
    assert "Let op: Oude kopieën van gewiste woorden staan nog in" in forgot.text
    # Once the session has ended and the rewrite is done, nothing is said.
    holder.rollback()
    assert api.archive.owed.settle(60) == 0
    assert "Oude kopieën" not in carla.get(done.headers["location"]).text
    carla.close()
