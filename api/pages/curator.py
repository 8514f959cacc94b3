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
    found = archive_of(request).app.authenticate(token.strip()) if token.strip() else None
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
    """Revise the story, refusing it when someone else saved a newer version meanwhile."""
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
    loaded = int(version) if version.isdigit() else 0
    if action == "voorbeeld":
        return _edit_form(
            request, item, values, loaded, preview_html=markdown_to_html(body_markdown)
        )
    changes: dict[str, Any] = {
        "title": title,
        "date": date.strip() or None,
        "storytellers": _lines(storytellers),
        "consent": consent,
        "rights": rights,
        "body_markdown": body_markdown,
    }
    try:
        archive.revise(
            "stories", number, changes, actor=reader.name, reason=reason.strip(),
            expected_version=loaded,
        )  # fmt: skip
    except StaleVersion as error:
        current = archive.item("stories", number, role=reader.role)
        since = [
            e
            for e in history_view.entries(archive.history("stories", number, role=reader.role))
            if e["version"] > loaded
        ]
        stale = {
            "message": error.message,
            "current": current,
            "current_html": Markup(markdown_to_html(current.get("body_markdown"))),
            "since": since,
            "diff": history_view.word_diff(current.get("body_markdown") or "", body_markdown),
            "loaded": loaded,
        }
        # The form now carries the current version: saving again, after reading what changed,
        # is a deliberate choice.
        return _edit_form(
            request, current, values, current["version"], stale=stale, status=error.status
        )
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
