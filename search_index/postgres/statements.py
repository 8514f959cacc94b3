"""The SQL of one search in the PostgreSQL view: the reader's filters, and the answer statement.

One statement answers a search (`answer`): the matches are read once into `m` (the columns the
facets count, the order's keys and the rank, never the document), the total and the facets are
counted over `m`, the page is ordered and cut from `m` (`p`: ids only), and only then are the
page's documents (`source`) and its items' matching happenings read, by primary key and `ref`.
A search without words whose facets are kept (`search_index.core.kept`) reads no `m`: its page
comes straight from the `(doctype, sortkey)` index, the first `limit + offset` entries in date
order, filtered on the way. The rows come back as (field, value, n, source, score):
`total`/`kind`/a facet field with a value and its count, `hit` with its place on the page
(`n`), its document and score, `moment` with a happening's document.

`ts_rank` is computed for every match only when the order needs it (relevance with words): a
search sorted by date reads no `tsvector` beyond what `@@` needs. Ties are broken by `ref`, the
same order on every plan.
"""

from __future__ import annotations

from typing import Any

from search_index.core.request import SearchRequest
from search_index.postgres.query import Parsed

MOMENTS_PER_PAGE = 2_000  # happenings read for the moments of one page of hits
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A (PostgreSQL's defaults)


def where(request: SearchRequest, parsed: Parsed) -> tuple[str, dict[str, Any]]:
    """The reader's consent scopes and day, the chosen facet values and the words."""
    clauses = ["doctype = 'item'", "consent = ANY(%(consents)s)"]
    params: dict[str, Any] = {"consents": list(request.consents)}
    if request.today is not None:
        clauses.append("embargo <= %(today)s")
        params["today"] = int(request.today.replace("-", ""))
    if request.kind:
        clauses.append("kind = %(kind)s")
        params["kind"] = request.kind
    for column, value in (
        ("assessed", request.assessed),
        ("assessment", None if request.assessed else request.assessment),
        ("quality", request.quality),
        ("year", None if request.year is None else str(request.year)),
    ):
        if value:
            clauses.append(f"{column} @> ARRAY[%({column})s]::text[]")
            params[column] = value
    if parsed.tsquery is not None:
        clauses.append("tsv @@ %(q)s::tsquery")
        params["q"] = parsed.tsquery
    return " AND ".join(clauses), params


def facet_fields(focus: str | None) -> list[str]:
    """The array columns counted per value (`assessed` when a quality is in focus)."""
    return ["quality", "assessment", "year", *(["assessed"] if focus else [])]


def answer(
    docs: str,
    request: SearchRequest,
    parsed: Parsed,
    matching: str,
    fields: list[str] | None,
) -> str:
    """The statement of one page: total and facets over every match (`fields`; None: kept
    already, not counted), the page's documents and its moments. `matching` is `where`'s."""
    words = parsed.tsquery is not None
    by_date = request.sort == "date"
    rank = f"ts_rank('{RANK_WEIGHTS}', tsv, %(q)s::tsquery)" if words and not by_date else "0"
    order = "sortkey" if by_date else "score DESC, ref"
    ctes: list[str] = []
    branches: list[str] = []
    if fields is not None:
        # The page's keys too when the page is cut from the matches (a search with words).
        keys = ["docid", "ref", "sortkey", f"{rank}::real AS score"] if words else []
        columns = ", ".join(["kind", *fields, *keys])
        ctes.append(f"m AS MATERIALIZED (SELECT {columns} FROM {docs} WHERE {matching})")
        branches.append(
            "SELECT 'total'::text AS field, ''::text AS value, count(*) AS n, "
            "NULL::text AS source, NULL::real AS score FROM m"
        )
        branches.append("SELECT 'kind', kind, count(*), NULL, NULL FROM m GROUP BY kind")
        # Per distinct array first (a few hundred), then per value: half the time of
        # unnesting every match's array.
        branches.extend(
            f"SELECT '{f}', v, sum(g.n)::bigint, NULL, NULL FROM (SELECT {f} AS a, count(*) AS n "
            f"FROM m GROUP BY {f}) AS g, unnest(g.a) AS v GROUP BY v"
            for f in fields
        )
    # The page from the matches when they are read anyway; a browse's straight from the
    # (doctype, sortkey) index.
    matches = "m"
    if fields is None or not words:
        matches = f"(SELECT docid, ref, sortkey, {rank}::real AS score FROM {docs} "
        matches += f"WHERE {matching}) AS w"
    ctes.append(
        f"p AS MATERIALIZED (SELECT docid, ref, sortkey, score FROM {matches} "
        f"ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s)"
    )
    in_page = "p.sortkey" if by_date else "p.score DESC, p.ref"
    branches.append(
        f"SELECT 'hit'::text AS field, NULL::text AS value, row_number() OVER (ORDER BY "
        f"{in_page}) AS n, d.source::text AS source, p.score FROM p JOIN {docs} AS d "
        "ON d.docid = p.docid"
    )
    if words or request.year is not None:
        clauses = ["h.doctype = 'happening'", "h.ref IN (SELECT ref FROM p)"]
        if words:
            clauses.append("h.tsv @@ %(q)s::tsquery")
        if request.year is not None:
            clauses.append("h.year @> ARRAY[%(year)s]::text[]")
        branches.append(
            "SELECT 'moment', NULL, NULL, s.source, NULL FROM (SELECT h.source::text AS source "
            f"FROM {docs} AS h WHERE {' AND '.join(clauses)} LIMIT %(moments)s) AS s"
        )
    return f"WITH {', '.join(ctes)} " + " UNION ALL ".join(branches)


def page_params(request: SearchRequest, params: dict[str, Any]) -> dict[str, Any]:
    """`where`'s parameters with the page's and the moments' bounds."""
    return {
        **params,
        "limit": max(request.limit, 0),
        "offset": max(request.offset, 0),
        "moments": MOMENTS_PER_PAGE,
    }
