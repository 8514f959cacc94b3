"""Items with files on the shared browser-test server: an episode of 2020 with a photo, a
drawing and a recording linked to it, each uploaded through the API (issue 19).

`pictured(server)` registers them once per server (idempotent: a second call finds them) and
returns their ids. The seed's own photographs have no file (the sources are text only), so
these are made here: pictures drawn with Pillow, a WAV tone of a few seconds.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from typing import Any

import httpx
from PIL import Image, ImageDraw

EPISODE = "beeldverslag-2020"
PHOTO = "foto-buurtmaaltijd-2020"
DRAWING = "tekening-plein-2020"
RECORDING = "gesprek-buurthuis-2020"

ITEMS: list[tuple[str, dict[str, Any]]] = [
    (
        "episodes",
        {
            "id": EPISODE,
            "title": "Beeldverslag: de wijk in het coronajaar",
            "date": "2020-03/2020-12",
            "summary": "Foto's, een tekening en een gesprek uit Bospolder-Tussendijken in 2020 "
            "(testmateriaal van de browsertests).",
            "themes": ["corona"],
            "consent": "public",
            "happenings": [
                {"date": "2020-04-02", "title": "Eerste buurtmaaltijd aan huis", "text": ""},
            ],
        },
    ),
    (
        "media",
        {
            "id": PHOTO,
            "kind": "photo",
            "title": "Buurtmaaltijd op het Visserijplein",
            "outlet": "Wijkarchief (testbeeld)",
            "rights": "CC BY 4.0",
            "date": "2020-04-02",
            "themes": ["corona"],
            "consent": "public",
            "episodes": [EPISODE],
        },
    ),
    (
        "media",
        {
            "id": DRAWING,
            "kind": "drawing",
            "title": "Tekening van het plein in de zomer",
            "outlet": "Wijkarchief (testbeeld)",
            "date": "2020-07",
            "themes": ["corona"],
            "consent": "public",
            "episodes": [EPISODE],
        },
    ),
    (
        "media",
        {
            "id": RECORDING,
            "kind": "audio",
            "title": "Gesprek in het buurthuis",
            "date": "2020-10-12",
            "consent": "public",
            "episodes": [EPISODE],
        },
    ),
]


def scene(size: tuple[int, int], sky: tuple[int, int, int], ground: tuple[int, int, int]) -> bytes:
    """A simple street scene as a PNG: sky, houses with windows, a square, a sun."""
    width, height = size
    image = Image.new("RGB", size, sky)
    draw = ImageDraw.Draw(image)
    for y in range(height // 2):  # a soft gradient in the sky
        shade = tuple(min(255, c + y * 60 // height) for c in sky)
        draw.line([(0, y), (width, y)], fill=shade)
    draw.ellipse([width * 0.78, height * 0.08, width * 0.9, height * 0.24], fill=(250, 210, 80))
    draw.rectangle([0, height * 0.68, width, height], fill=ground)
    colours = [(164, 52, 58), (31, 59, 77), (200, 150, 90), (90, 120, 60), (120, 80, 140)]
    x = 0.0
    for i in range(9):
        w = width / 9
        top = height * (0.3 + 0.08 * ((i * 7) % 4))
        draw.rectangle([x + 2, top, x + w - 2, height * 0.7], fill=colours[i % 5])
        for row in range(3):
            for col in range(2):
                wx = x + w * (0.2 + 0.4 * col)
                wy = top + 15 + row * (height * 0.09)
                if wy + 20 < height * 0.68:
                    draw.rectangle([wx, wy, wx + w * 0.2, wy + 20], fill=(250, 240, 200))
        x += w
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def tone(seconds: float = 6.0, rate: int = 8000) -> bytes:
    """A WAV of a quiet 440 Hz tone (long enough to seek in)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        frames = (
            struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * n / rate)))
            for n in range(int(seconds * rate))
        )
        sound.writeframes(b"".join(frames))
    return out.getvalue()


FILES = {
    PHOTO: ("buurtmaaltijd.png", lambda: scene((1600, 1000), (120, 170, 220), (170, 160, 140))),
    DRAWING: ("plein.png", lambda: scene((900, 1200), (240, 200, 160), (120, 170, 90))),
    RECORDING: ("gesprek.wav", tone),
}


def pictured(url: str, token: str) -> dict[str, str]:
    """Register the items and upload their files (once); their ids."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for kind, body in ITEMS:
            if client.get(f"/api/{kind}/{body['id']}").status_code == 200:
                continue
            created = client.post(f"/api/{kind}", json=body)
            assert created.status_code == 201, created.text
        for key, (name, make) in FILES.items():
            if client.get(f"/api/media/{key}").json()["files"]:
                continue
            sent = client.post(f"/api/media/{key}/files", files={"file": (name, make())})
            assert sent.status_code == 201, sent.text
    return {"episode": EPISODE, "photo": PHOTO, "drawing": DRAWING, "recording": RECORDING}
