"""Health (liveness), readiness and the vocabulary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import Field

from api.deps import ArchiveDep, Limit, Offset
from api.errors import problem
from api.models import Health, QualityList, problems
from api.models.common import Answer
from api.shaping import cite, page
from events import qualities

router = APIRouter(prefix="/api", tags=["archive"])


@router.get("/health", response_model=Health)
def health(archive: ArchiveDep, response: Response) -> dict[str, Any]:
    """Whether the archive answers, and how many events its log holds."""
    position = archive.position()
    cite(response, position)
    return {"status": "ok", "events": position, "position": position}


@router.get("/qualities", response_model=QualityList, responses=problems(422))
def list_qualities(
    archive: ArchiveDep, response: Response, limit: Limit = 1000, offset: Offset = 0
) -> dict[str, Any]:
    """The quality vocabulary: both frameworks' qualities and the framework elements."""
    position = archive.position()
    items = [q.as_dict() for q in (*qualities.QUALITIES, *qualities.ELEMENTS)]
    cite(response, position)
    return page(items, limit=limit, offset=offset, position=position)


class ViewLag(Answer):
    """How far one view of this host is behind the log."""

    name: str = Field(examples=["search"])
    position: int = Field(description="De laatste positie die dit leesmodel verwerkte.")
    lag: int = Field(description="Gebeurtenissen in het log die het nog niet verwerkte.")


class Readiness(Answer):
    """Whether this host's views are near enough the log's head to send it readers."""

    status: str = Field(examples=["ready"])
    head: int = Field(description="De nieuwste positie van het gebeurtenislog.")
    max_lag: int = Field(description="Zoveel gebeurtenissen mag een leesmodel achterlopen.")
    views: list[ViewLag]
    owed_rewrites: int = Field(
        0,
        description="Tabellen die na een wissing nog herschreven moeten worden: oude kopieën "
        "van gewiste woorden staan nog op schijf (telt niet mee voor gereed).",
    )


READY_RESPONSES: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "Niet gereed: een leesmodel van deze host loopt meer dan `max_lag` "
        "gebeurtenissen achter (de problem+json noemt `head`, `max_lag` en per leesmodel "
        "`views`), of de database is niet bereikbaar.",
    }
}


@router.get("/ready", response_model=Readiness, responses=READY_RESPONSES)
def ready(archive: ArchiveDep, response: Response) -> Any:
    """Whether this host is ready for readers: its views within K events of the log's head.

    For a load balancer's readiness check (`/api/health` is the liveness check): 200 when
    every view of this host (the catalogue, the search index) has processed all but at
    most `WIJKARCHIEF_READY_LAG` (default 100) events of the log, else 503 naming each
    view's lag. It only reads positions: it never catches a view up itself.
    `owed_rewrites` counts the tables whose rewrite after an erasure is still owed (old
    copies of erased words on disk; docs/privacy.md); it does not decide readiness.
    """
    head = archive.position()
    limit = archive.settings.ready_lag
    views: list[dict[str, Any]] = []
    for view in archive.views:
        position = view.position()
        views.append({"name": view.name, "position": position, "lag": max(0, head - position)})
    answer = {"head": head, "max_lag": limit, "views": views, "owed_rewrites": archive.owed.count()}
    behind = [view for view in views if view["lag"] > limit]
    if behind:
        lags = ", ".join(f"{view['name']} {view['lag']}" for view in behind)
        return problem(
            503,
            f"Deze host loopt achter op het logboek (achterstand: {lags}; toegestaan {limit}).",
            title="Nog niet gereed",
            headers={"Retry-After": "5", "Cache-Control": "no-store"},
            members=answer,
        )
    response.headers["Cache-Control"] = "no-store"
    return {"status": "ready", **answer}
