"""What the sources hold, per category, against what the seed archive holds.

Each category is a list of the source's own lines (anchors), each with a word that must stand
on that line (checked here, so a list that drifts from the source fails). An anchor is held
by the archive when a content file cites a passage containing that line (item, happening or
assessment) and names the anchor's word in that part's text; people and organisations are
held when their normal form is in some file's `people`. Counts go into docs/seed-audit.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stories.citations import CITATION, fold, lines
from stories.loader import CONTENT_DIR, content_files

M = "monitor-veerkracht-botu-2021.txt"
IV = "interview-gemeenschapsgericht-leiderschap-2022.md"
# category → [(file, line, word on that line, word the archive must name)]
CATEGORIES: dict[str, list[tuple[str, int, str, str]]] = {
    "teams": [
        (M, 3292, "oktober 2019", "Buurtmakers West"),
        (M, 3616, "september 2019", "Perspectiefff"),
        (M, 3828, "oktober 2019", "Krachtige Gezinnen"),
        (M, 4125, "2019 - heden", "Open Badges"),
        (M, 4338, "oktober 2019", "Team Toekomst"),
        (M, 4636, "2019 - 2020", "Grow BoTu"),
    ],
    "theses": [
        (M, 7344, "Bunskoek", "Bunskoek"),
        (M, 7364, "Post", "Post"),
        (M, 7388, "van der Weiden", "van der Weiden"),
        (M, 7416, "van Eijsden", "van Eijsden"),
        (M, 7439, "Langerak", "Langerak"),
        (M, 7463, "Remeeus", "Remeeus"),
        (M, 7488, "Edua-Mensah", "Edua-Mensah"),
        (M, 7512, "Claessens", "Claessens"),
        (M, 7537, "Val", "Val"),
        (M, 7563, "van Limpt", "van Limpt"),
    ],
    "2019 milestones": [
        (IV, 42, "2019", "speerpunten"),
        (M, 1090, "2019", "inventarisatie"),
        (M, 3292, "2019", "Buurtmakers West"),
        (M, 3616, "2019", "Perspectiefff"),
        (M, 3828, "2019", "Krachtige Gezinnen"),
        (M, 4125, "2019", "Open Badges"),
        (M, 4338, "2019", "Team Toekomst"),
        (M, 4636, "2019", "Grow BoTu"),
        (M, 6030, "2019", "zoektocht"),
        (M, 7441, "2019", "Langerak"),
    ],
    "corona-period items": [
        (M, 3044, "fase 3", "vertraging"),
        (M, 3118, "evaluatiesessies", "evaluatiesessies"),
        (M, 4362, "Delfshaven Helpt", "Delfshaven Helpt"),
        (M, 5926, "coronacrisis", "digitaal"),
        (M, 6164, "maart 2020", "coronamaatregelen"),
        (M, 6177, "550", "550"),
        (M, 6187, "vijfhonderd", "vijfhonderd"),
        (M, 6195, "negen", "negen"),
        (M, 6211, "159", "159"),
        (M, 6212, "900", "900"),
        (M, 6219, "2.200", "2.200"),
        (M, 6221, "100-jarige", "100-jarige"),
        (M, 6748, "vanuit huis", "vanuit huis"),
        (M, 6964, "Delfshaven Helpt", "Delfshaven Helpt"),
        (M, 6980, "Zomercampus", "Zomercampus"),
        (M, 7490, "December 2020", "Edua-Mensah"),
        (M, 1394, "Pier 80", "Pier 80"),
        (M, 2668, "2020", "gesloten"),
    ],
}
PEOPLE = [  # (line, as the source writes it, normal form)
    (6017, "Marleen", "Marleen ten Vergert"),
    (6008, "Joan Nunnely", "Joan Nunnely"),
    (6008, "Irsan Widarto", "Irsan Widarto"),
    (6008, "Saskia", "Saskia Hes"),
    (6383, "Sven de Lange", "Sven de Lange"),
    (6962, "Yamina", "Yamina"),
    (6962, "Nazija", "Nazija"),
    (6968, "Sinan Çankaya", "Sinan Çankaya"),
    (6982, "Marijke", "Marijke"),
    (6984, "Grauss", "wethouder Grauss"),
    (6990, "Cormac Rusell", "Cormac Russell"),
    (6950, "Wenda Doff", "Wenda Doff"),
    (7344, "Willemijn Bunskoek", "Willemijn Bunskoek"),
    (7364, "Hugo R. Post", "Hugo R. Post"),
    (7388, "Renske van der Weiden", "Renske van der Weiden"),
    (7416, "Glenn van Eijsden", "Glenn van Eijsden"),
    (7439, "Rick Langerak", "Rick Langerak"),
    (7463, "Roxanne Remeeus", "Roxanne Remeeus"),
    (7488, "Eusebio Edua-Mensah", "Eusebio Edua-Mensah"),
    (7512, "Sophie Claessens", "Sophie Claessens"),
    (7537, "Maureen Val", "Maureen Val"),
    (7563, "Pim van Limpt", "Pim van Limpt"),
]
ORGANISATIONS = [
    (5904, "Gemeente Rotterdam", "Gemeente Rotterdam"),
    (5905, "Havensteder", "Havensteder"),
    (5906, "Delfshaven Coöperatie", "Delfshaven Coöperatie"),
    (5907, "IABR", "IABR"),
    (5907, "Veldacademie", "Veldacademie"),
    (5950, "Rebelgroup", "Rebel Group"),
    (6004, "Stichting GoBoTu", "Stichting GoBoTu"),
    (5891, "Redactieteam BoTu", "Redactieteam BoTu"),
    (5993, "BoTu12", "BoTu12"),
    (6083, "Buurt Bestuurt", "Buurt Bestuurt"),
    (6084, "Jong Delfshaven", "Jong Delfshaven"),
    (6255, "WMO-radar", "WMO-radar"),
    (6268, "Unilever", "Unilever"),
    (6268, "Jumbo", "Jumbo"),
    (6375, "Koninklijke Hei", "Koninklijke Heidemaatschappij"),
    (6516, "BSW", "Buurt- en Speeltuinwerk Rotterdam (BSW)"),
    (5740, "TU Delft", "TU Delft"),
    (5741, "EUR", "Erasmus Universiteit"),
]
FIGURES = [  # neighbourhood figures in the prose of the context chapter and chapter 2
    (287, "14.500"),
    (288, "7.200"),
    (411, "80"),
    (412, "70"),
    (416, "21%"),
    (420, "16%"),
    (429, "(5)"),
    (430, "(18)"),
    (473, "62%"),
    (476, "21%"),
    (480, "12%"),
    (533, "56%"),
    (538, "16%"),
    (613, "63%"),
    (1393, "1.000"),
    (2148, "13"),
]


def _parts(files):  # type: ignore[no-untyped-def]
    """(citation, text) for every cited part of the content."""
    for c in files:
        f = c.fields
        yield f.get("source", ""), f"{f.get('title', '')} {f.get('summary', '')}"
        for h in f.get("happenings") or []:
            yield h["source"], f"{h['title']} {h.get('text', '')}"
        for a in f.get("assessments") or []:
            yield a["source"], a.get("evidence", "")


def _holds(files, file: str, line: int, word: str) -> bool:  # type: ignore[no-untyped-def]
    for citation, text in _parts(files):
        m = CITATION.match(citation or "")
        cited = m and m["file"] == file and int(m["first"]) <= line <= int(m["last"] or m["first"])
        if cited and fold(word).lower() in fold(text).lower():
            return True
    return False


def _people(files) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(p) for c in files for p in c.fields.get("people") or []}


def coverage(content_dir: Path = CONTENT_DIR) -> dict[str, tuple[int, int, list[str]]]:
    """Category → (held, total, what is missing), for the content under `content_dir`."""
    files = content_files([content_dir])
    out: dict[str, tuple[int, int, list[str]]] = {}
    for name, anchors in CATEGORIES.items():
        missing = [f"{f}:{n} {w}" for f, n, _, w in anchors if not _holds(files, f, n, w)]
        out[name] = (len(anchors) - len(missing), len(anchors), missing)
    people = _people(files)
    for name, rows in (("people", PEOPLE), ("organisations", ORGANISATIONS)):
        missing = [f"{M}:{n} {normal}" for n, _, normal in rows if normal not in people]
        out[name] = (len(rows) - len(missing), len(rows), missing)
    missing = [f"{M}:{n} {fig}" for n, fig in FIGURES if not _holds(files, M, n, fig)]
    out["figures"] = (len(FIGURES) - len(missing), len(FIGURES), missing)
    return out


def test_every_anchor_stands_in_the_source() -> None:
    rows = [(f, n, w) for a in CATEGORIES.values() for f, n, w, _ in a]
    rows += [(M, n, w) for n, w, _ in PEOPLE + ORGANISATIONS] + [(M, n, w) for n, w in FIGURES]
    for file, line, word in rows:
        assert fold(word) in fold(lines(f"{file}:{line}")[0]), (file, line, word)


FULL = ["teams", "theses", "2019 milestones", "corona-period items", "people", "organisations"]


@pytest.mark.parametrize("category", FULL)
def test_the_archive_holds_every_anchor_of(category: str) -> None:
    held, total, missing = coverage()[category]
    assert held == total, missing


def test_the_archive_holds_every_neighbourhood_figure() -> None:
    held, total, missing = coverage()["figures"]
    assert held == total, missing


def test_the_audit_document_reports_these_counts() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "seed-audit.md").read_text(encoding="utf-8")
    for name, (held, total, _) in coverage().items():
        assert re.search(rf"\| {re.escape(name)} \| \d+ / {total} \| {held} / {total} \|", doc), (
            name
        )


def test_every_assessment_says_how_it_was_made_and_stands_in_the_audit() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "seed-audit.md").read_text(encoding="utf-8")
    for c in content_files([CONTENT_DIR]):
        for a in c.fields.get("assessments") or []:
            assert a.get("how") in ("explicit", "reading"), (c.ref, a["quality"])
            assert a["how"] == "explicit" or a.get("note"), (c.ref, a["quality"], "no note")
            row = f"| {c.ref} | {a['quality']} | {a.get('element') or '—'} | {a['assessment']} |"
            assert row in doc, row
