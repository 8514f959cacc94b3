"""The Dutch analysis (`search_index.core.analysis`) as tantivy text analysers.

tantivy's Snowball `dutch` stemmer conflates more than Whoosh's: `vrijwilliger` and
`vrijwilligers` are both `vrijwil`.
"""

from __future__ import annotations

import tantivy

from search_index.core.analysis import DUTCH_STOP_WORDS

# Whoosh's `RegexTokenizer` default without its `*`: wildcards are expanded before analysis.
TOKEN_PATTERN = r"\w+(\.?\w+)*"
ANALYZER = "nl"  # the name the Dutch analyser is registered under
WORDS = "nl_words"  # the name of the folding analyser (the `spelling` field)


def dutch_analyzer() -> tantivy.TextAnalyzer:
    """Tokenise, lower-case, fold accents, drop stop words (positions kept), stem (Dutch)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(TOKEN_PATTERN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.custom_stopword(sorted(DUTCH_STOP_WORDS)))
        .filter(tantivy.Filter.stemmer("dutch"))
        .build()
    )


def folding_analyzer() -> tantivy.TextAnalyzer:
    """Tokenise, lower-case, fold accents: a prefix (`word*`) as the reader typed it."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(TOKEN_PATTERN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )
