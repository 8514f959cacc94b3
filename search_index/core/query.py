"""The query language readers type, read the same way for any engine that has no parser of
its own fit for readers (tantivy's would accept `field:value`).

Words (all must match), `"quoted phrases"`, `OR` between words, `NOT word` / `-word`; `AND`
is the default and is skipped. A word or phrase that stands for nothing (only stop words or
punctuation) is dropped, and with it a `NOT` or `OR` before it. Wildcards (`ab*`, `ab?d`)
stay in the word: the engine expands them (`search_index.core.budget` limits how far).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
_PIECES = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass
class Reading(Generic[T]):
    """A query read: every group must match (one of its alternatives), none of `must_not`."""

    must: list[list[T]] = field(default_factory=list)
    must_not: list[T] = field(default_factory=list)


def read(
    text: str, word: Callable[[str], T | None], phrase: Callable[[str], T | None]
) -> Reading[T]:
    """The text as groups of the engine's queries, which `word` and `phrase` make (None: the
    piece stands for nothing)."""
    reading: Reading[T] = Reading()
    must = reading.must
    either: list[T] = []  # the alternatives of an `a OR b OR c` run
    negate = pending_or = False
    for quoted, plain in _PIECES.findall(text):
        if not quoted and plain in ("AND", "OR", "NOT"):
            if plain == "OR":
                pending_or = bool(either or must)
                if pending_or and not either:
                    either.extend(must.pop())
            elif plain == "NOT":
                negate = True
            continue
        if not quoted and plain.startswith("-") and len(plain) > 1:
            negate, plain = True, plain[1:]
        query = phrase(quoted) if quoted else word(plain)
        if query is None:
            negate = pending_or = False
            continue
        if negate:
            reading.must_not.append(query)
        elif pending_or:
            either.append(query)
        else:
            if either:
                must.append(either)
                either = []
            must.append([query])
        negate = pending_or = False
    if either:
        must.append(either)
    return reading
