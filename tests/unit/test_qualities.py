"""The quality vocabulary: both labels, lookups by any name, definitions from the source."""

from __future__ import annotations

import pytest

from events import qualities
from events.errors import UnknownQuality
from stories.loader import SOURCES_DIR

CONTRACT_QUALITIES = {
    "mobiliserend-vermogen", "verbindend-vermogen", "institutionele-souplesse", "betrouwbaarheid",
    "flexibiliteit", "redundantie", "robuustheid", "vindingrijkheid", "reflexiviteit",
    "inclusiviteit", "integratief-vermogen",
}  # fmt: skip
CONTRACT_ELEMENTS = {
    "leiderschap", "betrokken-bestuur", "sociaal-kapitaal", "communicatieomgeving",
    "probleemoplossend-vermogen",
}  # fmt: skip


def test_the_vocabulary_has_the_contract_ids_and_both_labels() -> None:
    assert {q.id for q in qualities.QUALITIES} == CONTRACT_QUALITIES
    assert {e.id for e in qualities.ELEMENTS} == CONTRACT_ELEMENTS
    for concept in (*qualities.QUALITIES, *qualities.ELEMENTS):
        assert concept.label_nl and concept.label_en and concept.definition


@pytest.mark.parametrize(
    "name", ["institutionele-souplesse", "Institutionele Souplesse", "institutional flexibility",
             "INSTITUTIONAL FLEXIBILITY", "institutionele_souplesse"],
)  # fmt: skip
def test_a_quality_is_found_by_id_dutch_or_english_label(name: str) -> None:
    assert qualities.resolve(name).id == "institutionele-souplesse"


def test_an_unknown_quality_is_named_in_the_error() -> None:
    with pytest.raises(UnknownQuality, match="moed"):
        qualities.resolve("moed")


def test_responsive_qualities_pair_with_their_elements() -> None:
    pairs = {q.id: q.elements for q in qualities.QUALITIES if q.framework == qualities.RESPONSIVE}
    assert pairs == {
        "verbindend-vermogen": ("leiderschap",),
        "institutionele-souplesse": ("betrokken-bestuur",),
        "mobiliserend-vermogen": ("sociaal-kapitaal",),
        "betrouwbaarheid": ("communicatieomgeving", "probleemoplossend-vermogen"),
    }


def test_every_definition_cites_lines_that_exist() -> None:
    for concept in (*qualities.QUALITIES, *qualities.ELEMENTS):
        file, _, lines = concept.source.partition(":")
        first, _, last = lines.partition("-")
        text = (SOURCES_DIR / file).read_text(encoding="utf-8").splitlines()
        assert 0 < int(first) <= int(last or first) <= len(text)
        cited = " ".join(" ".join(text[int(first) - 3 : int(last or first) + 3]).split()).lower()
        # The concept's Dutch label stands in the cited passage.
        assert concept.label_nl.split()[0][:8] in cited, concept.id
