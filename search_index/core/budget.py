"""What one search may cost, the same for both backends and every route (API, page, CLI).

A query is refused with a Dutch reason (InvalidInput, field `q`: a 422 problem, an error page,
one line from the command line) when it is longer than MAX_QUERY_CHARS, when a wildcard
(`*`, `?`) comes before two letters (`*e*`, `?`, `b?urt`: each is a walk over every term of
the index), when its wildcards and ranges stand for more than MAX_EXPANDED_TERMS terms, or
when it runs past QUERY_SECONDS (checked between the steps of a search).
"""

from __future__ import annotations

import re
import time

from events.errors import InvalidInput

MAX_QUERY_CHARS = 1000
MIN_WILDCARD_PREFIX = 2  # letters before the first `*` or `?` of a word
MAX_EXPANDED_TERMS = 1000  # terms all the query's wildcards and ranges stand for, together
QUERY_SECONDS = 3.0

_QUOTED = re.compile(r'"[^"]*"?')
_BEFORE_WILDCARD = re.compile(r"[^*?]*")
_LETTERS_AT_END = re.compile(r"\w*$")


class QueryRefused(InvalidInput):
    """A search the archive will not run: unreadable, too long, too broad or too slow."""

    title = "Zoekvraag niet uitgevoerd"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="q")


def unreadable() -> QueryRefused:
    """The reason for a query the parser cannot read."""
    return QueryRefused(
        'De zoekvraag kan niet worden gelezen. Gebruik woorden, "een zin tussen '
        'aanhalingstekens", AND, OR, NOT, haakjes en woord* (bv. vrijwilliger* NOT subsidie).'
    )


def check_text(q: str) -> str:
    """The query's text, stripped; QueryRefused when it is too long or has a leading wildcard."""
    if len(q) > MAX_QUERY_CHARS:
        raise QueryRefused(
            f"De zoekvraag is {len(q)} tekens lang; hoogstens {MAX_QUERY_CHARS} tekens."
        )
    text = q.strip()
    for word in _QUOTED.sub(" ", text).split():
        if "*" not in word and "?" not in word:
            continue
        before = _BEFORE_WILDCARD.match(word)
        letters = _LETTERS_AT_END.search(before.group() if before else "")
        if letters is None or len(letters.group()) < MIN_WILDCARD_PREFIX:
            raise QueryRefused(
                f"Een * of ? moet na minstens twee letters komen (bv. vrijwillig*), "
                f"niet zoals in {word[:40]!r}: dan zou elk woord van het archief meedoen."
            )
    return text


class Budget:
    """The terms and the time left to one search."""

    def __init__(self) -> None:
        self.terms = MAX_EXPANDED_TERMS
        self.deadline = time.monotonic() + QUERY_SECONDS

    def expand(self, count: int) -> None:
        """Spend `count` expanded terms; QueryRefused once the query has used too many."""
        self.terms -= count
        if self.terms < 0:
            raise QueryRefused(
                f"De zoekvraag staat voor te veel woorden (meer dan {MAX_EXPANDED_TERMS}): "
                "maak de woorden met * of ? langer."
            )

    def check_time(self) -> None:
        """QueryRefused when the search has run past its time."""
        if time.monotonic() >= self.deadline:
            raise QueryRefused(
                f"De zoekvraag duurt te lang (meer dan {QUERY_SECONDS:g} seconden): "
                "gebruik minder of langere woorden met * of ?."
            )
