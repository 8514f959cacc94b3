"""Happenings and assessments from the web: add and correct a happening, correct and retract
an assessment (adding one is `api.pages.item_forms`).

Every form shows all its problems at once (`api.pages.part_checks`) and keeps what was typed.
A correction carries the item's version it was loaded at: when someone else changed this
same happening or assessment meanwhile, the form comes back (412) with their values beside
the typed ones; a change elsewhere in the item does not stop it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages import form_fields, part_checks
from api.pages.auth import PageReader, archive_of
from api.pages.curator import Curator, Text, field_errors
from api.pages.public import error_page
from api.pages.revision import loaded_version
from api.pages.templating import HEADERS, item_path, render
from events import qualities
from events.errors import ArchiveError, StaleVersion

router = APIRouter(include_in_schema=False)
Choices = Annotated[list[str], Form()]
PARTS = {"happenings": "gebeurtenis", "assessments": "beoordeling"}


def _find(
    request: Request, reader: PageReader, kind: str, key: str, part: str, part_id: str
) -> tuple[dict[str, Any], dict[str, Any] | None] | Response:
    """The item and its part (None for a new one), or the error page."""
    try:
        item = archive_of(request).item(kind, key, role=reader.role)
    except ArchiveError as error:
        return error_page(request, error)
    if not part_id:
        return item, None
    found = next((p for p in item.get(part) or [] if p["id"] == part_id), None)
    if found is None:
        return render(
            request,
            "error.html",
            {
                "title": "Niet gevonden",
                "status": 404,
                "tombstone": None,
                "message": f"Dit item heeft geen {PARTS[part]} {part_id!r} (meer).",
            },
            status=404,
        )
    return item, found


def _stale(
    request: Request,
    reader: PageReader,
    kind: str,
    key: str,
    item: dict[str, Any],
    part: str,
    part_id: str,
    version: str,
) -> dict[str, Any] | None:
    """What someone else made of this part since `version` (None: nobody changed it)."""
    loaded = loaded_version(version)
    if loaded == item["version"]:
        return None
    then = part_checks.part_at(archive_of(request), kind, key, reader.role, loaded, part, part_id)
    now = next(p for p in item[part] if p["id"] == part_id)
    return None if then == now else _changed(request, reader, kind, key, now, part, loaded)


def _changed(
    request: Request,
    reader: PageReader,
    kind: str,
    key: str,
    now: dict[str, Any],
    part: str,
    loaded: int,
) -> dict[str, Any]:
    """The conflict box's facts: the part as it is now, who changed it since `loaded`, and
    whether that was only this curator (another tab), not someone else."""
    archive = archive_of(request)
    actors = part_checks.part_actors(archive, kind, key, reader.role, loaded, part, now["id"])
    return {"theirs": now, "loaded": loaded, "actors": actors, "own": actors == [reader.name]}


# -- happenings ---------------------------------------------------------------------


def _happening_page(
    request: Request,
    item: dict[str, Any],
    values: dict[str, str],
    *,
    happening: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    stale: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "happening.html",
        {
            "item": item,
            "happening": happening,
            "values": values,
            "errors": errors or {},
            "stale": stale,
            "date_hint": form_fields.date_hint(values.get("date", "")),
        },
        status=status,
    )


def _happening_values(h: dict[str, Any] | None) -> dict[str, str]:
    h = h or {}
    return {
        "date": form_fields.date_as_written(h.get("date")),
        "title": h.get("title", ""),
        "text": h.get("text", ""),
        "source": h.get("source", ""),
        "reason": "",
    }


def _happening_routes(kind: str) -> None:
    def happening_form(request: Request, reader: Curator, key: str, hid: str = "") -> Response:
        found = _find(request, reader, kind, key, "happenings", hid)
        if isinstance(found, Response):
            return found
        item, happening = found
        values = _happening_values(happening)
        return _happening_page(request, item, values, happening=happening)

    def save_happening(
        request: Request,
        reader: Curator,
        key: str,
        hid: str = "",
        date: Text = "",
        title: Text = "",
        text: Text = "",
        source: Text = "",
        reason: Text = "",
        version: Text = "",
    ) -> Response:
        found = _find(request, reader, kind, key, "happenings", hid)
        if isinstance(found, Response):
            return found
        item, happening = found
        values = {"date": date, "title": title, "text": text, "source": source, "reason": reason}
        page = {"happening": happening}
        errors = part_checks.happening_errors(values)
        if errors:
            return _happening_page(request, item, values, **page, errors=errors, status=422)
        data = {
            name: values[name].replace("\r\n", "\n").strip()
            for name in part_checks.HAPPENING_FIELDS
        }
        archive = archive_of(request)
        try:
            if happening is None:
                _, hid = archive.record_happening(kind, key, data, actor=reader.name)
            else:
                stale = _stale(request, reader, kind, key, item, "happenings", hid, version)
                if stale:
                    return _happening_page(request, item, values, **page, stale=stale, status=412)
                archive.revise_happening(
                    kind,
                    key,
                    hid,
                    data,
                    actor=reader.name,
                    reason=reason.strip(),
                    expected_version=item["version"],
                )
        except StaleVersion:  # someone saved between our read and our write: read again
            current = archive.item(kind, key, role=reader.role)
            now = next(h for h in current["happenings"] if h["id"] == hid)
            stale = _changed(request, reader, kind, key, now, "happenings", item["version"])
            return _happening_page(request, current, values, **page, stale=stale, status=412)
        except ArchiveError as error:
            errors = field_errors(error, part_checks.HAPPENING_FIELDS)
            return _happening_page(
                request, item, values, **page, errors=errors, status=error.status
            )
        done = "gebeurtenis" if happening is None else "gebeurtenis-gecorrigeerd"
        return RedirectResponse(
            f"{item_path(kind, key)}?gedaan={done}#happening-{hid}",
            status_code=303,
            headers=HEADERS,
        )

    for path in ("gebeurtenis", "gebeurtenis/{hid}"):
        for method, handler in (("GET", happening_form), ("POST", save_happening)):
            router.add_api_route(
                f"/{kind}/{{key}}/{path}",
                handler,
                methods=[method],
                response_class=HTMLResponse,
                name=f"{kind}_{handler.__name__}_{path.count('/')}",
            )


# -- assessments: correct and retract ------------------------------------------------


def assessment_values(a: dict[str, Any]) -> dict[str, Any]:
    """An assessment as its form shows it."""
    values = {name: a.get(name) or "" for name in part_checks.ASSESSMENT_FIELDS}
    return {**values, "happenings": list(a.get("happenings") or []), "reason": ""}


def _assessment_page(
    request: Request,
    item: dict[str, Any],
    assessment: dict[str, Any],
    values: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
    stale: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "assessment.html",
        {
            "item": item,
            "values": values,
            "errors": errors or {},
            "editing": assessment,
            "stale": stale,
            "labels": qualities.ASSESSMENT_LABELS,
        },
        status=status,
    )


def _assessment_routes(kind: str) -> None:
    def correct_form(request: Request, reader: Curator, key: str, aid: str) -> Response:
        found = _find(request, reader, kind, key, "assessments", aid)
        if isinstance(found, Response):
            return found
        item, a = found
        assert a is not None
        return _assessment_page(request, item, a, assessment_values(a))

    def correct(
        request: Request,
        reader: Curator,
        key: str,
        aid: str,
        quality: Text = "",
        element: Text = "",
        assessment: Text = "",
        basis: Text = "",
        note: Text = "",
        coder: Text = "",
        evidence: Text = "",
        source: Text = "",
        reason: Text = "",
        version: Text = "",
        happenings: Choices | None = None,
    ) -> Response:
        found = _find(request, reader, kind, key, "assessments", aid)
        if isinstance(found, Response):
            return found
        item, a = found
        assert a is not None
        values: dict[str, Any] = {
            "quality": quality,
            "element": element,
            "assessment": assessment,
            "basis": basis,
            "note": note,
            "coder": coder,
            "evidence": evidence,
            "source": source,
            "happenings": happenings or [],
            "reason": reason,
        }
        ids = [h["id"] for h in item.get("happenings") or []]
        errors = part_checks.assessment_errors(values, ids)
        if errors:
            return _assessment_page(request, item, a, values, errors=errors, status=422)
        stale = _stale(request, reader, kind, key, item, "assessments", aid, version)
        if stale:
            return _assessment_page(request, item, a, values, stale=stale, status=412)
        changes = {k: v for k, v in values.items() if k != "reason"}
        changes.update(element=element or None, basis=basis or None)
        try:
            archive_of(request).revise_assessment(
                kind,
                key,
                aid,
                changes,
                actor=reader.name,
                reason=reason.strip(),
                expected_version=item["version"],
            )
        except ArchiveError as error:
            fields = part_checks.ASSESSMENT_FIELDS
            return _assessment_page(
                request, item, a, values, errors=field_errors(error, fields), status=error.status
            )
        return RedirectResponse(
            f"{item_path(kind, key)}?gedaan=gecorrigeerd#assessment-{aid}",
            status_code=303,
            headers=HEADERS,
        )

    def retract_form(request: Request, reader: Curator, key: str, aid: str) -> Response:
        found = _find(request, reader, kind, key, "assessments", aid)
        if isinstance(found, Response):
            return found
        item, a = found
        return render(
            request,
            "retract.html",
            {"item": item, "a": a, "values": {"reason": ""}, "errors": {}, "stale": None},
        )

    def retract(
        request: Request, reader: Curator, key: str, aid: str, reason: Text = "", version: Text = ""
    ) -> Response:
        found = _find(request, reader, kind, key, "assessments", aid)
        if isinstance(found, Response):
            return found
        item, a = found
        stale = _stale(request, reader, kind, key, item, "assessments", aid, version)
        errors = {} if reason.strip() else {"reason": "Zeg waarom u de beoordeling intrekt."}
        if stale or errors:
            return render(
                request,
                "retract.html",
                {
                    "item": item,
                    "a": a,
                    "values": {"reason": reason},
                    "errors": errors,
                    "stale": stale,
                },
                status=412 if stale else 422,
            )
        try:
            archive_of(request).retract_assessment(
                kind,
                key,
                aid,
                actor=reader.name,
                reason=reason.strip(),
                expected_version=item["version"],
            )
        except ArchiveError as error:
            return error_page(request, error)
        return RedirectResponse(
            f"{item_path(kind, key)}?gedaan=beoordeling-ingetrokken#beoordelingen",
            status_code=303,
            headers=HEADERS,
        )

    for path, method, handler in (
        ("beoordeling/{aid}", "GET", correct_form),
        ("beoordeling/{aid}", "POST", correct),
        ("beoordeling/{aid}/intrekken", "GET", retract_form),
        ("beoordeling/{aid}/intrekken", "POST", retract),
    ):
        router.add_api_route(
            f"/{kind}/{{key}}/{path}",
            handler,
            methods=[method],
            response_class=HTMLResponse,
            name=f"{kind}_{handler.__name__}",
        )


for _kind in ("episodes", "stories", "media"):
    _happening_routes(_kind)
    _assessment_routes(_kind)
