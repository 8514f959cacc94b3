"""The tantivy search index: the same view and the same searches as the Whoosh index.

Chosen with `WIJKARCHIEF_SEARCH_BACKEND=tantivy` (see `search_index.open_search_index`); Whoosh
stays the embedded default. It indexes the same documents (`search_index.documents`) in its
own directory, next to the Whoosh one (`<data>/search-index-tantivy`), so switching backends
never mixes files; each rebuilds itself from the log when it is behind.

- Position: a document of its own (`docid=__position__`), deleted and added again in the
  same `commit()` as the page of changes it belongs to. A tantivy commit is the atomic
  replacement of `meta.json`, so after a `kill -9` the index is never ahead of or behind its
  position.
- Writers: one per page (tantivy allows one writer per index, held by a lock file the kernel
  releases when a process dies), one indexing thread, and the merges it starts are waited
  for before `process()` returns. The segments, the merges and so the term statistics are
  then the same on every rebuild of the same log, and no writer is left holding the lock
  for another process (`wijkarchief project` and the API workers take turns).
- Analysis: the Whoosh analyser's steps in tantivy: tokenise (the same pattern), lower-case,
  fold accents, drop Whoosh's Dutch stop words (positions kept: a phrase does not match
  across a removed word), Snowball's Dutch stemmer (tantivy's `dutch`, which conflates
  more than Whoosh's: `vrijwilliger` and `vrijwilligers` are `vrijwil`).
- Queries: the reader's text is never given to tantivy's query parser, so there is no
  `field:value` syntax and no syntax error (the limits of `search_index.budget` apply, as
  to Whoosh: length, wildcards after two letters, expanded terms, time): words (all must
  match, in any of the text fields; a word of several tokens, `Delfshaven-Helpt`, as all
  of them in one field, as Whoosh's parser), `"quoted phrases"`, `OR` between two words,
  `NOT word` / `-word`, and `ab*`, `ab*cd`, `ab?d` for wildcards after two letters or more
  (expanded to the index's terms, so snippets highlight them).
- Threads: a search takes the current searcher under a short lock and runs without it (a
  tantivy searcher may be shared); a page's commit takes the writer's lock alone.
- Filters are zero-score clauses.
- Facets: terms aggregations over every match (fast fields), in one call.
- Erasure (`purge`): every live document is written again from its stored source in one
  commit that drops every old segment; tantivy deletes the files no commit refers to, so
  the erased words are in no file on disk.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

import orjson
import tantivy
from whoosh.lang import stopwords_for_language

from archive.config import Settings
from archive.projection import Change, ItemStates
from search_index.budget import Budget, check_text
from search_index.documents import documents
from search_index.index import (
    FACETS,
    POSITION_DOC,
    SEARCH_FIELDS,
    SNIPPET_FIELDS,
    WRITE_LOCK_TIMEOUT,
    _quality_named,
    _shorten,
)
from search_index.kept import BrowseFacets, BrowsePages
from search_index.schema import SCHEMA_VERSION

# Bumped when this backend's schema or analysis changes (SCHEMA_VERSION: the documents').
TANTIVY_SCHEMA_VERSION = 1
DIRECTORY = "search-index-tantivy"
TOKEN_PATTERN = r"\w+(\.?\w+)*"  # Whoosh's RegexTokenizer default
ANALYZER = "nl"
BOOSTS = {"title": 2.0, "quality_text": 1.5}  # Whoosh's field boosts
RAW_FIELDS = ("docid", "doctype", "ref", "consent", "assessed")
FACET_FIELDS = FACETS  # raw, multi-valued, fast: filters and facet counts
MULTI_VALUED = ("quality", "assessment", "assessed", "year")
WRITER_HEAP = 64_000_000
MAX_TERM_CLASSES = 5  # Whoosh's HtmlFormatter: term0 … term4, then again
FACET_SIZE = 10_000
SNIPPET_CHARS = 240
WILDCARD_SCAN = 10_000  # terms read per field for `ab*cd` / `ab?d` (beyond: too broad)

Occur = tantivy.Occur
Q = tantivy.Query


def dutch_analyzer() -> tantivy.TextAnalyzer:
    """Tokenise, lower-case, fold accents, drop stop words (positions kept), stem (Dutch)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(TOKEN_PATTERN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.custom_stopword(sorted(stopwords_for_language("nl"))))
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


