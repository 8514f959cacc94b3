"""A projector killed with SIGKILL part-way resumes from its tracked positions.

Real processes and a real signal: `wijkarchief project` indexes a log of a few thousand
events one small page per transaction; the test kills it with `kill -9` while the search
index is part-way, starts it again, and compares every read model with a clean rebuild
(with each search backend).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from archive.application import Wijkarchief
from archive.config import Settings
from bootstrap import open_archive
from search_index.tantivy import DIRECTORY, stored_documents, stored_position
from tests.servers import kill_when, projector

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


def _index_position(settings: Settings, backend: str) -> int:
    try:
        if backend == "tantivy":
            return stored_position(settings.data_dir / DIRECTORY)
        path = str(settings.index_dir)
        if not whoosh_index.exists_in(path):
            return 0
        with whoosh_index.open_dir(path).searcher() as searcher:
            meta = searcher.document(docid="__position__")
    except Exception:  # the projector is creating it right now
        return 0
    return int(meta["position"]) if meta else 0


def _index_documents(settings: Settings, backend: str) -> list[dict[str, object]]:
    if backend == "tantivy":
        return stored_documents(settings.data_dir / DIRECTORY)
    with whoosh_index.open_dir(str(settings.index_dir)).searcher() as searcher:
        return list(searcher.all_stored_fields())


def _read_models(settings: Settings, backend: str) -> tuple[list[dict[str, object]], list[str]]:
    """Every catalogue row and every index document, in a stable order."""
    archive = open_archive(settings, follow=False)
    try:
        catalogue = list(archive.catalogue.items())
    finally:
        archive.close()
    docs = sorted(
        json.dumps(doc, sort_keys=True, ensure_ascii=False)
        for doc in _index_documents(settings, backend)
    )
    return catalogue, docs


@pytest.mark.slow
def test_a_killed_projector_resumes_and_ends_as_a_clean_rebuild(
    tmp_path: Path, search_backend: str
) -> None:
    # A log of a few thousand events, and no read model yet.
    settings = Settings(data_dir=tmp_path / "crashed")
    last = _fill(settings)

    # The projector starts indexing, one small page per transaction ...
    first = projector(settings, "--page-size", str(PAGE))

    # ... and is killed with SIGKILL while the search index is part-way.
    def halfway() -> bool:
        return 0 < _index_position(settings, search_backend) < last // 2

    kill_when(first, halfway, "halfway", seconds=120)
    killed_at = _index_position(settings, search_backend)
    assert 0 < killed_at < last

    # Started again, it resumes from the tracked positions and catches up to the end.
    again = projector(settings, "--page-size", str(PAGE), "--once")
    _, errors = again.communicate(timeout=300)
    assert again.returncode == 0, errors
    assert _index_position(settings, search_backend) == last

    # A clean rebuild of a copy of the same log ends in exactly the same read models.
    clean = Settings(data_dir=tmp_path / "clean")
    clean.data_dir.mkdir()
    # (With their WAL files, if a process left any: what is not yet checkpointed is there.)
    for pattern in ("events.sqlite*", "keys.sqlite*"):
        for path in settings.data_dir.glob(pattern):
            shutil.copy(path, clean.data_dir / path.name)
    rebuilt = open_archive(clean, follow=False)
    rebuilt.rebuild()
    rebuilt.close()
    resumed_catalogue, resumed_docs = _read_models(settings, search_backend)
    clean_catalogue, clean_docs = _read_models(clean, search_backend)
    assert resumed_catalogue == clean_catalogue
    assert resumed_docs == clean_docs

    # No document is missing or doubled: one per item, one per happening, one position.
    docids = [json.loads(doc)["docid"] for doc in resumed_docs]
    assert len(docids) == len(set(docids)) == 2 * ITEMS + 1
