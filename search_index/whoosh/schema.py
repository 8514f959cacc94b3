"""The Whoosh index's schema and the Dutch analysis (`search_index.core.analysis`) in Whoosh."""

from __future__ import annotations

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from search_index.core.analysis import DUTCH_STOP_WORDS


def dutch_analyzer() -> Analyzer:
    """Tokenise, lower-case, fold accents, drop stop words (positions kept), stem (Dutch)."""
    analyzer: Analyzer = (
        RegexTokenizer()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=DUTCH_STOP_WORDS, renumber=False)
        | StemFilter(lang="nl")
    )
    return analyzer


def spelling_analyzer() -> Analyzer:
    """Tokenise, lower-case, fold accents: the words as written, for "bedoelde u …?"."""
    analyzer: Analyzer = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
    return analyzer


def build_schema() -> Schema:
    """One document per item and per happening, plus one that keeps the tracked position."""
    dutch = dutch_analyzer()
    return Schema(
        docid=ID(unique=True, stored=True),
        doctype=ID(stored=True),  # item | happening | meta
        kind=ID(stored=True),  # episodes | stories | media
        key=ID(stored=True),  # the item's id within its kind
        ref=ID(stored=True),  # kind/key: every document of one item shares it
        happening=STORED(),
        title=TEXT(analyzer=dutch, stored=True, field_boost=2.0),
        body=TEXT(analyzer=dutch, stored=True),
        evidence=TEXT(analyzer=dutch, stored=True),
        evidence_by_quality=STORED(),  # quality id → its evidence, the snippet for a quality
        quality_text=TEXT(analyzer=dutch, field_boost=1.5),
        names=TEXT(analyzer=dutch, stored=True),  # people, storytellers, places, outlet
        moments=TEXT(analyzer=dutch),  # the item's happenings' words
        parts=TEXT(analyzer=dutch),  # the parts of the text's compounds
        spelling=TEXT(analyzer=spelling_analyzer()),  # the words as written
        assessments=STORED(),  # the item's assessments: how it was assessed on a quality
        quality=KEYWORD(stored=True, commas=True),
        assessment=KEYWORD(stored=True, commas=True),  # shown, partial, lacking
        assessed=KEYWORD(commas=True),  # quality:assessment pairs
        year=KEYWORD(stored=True, commas=True),
        consent=ID(stored=True),
        embargo=NUMERIC(stored=True),  # YYYYMMDD until which the item is hidden; 0: none
        date=STORED(),
        sortdate=STORED(),  # YYYYMMDD of the first day (moments are shown in date order)
        sortkey=ID(sortable=True),  # sortdate and ref: the order of `sort=date`
        position=NUMERIC(stored=True),  # on the meta document only
        schema_version=NUMERIC(stored=True),
    )
