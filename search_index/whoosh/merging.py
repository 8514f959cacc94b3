"""When the Whoosh index merges its segments: small ones only, in tiers, never the whole index.

Whoosh merges slowly here: some 140 documents a second (a merge re-reads every posting and
looks up each document's field lengths; 166 s for 23,705 documents at 10,000 items). Its
default policy (`MERGE_SMALL`) merges every segment up to a point found with a Fibonacci
heuristic; once an index has some twenty segments that point lies past nearly all of them,
and one commit, a curator's single edit among them, rewrites the whole index (76 s for one
`Archive.register` in a benchmark run).

This policy groups the segments by order of magnitude of their document count and merges a
tier when it holds `TIER_WIDTH` segments, and only segments below a size: `SMALL` documents
for a curator's commit (at most some 800 documents, a few seconds, once per ~64 commits), `BULK`
for the big pages of a rebuild or catch-up. Larger segments, such as the ~3,000-document ones
a rebuild writes, are never merged online: the index keeps about one segment per 3,000
documents, and `wijkarchief rebuild` starts it afresh. tantivy (the other backend) merges in
background threads and has no such limit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from whoosh.reading import SegmentReader

TIER_WIDTH = 8
SMALL = 100  # a commit of a few items merges segments of fewer documents than this
BULK = 1_000  # a page of a rebuild or catch-up: fewer than this


def tier(documents: int) -> int:
    """The order of magnitude of a segment's document count (deleted ones included)."""
    return int(math.log10(documents)) if documents > 0 else 0


def merge_tiers(below: int) -> Callable[[Any, list[Any]], list[Any]]:
    """A Whoosh merge policy: merge the lowest full tier of segments under `below` documents.

    The policy is called by `SegmentWriter.commit(mergetype=...)` with the segments there
    were before this commit; it gives the writer the ones to merge (with every smaller
    segment) and returns the ones kept as they are.
    """

    def policy(writer: Any, segments: list[Any]) -> list[Any]:
        tiers: dict[int, list[Any]] = defaultdict(list)
        for segment in segments:
            if segment.doc_count_all() < below:
                tiers[tier(segment.doc_count_all())].append(segment)
        full = [t for t, members in tiers.items() if len(members) >= TIER_WIDTH]
        if not full:
            return segments
        top = min(full)
        merged = [segment for t, members in tiers.items() if t <= top for segment in members]
        for segment in merged:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()
        return [segment for segment in segments if segment not in merged]

    return policy
