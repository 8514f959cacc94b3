"""Dutch compound splitting on words of the sources (`stories/sources/`): the parts a
compound is found by, and words that look like compounds but stay whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from search_index.core.compounds import parts, parts_of

SOURCES = Path(__file__).resolve().parents[2] / "stories" / "sources"
WORDS = {
    word.lower()
    for path in SOURCES.glob("*.*")
    if path.suffix in (".txt", ".md")
    for word in re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8"))
}

SPLIT = {
    "coronacrisis": ["corona", "crisis"],
    "coronatijd": ["corona", "tijd"],
    "buurthuis": ["buurt", "huis"],
    "buurtbewoners": ["buurt", "bewoners"],
    "gemeenschapsveerkracht": ["gemeenschap", "veerkracht", "veer", "kracht"],
    "stadsbestuur": ["stad", "bestuur"],
    "wijkteam": ["wijk", "team"],
    "zelfregiehuis": ["zelf", "regie", "huis"],
    "voedselpakketten": ["voedsel", "pakketten"],
    "bewonersinitiatief": ["bewoner", "initiatief"],
    "speelgoedcontainers": ["speelgoed", "speel", "goed", "containers"],
}
WHOLE = ["verjaardag", "mogelijk", "vrijwilligers", "samenwerking", "betrouwbaarheid", "corona"]


@pytest.mark.parametrize(("word", "expected"), SPLIT.items())
def test_compounds_of_the_sources_split_into_their_parts(word: str, expected: list[str]) -> None:
    assert word in WORDS, f"{word} is not a word of the sources"
    assert parts(word) == expected
    assert parts(word.capitalize()) == expected  # as at the start of a sentence


@pytest.mark.parametrize("word", WHOLE)
def test_prefixes_suffixes_and_simple_words_stay_whole(word: str) -> None:
    assert word in WORDS
    assert parts(word) == []


def test_a_text_gives_the_parts_of_its_compounds_once() -> None:
    text = "De coronacrisis trof het buurthuis; in de coronacrisis bleef het buurthuis open."
    assert parts_of(text) == "corona crisis buurt huis"


def test_most_long_words_of_the_sources_stay_whole() -> None:
    # Splitting is the exception: a split adds matches, so it must be rare and sure.
    long_words = [w for w in WORDS if len(w) >= 8]
    split = [w for w in long_words if parts(w)]
    assert 0.1 < len(split) / len(long_words) < 0.4
