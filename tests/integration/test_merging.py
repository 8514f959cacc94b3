"""The search index's merge policy on a real Whoosh index: small segments merge, big ones stay."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from search_index.whoosh.merging import SMALL, TIER_WIDTH, merge_tiers

BIG_SEGMENTS = 12


def _segments(index: whoosh_index.Index) -> list[tuple[str, int]]:
    return [(segment.segment_id(), segment.doc_count_all()) for segment in index._segments()]


def test_single_item_commits_merge_small_segments_and_never_a_big_one(tmp_path: Path) -> None:
    # A Whoosh index with a dozen big segments, as a rebuild leaves it (Whoosh's own policy
    # would merge them all into one within a few more commits).
    index = whoosh_index.create_in(str(tmp_path), Schema(ref=ID(stored=True), body=TEXT))
    for page in range(BIG_SEGMENTS):
        writer = index.writer()
        for number in range(SMALL + 50):
            writer.add_document(ref=f"big-{page}-{number}", body="buurt bewoners vrijwilligers")
        writer.commit(mergetype=merge_tiers(SMALL))
    big = _segments(index)
    assert len(big) == BIG_SEGMENTS
    documents = BIG_SEGMENTS * (SMALL + 50)
    # Two hundred curator commits of one document each, under the small-commit policy.
    for number in range(200):
        writer = index.writer()
        writer.add_document(ref=f"cmd-{number}", body="speeltuin petitie wijkraad")
        writer.commit(mergetype=merge_tiers(SMALL))
        segments = _segments(index)
        # The big segments are never rewritten, and no small tier ever holds a full set.
        assert set(big) <= set(segments)
        assert len(segments) <= BIG_SEGMENTS + 2 * TIER_WIDTH
    # Every document is still found once.
    with index.searcher() as searcher:
        assert searcher.doc_count() == documents + 200
        assert len({doc["ref"] for doc in searcher.all_stored_fields()}) == documents + 200
    # The small segments were merged along the way (200 commits, far fewer segments).
    assert len(_segments(index)) < BIG_SEGMENTS + 20
