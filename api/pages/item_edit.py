"""Editing an episode or a media item, and registering a media item, from the web.

The edit forms load an item's fields with its version and save through
`api.pages.revision.save_edit` (only what changed, every problem at once, the stale-edit merge
when someone else saved meanwhile). A new media item is checked field by field, registered,
and the curator lands on its files page (`api.pages.media_upload`) to add the photo, scan or
recording.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api.pages import form_fields, revision
from api.pages.auth import archive_of
from api.pages.curator import CONSENTS, Curator, Text, field_errors
from api.pages.public import error_page
from api.pages.templating import HEADERS, render
from events.errors import ArchiveError

router = APIRouter(include_in_schema=False)

MEDIA_CONSENTS = (
    ("public", "Iedereen (openbaar, standaard voor media)"),
    ("research", "Onderzoekers en curatoren"),
    ("curators", "Alleen curatoren"),
)
NEW_MEDIA = "/media-items/nieuw"


def _context(kind: str, values: dict[str, str], errors: dict[str, str] | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "fields": form_fields.spec(kind),
        "values": values,
        "errors": errors or {},
        "date_hint": form_fields.date_hint(values.get("date", "")),
        "consents": MEDIA_CONSENTS if kind == "media" else CONSENTS,
        "media_kinds": form_fields.MEDIA_KIND_LABELS,
    }


def _typed(kind: str, form: dict[str, Any]) -> dict[str, str]:
    """The form's values of a kind's fields (missing fields empty), and the reason."""
    values = {f.name: str(form.get(f.name) or "") for f in form_fields.spec(kind)}
    values["reason"] = str(form.get("reason") or "")
    return values


def _edit_routes(kind: str) -> None:
    def form_for(request: Request) -> revision.Form:
        def form(
            item: dict[str, Any], values: dict[str, str], version: int, *,
            errors: dict[str, str] | None = None, stale: dict[str, Any] | None = None,
            status: int = 200,
        ) -> Response:  # fmt: skip
            context = {**_context(kind, values, errors), "item": item, "version": version}
            return render(request, "item_edit.html", {**context, "stale": stale}, status=status)

        return form

    def edit_form(request: Request, reader: Curator, key: str) -> Response:
        try:
            item = archive_of(request).item(kind, key, role=reader.role)
        except ArchiveError as error:
            return error_page(request, error)
        return form_for(request)(item, revision.edit_values(kind, item), item["version"])

    async def edit(request: Request, reader: Curator, key: str) -> Response:
        form = await request.form()
        try:
            item = archive_of(request).item(kind, key, role=reader.role)
        except ArchiveError as error:
            return error_page(request, error)
        return revision.save_edit(
            request, reader, kind, key, item, _typed(kind, dict(form)),
            str(form.get("version") or ""), form_for(request),
            f"/{kind}/{key}?gedaan=opgeslagen#geschiedenis",
        )  # fmt: skip

    edit_form.__name__ = f"{kind}_edit_form"
    edit.__name__ = f"{kind}_edit"
    path = f"/{kind}/{{key}}/bewerken"
    router.add_api_route(path, edit_form, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route(path, edit, methods=["POST"], response_class=HTMLResponse)


for _kind in ("episodes", "media"):
    _edit_routes(_kind)


def _media_form(
    request: Request, values: dict[str, str], errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:  # fmt: skip
    return render(request, "media_new.html", _context("media", values, errors), status=status)


@router.get(NEW_MEDIA, response_class=HTMLResponse)
def new_media_form(request: Request, reader: Curator) -> Response:
    """An empty form for a new media item (public by default, like the API)."""
    values = {**dict.fromkeys(f.name for f in form_fields.spec("media")), "id": ""}
    defaults = {"consent": "public", "media_kind": "article"}
    return _media_form(request, {k: defaults.get(k, "") for k in values})


@router.post(NEW_MEDIA, response_class=HTMLResponse)
async def new_media(request: Request, reader: Curator, id: Text = "") -> Response:
    """Register the media item (every problem shown at once), then offer its file upload."""
    archive = archive_of(request)
    values = {**_typed("media", dict(await request.form())), "id": id}
    values.pop("reason")
    errors = form_fields.check_all("media", values)
    taken = form_fields.check_key("media", id.strip(), archive.exists)
    if taken:
        errors = {"id": taken, **errors}
    if errors:
        status = 409 if list(errors) == ["id"] and "in gebruik" in (taken or "") else 422
        return _media_form(request, values, errors, status)
    fields = {f.name: form_fields.stored(f, values[f.name]) for f in form_fields.spec("media")}
    try:
        archive.register("media", {**fields, "id": id.strip()}, actor=reader.name)
    except ArchiveError as error:
        names = ("id", *(f.name for f in form_fields.spec("media")))
        return _media_form(request, values, field_errors(error, names), error.status)
    return RedirectResponse(
        f"/media/{id.strip()}/bestanden?gedaan=nieuw", status_code=303, headers=HEADERS
    )


@router.get("/pages-api/datum")
def read_date(tekst: str = "") -> JSONResponse:
    """How the archive reads a typed date, for the forms' live hint (`static/forms.js`):
    `{"edtf", "label"}`, `{"error"}`, or `{}` for nothing typed. Pure: no data is read."""
    hint = form_fields.date_hint(tekst[:100])
    return JSONResponse(hint or {}, headers=HEADERS)
