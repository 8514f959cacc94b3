"""Dutch compound splitting: `coronacrisis` → `corona` + `crisis`, for both backends.

A word is split only where Dutch hyphenation (`pyphen`'s OpenTaal patterns, `nl_NL`) puts a
break, and only when both sides are words of a Dutch word list (`pyspellchecker`'s `nl`
frequency list, the words seen at least `MIN_COUNT` times), each at least `MIN_PART`
letters. A linking `s`, `e` or `en` may end the first part (`gemeenschapsveerkracht` →
`gemeenschap` + `veerkracht`). The first part is never a particle or prefix (`ver`, `samen`,
`onder`: `verjaardag` stays whole) and the second never a suffix (`-lijk`, `-heid`: `mogelijk`
stays whole). The fewest parts win; each part is split again (`buurthuisfunctie` →
`buurthuis`, `buurt`, `huis`, `functie`). Words the hyphenation misses (`wijknetwerk`:
wij-knet-werk) stay whole.

The index keeps the whole word beside its parts (`search_index.core.documents`: the `parts`
field), so a split never hides a word; a wrong split only adds a match.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MIN_COUNT = 80  # the word list's noise (typos, names) lies below; `corona` has 87
MIN_PART = 4
MIN_WORD = 2 * MIN_PART
LINKS = ("s", "en", "e")
PARTICLES = frozenset(
    [
        "samen", "onder", "voor", "over", "door", "tegen", "terug", "weer", "mede", "heen",
        "rond", "neer", "lang", "vrij", "toe", "aan", "mee", "uit", "af", "op", "in", "om",
        "bij", "na", "ver", "be", "ge", "her", "ont",
    ]
)  # fmt: skip
SUFFIXES: tuple[str, ...] = ("lijk", "heid", "heden", "baar", "bare", "loos", "loze")
SUFFIXES += ("waardig", "deels", "achtig", "ling", "ingen", "isch", "ische", "schap", "schappen")
_TOKEN = re.compile(rf"[^\W\d_]{{{MIN_WORD},}}")


def fold(word: str) -> str:
    """Lower case without accents, as the analysers fold a token."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _words() -> frozenset[str]:
    """The Dutch words parts must be (loaded once, ~0.5 s)."""
    from spellchecker import SpellChecker

    counts = SpellChecker(language="nl", distance=1).word_frequency.dictionary
    return frozenset(
        fold(word)
        for word, count in counts.items()
        if count >= MIN_COUNT and len(word) >= MIN_PART and word.isalpha()
    )


@lru_cache(maxsize=1)
def _hyphenator() -> object:
    import pyphen

    return pyphen.Pyphen(lang="nl_NL")


def _heads(head: str, words: frozenset[str]) -> list[str]:
    """The first part as a word: without its linking letters first, then as it is."""
    found = [head[: -len(link)] for link in LINKS if head.endswith(link)]
    found.append(head)
    return [h for h in found if len(h) >= MIN_PART and h in words and h not in PARTICLES]


@lru_cache(maxsize=65536)
def split(word: str) -> tuple[str, ...]:
    """The parts of a (folded) compound, fewest first; () when it is not one."""
    if len(word) < MIN_WORD or not word.isalpha():
        return ()
    words = _words()
    best: tuple[str, ...] = ()
    for at in _hyphenator().positions(word):  # type: ignore[attr-defined]
        head, tail = word[:at], word[at:]
        if len(tail) < MIN_PART or tail.startswith(SUFFIXES):
            continue
        for first in _heads(head, words):
            rest = (tail,) if tail in words else split(tail)
            if rest and (not best or 1 + len(rest) < len(best)):
                best = (first, *rest)
    return best


def parts(word: str) -> list[str]:
    """Every part of a word, and the parts of those parts (none for a simple word)."""
    found: list[str] = []
    for part in split(fold(word)):
        found.append(part)
        found.extend(p for p in parts(part) if p not in found)
    return found


def parts_of(text: str) -> str:
    """The parts of every compound in a text, as words to index beside it."""
    seen: dict[str, None] = {}
    for token in _TOKEN.findall(text):
        for part in parts(token):
            seen.setdefault(part, None)
    return " ".join(seen)
