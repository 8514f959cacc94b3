"""Turning write bodies into the archive's commands (shared by episodes, stories and media).

A create body becomes the fields of `Archive.register`; the convenience lists `episodes`,
`stories` and `media` become links. An update body becomes the changes of `Archive.revise`;
a full list of `qualities` (assessments) in an update is reconciled with the item's current
assessments: new ones are recorded, missing ones retracted (the history keeps them).
"""

from __future__ import annotations

from typing import Any

from api.deps import Reader
from api.models import AssessmentCreate, ItemCreate, ItemUpdate
from archive.service import Archive
from events.items import KINDS
from events.rules import assessment_record

LINK_LISTS = KINDS  # episodes, stories, media: convenience lists of linked ids


def _with_lists(links: list[str], lists: dict[str, list[str] | None]) -> list[str]:
    """`links` with the links of each kind given in `lists` replaced by those ids."""
    result = list(links)
    for kind, keys in lists.items():
        if keys is None:
            continue
        result = [link for link in result if not link.startswith(f"{kind}/")]
        result.extend(f"{kind}/{key}" for key in keys)
    return list(dict.fromkeys(result))


def register_fields(
    kind: str, body: ItemCreate, assessments: list[AssessmentCreate]
) -> dict[str, Any]:
    """The fields of `Archive.register` for a create body."""
    fields = body.model_dump(exclude={*LINK_LISTS, "qualities", "assessments"})
    fields["links"] = _with_lists(
        body.links, {k: getattr(body, k) for k in LINK_LISTS if getattr(body, k)}
    )
    fields["assessments"] = [a.model_dump() for a in assessments]
    return fields


def _changes(body: ItemUpdate, current: dict[str, Any] | None) -> dict[str, Any]:
    given = body.model_dump(exclude_unset=True, exclude={"reason", "qualities", "assessments"})
    changes = {k: v for k, v in given.items() if k not in (*LINK_LISTS, "links")}
    lists = {k: given.get(k) for k in LINK_LISTS}
    links: list[str] | None = given.get("links")
    if links is not None or any(v is not None for v in lists.values()):
        assert current is not None
        changes["links"] = _with_lists(current["links"] if links is None else links, lists)
    return changes


def _assessment_plan(
    current: list[dict[str, Any]], wanted: list[AssessmentCreate], coder: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """Which assessments to retract and which to record so that `wanted` is what remains
    (an assessment without a `coder` is the writer's own)."""
    # Checked up front: an unknown quality is refused before anything is written.
    records = [(a.model_dump(), assessment_record(a.model_dump(), "", coder=coder)) for a in wanted]
    existing = {a["id"]: {k: v for k, v in a.items() if k != "id"} for a in current}
    kept: set[str] = set()
    to_add: list[dict[str, Any]] = []
    for data, record in records:
        record.pop("id")
        match = next((i for i, e in existing.items() if i not in kept and e == record), None)
        if match is None:
            to_add.append(data)
        else:
            kept.add(match)
    return [i for i in existing if i not in kept], to_add


def needs_current(body: ItemUpdate, assessments: list[AssessmentCreate] | None) -> bool:
    """True when the update can only be applied knowing the item's current links or assessments."""
    given = body.model_dump(exclude_unset=True)
    return assessments is not None or any(given.get(k) is not None for k in (*LINK_LISTS, "links"))


def revise(
    archive: Archive,
    kind: str,
    key: str,
    body: ItemUpdate,
    assessments: list[AssessmentCreate] | None,
    *,
    reader: Reader,
    expected_version: int | None,
) -> int:
    """Apply an update body; return the position of the last event written."""
    current = (
        archive.item(kind, key, role=reader.role) if needs_current(body, assessments) else None
    )
    plan = (
        _assessment_plan(current["assessments"], assessments, reader.name)
        if current and assessments is not None
        else None
    )
    position = archive.revise(
        kind, key, _changes(body, current), actor=reader.name, reason=body.reason,
        expected_version=expected_version,
    )  # fmt: skip
    if plan is not None:
        retract, add = plan
        for assessment_id in retract:
            position = archive.retract_assessment(
                kind, key, assessment_id, actor=reader.name, reason=body.reason
            )
        for data in add:
            position, _ = archive.assess(kind, key, data, actor=reader.name)
    return position
