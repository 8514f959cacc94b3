"""The curator pages: logging in and out, adding and editing stories, assessing, linking.

Logging in is for every token holder (curators and researchers); a session of its own is
started (`api.pages.auth`). Every write is a POST form. It needs the session of a curator
(the public goes to the login page, a researcher gets a 403 page) and must come from this
site (Origin / Referer). The reader's name is the actor of the events. A refused form comes
back with what was typed and the archive's message next to the field it concerns. An edit
records only the fields the curator changed since the version the form was loaded at; when
someone else saved in between, the page shows every field that differs (the original, theirs,
yours) with the other's changes merged into the form, and saving keeps them except where
this curator changed the same field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from api.deps import client_of, sessions_of, too_many
from api.pages import history as history_view
from api.pages.auth import (
    PageReader,
    archive_of,
    end_session,
    login_redirect,
    reader_of,
    safe_next,
    same_origin,
    start_session,
)
from api.pages.public import error_page
from api.pages.templating import HEADERS, date_nl, item_path, render
from archive.rendering import markdown_to_html
from events import dates, qualities
from events.errors import ArchiveError, NotPermitted, StaleVersion

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]

STORY_FIELDS = ("number", "title", "date", "storytellers", "consent", "rights", "body_markdown")
EDIT_FIELDS = ("title", "date", "storytellers", "consent", "rights", "body_markdown", "reason")
ASSESSMENT_FIELDS = ("quality", "element", "assessment", "evidence", "source")
CONSENTS = (
    ("curators", "Alleen curatoren (standaard)"),
    ("research", "Onderzoekers en curatoren"),
    ("public", "Iedereen (openbaar)"),
)


def _guard(request: Request) -> PageReader | Response:
    """The curator behind a write, or the answer that refuses it."""
    reader = reader_of(request)
    if not reader.signed_in:
        return login_redirect(request)
    if not reader.curator:
        return error_page(
            request,
            NotPermitted(
                f"U bent ingelogd als onderzoeker {reader.name}: alleen curatoren mogen het "
                "archief wijzigen."
            ),
        )
    if request.method == "POST" and not same_origin(request):
        return error_page(
            request,
            NotPermitted(
                "Dit formulier kwam niet van deze website en is daarom niet verwerkt. "
                "Open het formulier opnieuw op deze website en verstuur het daar."
            ),
        )
    return reader


def _errors(error: ArchiveError, fields: tuple[str, ...]) -> dict[str, str]:
    """The message under the field it concerns (or under `form` when no field fits)."""
    field = {"links": "target", "key": "number", "scope": "consent", "id": "number"}.get(
        error.field or "", error.field or ""
    )
    return {field if field in fields else "form": error.message}


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def date_hint(value: str) -> dict[str, str] | None:
    """How the archive will read a date: its EDTF form and Dutch label, or the problem."""
    if not value.strip():
        return None
    try:
        edtf = dates.from_dutch(value)
    except ArchiveError as error:
        return {"error": error.message}
    return {"edtf": edtf, "label": date_nl(edtf)}


# -- logging in and out -------------------------------------------------------


@router.get("/inloggen", response_class=HTMLResponse)
def login_form(request: Request, volgende: str = "/") -> Response:
    """The login form: a curator's or researcher's token."""
    return render(request, "login.html", {"next": safe_next(volgende), "error": None})


@router.post("/inloggen", response_class=HTMLResponse)
def login(request: Request, token: Text = "", volgende: Text = "/") -> Response:
    """Check the token and start a session; a client that failed too often waits first."""
    target = safe_next(volgende)

    def refuse(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        answer = render(request, "login.html", {"next": target, "error": message}, status=status)
        answer.headers.update(headers or {})
        return answer

    if not same_origin(request):
        return refuse(403, "Dit formulier kwam niet van deze website. Probeer het hier opnieuw.")
    sessions = sessions_of(request)
    client = client_of(request)
    wait = sessions.wait(client)
    if wait:
        return refuse(429, too_many(wait), {"Retry-After": str(wait)})
    found = archive_of(request).authenticate(token.strip()) if token.strip() else None
    response = RedirectResponse(target, status_code=303, headers=HEADERS)
    if found is None or not start_session(request, response, *found):
        wait = sessions.failed(client)
        if wait:
            return refuse(429, too_many(wait), {"Retry-After": str(wait)})
        return refuse(
            401,
            "Dit token is onbekend of ingetrokken. Controleer het en probeer het opnieuw "
            "(het ziet eruit als NAAM.GEHEIM).",
        )
    return response


@router.get("/uitloggen", response_class=HTMLResponse)
def logout_form(request: Request) -> Response:
    """A button to log out (logging out is a POST)."""
    return render(request, "logout.html", {})


@router.post("/uitloggen", response_class=HTMLResponse)
def logout(request: Request) -> Response:
    """End the session on the server and forget the cookie."""
    if not same_origin(request):
        return render(request, "logout.html", {}, status=403)
    response = RedirectResponse("/", status_code=303, headers=HEADERS)
    end_session(request, response)
    return response


# -- a preview of Markdown ----------------------------------------------------


@router.post("/pages-api/voorbeeld", response_class=HTMLResponse)
def preview(request: Request, body_markdown: Text = "", date: Text = "") -> Response:
    """The Markdown as the page will show it (sanitised HTML), for the live preview."""
    reader = _guard(request)
    if not isinstance(reader, PageReader):
        return HTMLResponse("", status_code=403, headers=HEADERS)
    return HTMLResponse(markdown_to_html(body_markdown), headers=HEADERS)


# -- a new story --------------------------------------------------------------


def _story_form(
    request: Request,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    preview_html: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "story_new.html",
        {
            "values": values,
            "errors": errors or {},
            "preview_html": Markup(preview_html) if preview_html is not None else None,
            "date_hint": date_hint(values.get("date", "")),
            "consents": CONSENTS,
        },
        status=status,
    )


@router.get("/verhalen/nieuw", response_class=HTMLResponse)
def new_story_form(request: Request) -> Response:
    """An empty form for a new story."""
    reader = _guard(request)
    if not isinstance(reader, PageReader):
        return reader
    values = dict.fromkeys(STORY_FIELDS, "")
    values["consent"] = "curators"
    return _story_form(request, values)


@router.post("/verhalen/nieuw", response_class=HTMLResponse)
def new_story(
    request: Request,
    number: Text = "",
    title: Text = "",
    date: Text = "",
    storytellers: Text = "",
    consent: Text = "curators",
    rights: Text = "",
    body_markdown: Text = "",
    action: Text = "opslaan",
) -> Response:
    """Register the story (or, with the preview button, show the form with its preview)."""
    reader = _guard(request)
    if not isinstance(reader, PageReader):
        return reader
    values = {
        "number": number, "title": title, "date": date, "storytellers": storytellers,
        "consent": consent, "rights": rights, "body_markdown": body_markdown,
    }  # fmt: skip
    if action == "voorbeeld":
        return _story_form(request, values, preview_html=markdown_to_html(body_markdown))
    fields: dict[str, Any] = {
        "number": number.strip(),
        "title": title,
        "date": date.strip() or None,
        "storytellers": _lines(storytellers),
        "consent": consent,
        "rights": rights,
        "body_markdown": body_markdown,
    }
    try:
        archive_of(request).register("stories", fields, actor=reader.name)
    except ArchiveError as error:
        return _story_form(
            request, values, errors=_errors(error, STORY_FIELDS), status=error.status
        )
    return RedirectResponse(
        f"/stories/{number.strip()}?gedaan=nieuw", status_code=303, headers=HEADERS
    )


# -- editing a story ----------------------------------------------------------

# The fields of the edit form that become the story's fields, with their Dutch labels.
EDITABLE = {
    "title": "Titel",
    "date": "Datum",
    "storytellers": "Vertellers",
    "consent": "Wie mag het lezen?",
    "rights": "Rechten",
    "body_markdown": "Tekst (Markdown)",
}


def _edit_values(item: dict[str, Any]) -> dict[str, str]:
    return {
        "title": item.get("title") or "",
        "date": item.get("date") or "",
        "storytellers": "\n".join(item.get("storytellers") or []),
        "consent": item.get("consent") or "curators",
        "rights": item.get("rights") or "",
        "body_markdown": item.get("body_markdown") or "",
        "reason": "",
    }


def _same(field: str, one: str, other: str) -> bool:
    """Whether two form values of a field mean the same (browsers send CRLF line ends)."""
    if field == "storytellers":
        return _lines(one) == _lines(other)
    return one.replace("\r\n", "\n").strip() == other.replace("\r\n", "\n").strip()


def _stored(field: str, value: str) -> Any:
    """A form value as the story's field."""
    if field == "date":
        return value.strip() or None
    if field == "storytellers":
        return _lines(value)
    return value


