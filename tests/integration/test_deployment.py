"""The deployment shape: many processes opening one PostgreSQL store at the same instant.

Every process that opens the archive creates the tables it needs (`CREATE TABLE IF NOT
EXISTS`, `CREATE OR REPLACE FUNCTION`, `CREATE TYPE`); the archive serialises that with an
advisory lock (`Settings.schema_lock`), so API workers, projectors and commands may start
together on a new schema. Real processes, started to the same moment, each bounded in time.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive.config import Settings
from bootstrap import open_archive
from events.errors import InvalidInput
from tests.servers import CLI, ROOT, child_env

PROCESSES = 6

# A child: import everything, sleep until the common start, open the archive, write once.
CHILD = """
import json, sys, time
from bootstrap import open_archive
from archive.config import Settings
start, number, follow = float(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
settings = Settings.from_env()
time.sleep(max(0.0, start - time.time()))
began = time.monotonic()
archive = open_archive(settings, follow=follow)
opened = time.monotonic() - began
try:
    position = archive.register(
        "episodes", {"id": f"start-{number}", "title": f"Gelijke start {number}"}, actor="test"
    )
finally:
    archive.close()
print(json.dumps({"number": number, "opened": opened, "position": position}))
"""


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_many_processes_open_a_new_schema_at_the_same_instant(settings: Settings) -> None:
    # Six processes (half following the log, half not, as API workers beside a projector)
    # open the same empty schema at the same moment, sharing one data directory.
    start = time.time() + 4
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(start), f"{n:02d}", "1" if n % 2 else "0"],
            cwd=ROOT,
            env=child_env(settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    answers: list[tuple[int | None, str, str]] = []
    try:
        for child in children:
            out, err = child.communicate(timeout=120)
            answers.append((child.returncode, out, err))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
            child.communicate(timeout=30)  # reaped, pipes closed
    failed = [err for code, _, err in answers if code != 0]
    assert not failed, f"{len(failed)} of {PROCESSES} failed; the first:\n{failed[0]}"
    results = [json.loads(out.strip().splitlines()[-1]) for _, out, _ in answers]

    # Every one of them opened the store and wrote its episode, once.
    assert sorted(r["number"] for r in results) == [f"{n:02d}" for n in range(PROCESSES)]
    assert sorted(r["position"] for r in results) == list(range(1, PROCESSES + 1))
    archive = open_archive(settings)
    try:
        assert archive.position() == PROCESSES
        listed = {item["id"] for item in archive.items("episodes", role="curator")}
        assert listed == {f"start-{n:02d}" for n in range(PROCESSES)}
    finally:
        archive.close()


def test_follow_and_wait_timeout_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WIJKARCHIEF_FOLLOW", raising=False)
    monkeypatch.delenv("WIJKARCHIEF_WAIT_TIMEOUT", raising=False)
    settings = Settings.from_env()
    assert settings.follow is True
    assert settings.wait_timeout == 5.0

    monkeypatch.setenv("WIJKARCHIEF_FOLLOW", "0")
    monkeypatch.setenv("WIJKARCHIEF_WAIT_TIMEOUT", "2.5")
    settings = Settings.from_env()
    assert settings.follow is False
    assert settings.wait_timeout == 2.5


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WIJKARCHIEF_FOLLOW", "misschien"),
        ("WIJKARCHIEF_WAIT_TIMEOUT", "vijf"),
        ("WIJKARCHIEF_WAIT_TIMEOUT", "0"),
        ("WIJKARCHIEF_WAIT_TIMEOUT", "-1"),
        ("WIJKARCHIEF_WAIT_TIMEOUT", "nan"),
    ],
)
def test_an_invalid_setting_is_one_clear_line(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(InvalidInput, match=name):
        Settings.from_env()
    # The server refuses to start with the same one line, and no traceback.
    env = {**child_env(Settings(data_dir=tmp_path / "data")), name: value}
    result = subprocess.run(
        [*CLI, "serve", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("wijkarchief: ") and name in lines[0], result.stderr


@pytest.mark.slow
def test_a_worker_that_does_not_follow_waits_for_the_projector(
    settings: Settings, tmp_path: Path
) -> None:
    # No projector runs: a write of a worker with follow=False returns after the timeout,
    # durable in the log, and the views have not seen it.
    worker = Settings(
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        database_schema=settings.database_schema,
        follow=False,
        wait_timeout=0.5,
    )
    archive = open_archive(worker, follow=worker.follow)
    try:
        began = time.monotonic()
        position = archive.register("episodes", {"id": "wacht", "title": "Wachten"}, actor="t")
        waited = time.monotonic() - began
        assert 0.5 <= waited < 5, waited
        assert archive.position() == position
        assert archive.catalogue.position() < position
        # Once a projector has caught up, the same wait returns at once.
        projector = open_archive(settings, follow=False)
        try:
            projector.catch_up()
        finally:
            projector.close()
        began = time.monotonic()
        assert archive.wait_for(position)
        assert time.monotonic() - began < 0.5
        assert [item["id"] for item in archive.items("episodes")] == ["wacht"]
    finally:
        archive.close()
