"""Fixtures shared by every layer of the suite.

`settings` is parametrised over the stores: the embedded SQLite file and PostgreSQL. The
PostgreSQL variant gets a schema of its own per test in the database named by
`WIJKARCHIEF_TEST_POSTGRES_URL` (`make test` sets postgresql://postgres@127.0.0.1:5432/test).
Where no server is reachable those variants skip with the reason, except when
`WIJKARCHIEF_REQUIRE_POSTGRES=1` (CI), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.config import Settings
from archive.service import Archive
from bootstrap import open_archive

POSTGRES_URL = os.environ.get("WIJKARCHIEF_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("WIJKARCHIEF_REQUIRE_POSTGRES") == "1"


def _postgres_reason() -> str | None:
    """Why PostgreSQL cannot be used here, or None when it can."""
    if not POSTGRES_URL:
        return "WIJKARCHIEF_TEST_POSTGRES_URL is not set (make test sets it)"
    try:
        import psycopg

        settings = Settings(data_dir=Path("."), database_url=POSTGRES_URL)
        pg = settings.postgres()
        with psycopg.connect(
            dbname=pg["dbname"], host=pg["host"], port=pg["port"], user=pg["user"],
            password=pg["password"], connect_timeout=3,
        ):  # fmt: skip
            return None
    except Exception as error:  # any failure to connect is a reason to skip
        return f"no PostgreSQL server reachable at {POSTGRES_URL}: {error}"


_REASON = _postgres_reason()


def postgres_schema_settings(data_dir: Path) -> Iterator[Settings]:
    """Settings for a fresh PostgreSQL schema, dropped afterwards."""
    if _REASON is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required here (WIJKARCHIEF_REQUIRE_POSTGRES=1): {_REASON}")
        pytest.skip(_REASON)
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    pg = Settings(data_dir=data_dir, database_url=POSTGRES_URL).postgres()
    params: dict[str, Any] = {k: pg[k] for k in ("dbname", "host", "port", "user", "password")}
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield Settings(data_dir=data_dir, database_url=POSTGRES_URL, database_schema=schema)
    finally:
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def postgres_table_bytes(settings: Settings) -> bytes:
    """The raw files of every table (and its TOAST table) of the settings' schema, after a
    checkpoint: dead row versions included, which a SELECT would not show."""
    import psycopg

    with psycopg.connect(settings.pg_conninfo(), autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        (data_dir,) = conn.execute("SHOW data_directory").fetchone() or ("",)
        paths = conn.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "UNION SELECT pg_relation_filepath(c.reltoastrelid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.reltoastrelid <> 0",
            (settings.database_schema, settings.database_schema),
        ).fetchall()
    files = [Path(data_dir) / path for (path,) in paths if path]
    assert files and all(f.exists() for f in files), "the test must read the table files"
    return b"".join(f.read_bytes() for f in files)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for an empty store of each kind (the search index always on local disk)."""
    if request.param == "sqlite":
        yield Settings(data_dir=tmp_path / "data")
    else:
        yield from postgres_schema_settings(tmp_path / "data")


@pytest.fixture(
    params=[
        "whoosh", "tantivy",
        pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.postgres_store]),
    ]
)  # fmt: skip
def search_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each search backend in turn, through `WIJKARCHIEF_SEARCH_BACKEND` (list it before
    the fixtures that open the archive, or use `pytest.mark.usefixtures("search_backend")`).
    `postgres` lives in the PostgreSQL store: its cases on a SQLite store are never generated
    (`pytest_collection_modifyitems`); tests/contract/test_search_view.py checks the refusal."""
    if request.param == "postgres" and _store(request.node) == "sqlite":
        pytest.fail("a postgres_store case on a SQLite store should have been deselected")
    monkeypatch.setenv("WIJKARCHIEF_SEARCH_BACKEND", request.param)
    return str(request.param)


def _store(item: pytest.Item) -> str:
    """The event store a test case runs on: its `settings` parameter; `backend_settings`
    follows the search backend (so PostgreSQL for the postgres one); otherwise SQLite (the
    seeded archive, `sqlite_settings`, a data directory of its own)."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "settings" in params:
        return str(params["settings"])
    if "backend_settings" in getattr(item, "fixturenames", ()):
        return "postgres" if params.get("search_backend") == "postgres" else "sqlite"
    return "sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Cases of a read model that lives in the PostgreSQL store (`postgres_store`: the
    postgres search backend) on a SQLite store do not exist: they are deselected, not
    skipped, so a skip always means "could not run here"."""
    invalid = [i for i in items if i.get_closest_marker("postgres_store") and _store(i) == "sqlite"]
    if invalid:
        config.hook.pytest_deselected(items=invalid)
        dropped = {id(i) for i in invalid}
        items[:] = [i for i in items if id(i) not in dropped]


@pytest.fixture
def backend_settings(search_backend: str, tmp_path: Path) -> Iterator[Settings]:
    """An empty store the search backend can live with: SQLite for Whoosh and tantivy (on
    local disk), a PostgreSQL schema of its own for the postgres backend."""
    if search_backend == "postgres":
        yield from postgres_schema_settings(tmp_path / "data")
    else:
        yield Settings(data_dir=tmp_path / "data")


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    """Settings for an empty embedded store only."""
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture
def archive(settings: Settings) -> Iterator[Archive]:
    """An empty archive (every read model), on each store."""
    opened = open_archive(settings)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="session")
def seeded_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with the seed archive loaded once (SQLite), for read-only tests."""
    from stories.loader import seed

    data_dir = tmp_path_factory.mktemp("seeded")
    opened = open_archive(Settings(data_dir=data_dir))
    try:
        seed(opened)
    finally:
        opened.close()
    return data_dir


@pytest.fixture
def seeded(seeded_data: Path, tmp_path: Path) -> Iterator[Archive]:
    """A private copy of the seeded archive (tests may write to it)."""
    import shutil

    target = tmp_path / "seeded"
    shutil.copytree(seeded_data, target)
    opened = open_archive(Settings(data_dir=target))
    try:
        yield opened
    finally:
        opened.close()
