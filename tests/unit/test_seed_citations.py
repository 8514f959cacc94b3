"""Every citation in the seed content points at a passage that says it.

For each content file: the cited source document exists in `stories/sources/`, the cited
lines exist, every evidence quote stands (whitespace folded) within the cited lines (± 5),
and every number in a happening's title or text appears in its cited passage.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stories.loader import CONTENT_DIR, SOURCES_DIR, content_files

SLACK = 5
CITATION = re.compile(r"^(?P<file>[\w.-]+):(?P<first>\d+)(?:-(?P<last>\d+))?$")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
FILES = content_files([CONTENT_DIR])


def _fold(text: str) -> str:
    """Fold whitespace and undo end-of-line hyphenation as the content format says."""
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return " ".join(text.split())


def passage(citation: str) -> str:
    """The folded text of the cited lines, with the slack around them."""
    match = CITATION.match(citation)
    assert match, f"citation {citation!r} is not FILE:LINE or FILE:FIRST-LAST"
    path = SOURCES_DIR / match["file"]
    assert path.is_file(), f"{citation}: no source document {path.name}"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = int(match["first"])
    last = int(match["last"] or first)
    assert 1 <= first <= last <= len(lines), f"{citation}: lines out of range"
    return _fold("\n".join(lines[max(0, first - 1 - SLACK) : last + SLACK]))


def quote_found(quote: str, text: str) -> bool:
    """Each ' … '-separated fragment of the quote stands in the text."""
    return all(_fold(part) in text for part in quote.split(" … ") if part.strip())


def _cases() -> list[tuple[str, str, str]]:
    """(file and what, citation, quote) for every evidence quote in the content."""
    cases = []
    for content in FILES:
        for assessment in content.fields.get("assessments") or []:
            cases.append(
                (
                    f"{content.path.name} {assessment['quality']}",
                    assessment["source"],
                    assessment.get("evidence", ""),
                )
            )
    return cases


def test_there_is_seed_content() -> None:
    kinds = {c.kind for c in FILES}
    assert kinds == {"episodes", "stories", "media"}, kinds


@pytest.mark.parametrize(("what", "citation", "quote"), _cases(), ids=[c[0] for c in _cases()])
def test_evidence_quotes_stand_in_the_cited_passage(what: str, citation: str, quote: str) -> None:
    assert quote.strip(), f"{what}: an assessment without an evidence quote"
    assert quote_found(quote, passage(citation)), f"{what}: quote not found at {citation}"


@pytest.mark.parametrize("content", FILES, ids=[c.path.name for c in FILES])
def test_happenings_cite_passages_with_their_figures(content: object) -> None:
    for happening in content.fields.get("happenings") or []:  # type: ignore[attr-defined]
        text = passage(happening["source"])
        digits = text.replace(".", "").replace(",", "")
        for figure in NUMBER.findall(f"{happening['title']} {happening.get('text', '')}"):
            bare = figure.replace(".", "").replace(",", "")
            assert bare in digits, f"{happening['title']!r}: {figure} not at {happening['source']}"


@pytest.mark.parametrize("content", FILES, ids=[c.path.name for c in FILES])
def test_items_cite_a_source(content: object) -> None:
    source = content.fields.get("source")  # type: ignore[attr-defined]
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
