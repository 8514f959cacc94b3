"""Schema-driven fuzzing: whatever a client sends, the API answers, and never with a 5xx.

Schemathesis generates requests from the app's own OpenAPI document (valid ones and, for
operations with parameters, invalid ones) and sends them through the ASGI app in process, with
a curator's token so that writes get past authentication. A third pass pins the path to items
that exist (and sends `If-Match: *`) so that the bodies reach the archive. Bounded and
deterministic: 25 examples a pass, derandomised.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from api.main import create_app
from archive.config import Settings
from archive.service import Archive
from bootstrap import open_archive

EXAMPLES = 25
OPERATIONS = [
    (method.upper(), path)
    for path, operations in create_app().openapi()["paths"].items()
    for method in operations
]
# Items registered before fuzzing, for the pass that pins path parameters to them.
EXISTING = {
    "kind": "episodes",
    "key": "duimdrop",
    "episode_id": "duimdrop",
    "number": "0042",
    "media_id": "nrc-1",
    "assessment_id": "a1",
    "happening_id": "h1",
    "target_kind": "stories",
    "target_key": "0042",
    "year": 2020,
}


@pytest.fixture
def fuzzed(sqlite_settings: Settings) -> Iterator[tuple[Archive, str]]:
    """An archive with an episode, a story and a media item, and a curator's token."""
    archive = open_archive(sqlite_settings)
    try:
        token = archive.issue_token("fuzz", "curator")
        archive.register(
            "episodes",
            {
                "id": "duimdrop",
                "title": "Acties voor het behoud van Duimdrop",
                "date": "2020-09/2021-03",
                "themes": ["corona"],
                "assessments": [{"quality": "betrouwbaarheid", "assessment": "shown"}],
                "happenings": [{"date": "2020-11-26", "title": "Opiniestuk in NRC"}],
            },
            actor="fuzz",
        )
        archive.register(
            "stories",
            {"number": "0042", "title": "De speelgoedcontainer", "body_markdown": "Elke dag.",
             "consent": "public", "links": ["episodes/duimdrop"]},
            actor="fuzz",
        )  # fmt: skip
        archive.register(
            "media", {"id": "nrc-1", "title": "Laat Duimdrop een les zijn"}, actor="fuzz"
        )
        yield archive, token
    finally:
        archive.close()


def _header(response: Any, name: str) -> str:
    value = response.headers.get(name) or response.headers.get(name.lower()) or ""
    return str(value[0] if isinstance(value, list) else value)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_request_makes_the_api_fail(fuzzed: tuple[Archive, str], method: str, path: str) -> None:
    archive, token = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(archive))
    operation = schema[path][method]
    pinned = {name: value for name, value in EXISTING.items() if f"{{{name}}}" in path}
    passes: list[tuple[str, Any]] = [
        ("positive", operation.as_strategy(generation_mode=GenerationMode.POSITIVE)),
        ("negative", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)),
    ]
    if pinned:
        passes.append(("existing", operation.as_strategy(path_parameters=pinned)))
    statuses: dict[int, int] = {}
    for name, strategy in passes:
        try:
            _fuzz(strategy, token=token, if_match="*" if name == "existing" else None,
                  statuses=statuses)  # fmt: skip
        except Unsatisfiable:
            # No parameters and no body: there is no invalid request to generate.
            assert name == "negative"
    assert statuses and max(statuses) < 500


def _fuzz(strategy: Any, *, token: str, if_match: str | None, statuses: dict[int, int]) -> None:
    """Send the strategy's requests; none may fail, every error is a problem answer."""

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        # Whoosh names index segments with the global `random`, which Hypothesis resets to the
        # same state for every example: reseed it, or the segment names would collide.
        random.seed(os.urandom(16))
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        if if_match and case.method == "PATCH":
            case.headers["If-Match"] = if_match
        response = case.call_and_validate(checks=[not_a_server_error])
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 400:
            content_type = _header(response, "content-type")
            assert content_type.startswith("application/problem+json"), (
                response.status_code,
                content_type,
            )

    fuzz()
