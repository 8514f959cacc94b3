"""The Dutch analysis every backend builds in its own engine, and the word list it shares.

Tokenise, lower-case, fold accents (`coöperatie` = `cooperatie`), drop `DUTCH_STOP_WORDS`
*without renumbering positions* (a phrase does not match across a removed word), stem with
Snowball's Dutch stemmer (`vrijwilliger` = `vrijwilligers`), as PostgreSQL's `dutch`
configuration does. Whoosh: `search_index.whoosh.schema`; tantivy:
`search_index.tantivy.analysis`.
"""

from __future__ import annotations

from whoosh.lang import stopwords_for_language

# Whoosh's Dutch stop words (the word list only: tantivy filters with the same ones).
DUTCH_STOP_WORDS: frozenset[str] = frozenset(stopwords_for_language("nl"))
