"""How assessments were coded, as the pages show it: grouped per quality and element, with
each coder's grade, basis and note, and whether the coders disagree."""

from __future__ import annotations

from typing import Any

from archive.timelines import BASIS_LABELS
from events import qualities

BASIS_SYMBOLS = {"explicit": "❝", "reading": "✎"}


def basis_nl(value: str | None) -> str:
    """`explicit` → `oordeel van de bron`, `reading` → `lezing van de codeur`; else empty."""
    return BASIS_LABELS.get(value or "", "")


def basis_symbol(value: str | None) -> str:
    """A symbol for the basis, shown beside its words (never alone)."""
    return BASIS_SYMBOLS.get(value or "", "")


def _order(assessment: dict[str, Any]) -> tuple[int, str, str]:
    try:
        rank = [q.id for q in qualities.QUALITIES].index(assessment["quality"])
    except ValueError:
        rank = len(qualities.QUALITIES)
    return (rank, assessment["quality"], assessment.get("element") or "")


def groups(assessments: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The assessments of an item, one group per quality and element (vocabulary order, the
    first coder first), each with its coders and whether they disagree."""
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for assessment in sorted(assessments or [], key=_order):
        key = (assessment["quality"], assessment.get("element") or "")
        found.setdefault(key, []).append(assessment)
    result = []
    for (quality, element), members in found.items():
        grades = [a["assessment"] for a in members]
        result.append(
            {
                "quality": quality,
                "element": element or None,
                "assessments": members,
                "state": grades[0] if len(set(grades)) == 1 else "mixed",
                "disagreement": disagreement(members),
            }
        )
    return result


def by_happening(assessments: list[dict[str, Any]] | None) -> dict[str, list[dict[str, Any]]]:
    """The assessments linked to each happening (by its id), in vocabulary order."""
    linked: dict[str, list[dict[str, Any]]] = {}
    for assessment in sorted(assessments or [], key=_order):
        for happening in assessment.get("happenings") or []:
            linked.setdefault(happening, []).append(assessment)
    return linked


def disagreement(members: list[dict[str, Any]]) -> list[str]:
    """The coders who grade one quality and element differently (empty when they agree, or
    when one coder alone made the assessments)."""
    coders: dict[str, set[str]] = {}
    for assessment in members:
        coders.setdefault(assessment.get("coder") or "onbekend", set()).add(
            assessment["assessment"]
        )
    grades = {grade for found in coders.values() for grade in found}
    if len(coders) < 2 or len(grades) < 2:
        return []
    return list(coders)


def coders_nl(names: list[str]) -> str:
    """`anna en bram`, `anna, bram en carla`."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " en " + names[-1]
