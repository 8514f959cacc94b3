"""A file is described the same way on every page: type, size in kB (1000 bytes) with a
decimal comma, and an image's dimensions — the files page, the script's JSON answer and the
item page agree (the files page said `image/png, 4,5 kB` where the item page said `PNG, 5 kB`).
"""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image

from tests.e2e.conftest import BASE

SAME_SITE = {"Origin": BASE}


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((width, height), 60).convert("RGB").save(out, "PNG")
    return out.getvalue()


def test_the_files_page_and_the_item_page_describe_a_file_alike(api: Any) -> None:
    token = api.archive.issue_token("carla", "curator")
    web = httpx.Client(transport=api.transport, base_url=BASE)
    assert web.post("/inloggen", data={"token": token}, headers=SAME_SITE).status_code == 303
    body = {"id": "plein", "title": "Het plein", "kind": "photo", "consent": "public"}
    assert api.post("/api/media", json=body, headers=api.curator).status_code == 201
    photo = _png(120, 80)
    assert 1000 < len(photo) < 1_000_000
    expected = f"PNG, {round(len(photo) / 1000)} kB, 120 × 80 px"
    sent = web.post(
        "/media/plein/bestanden",
        files={"file": ("plein.png", photo, "image/png")},
        headers={**SAME_SITE, "Accept": "application/json"},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["about"] == expected  # what the script lists after an upload
    files_page = web.get("/media/plein/bestanden").text
    assert f'<span class="small">{expected}</span>' in files_page
    assert "image/png, " not in files_page
    assert expected in web.get("/media/plein").text
    web.close()