def _values_at(
    request: Request, number: str, version: int, role: str, current: dict[str, Any]
) -> dict[str, str] | None:
    """The form's values as they were at `version`, re-read from the log (None: unknown)."""
    if version == current.get("version"):
        return _edit_values(current)
    archive = archive_of(request)
    try:
        recorded = [
            e["recorded_at"]
            for e in archive.history("stories", number, role=role)
            if e["version"] == version
        ]
        if not recorded:
            return None
        then = recorded[0]
        moment = then if isinstance(then, datetime) else datetime.fromisoformat(str(then))
        return _edit_values(archive.item("stories", number, role=role, as_of=moment))
    except ArchiveError:
        return None


def _edit_form(
    request: Request,
    item: dict[str, Any],
    values: dict[str, str],
    version: int,
    *,
    errors: dict[str, str] | None = None,
    stale: dict[str, Any] | None = None,
    preview_html: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "story_edit.html",
        {
            "item": item,
            "values": values,
            "version": version,
            "errors": errors or {},
            "stale": stale,
            "preview_html": Markup(preview_html) if preview_html is not None else None,
            "date_hint": date_hint(values.get("date", "")),
            "consents": CONSENTS,
        },
        status=status,
    )


@router.get("/stories/{number}/bewerken", response_class=HTMLResponse)
def edit_story_form(request: Request, number: str) -> Response:
    """The story's fields as stored now, with the version they were loaded at."""
    reader = _guard(request)
    if not isinstance(reader, PageReader):
        return reader
    try:
        item = archive_of(request).item("stories", number, role=reader.role)
    except ArchiveError as error:
        return error_page(request, error)
    return _edit_form(request, item, _edit_values(item), item["version"])


