"""Nothing the server offers goes undocumented: every OpenAPI operation is in docs/api.md."""

from __future__ import annotations

import re
from pathlib import Path

from api.main import create_app
from archive.config import Settings
from bootstrap import open_archive

DOCS = Path(__file__).parents[2] / "docs" / "api.md"


def test_every_endpoint_is_documented(sqlite_settings: Settings) -> None:
    # The operations the app serves, as `METHOD /path`.
    archive = open_archive(sqlite_settings)
    spec = create_app(archive).openapi()
    archive.close()
    operations = [
        f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops
    ]
    assert len(operations) > 20

    # Each stands in the API reference, with a one-line description in the OpenAPI too.
    text = DOCS.read_text(encoding="utf-8")
    missing = [op for op in operations if f"`{op}`" not in text]
    assert not missing, f"undocumented in docs/api.md: {missing}"
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), f"{method.upper()} {path} has no one-line docstring"


def test_every_setting_the_code_reads_is_in_the_readme() -> None:
    # Every WIJKARCHIEF_ variable the packages mention is a row of the README's settings table.
    root = Path(__file__).parents[2]
    pattern = re.compile(r"WIJKARCHIEF_[A-Z_]+")
    used = {
        name
        for package in ("events", "archive", "api", "search_index", "stories")
        for source in (root / package).rglob("*.py")
        for name in pattern.findall(source.read_text(encoding="utf-8"))
    }
    rows = set(
        re.findall(r"^\| `(WIJKARCHIEF_[A-Z_]+)` \|", (root / "README.md").read_text(), re.M)
    )
    assert used, "no settings found: the pattern is wrong"
    assert used <= rows, f"undocumented settings: {sorted(used - rows)}"
