"""The curator's guard and what the curator's forms share.

Every write is a POST form. It needs the session of a curator (the public goes to the login
page, a researcher gets a 403 page) and must come from this site (Origin / Referer): the
dependency `Curator` gives the reader, or refuses with the page that says why (`Refused`,
answered by the handler `install` adds). The reader's name is the actor of the events. A
refused form comes back with what was typed and the archive's message next to the field it
concerns.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, Response

from api.pages.auth import PageReader, login_redirect, reader_of, same_origin
from api.pages.public import error_page
from api.pages.templating import HEADERS, date_nl
from archive.rendering import markdown_to_html
from events import dates
from events.errors import ArchiveError, NotPermitted

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]

CONSENTS = (
    ("curators", "Alleen curatoren (standaard)"),
    ("research", "Onderzoekers en curatoren"),
    ("public", "Iedereen (openbaar)"),
)


class Refused(Exception):
    """A write the guard refused, with the answer that says why."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def refusal(request: Request) -> PageReader | Response:
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


def curator(request: Request) -> PageReader:
    """The dependency of every curator's page: the curator, or `Refused`."""
    answer = refusal(request)
    if isinstance(answer, Response):
        raise Refused(answer)
    return answer


Curator = Annotated[PageReader, Depends(curator)]


def install(app: FastAPI) -> None:
    """Answer a refused write with its page (the login redirect, the 403 page)."""

    async def refused(request: Request, error: Exception) -> Response:
        assert isinstance(error, Refused)
        return error.response

    app.add_exception_handler(Refused, refused)


def field_errors(error: ArchiveError, fields: tuple[str, ...]) -> dict[str, str]:
    """The message under the field it concerns (or under `form` when no field fits)."""
    field = {"links": "target", "key": "number", "scope": "consent", "id": "number"}.get(
        error.field or "", error.field or ""
    )
    return {field if field in fields else "form": error.message}


def lines(value: str) -> list[str]:
    """The non-empty lines of a text area, stripped."""
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


@router.post("/pages-api/voorbeeld", response_class=HTMLResponse)
def preview(request: Request, body_markdown: Text = "", date: Text = "") -> Response:
    """The Markdown as the page will show it (sanitised HTML), for the live preview."""
    if not isinstance(refusal(request), PageReader):
        return HTMLResponse("", status_code=403, headers=HEADERS)
    return HTMLResponse(markdown_to_html(body_markdown), headers=HEADERS)
