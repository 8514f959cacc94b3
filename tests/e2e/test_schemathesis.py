"""The API keeps its own OpenAPI promises: schemathesis against the seeded archive.

Schemathesis (v4, its pytest integration) generates requests from the app's OpenAPI document
and sends them through the ASGI app in process, over a copy of the seeded archive, once
anonymously and once with a curator's token. Every answer must be no 5xx, carry a documented
status code and content type, and match the documented schema for that status. Bounded
(`EXAMPLES` a phase per operation) and derandomised, so it runs in a couple of minutes here.
The OpenAPI document itself is validated against the OpenAPI 3.1 specification first.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.main import create_app
from archive.config import Settings
from archive.service import Archive
from bootstrap import open_archive

pytestmark = pytest.mark.slow

EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def seeded_app(
    seeded_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Archive, Any, str]]:
    """A private copy of the seeded archive, its app, and a curator's token."""
    target = tmp_path_factory.mktemp("schemathesis") / "seeded"
    shutil.copytree(seeded_data, target)
    archive = open_archive(Settings(data_dir=target))
    try:
        token = archive.issue_token("schemathesis", "curator")
        yield archive, create_app(archive), token
    finally:
        archive.close()


# The document `/openapi.json` serves (`app.openapi()`), read from an app without an archive:
# loading it over ASGI would start the app's lifespan, which opens the configured store.
# (`schemathesis.pytest.from_fixture` would load it over ASGI from a fixture, but fails on
# pytest 9: it sets `Function._nodeid`.) The requests go to the seeded app (`app=`).
schema = schemathesis.openapi.from_dict(create_app().openapi())


@pytest.mark.parametrize("role", ["anonymous", "curator"])
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_openapi_promises(
    case: Any, role: str, seeded_app: tuple[Archive, Any, str]
) -> None:
    _archive, app, token = seeded_app
    caller = {"Authorization": f"Bearer {token}"} if role == "curator" else {}
    # Whoosh names index segments with the global `random`, which Hypothesis resets to the
    # same state for every example: reseed it, or the segment names would collide.
    random.seed(os.urandom(16))
    # Anonymous: whatever schemathesis sends (no Authorization, or a made-up token: a 401).
    case.headers = {**(case.headers or {}), **caller}
    case.call_and_validate(app=app, checks=CHECKS)


def test_the_openapi_document_is_valid_openapi(seeded_app: tuple[Archive, Any, str]) -> None:
    document = seeded_app[1].openapi()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises OpenAPIValidationError with the path of what is wrong
