"""A projector killed with SIGKILL part-way resumes from its tracked positions.

Real processes and a real signal: `wijkarchief project` indexes a log of a few thousand
events one small page per transaction; the test kills it with `kill -9` while the search
index is part-way, starts it again, and compares every read model with a clean rebuild.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from archive import open_archive
from archive.application import Wijkarchief
from archive.config import Settings

ITEMS = 1500
PAGE = 5


def _fill(settings: Settings) -> int:
    """A log of ITEMS episodes with a happening each, written without any read model."""
    app = Wijkarchief(settings)
    try:
        for n in range(ITEMS):
            app.register(
                "episodes",
                {"id": f"geval-{n:05d}", "title": f"Buurtactie {n} voor de speeltuin",
                 "date": "2020-23",
                 "happenings": [{"date": "2020-11", "title": f"Petitie {n} overhandigd"}]},
                actor="loader",
            )  # fmt: skip
        return app.position()
    finally:
        app.close()


def _index_position(settings: Settings) -> int:
    path = str(settings.index_dir)
    try:
        if not whoosh_index.exists_in(path):
            return 0
        with whoosh_index.open_dir(path).searcher() as searcher:
            meta = searcher.document(docid="__position__")
    except Exception:  # the projector is creating it right now
        return 0
    return int(meta["position"]) if meta else 0


def _project(settings: Settings, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WIJKARCHIEF_DATA": str(settings.data_dir)}
    env.pop("WIJKARCHIEF_DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "archive.cli", "project", "--page-size", str(PAGE), *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _read_models(settings: Settings) -> tuple[list[dict[str, object]], list[str]]:
    """Every catalogue row and every index document, in a stable order."""
    archive = open_archive(settings, follow=False)
    try:
        catalogue = list(archive.catalogue.items())
    finally:
        archive.close()
    with whoosh_index.open_dir(str(settings.index_dir)).searcher() as searcher:
        docs = sorted(
            json.dumps(doc, sort_keys=True, ensure_ascii=False)
            for doc in searcher.all_stored_fields()
        )
    return catalogue, docs


@pytest.mark.slow
def test_a_killed_projector_resumes_and_ends_as_a_clean_rebuild(tmp_path: Path) -> None:
    # A log of a few thousand events, and no read model yet.
    settings = Settings(data_dir=tmp_path / "crashed")
    last = _fill(settings)

    # The projector starts indexing, one small page per transaction ...
    projector = _project(settings)
    deadline = time.monotonic() + 120
    try:
        while not 0 < _index_position(settings) < last // 2:
            assert projector.poll() is None, projector.stderr.read() if projector.stderr else ""
            assert time.monotonic() < deadline, "the projector never got going"
            time.sleep(0.005)
        # ... and is killed with SIGKILL while the search index is part-way.
        projector.send_signal(signal.SIGKILL)
    finally:
        projector.wait(timeout=30)
        if projector.stderr:
            projector.stderr.close()
    killed_at = _index_position(settings)
    assert 0 < killed_at < last

    # Started again, it resumes from the tracked positions and catches up to the end.
    again = _project(settings, "--once")
    _, errors = again.communicate(timeout=300)
    assert again.returncode == 0, errors
    assert _index_position(settings) == last

    # A clean rebuild of a copy of the same log ends in exactly the same read models.
    clean = Settings(data_dir=tmp_path / "clean")
    clean.data_dir.mkdir()
    for name in ("events.sqlite", "keys.sqlite"):
        shutil.copy(settings.data_dir / name, clean.data_dir / name)
    rebuilt = open_archive(clean, follow=False)
    rebuilt.rebuild()
    rebuilt.close()
    resumed_catalogue, resumed_docs = _read_models(settings)
    clean_catalogue, clean_docs = _read_models(clean)
    assert resumed_catalogue == clean_catalogue
    assert resumed_docs == clean_docs

    # No document is missing or doubled: one per item, one per happening, one position.
    docids = [json.loads(doc)["docid"] for doc in resumed_docs]
    assert len(docids) == len(set(docids)) == 2 * ITEMS + 1
