"""One timeline entry per event in the seed's timelines.

Builds the timeline of every year the seed touches (the seeded archive, as a curator sees it)
and fails on two entries that cite two or more shared lines of a source or whose titles are
nearly the same (difflib ratio ≥ 0.8): one event told twice, often with two dates or
precisions. An item's own entry covers its whole case, so it is compared with other items'
entries only.
Pairs that are really two events stand in `DISTINCT`, each with the reason.
"""

from __future__ import annotations

import difflib
import re
from itertools import combinations
from typing import Any

from archive.service import Archive
from stories.citations import CITATION
from stories.loader import CONTENT_DIR, content_files

SIMILAR = 0.8
# The year review cites the whole list of highlights it names; an entry of an event on that
# list may lie inside it (the naming is a sentence of the review, not an entry of its own).
REVIEWS = {"Kernteam blikt terug op 2020 en noemt de hoogtepunten van het jaar"}
# (title, title) → why these are two events although their citations overlap or their titles
# look alike.
THESES = "Scripties over Veerkrachtig BoTu (bijlage III van de monitor)"
OTHERS = "Oppassen, ommetjes en activiteiten voor kinderen"
PROTEST = "Protestbeweging in BoTu"
DISTINCT: dict[frozenset[str], str] = {
    frozenset((THESES, "Scriptie over BoTu12: 'De Zelfonthulling van de handelende wijk'")): (
        "the appendix of theses as a whole, and one thesis of it kept with the case it studies"
    ),
    frozenset(
        (
            THESES,
            "Scriptie 'Resilient Governance During Crises: COVID-19 in community BoTu Rotterdam'",
        )
    ): "the appendix of theses as a whole, and one thesis of it kept with the case it studies",
    frozenset((OTHERS, "2.200 gezinnen verrast met planten")): (
        "one passage lists the neighbourhood's initiatives; the plants are one of them"
    ),
    frozenset((OTHERS, "100-jarige oma viert verjaardag via een hoogwerker")): (
        "one passage lists the neighbourhood's initiatives; the birthday is one of them"
    ),
    frozenset((PROTEST, "Wethouder besluit de subsidie voor Duimdrop te stoppen")): (
        "the decision and the protest that answered it, told in interleaved sentences"
    ),
    frozenset((PROTEST, "Petitie met 1.425 handtekeningen overhandigd")): (
        "the protest started a petition; handing it over is a later event of its own"
    ),
}


def _span(citation: str) -> tuple[str, int, int] | None:
    m = CITATION.match(citation or "")
    if not m:
        return None
    return m["file"], int(m["first"]), int(m["last"] or m["first"])


def _overlap(a: str, b: str) -> bool:
    """Two citations share at least two lines (on one shared line a passage ends and the
    next begins, as the source's line breaks fall)."""
    x, y = _span(a), _span(b)
    return bool(x and y and x[0] == y[0] and min(x[2], y[2]) - max(x[1], y[1]) >= 1)


def _years() -> range:
    found = [
        int(y)
        for c in content_files([CONTENT_DIR])
        for d in [c.fields.get("date")] + [h["date"] for h in c.fields.get("happenings") or []]
        for y in re.findall(r"\d{4}", str(d or ""))
    ]
    return range(min(found), max(found) + 1)


def _clashes(entries: list[dict[str, Any]]) -> list[str]:
    """Each pair of entries that looks like one event told twice, described."""
    out = []
    for a, b in combinations(entries, 2):
        if frozenset((a["title"], b["title"])) in DISTINCT:
            continue
        own = a["kind"] != "happening" and a["ref"] == b["ref"]
        own = own or (b["kind"] != "happening" and a["ref"] == b["ref"])
        review = a["title"] in REVIEWS or b["title"] in REVIEWS
        ratio = difflib.SequenceMatcher(None, a["title"].lower(), b["title"].lower()).ratio()
        overlap = not own and not review and _overlap(a["source"], b["source"])
        if overlap or ratio >= SIMILAR:
            out.append(
                f"{a['date']} {a['ref']} '{a['title']}' ({a['source']}) ~ "
                f"{b['date']} {b['ref']} '{b['title']}' ({b['source']}), ratio {ratio:.2f}"
            )
    return out


def test_no_event_stands_twice_in_a_timeline(seeded: Archive) -> None:
    clashes: set[str] = set()
    for year in _years():
        clashes.update(_clashes(seeded.timeline(year, role="curator")["entries"]))
    assert not clashes, "\n".join(sorted(clashes))


def test_the_check_finds_an_event_told_twice() -> None:
    def entry(title: str, source: str, ref: str) -> dict[str, Any]:
        return {"title": title, "source": source, "ref": ref, "kind": "happening", "date": "2020"}

    m = "monitor-veerkracht-botu-2021.txt"
    assert _clashes([entry("A", f"{m}:10-20", "a"), entry("B", f"{m}:19-22", "b")])
    assert _clashes([entry("Zomercampus", f"{m}:1", "x"), entry("Zomercampus.", f"{m}:9", "y")])
    assert not _clashes([entry("A", f"{m}:10-20", "x"), entry("Geheel anders", f"{m}:20", "y")])
