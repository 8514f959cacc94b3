"""A curator who edits one item in two tabs and saves the older one is told it was their own
earlier change, not "iemand anders" (the box used to say someone else changed it, naming
the curator as the other)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import BASE
from tests.e2e.test_edit_pages import SAME_SITE, form_of


def test_a_stale_edit_from_ones_own_other_tab_says_so(api: Any) -> None:
    api.add_episode()
    token = api.archive.issue_token("anouk", "curator")
    anna = httpx.Client(transport=api.transport, base_url=BASE)
    assert anna.post("/inloggen", data={"token": token}, headers=SAME_SITE).status_code == 303
    first = form_of(anna.get("/episodes/duimdrop/bewerken"), "/bewerken")
    second = form_of(anna.get("/episodes/duimdrop/bewerken"), "/bewerken")
    first["title"] = "Duimdrop blijft"
    saved = anna.post("/episodes/duimdrop/bewerken", data=first, headers=SAME_SITE)
    assert saved.status_code == 303
    second["summary"] = "Kinderen en ouders komen in actie."
    stale = anna.post("/episodes/duimdrop/bewerken", data=second, headers=SAME_SITE)
    assert stale.status_code == 412
    assert "u hebt deze episode intussen in een ander venster of tabblad gewijzigd" in stale.text
    assert "iemand anders" not in stale.text and "die van anouk" not in stale.text
    assert "uw eerdere wijziging" in stale.text
    anna.close()
    # Another curator's change is still someone else's.
    bram_token = api.archive.issue_token("bas", "curator")
    bram = httpx.Client(transport=api.transport, base_url=BASE)
    assert bram.post("/inloggen", data={"token": bram_token}, headers=SAME_SITE).status_code == 303
    late = form_of(bram.get("/episodes/duimdrop/bewerken?x=1"), "/bewerken")
    late["version"] = str(int(late["version"]) - 1)
    late["summary"] = "Bram schrijft."
    other = bram.post("/episodes/duimdrop/bewerken", data=late, headers=SAME_SITE)
    assert other.status_code == 412
    assert "iemand anders heeft deze episode intussen gewijzigd" in other.text
    assert "de wijzigingen van anouk én die van u" in other.text
    bram.close()


def _signed_in(api: Any, name: str) -> httpx.Client:
    browser = httpx.Client(transport=api.transport, base_url=BASE)
    token = api.archive.issue_token(name, "curator")
    assert browser.post("/inloggen", data={"token": token}, headers=SAME_SITE).status_code == 303
    return browser


def test_a_stale_happening_or_assessment_from_ones_own_other_tab_says_so(api: Any) -> None:
    """The happening, assessment and retract boxes say it too, and name another curator."""
    api.add_episode()
    anouk, bas = _signed_in(api, "anouk"), _signed_in(api, "bas")
    happening, assessment = "/episodes/duimdrop/gebeurtenis/h1", "/episodes/duimdrop/beoordeling/a1"
    retract = f"{assessment}/intrekken"
    old = {path: form_of(anouk.get(path), path) for path in (happening, assessment, retract)}
    newer = {path: form_of(anouk.get(path), path) for path in (happening, assessment)}
    newer[happening]["title"] = "Opiniestuk in NRC"
    assert anouk.post(happening, data=newer[happening], headers=SAME_SITE).status_code == 303
    newer[assessment]["note"] = "De bron zegt het zelf."
    assert anouk.post(assessment, data=newer[assessment], headers=SAME_SITE).status_code == 303
    old[happening]["text"] = "Een opiniestuk van de buurt."
    old[assessment]["coder"] = "anouk"
    old[retract]["reason"] = "dubbel"
    own_words = {
        happening: "Niet opgeslagen: u hebt deze gebeurtenis intussen in een ander venster",
        assessment: "Niet opgeslagen: u hebt deze beoordeling intussen in een ander venster",
        retract: "Niet ingetrokken: u hebt deze beoordeling intussen in een ander venster",
    }
    for path, words in own_words.items():
        stale = anouk.post(path, data=old[path], headers=SAME_SITE)
        assert stale.status_code == 412, path
        assert words in stale.text, path
        assert "iemand anders" not in stale.text and "de ander " not in stale.text, path
    # Another curator's stale correction names the one who changed it, not oneself.
    for path in (happening, assessment, retract):
        late = {**old[path], "reason": "van bas"}
        stale = bas.post(path, data=late, headers=SAME_SITE)
        assert stale.status_code == 412, path
        assert "iemand anders (anouk) heeft deze" in stale.text, path
    anouk.close()
    bas.close()