def _conflict(
    request: Request,
    number: str,
    reader: PageReader,
    loaded: int,
    original: dict[str, str] | None,
    mine: dict[str, str],
    changed: set[str],
    message: str,
    status: int,
) -> Response:
    """Someone saved since `loaded`: the form again, their changes merged into it, and
    every field that differs shown as the original, theirs and yours."""
    archive = archive_of(request)
    current = archive.item("stories", number, role=reader.role)
    theirs = _edit_values(current)
    base = original or theirs
    merged = {**mine}
    fields = []
    for field, label in EDITABLE.items():
        theirs_changed = not _same(field, base[field], theirs[field])
        mine_changed = field in changed
        merged[field] = mine[field] if mine_changed else theirs[field]
        if _same(field, base[field], theirs[field]) and _same(field, base[field], mine[field]):
            continue
        both = mine_changed and theirs_changed and not _same(field, mine[field], theirs[field])
        fields.append(
            {
                "name": field,
                "label": label,
                "original": base[field],
                "theirs": theirs[field],
                "mine": mine[field],
                "kept": "mine" if mine_changed else "theirs",
                "both": both,
                "diff": history_view.word_diff(theirs[field], mine[field]) if both else None,
            }
        )
    since = [
        e
        for e in history_view.entries(archive.history("stories", number, role=reader.role))
        if e["version"] > loaded
    ]
    stale = {
        "message": message,
        "current": current,
        "loaded": loaded,
        "since": since,
        "actors": sorted({e["actor"] for e in since if e["actor"]}),
        "fields": fields,
        "both": [f for f in fields if f["both"]],
    }
    # The form now stands on the current version: saving it records only what this curator
    # changed, on top of the other's changes.
    return _edit_form(request, current, merged, current["version"], stale=stale, status=status)


@router.post("/stories/{number}/bewerken", response_class=HTMLResponse)
def edit_story(
    request: Request,
    number: str,
    version: Text = "",
    title: Text = "",
    date: Text = "",
    storytellers: Text = "",
    consent: Text = "curators",
    rights: Text = "",
    body_markdown: Text = "",
    reason: Text = "",
    action: Text = "opslaan",
) -> Response:
    """Record the fields this curator changed since the version the form was loaded at;
    when someone else saved meanwhile, show the merge instead of overwriting theirs."""
    reader = _guard(request)
    if not isinstance(reader, PageReader):
        return reader
    archive = archive_of(request)
    values = {
        "title": title, "date": date, "storytellers": storytellers, "consent": consent,
        "rights": rights, "body_markdown": body_markdown, "reason": reason,
    }  # fmt: skip
    try:
        item = archive.item("stories", number, role=reader.role)
    except ArchiveError as error:
        return error_page(request, error)
    # Without the version it was loaded at, an edit cannot be checked: it counts as stale.
    loaded = int(version) if version.isdigit() and len(version) < 10 else 0
    if action == "voorbeeld":
        return _edit_form(
            request, item, values, loaded, preview_html=markdown_to_html(body_markdown)
        )
    original = _values_at(request, number, loaded, reader.role, item) if loaded else None
    base = original or _edit_values(item)
    changed = {f for f in EDITABLE if not _same(f, base[f], values[f])}
    if original is None or loaded != item["version"]:
        return _conflict(
            request, number, reader, loaded, original, values, changed,
            f"U bewerkte versie {loaded}; het archief heeft nu versie {item['version']}.",
            412,
        )  # fmt: skip
    if not changed:
        return _edit_form(
            request, item, values, loaded,
            errors={"form": "U hebt niets gewijzigd, dus er is niets opgeslagen."},
        )  # fmt: skip
    changes = {field: _stored(field, values[field]) for field in EDITABLE if field in changed}
    try:
        archive.revise(
            "stories", number, changes, actor=reader.name, reason=reason.strip(),
            expected_version=loaded,
        )  # fmt: skip
    except StaleVersion as error:  # someone saved between our read and our write
        return _conflict(
            request, number, reader, loaded, original, values, changed, error.message,
            error.status,
        )  # fmt: skip
    except ArchiveError as error:
        return _edit_form(
            request, item, values, loaded, errors=_errors(error, EDIT_FIELDS), status=error.status
        )
    return RedirectResponse(
        f"/stories/{number}?gedaan=opgeslagen#geschiedenis", status_code=303, headers=HEADERS
    )


