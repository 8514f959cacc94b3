"""Withdraw, embargo and erase an item, and forget a person, from the web (curators).

Each action has a confirmation page that says in Dutch exactly what will happen (the texts
follow `events/consent.py` and `docs/privacy.md`), asks for a reason, and posts a form
guarded as every curator's form is (`api.pages.curator.Curator`: a curator's session, and
Origin/Referer of this site, with the SameSite=Strict cookie). The form records the event
through the same `Archive` command the command line uses (`withdraw`, `embargo`,
`lift_embargo`, `erase`) and the API's `POST /api/people/erasures` uses (`forget_person`).
Forgetting a person first lists the items it would change (`Archive.items_naming`, which
changes nothing), then asks again.

Addresses: `/{kind}/{key}/intrekken`, `/{kind}/{key}/embargo` (and `/embargo/opheffen`),
`/{kind}/{key}/wissen`, `/personen/vergeten`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.pages.auth import archive_of
from api.pages.curator import Curator, Text, field_errors
from api.pages.public import item_or_error
from api.pages.templating import HEADERS, date_nl, item_path, render
from events.errors import ArchiveError

router = APIRouter(include_in_schema=False)

THIS = {"episodes": "deze episode", "stories": "dit verhaal", "media": "dit media-item"}
ACTIONS = {"intrekken": "withdraw", "embargo": "embargo", "wissen": "erase"}
FIELDS = ("reason", "policy", "until", "understood")


def _confirm(
    request: Request,
    item: dict[str, Any],
    action: str,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "confirm.html",
        {
            "item": item,
            "action": action,
            "this": THIS[item["kind"]],
            "values": values,
            "errors": errors or {},
            "today": archive_of(request).today(),
        },
        status=status,
    )


def _done(kind: str, key: str, what: str) -> Response:
    return RedirectResponse(
        f"{item_path(kind, key)}?gedaan={what}", status_code=303, headers=HEADERS
    )


def _add_routes(kind: str) -> None:
    def form(request: Request, reader: Curator, key: str, action: str) -> Response:
        item = item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        return _confirm(request, item, ACTIONS[action], dict.fromkeys(FIELDS, ""))

    def withdraw(
        request: Request, reader: Curator, key: str, reason: Text = "", policy: Text = ""
    ) -> Response:
        item = item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        values = {"reason": reason, "policy": policy}
        errors = {}
        if not reason.strip():
            errors["reason"] = (
                "Geef de reden van de intrekking (bv. ‘op verzoek van de verteller’)."
            )
        if not policy.strip():
            errors["policy"] = "Noem het beleid waaronder de toestemming is ingetrokken."
        if errors:
            return _confirm(request, item, "withdraw", values, errors, 422)
        try:
            archive_of(request).withdraw(
                kind, key, reason=reason.strip(), policy=policy.strip(), actor=reader.name
            )
        except ArchiveError as error:
            return _confirm(
                request, item, "withdraw", values, field_errors(error, FIELDS), error.status
            )
        return _done(kind, key, "ingetrokken")

    def embargo(
        request: Request, reader: Curator, key: str, until: Text = "", reason: Text = ""
    ) -> Response:
        item = item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        values = {"until": until, "reason": reason}
        archive = archive_of(request)
        if until.strip() and until.strip() <= archive.today():
            today = date_nl(archive.today())
            error = f"Kies een dag na vandaag ({today}); op die dag verschijnt het weer."
            return _confirm(request, item, "embargo", values, {"until": error}, 422)
        if not until.strip():
            return _confirm(
                request,
                item,
                "embargo",
                values,
                {"until": "Kies de dag waarop het item weer verschijnt."},
                422,
            )
        try:
            archive.embargo(kind, key, until.strip(), actor=reader.name, reason=reason.strip())
        except ArchiveError as error:
            return _confirm(
                request, item, "embargo", values, field_errors(error, FIELDS), error.status
            )
        return _done(kind, key, "embargo")

    def lift(request: Request, reader: Curator, key: str, reason: Text = "") -> Response:
        item = item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        try:
            archive_of(request).lift_embargo(kind, key, actor=reader.name, reason=reason.strip())
        except ArchiveError as error:
            return _confirm(
                request,
                item,
                "embargo",
                {"reason": reason},
                field_errors(error, FIELDS),
                error.status,
            )
        return _done(kind, key, "embargo-opgeheven")

    def erase(
        request: Request, reader: Curator, key: str, reason: Text = "", understood: Text = ""
    ) -> Response:
        item = item_or_error(request, reader, kind, key)
        if isinstance(item, Response):
            return item
        values = {"reason": reason, "understood": understood}
        if understood != "ja":
            message = "Vink aan dat u begrijpt dat wissen niet ongedaan kan worden gemaakt."
            return _confirm(request, item, "erase", values, {"understood": message}, 422)
        try:
            archive_of(request).erase(kind, key, actor=reader.name, reason=reason.strip())
        except ArchiveError as error:
            return _confirm(
                request, item, "erase", values, field_errors(error, FIELDS), error.status
            )
        return _done(kind, key, "gewist")

    for name, handler, method, path in (
        ("withdraw", withdraw, "POST", "intrekken"),
        ("embargo", embargo, "POST", "embargo"),
        ("lift_embargo", lift, "POST", "embargo/opheffen"),
        ("erase", erase, "POST", "wissen"),
    ):
        handler.__name__ = f"{kind}_{name}"
        router.add_api_route(
            f"/{kind}/{{key}}/{path}", handler, methods=[method], response_class=HTMLResponse
        )
    for action in ACTIONS:
        _form_route(kind, action, form)


def _form_route(kind: str, action: str, form: Any) -> None:
    def show(request: Request, reader: Curator, key: str) -> Response:
        return form(request, reader, key, action)  # type: ignore[no-any-return]

    show.__name__ = f"{kind}_{ACTIONS[action]}_form"
    router.add_api_route(
        f"/{kind}/{{key}}/{action}", show, methods=["GET"], response_class=HTMLResponse
    )


for _kind in ("episodes", "stories", "media"):
    _add_routes(_kind)


# -- forgetting a person -----------------------------------------------------------


def _forget_page(request: Request, context: dict[str, Any], status: int = 200) -> Response:
    base: dict[str, Any] = {"name": "", "reason": "", "errors": {}, "found": None, "done": None}
    return render(request, "forget_person.html", {**base, **context}, status=status)


def _titled(request: Request, refs: list[str]) -> list[dict[str, Any]]:
    archive = archive_of(request)
    shown = []
    for ref in refs:
        kind, _, key = ref.partition("/")
        item = archive.item(kind, key, role="curator")
        shown.append({**item, "href": item_path(kind, key)})
    return shown


@router.get("/personen/vergeten", response_class=HTMLResponse)
def forget_form(request: Request, reader: Curator) -> Response:
    """The form: the name to take out of the whole archive, and why."""
    return _forget_page(request, {})


@router.post("/personen/vergeten", response_class=HTMLResponse)
def forget(
    request: Request,
    reader: Curator,
    name: Text = "",
    reason: Text = "",
    stap: Text = "controleren",
) -> Response:
    """`stap=controleren`: list the items that name the person (nothing changes);
    `stap=vergeten`: take the name out of them. The name travels in the form body only,
    never in an address (addresses end up in logs)."""
    archive = archive_of(request)
    values = {"name": name, "reason": reason}
    try:
        if stap == "vergeten":
            done = archive.forget_person(name.strip(), actor=reader.name, reason=reason.strip())
            return _forget_page(
                request,
                {
                    **values,
                    "done": {
                        "items": _titled(request, done["items"]),
                        "unsealed": done["unsealed"],
                        # PostgreSQL: a table rewrite owed (old copies), as the CLI says it.
                        "old_copies": archive.owed.report()["message"] if done["items"] else None,
                    },
                },
            )
        found = archive.items_naming(name.strip())
    except ArchiveError as error:
        errors = field_errors(error, ("name", "reason"))
        return _forget_page(request, {**values, "errors": errors}, error.status)
    found = {"items": _titled(request, found["items"]), "unsealed": found["unsealed"]}
    return _forget_page(request, {**values, "found": found})
