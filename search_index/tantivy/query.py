"""The reader's text as a tantivy query, read by the shared query language.

The text is never given to tantivy's query parser, so there is no `field:value` syntax and no
syntax error (the limits of `search_index.core.budget` apply, as to Whoosh). A word of several
tokens (`Delfshaven-Helpt`) is all of them in one field, as Whoosh's parser reads it; a
phrase keeps stop words' places; `ab*`, `ab*cd`, `ab?d` are expanded to the index's terms (so
snippets highlight them), counted against the budget.
"""

from __future__ import annotations

import re

import tantivy

from search_index.core.budget import Budget
from search_index.core.query import read
from search_index.core.shape import SEARCH_FIELDS
from search_index.tantivy.analysis import dutch_analyzer, folding_analyzer
from search_index.tantivy.schema import BOOSTS

WILDCARD_SCAN = 10_000  # terms read per field for `ab*cd` / `ab?d` (beyond: too broad)

Occur = tantivy.Occur
Q = tantivy.Query


class QueryMaker:
    """Makes the tantivy query of a reader's text, for one schema."""

    def __init__(self, schema: tantivy.Schema) -> None:
        self.schema = schema
        self.analyzer = dutch_analyzer()
        self.folder = folding_analyzer()

    def parse(self, text: str, searcher: tantivy.Searcher, budget: Budget) -> tantivy.Query:
        """The reader's text as a query: never a field name; QueryRefused over the budget."""
        if not text:
            return Q.all_query()
        reading = read(text, lambda word: self._word(word, searcher, budget), self._phrase)
        must = [any_of(group) for group in reading.must]
        if not must and not reading.must_not:
            return Q.empty_query()  # only stop words or punctuation: nothing to find
        if not must:
            must.append(Q.all_query())
        return Q.boolean_query(
            [(Occur.Must, m) for m in must] + [(Occur.MustNot, m) for m in reading.must_not]
        )

    def _word(self, word: str, searcher: tantivy.Searcher, budget: Budget) -> tantivy.Query | None:
        """A word: each of its tokens in one field, any field (as Whoosh's parser).

        `ab*`, `ab*cd`, `ab?d`: the terms that fit it, in each field (as Whoosh's wildcards;
        counted against the budget).
        """
        if "*" in word or "?" in word:
            wildcard = self._wildcard(word, searcher, budget)
            if wildcard is not None:
                return wildcard
        tokens = self.analyzer.analyze(word)
        if not tokens:
            return None
        return any_of(
            [
                boosted(field, all_of([Q.term_query(self.schema, field, t) for t in tokens]))
                for field in SEARCH_FIELDS
            ]
        )

    def _wildcard(
        self, word: str, searcher: tantivy.Searcher, budget: Budget
    ) -> tantivy.Query | None:
        """The terms of each field that fit a word with `*` or `?` (None: not one word)."""
        pieces = re.split(r"([*?]+)", word)  # literal, wildcards, literal, …
        prefix = self.folder.analyze(pieces[0])
        if len(prefix) != 1:
            return None  # `(ab*` and the like: read as words
        pattern = re.escape(prefix[0])
        for number, piece in enumerate(pieces[1:]):
            if number % 2:
                pattern += re.escape("".join(self.folder.analyze(piece)))
            else:
                pattern += ".*" if "*" in piece else "." * len(piece)
        just_prefix = pattern == re.escape(prefix[0]) + ".*"
        fits = re.compile(pattern)
        alternatives = []
        for field in SEARCH_FIELDS:
            budget.check_time()
            scan = budget.terms + 1 if just_prefix else WILDCARD_SCAN
            terms = searcher.terms_with_prefix(field, prefix[0], limit=scan)
            if len(terms) >= WILDCARD_SCAN:
                budget.expand(budget.terms + 1)  # more candidates than we read: too broad
            found = [term for term, _ in terms if fits.fullmatch(term)]
            budget.expand(len(found))
            alternatives += [boosted(field, Q.term_query(self.schema, field, t)) for t in found]
        return any_of(alternatives) if alternatives else Q.empty_query()

    def _phrase(self, text: str) -> tantivy.Query | None:
        """A quoted phrase: its words in order, stop words keeping their places, in one field."""
        tokens = self.analyzer.pre_tokenize(text).tokens
        if not tokens:
            return None
        first = tokens[0].position
        words: list[tuple[int, str]] = [(t.position - first, t.text) for t in tokens]
        per_field = []
        for field in SEARCH_FIELDS:
            if len(words) == 1:
                query = Q.term_query(self.schema, field, words[0][1])
            else:
                query = Q.phrase_query(self.schema, field, list(words))
            per_field.append(boosted(field, query))
        return any_of(per_field)


def boosted(field: str, query: tantivy.Query) -> tantivy.Query:
    """The query boosted as its field is (Whoosh's field boosts)."""
    boost = BOOSTS.get(field)
    return Q.boost_query(query, boost) if boost else query


def all_of(queries: list[tantivy.Query]) -> tantivy.Query:
    """Every one of the queries must match."""
    if len(queries) == 1:
        return queries[0]
    return Q.boolean_query([(Occur.Must, query) for query in queries])


def any_of(queries: list[tantivy.Query]) -> tantivy.Query:
    """One of the queries must match."""
    if len(queries) == 1:
        return queries[0]
    return Q.boolean_query([(Occur.Should, query) for query in queries])


def narrowed(query: tantivy.Query, filters: list[tantivy.Query]) -> tantivy.Query:
    """The query, narrowed by zero-score filters."""
    return Q.boolean_query(
        [(Occur.Must, query)] + [(Occur.Must, Q.const_score_query(f, 0.0)) for f in filters]
    )