def build_schema() -> tantivy.Schema:
    """Raw fields for identity and filters, Dutch text fields, the document's source."""
    builder = tantivy.SchemaBuilder()
    for name in RAW_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw")
    for name in FACET_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    for name in SEARCH_FIELDS:
        builder.add_text_field(name, tokenizer_name=ANALYZER)
    builder.add_integer_field("embargo", indexed=True, fast=True)
    # The document as `documents()` made it (JSON): hits, snippets and `purge` read it back.
    builder.add_bytes_field("source", stored=True)
    return builder.build()


def _values(value: Any) -> list[str]:
    return [v for v in str(value or "").split(",") if v]


class TantivyIndex:
    """A tantivy index under `WIJKARCHIEF_DATA/search-index-tantivy`, kept as a view of the log."""

    name = "search"
    # Events per commit when the follower rebuilds or catches up from far behind: each
    # commit writes and syncs new segments (3k items: 23 commits were a third of a rebuild).
    bulk_page_size = 5000

    def __init__(self, settings: Settings) -> None:
        self.path: Path = settings.data_dir / DIRECTORY
        self.schema = build_schema()
        self.analyzer = dutch_analyzer()
        self.folder = folding_analyzer()
        self._lock = threading.RLock()  # the current searcher: taken or replaced, briefly
        self._write_lock = threading.RLock()  # the writer's: one page, purge or reset at a time
        self._searcher: tantivy.Searcher | None = None
        self._generation = 0  # counts the searchers made: the key of the browse caches
        self._stamp: tuple[int, int, int] | None = None
        self._browse = BrowseFacets()  # facet counts of searches without text
        self._pages = BrowsePages()  # whole answers of searches without text
        self.index = self._open()

    # -- storage -----------------------------------------------------------

    def _open(self) -> tantivy.Index:
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            index = self._load(reuse=True)
            meta = self._meta(index)
            if meta is None or (
                meta.get("schema_version") == SCHEMA_VERSION
                and meta.get("tantivy_schema_version") == TANTIVY_SCHEMA_VERSION
            ):
                return index
        except ValueError:  # another schema: start again, the follower rebuilds it
            pass
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True, exist_ok=True)
        return self._load(reuse=False)

    def _load(self, *, reuse: bool) -> tantivy.Index:
        index = tantivy.Index(self.schema, path=str(self.path), reuse=reuse)
        index.register_tokenizer(ANALYZER, self.analyzer)
        index.config_reader(reload_policy="Manual")
        self._searcher = None
        self._stamp = None
        return index

    def _meta(self, index: tantivy.Index) -> dict[str, Any] | None:
        index.reload()
        searcher = index.searcher()
        found = searcher.search(Q.term_query(self.schema, "docid", POSITION_DOC), 1).hits
        return _source(searcher.doc(found[0][1])) if found else None

    def _meta_stamp(self) -> tuple[int, int, int]:
        try:
            stat = (self.path / "meta.json").stat()
        except FileNotFoundError:
            return (0, 0, 0)
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _current(self) -> tantivy.Searcher:
        """A searcher that sees the last commit, this process's or another's."""
        return self._current_generation()[0]

    def _current_generation(self) -> tuple[tantivy.Searcher, int]:
        """The current searcher and its generation (a new one after every commit)."""
        with self._lock:
            stamp = self._meta_stamp()  # before the reload: a commit in between reloads again
            if self._searcher is None or stamp != self._stamp:
                self._searcher = None
                self.index.reload()
                self._searcher = self.index.searcher()
                self._generation += 1
                self._stamp = stamp
            return self._searcher, self._generation

    def _writer(self) -> tantivy.IndexWriter:
        """The index's writer, waiting for another process's for up to WRITE_LOCK_TIMEOUT."""
        deadline = time.monotonic() + WRITE_LOCK_TIMEOUT
        while True:
            try:
                return self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as error:
                if "LockBusy" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _commit(self, writer: tantivy.IndexWriter) -> None:
        """Commit, wait for the merges it starts, and let the next search see it."""
        writer.commit()
        writer.wait_merging_threads()  # also releases the writer and its lock
        with self._lock:
            self._searcher = None

    def close(self) -> None:
        """Release the searcher (the index holds no writer between pages)."""
        with self._lock:
            self._searcher = None
            self._stamp = None

    # -- the view ------------------------------------------------------------

    def position(self) -> int:
        """The position of the last event the index has processed."""
        with self._lock:
            searcher = self._current()
            found = searcher.search(Q.term_query(self.schema, "docid", POSITION_DOC), 1).hits
            return int(_source(searcher.doc(found[0][1]))["position"]) if found else 0

    def process(self, changes: Sequence[Change], states: ItemStates) -> None:
        """Re-index every item the page touched and record the page's position, atomically."""
        touched = states.touched(changes)
        with self._write_lock:
            writer = self._writer()
            try:
                for ref, item in touched.items():
                    writer.delete_documents_by_term("ref", ref)
                    for doc in documents(item):
                        writer.add_document(self._document(doc))
                writer.delete_documents_by_term("docid", POSITION_DOC)
                writer.add_document(self._document(_position_doc(changes[-1].position)))
            except BaseException:
                writer.rollback()
                writer.wait_merging_threads()
                raise
            self._commit(writer)

    def reset(self) -> None:
        """Drop the whole index (position included)."""
        with self._write_lock, self._lock:
            self.close()
            shutil.rmtree(self.path, ignore_errors=True)
            self.index = self._open()

    def purge(self) -> None:
        """Write every live document again in one commit that drops every old segment.

        The old segments still hold the documents deleted since they were written (an
        erased item's text among them); once no commit refers to them tantivy deletes
        their files.
        """
        with self._write_lock, self._lock:
            searcher = self._current()
            everything = searcher.search(Q.all_query(), max(searcher.num_docs, 1)).hits
            sources = [_source(searcher.doc(address)) for _, address in everything]
            self._searcher = None
            del searcher, everything
            writer = self._writer()
            try:
                writer.delete_all_documents()
                for source in sources:
                    writer.add_document(self._document(source))
            except BaseException:
                writer.rollback()
                writer.wait_merging_threads()
                raise
            writer.commit()
            self.index.reload()  # no searcher of this process holds the old segments now
            writer.garbage_collect_files()
            writer.wait_merging_threads()

    def _document(self, doc: dict[str, Any]) -> tantivy.Document:
        fields: dict[str, Any] = {"source": orjson.dumps(doc)}
        for name in ("docid", "doctype", "ref", "kind", "consent"):
            if doc.get(name):
                fields[name] = str(doc[name])
        for name in MULTI_VALUED:
            values = _values(doc.get(name))
            if values:
                fields[name] = values
        for name in SEARCH_FIELDS:
            if doc.get(name):
                fields[name] = doc[name]
        if "embargo" in doc:
            fields["embargo"] = int(doc["embargo"])
        return tantivy.Document(**fields)

    # -- searching ---------------------------------------------------------------

    def search(
        self,
        q: str,
        *,
        kind: str | None = None,
        quality: str | None = None,
        assessment: str | None = None,
        year: int | None = None,
        limit: int = 20,
        offset: int = 0,
        consents: Sequence[str] = ("public",),
        today: str | None = None,
    ) -> dict[str, Any]:
        """Ranked hits with highlighted snippets, and facet counts over every match.

        `consents`: the consent scopes the reader may see. `today` (ISO day): hide items
        under an embargo that has not passed; None shows them (curators).
        """
        filters = [
            Q.boolean_query(
                [(Occur.Should, Q.term_query(self.schema, "consent", c)) for c in consents]
            )
        ]
        if today is not None:
            until = int(today.replace("-", ""))
            filters.append(
                Q.range_query(self.schema, "embargo", tantivy.FieldType.Integer, 0, until)
            )
        if kind:
            filters.append(Q.term_query(self.schema, "kind", kind))
        if quality and assessment:
            filters.append(Q.term_query(self.schema, "assessed", f"{quality}:{assessment}"))
        elif quality:
            filters.append(Q.term_query(self.schema, "quality", quality))
        elif assessment:
            filters.append(Q.term_query(self.schema, "assessment", assessment))
        if year is not None:
            filters.append(Q.term_query(self.schema, "year", str(year)))
        # The consent filter is always there, and the position document has no consent.
        words = check_text(q or "")
        browsing = not words
        browsed = (tuple(consents), today, kind, quality, assessment, year)
        page_key = (*browsed, limit, offset)
        budget = Budget()
        # The searcher is taken under the lock; the query runs without it (a commit meanwhile
        # gives the next search a new searcher, this one keeps its segments).
        searcher, generation = self._current_generation()
        if browsing:
            kept = self._pages.get(generation, page_key)
            if kept is not None:
                return kept
        text = self._parse(words, searcher, budget)
        if not browsing:  # (browsing runs no query of the reader's: not timed)
            budget.check_time()
        wanted = Q.boolean_query(
            [(Occur.Must, text)] + [(Occur.Must, Q.const_score_query(f, 0.0)) for f in filters]
        )
        # tantivy sets aside room for `limit + offset` hits first: past the end of the
        # index (an offset of 2**40, say) that is an allocation that aborts the process.
        offset = max(offset, 0)
        window = min(limit, searcher.num_docs - offset)
        if window > 0:
            found = searcher.search(wanted, window, count=True, offset=offset)
            page = found.hits
        else:
            found, page = searcher.search(wanted, 1, count=True), []
        if not browsing:
            budget.check_time()
        docs = [(score, _source(searcher.doc(address))) for score, address in page]
        hits = self._hits(searcher, text, docs, _quality_named(q))
        total: int = found.count  # type: ignore[attr-defined]  # (missing from the stubs)
        if not total:
            facets = _no_facets()
        elif not browsing:
            facets = self._facets(searcher, wanted)
        else:  # browsing, no text: the counts depend on the filters alone (kept)
            facets = self._browse.get(generation, browsed, lambda: self._facets(searcher, wanted))
        answer = {"total": total, "hits": hits, "facets": facets}
        if browsing:
            self._pages.keep(generation, page_key, answer)
        return answer

    def _parse(self, text: str, searcher: tantivy.Searcher, budget: Budget) -> tantivy.Query:
        """The reader's text as a query: never a field name; QueryRefused over the budget."""
        if not text:
            return Q.all_query()
        must: list[tantivy.Query] = []
        must_not: list[tantivy.Query] = []
        either: list[tantivy.Query] = []  # the alternatives of an `a OR b OR c` run
        negate = pending_or = False
        for phrase, word in re.findall(r'"([^"]*)"?|(\S+)', text):
            if not phrase and word in ("AND", "OR", "NOT"):
                if word == "OR":
                    pending_or = bool(either or must)
                    if pending_or and not either:
                        either.append(must.pop())
                elif word == "NOT":
                    negate = True
                continue
            if not phrase and word.startswith("-") and len(word) > 1:
                negate, word = True, word[1:]
            query = self._phrase(phrase) if phrase else self._word(word, searcher, budget)
            if query is None:
                negate = pending_or = False
                continue
            if negate:
                must_not.append(query)
            elif pending_or:
                either.append(query)
            else:
                if either:
                    must.append(_any(either))
                    either = []
                must.append(query)
            negate = pending_or = False
        if either:
            must.append(_any(either))
        if not must and not must_not:
            return Q.empty_query()  # only stop words or punctuation: nothing to find
        if not must:
            must.append(Q.all_query())
        return Q.boolean_query(
            [(Occur.Must, m) for m in must] + [(Occur.MustNot, m) for m in must_not]
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
        return _any(
            [
                _boosted(field, _all([Q.term_query(self.schema, field, t) for t in tokens]))
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
            alternatives += [_boosted(field, Q.term_query(self.schema, field, t)) for t in found]
        return _any(alternatives) if alternatives else Q.empty_query()

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
            per_field.append(_boosted(field, query))
        return _any(per_field)

    def _hits(
        self,
        searcher: tantivy.Searcher,
        text: tantivy.Query,
        docs: list[tuple[float, dict[str, Any]]],
        quality: str | None,
    ) -> list[dict[str, Any]]:
        generators: dict[str, tantivy.SnippetGenerator] = {}
        seen: dict[str, int] = {}  # matched words → their class, shared by the page's hits
        hits = []
        for score, doc in docs:
            snippet = ""
            for field in SNIPPET_FIELDS:
                if doc.get(field):
                    if field not in generators:
                        generator = tantivy.SnippetGenerator.create(
                            searcher, text, self.schema, field
                        )
                        generator.set_max_num_chars(SNIPPET_CHARS)
                        generators[field] = generator
                    made = generators[field].snippet_from_doc(
                        tantivy.Document(**{field: doc[field]})
                    )
                    snippet = _html(made, seen)
                    if snippet:
                        break
            evidence = (doc.get("evidence_by_quality") or {}).get(quality or "")
            if not snippet and evidence:
                # The query named a quality: the evidence for it is the passage to cite.
                snippet = escape(_shorten(evidence))
            if not snippet:
                snippet = escape(_shorten(doc.get("body") or ""))
            hits.append(
                {
                    "kind": doc["kind"],
                    "id": doc["key"],
                    "ref": doc["ref"],
                    "happening": doc.get("happening"),
                    "title": doc["title"],
                    "date": doc.get("date"),
                    "snippet": snippet,
                    "score": round(float(score or 0.0), 4),
                }
            )
        return hits

    def _facets(self, searcher: tantivy.Searcher, wanted: tantivy.Query) -> dict[str, Any]:
        spec = {field: {"terms": {"field": field, "size": FACET_SIZE}} for field in FACETS}
        found = searcher.aggregate(wanted, spec)
        facets: dict[str, dict[str, int]] = {}
        for field in FACETS:
            buckets = found.get(field, {}).get("buckets", [])
            pairs = ((str(b["key"]), int(b["doc_count"])) for b in buckets)
            ordered = sorted(((v, c) for v, c in pairs if c), key=lambda p: (-p[1], p[0]))
            facets[field] = dict(ordered)
        return facets


def _no_facets() -> dict[str, dict[str, int]]:
    return {field: {} for field in FACETS}


def _source(doc: tantivy.Document) -> dict[str, Any]:
    raw = doc.get_first("source")
    loaded: dict[str, Any] = orjson.loads(raw) if raw else {}
    return loaded


def _position_doc(position: int) -> dict[str, Any]:
    return {
        "docid": POSITION_DOC,
        "doctype": "meta",
        "position": position,
        "schema_version": SCHEMA_VERSION,
        "tantivy_schema_version": TANTIVY_SCHEMA_VERSION,
    }


def _boosted(field: str, query: tantivy.Query) -> tantivy.Query:
    boost = BOOSTS.get(field)
    return Q.boost_query(query, boost) if boost else query


def _all(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return Q.boolean_query([(Occur.Must, query) for query in queries])


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return Q.boolean_query([(Occur.Should, query) for query in queries])


def _html(snippet: tantivy.Snippet, seen: dict[str, int]) -> str:
    """The fragment, HTML-escaped, its matches in `<mark class="match termN">` (as Whoosh)."""
    ranges = sorted((r.start, r.end) for r in snippet.highlighted())
    if not ranges:
        return ""
    data = snippet.fragment().encode()  # tantivy's ranges count bytes
    parts: list[str] = []
    last = 0
    for start, end in ranges:
        if start < last:
            continue
        word = escape(data[start:end].decode(), quote=False)
        number = seen.setdefault(word, len(seen) % MAX_TERM_CLASSES)
        parts.append(escape(data[last:start].decode(), quote=False))
        parts.append(f'<mark class="match term{number}">{word}</mark>')
        last = end
    parts.append(escape(data[last:].decode(), quote=False))
    return "".join(parts)


def stored_position(path: Path) -> int:
    """The position recorded in the tantivy index at `path` (0: none), read-only."""
    if not tantivy.Index.exists(str(path)):
        return 0
    index = tantivy.Index.open(str(path))
    searcher = index.searcher()
    found = searcher.search(Q.term_query(index.schema, "docid", POSITION_DOC), 1).hits
    return int(_source(searcher.doc(found[0][1]))["position"]) if found else 0


def stored_documents(path: Path) -> list[dict[str, Any]]:
    """Every live document of the tantivy index at `path`, as `documents()` made it."""
    index = tantivy.Index.open(str(path))
    searcher = index.searcher()
    found = searcher.search(Q.all_query(), max(searcher.num_docs, 1)).hits
    return [_source(searcher.doc(address)) for _, address in found]


__all__ = ["TantivyIndex", "build_schema", "dutch_analyzer", "stored_documents", "stored_position"]
