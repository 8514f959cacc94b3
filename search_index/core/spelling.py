"""Tolerance for misspelled words: "bedoelde u …?" from the index's own words.

When a search with words finds nothing, each plain word (no operator, phrase or wildcard)
that is in no searched field *of an item the reader may read* is replaced by the closest word
of the index's `spelling` field
(the words as written, lower case, accents folded, not stemmed): at most one edit for words
of up to MAX_ONE_EDIT letters, two for longer ones (a swap of two letters is one edit), the
first letter as typed. Only a word that finds an item *the reader may read* is suggested, so a
suggestion never shows a word of a hidden item; and a word only hidden items hold is corrected
like a word in no item, so whether it is corrected never tells that it exists. The search runs
again with the corrected words; when that finds something, the answer carries `suggestion`
(the corrected words) and `corrected: true`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from search_index.core.compounds import fold

MAX_ONE_EDIT = 7  # letters; longer words may be two edits off
MAX_CANDIDATES = 20_000  # index words read per misspelled word
MAX_CHECKS = 20  # candidates checked against what the reader may read
_PLAIN = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class Lexicon:
    """What a backend answers about its index's words, for one reader."""

    known: Callable[[str], bool]  # the word (analysed) is in a searched field of a readable item
    starting: Callable[[str], Iterable[str]]  # `spelling` words starting with these letters
    readable: Callable[[str], bool]  # the `spelling` word is in an item the reader may read


def plain_words(text: str) -> list[str]:
    """The words of a query a correction may replace: outside quotes, no operators, no
    wildcards, not negated."""
    unquoted = re.sub(r'"[^"]*"?', " ", text)
    words = []
    for piece in unquoted.split():
        if piece in ("AND", "OR", "NOT") or piece.startswith("-") or "*" in piece or "?" in piece:
            continue
        words.extend(_PLAIN.findall(piece))
    return words


def distance(a: str, b: str, limit: int) -> int:
    """Edits from a to b (optimal string alignment: a swap is one); limit + 1 beyond limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def closest(word: str, lexicon: Lexicon) -> str | None:
    """The readable index word closest to `word`, or None."""
    folded = fold(word)
    limit = 1 if len(folded) <= MAX_ONE_EDIT else 2
    scored: list[tuple[int, str]] = []
    for number, term in enumerate(lexicon.starting(folded[0])):
        if number >= MAX_CANDIDATES:
            break
        if term != folded:
            edits = distance(folded, term, limit)
            if edits <= limit:
                scored.append((edits, term))
    for _, term in sorted(scored)[:MAX_CHECKS]:
        if lexicon.readable(term):
            return term
    return None


def suggest(text: str, lexicon: Lexicon) -> str | None:
    """The text with each word the index does not hold corrected; None when none could be."""
    corrected = text
    changed = False
    for word in plain_words(text):
        if lexicon.known(word):
            continue
        better = closest(word, lexicon)
        if better is None:
            return None
        if word[0].isupper():  # as the reader typed it: Russell → Rusell
            better = better[0].upper() + better[1:]
        corrected = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", better, corrected, count=1)
        changed = True
    return corrected if changed else None


def answer_or_corrected(
    text: str,
    answer: dict[str, object],
    lexicon: Callable[[], Lexicon],
    rerun: Callable[[str], dict[str, object]],
) -> dict[str, object]:
    """The answer; when it found nothing for words, the answer of the corrected words (with
    `suggestion` and `corrected`) if they find something."""
    answer.setdefault("suggestion", None)
    answer.setdefault("corrected", False)
    if not text or answer["total"]:
        return answer
    corrected = suggest(text, lexicon())
    if corrected is None:
        return answer
    again = rerun(corrected)
    if not again["total"]:
        return answer
    return {**again, "suggestion": corrected, "corrected": True}
