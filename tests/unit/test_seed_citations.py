"""Every citation in the seed content points at a passage that says it.

For each content file: the cited source document exists in `stories/sources/`, the cited
lines exist, every evidence quote stands (whitespace folded) within the cited lines (± 5),
and every number in a happening's title or text appears in its cited passage.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stories.citations import missing_figures, passage, quote_found
from stories.loader import CONTENT_DIR, ContentFile, content_files

FILES = content_files([CONTENT_DIR])


def _cases() -> list[tuple[str, str, str]]:
    """(file and what, citation, quote) for every evidence quote in the content."""
    return [
        (f"{c.path.name} {a['quality']}", a["source"], a.get("evidence", ""))
        for c in FILES
        for a in c.fields.get("assessments") or []
    ]


def test_there_is_seed_content() -> None:
    kinds = {c.kind for c in FILES}
    assert kinds == {"episodes", "stories", "media"}, kinds


@pytest.mark.parametrize(("what", "citation", "quote"), _cases(), ids=[c[0] for c in _cases()])
def test_evidence_quotes_stand_in_the_cited_passage(what: str, citation: str, quote: str) -> None:
    assert quote.strip(), f"{what}: an assessment without an evidence quote"
    assert quote_found(quote, passage(citation)), f"{what}: quote not found at {citation}"


@pytest.mark.parametrize("content", FILES, ids=[c.path.name for c in FILES])
def test_happenings_cite_passages_with_their_figures(content: ContentFile) -> None:
    for happening in content.fields.get("happenings") or []:
        text = f"{happening['title']} {happening.get('text', '')}"
        missing = missing_figures(text, happening["source"])
        assert not missing, f"{happening['title']!r}: {missing} not at {happening['source']}"


@pytest.mark.parametrize("content", FILES, ids=[c.path.name for c in FILES])
def test_items_cite_a_source(content: ContentFile) -> None:
    source = content.fields.get("source")
    if source:
        passage(source)


def test_links_point_at_items_that_exist() -> None:
    refs = {c.ref for c in FILES}
    for content in FILES:
        for link in content.links:
            assert link in refs, f"{content.path.name}: link to missing {link}"


def test_every_file_is_named_after_its_id() -> None:
    for content in FILES:
        assert Path(content.path).stem == content.key, content.path