# -- assessing and linking ----------------------------------------------------


def _item_or_error(request: Request, reader: PageReader, kind: str, key: str) -> Any:
    try:
        return archive_of(request).item(kind, key, role=reader.role)
    except ArchiveError as error:
        return error_page(request, error)


def _assessment_form(
    request: Request,
    item: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "assessment.html",
        {
            "item": item,
            "values": values,
            "errors": errors or {},
            "labels": qualities.ASSESSMENT_LABELS,
        },
        status=status,
    )


def _link_form(
    request: Request,
    item: dict[str, Any],
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request, "link.html", {"item": item, "values": values, "errors": errors or {}},
        status=status,
    )  # fmt: skip


def _normalise_ref(value: str) -> str:
    """`episodes/duimdrop` from what a curator pastes: a ref, a page path or its address."""
    target = value.strip()
    if "://" in target:
        target = target.split("://", 1)[1].partition("/")[2]
    target = target.split("#", 1)[0].split("?", 1)[0].strip("/")
    return target


def _add_item_routes(kind: str) -> None:
    def assessment_form(request: Request, key: str) -> Response:
        reader = _guard(request)
        if not isinstance(reader, PageReader):
            return reader
        item = _item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        return _assessment_form(request, item, dict.fromkeys(ASSESSMENT_FIELDS, ""))

    def assess(
        request: Request,
        key: str,
        quality: Text = "",
        element: Text = "",
        assessment: Text = "",
        evidence: Text = "",
        source: Text = "",
    ) -> Response:
        reader = _guard(request)
        if not isinstance(reader, PageReader):
            return reader
        item = _item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        values = {
            "quality": quality, "element": element, "assessment": assessment,
            "evidence": evidence, "source": source,
        }  # fmt: skip
        data = {**values, "element": element or None}
        try:
            _, assessment_id = archive_of(request).assess(kind, key, data, actor=reader.name)
        except ArchiveError as error:
            return _assessment_form(
                request, item, values, _errors(error, ASSESSMENT_FIELDS), error.status
            )
        return RedirectResponse(
            f"{item_path(kind, key)}?gedaan=beoordeeld#assessment-{assessment_id}",
            status_code=303,
            headers=HEADERS,
        )

    def link_form(request: Request, key: str) -> Response:
        reader = _guard(request)
        if not isinstance(reader, PageReader):
            return reader
        item = _item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        return _link_form(request, item, {"target": ""})

    def link(request: Request, key: str, target: Text = "") -> Response:
        reader = _guard(request)
        if not isinstance(reader, PageReader):
            return reader
        item = _item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        try:
            archive_of(request).link(f"{kind}/{key}", _normalise_ref(target), actor=reader.name)
        except ArchiveError as error:
            return _link_form(
                request, item, {"target": target}, _errors(error, ("target",)), error.status
            )
        return RedirectResponse(
            f"{item_path(kind, key)}?gedaan=gekoppeld#koppelingen",
            status_code=303,
            headers=HEADERS,
        )

    for name, handler, method, path in (
        ("assessment_form", assessment_form, "GET", "beoordeling"),
        ("assess", assess, "POST", "beoordeling"),
        ("link_form", link_form, "GET", "koppeling"),
        ("link", link, "POST", "koppeling"),
    ):
        handler.__name__ = f"{kind}_{name}"
        router.add_api_route(
            f"/{kind}/{{key}}/{path}", handler, methods=[method], response_class=HTMLResponse
        )


for _kind in ("episodes", "stories", "media"):
    _add_item_routes(_kind)
