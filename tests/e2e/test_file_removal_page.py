"""Removing a file from the web (issue 19), through the real ASGI stack on both stores: the
files page offers each file a "Verwijderen…" form that says what a removal does; it records
`FileRemoved` with the curator and the reason, as `DELETE /api/media/{id}/files/{file}` does.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import BASE
from tests.e2e.test_media_files import add_media, gps_photo, upload

SAME_SITE = {"Origin": BASE}


def _browser(api: Any, token: str | None = None) -> httpx.Client:
    client = httpx.Client(transport=api.transport, base_url=BASE)
    if token:
        assert client.post("/inloggen", data={"token": token}, headers=SAME_SITE).status_code == 303
    return client


def test_a_curator_removes_a_file_from_the_files_page(api: Any) -> None:
    # A photo item with one uploaded photo.
    add_media(api)
    answer = upload(api, gps_photo()).json()
    served = answer["url"]
    assert api.get(served).status_code == 200
    curator = _browser(api, api.archive.issue_token("carla", "curator"))
    # The files page offers the removal and says what it does before anything happens.
    page = curator.get("/media/buurtfeest/bestanden").text
    action = f"/media/buurtfeest/bestanden/{answer['id']}/verwijderen"
    assert f'action="{action}"' in page
    assert "toont en levert" in page and "wis dan het item" in page
    # A researcher and the public may not remove it.
    researcher = _browser(api, api.archive.issue_token("ria", "researcher"))
    assert researcher.post(action, data={"reason": "x"}, headers=SAME_SITE).status_code == 403
    assert _browser(api).post(action, headers=SAME_SITE).status_code == 303  # to the login
    assert api.get("/api/media/buurtfeest").json()["files"] != []
    # The curator removes it, with a reason.
    done = curator.post(action, data={"reason": "verkeerde foto"}, headers=SAME_SITE)
    assert done.status_code == 303
    after = api.archive.position()
    assert done.headers["location"].startswith("/media/buurtfeest/bestanden?gedaan=verwijderd")
    shown = curator.get(done.headers["location"]).text
    assert "Het bestand is verwijderd" in shown and "Nog geen bestanden." in shown
    # The item has no file; the file is not served; the history says who and why.
    assert api.get("/api/media/buurtfeest").json()["files"] == []
    assert api.get(served).status_code == 404
    history = api.get("/api/media/buurtfeest/history", headers=api.curator).json()["items"]
    removed = [e for e in history if e["type"] == "FileRemoved"]
    assert len(removed) == 1 and removed[0]["actor"] == "carla"
    assert removed[0].get("reason") == "verkeerde foto"
    # Removing it again is a clear error page, not a crash, and records nothing.
    again = curator.post(action, data={"reason": ""}, headers=SAME_SITE)
    assert again.status_code == 404 and "<html" in again.text
    assert api.archive.position() == after
