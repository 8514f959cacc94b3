"""Two curators edit the same story at once: one wins, the other is told, nothing is lost.

The requests go concurrently through the ASGI stack (the routes run in the server's thread
pool), on each store.
"""

from __future__ import annotations

import asyncio

import httpx

from archive.service import Archive


def test_two_curators_patch_the_same_version_one_wins_nothing_is_lost(api) -> None:
    story = api.add_story(body_markdown="De eerste versie.")
    rounds = 5
    version = story["version"]
    winners: list[str] = []
    losers_texts: list[str] = []

    async def race(version: int, round_: int) -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=api.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return list(
                await asyncio.gather(
                    *(
                        http.patch(
                            "/api/stories/0042",
                            json={"body_markdown": f"Versie van {name}, ronde {round_}."},
                            headers={**headers, "If-Match": f'"{version}"'},
                        )
                        for name, headers in (("anna", api.curator), ("bram", api.curator2))
                    )
                )
            )

    for round_ in range(rounds):
        anna, bram = asyncio.run(race(version, round_))
        assert sorted([anna.status_code, bram.status_code]) == [200, 412], (anna.text, bram.text)
        winner, loser = (anna, bram) if anna.status_code == 200 else (bram, anna)
        name = "anna" if winner is anna else "bram"
        loser_name = "bram" if name == "anna" else "anna"
        problem = loser.json()
        assert loser.headers["content-type"].startswith("application/problem+json")
        assert "gewijzigd" in problem["detail"]

        # The winner's text is the story now; the next round edits the winner's version.
        kept = winner.json()
        assert kept["body_markdown"] == f"Versie van {name}, ronde {round_}."
        assert kept["version"] == version + 1
        current = api.get("/api/stories/0042", headers=api.curator).json()
        assert current["body_markdown"] == kept["body_markdown"]
        version = current["version"]
        winners.append(name)
        losers_texts.append(f"Versie van {loser_name}, ronde {round_}.")

    # Nothing lost, nothing half-written: one revision per round, by its winner.
    history = api.get("/api/stories/0042/history").json()["items"]
    revisions = [h for h in history if h["type"] == "TextRevised"]
    assert [h["actor"] for h in revisions] == winners
    assert [h["version"] for h in history] == list(range(1, len(history) + 1))
    texts = [h["data"]["body"] for h in revisions]
    assert not set(texts) & set(losers_texts)


def test_a_stale_retry_after_a_lost_race_succeeds_with_the_new_version(api) -> None:
    story = api.add_story()
    first = api.patch(
        "/api/stories/0042",
        json={"title": "Van anna"},
        headers={**api.curator, "If-Match": str(story["version"])},
    )
    assert first.status_code == 200
    late = api.patch(
        "/api/stories/0042",
        json={"title": "Van bram"},
        headers={**api.curator2, "If-Match": str(story["version"])},
    )
    api.problem(late, 412)
    # bram reloads, sees anna's title, and revises on top of it.
    fresh = api.get("/api/stories/0042", headers=api.curator2)
    assert fresh.json()["title"] == "Van anna"
    retry = api.patch(
        "/api/stories/0042",
        json={"title": "Van anna en bram"},
        headers={**api.curator2, "If-Match": fresh.headers["ETag"]},
    )
    assert retry.status_code == 200
    archive: Archive = api.archive
    titles = [h["data"].get("title") for h in archive.history("stories", "0042")]
    assert titles[-2:] == ["Van anna", "Van anna en bram"]
