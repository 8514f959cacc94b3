"""The reader's text as a PostgreSQL `tsquery`, read by the shared query language.

Nothing the reader types becomes SQL: the words and phrases go to the server as parameters
of `plainto_tsquery('dutch', …)` / `phraseto_tsquery('dutch', …)` (one round trip for the
whole text), and the `tsquery` texts the server answers are combined here with `&`, `|` and
`!` as `search_index.core.query.read` groups them; the combination goes back as a parameter
(`%s::tsquery`). A word or phrase that stands for nothing (only stop words or punctuation)
is dropped, as with the other backends.

Wildcards: `ab*` is the prefix query `'ab':*` (against the stemmed words, as Whoosh's and
tantivy's prefixes meet their indexes' terms), counted against the budget by the words as
written that start with it (`search_words`); `ab*cd` and `ab?d` are expanded to those words
(at most WILDCARD_SCAN read), each analysed as a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from search_index.core.budget import Budget
from search_index.core.compounds import fold
from search_index.core.query import read
from search_index.postgres.schema import CONFIG

WILDCARD_SCAN = 10_000  # words read for `ab*cd` / `ab?d` (beyond: too broad)
_TOKEN = re.compile(r"\w+")
NOTHING = "!!nothing"  # a wildcard that fits no word (never sent to the server)
_LEXEME = re.compile(r"'((?:[^']|'')*)'(:\*)?")


@dataclass
class Parsed:
    """A reader's text as a tsquery, and what a hit's snippet marks."""

    tsquery: str | None  # None: no words (browsing); "" : words that stand for nothing
    stems: set[str] = field(default_factory=set)  # the positive lexemes
    prefixes: set[str] = field(default_factory=set)  # the positive prefixes (`ab*`)

    @property
    def nothing(self) -> bool:
        """Words that stand for nothing: no document matches."""
        return self.tsquery == ""


def quoted(lexeme: str, prefix: bool = False) -> str:
    """One lexeme as tsquery text (quoted, `'` and `\\` escaped), `:*` for a prefix."""
    escaped = lexeme.replace("\\", "\\\\").replace("'", "''")
    return f"'{escaped}'" + (":*" if prefix else "")


def _marks(tsquery: str, parsed: Parsed) -> None:
    for lexeme, star in _LEXEME.findall(tsquery):
        (parsed.prefixes if star else parsed.stems).add(lexeme.replace("''", "'"))


def _noted(pieces: list[str], piece: str) -> str:
    pieces.append(piece)
    return piece


class QueryMaker:
    """Reads texts with one cursor of the search's transaction."""

    def __init__(self, cursor: Any, words_table: str) -> None:
        self.cursor = cursor
        self.words = words_table

    def analysed(self, texts: list[str], function: str = "plainto_tsquery") -> list[str]:
        """Each text as the server's tsquery text ("" for a text of stop words only)."""
        if not texts:
            return []
        assert function in ("plainto_tsquery", "phraseto_tsquery")
        self.cursor.execute(
            f"SELECT {function}('{CONFIG}', t)::text AS q "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n",
            (texts,),
        )
        return [r["q"] for r in self.cursor.fetchall()]

    def parse(self, text: str, budget: Budget) -> Parsed:
        """The text as a tsquery; QueryRefused over the budget."""
        if not text:
            return Parsed(None)
        text = text.replace("\x00", " ")  # PostgreSQL's text cannot hold NUL
        words: list[str] = []
        phrases: list[str] = []
        read(text, lambda w: _noted(words, w), lambda p: _noted(phrases, p))
        plain = dict(zip(words, self.analysed(words), strict=True))
        said = dict(zip(phrases, self.analysed(phrases, "phraseto_tsquery"), strict=True))
        wild = {w: self._wildcard(w, budget) for w in words if "*" in w or "?" in w}

        def word(w: str) -> str | None:
            found = wild.get(w)
            return found if found is not None else (plain[w] or None)

        reading = read(text, word, lambda p: said[p] or None)
        parsed = Parsed("")
        groups = [[q for q in group if q != NOTHING] for group in reading.must]
        if any(not group for group in groups):
            return parsed  # a wildcard that fits no word: nothing matches
        must = ["(" + " | ".join(f"({q})" for q in group) + ")" for group in groups]
        must_not = [f"!({q})" for q in reading.must_not if q != NOTHING]
        for group in groups:
            for q in group:
                _marks(q, parsed)
        parsed.tsquery = " & ".join(must + must_not)
        return parsed

    def _wildcard(self, word: str, budget: Budget) -> str | None:
        """`ab*`: a prefix; `ab*cd`, `ab?d`: the words that fit (None: not one word)."""
        pieces = re.split(r"([*?]+)", word)  # literal, wildcards, literal, …
        prefix = [fold(t) for t in _TOKEN.findall(pieces[0])]
        if len(prefix) != 1 or not pieces[0].endswith(_TOKEN.findall(pieces[0])[0]):
            return None  # `(ab*` and the like: read as words
        start = prefix[0]
        budget.check_time()
        like = start.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        if pieces[1:] == ["*", ""]:
            self.cursor.execute(
                f"SELECT count(*) AS n FROM (SELECT 1 FROM {self.words} "
                "WHERE word LIKE %s LIMIT %s) AS w",
                (like, budget.terms + 1),
            )
            budget.expand(int(self.cursor.fetchone()["n"]))
            return quoted(start, prefix=True)
        pattern = re.escape(start)
        for number, piece in enumerate(pieces[1:]):
            if number % 2:
                pattern += re.escape("".join(fold(t) for t in _TOKEN.findall(piece)))
            else:
                pattern += ".*" if "*" in piece else "." * len(piece)
        self.cursor.execute(
            f"SELECT word FROM {self.words} WHERE word LIKE %s ORDER BY word LIMIT %s",
            (like, WILDCARD_SCAN),
        )
        candidates = [r["word"] for r in self.cursor.fetchall()]
        if len(candidates) >= WILDCARD_SCAN:
            budget.expand(budget.terms + 1)  # more candidates than we read: too broad
        fits = re.compile(pattern)
        found = [w for w in candidates if fits.fullmatch(w)]
        budget.expand(len(found))
        analysed = [q for q in self.analysed(found) if q]
        return " | ".join(f"({q})" for q in analysed) if analysed else NOTHING
