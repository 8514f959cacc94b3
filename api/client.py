"""A small Python client for the wijkarchief HTTP API.

    from api.client import Client

    with Client("http://127.0.0.1:8000", token="anna.…") as archive:
        story = archive.story("0001")
        archive.revise_story("0001", story["version"], title="Nieuwe titel", reason="bron")
        for hit in archive.search("institutional flexibility", kind="episodes")["hits"]:
            print(hit["title"])

Every method returns the JSON answer as plain data (Markdown and HTML timelines as text). A
problem answer (4xx/5xx, RFC 9457) raises `ClientError` with its status, title and detail.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import httpx

JSON = dict[str, Any]


class ClientError(Exception):
    """A problem answer of the API."""

    def __init__(self, status: int, title: str, detail: str, problem: JSON | None = None) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.problem = problem or {}

    @property
    def field(self) -> str | None:
        """The field the problem is about, when it names one."""
        value = self.problem.get("field")
        return str(value) if value is not None else None


class Client:
    """The API of one archive, optionally with a token (curators write, researchers read more)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        # The log position of this client's last write: its reads ask for at least that
        # (X-Archive-Min-Position), so it reads its own writes on any worker or host.
        self.last_write = 0

    # -- plumbing ---------------------------------------------------------------------

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        headers = dict(headers or {})
        if method == "GET" and self.last_write:
            # Read your own writes, on whichever worker or host answers.
            headers.setdefault("X-Archive-Min-Position", str(self.last_write))
        response = self._http.request(method, path, params=query, json=json, headers=headers)
        if response.is_error:
            raise _problem(response)
        if method != "GET" and response.headers.get("X-Archive-Position", "").isdigit():
            self.last_write = max(self.last_write, int(response.headers["X-Archive-Position"]))
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> JSON:
        answer: JSON = self._request(method, path, **kwargs).json()
        return answer

    # -- reading ------------------------------------------------------------------------

    def health(self) -> JSON:
        """`{"status": "ok", "events": N}`."""
        return self._json("GET", "/api/health")

    def qualities(self) -> list[JSON]:
        """The quality vocabulary."""
        items: list[JSON] = self._json("GET", "/api/qualities")["items"]
        return items

    def episodes(
        self,
        quality: str | None = None,
        assessment: str | None = None,
        year: int | None = None,
        *,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[JSON]:
        """Governance episodes, filtered by quality, assessment and year."""
        params = {"quality": quality, "assessment": assessment, "year": year}
        return self._items("/api/episodes", params, limit=limit, offset=offset)

    def episode(self, episode_id: str, as_of: str | None = None) -> JSON:
        """One episode (as recorded at `as_of`, an ISO date-time, when given)."""
        return self._json("GET", f"/api/episodes/{episode_id}", params={"as_of": as_of})

    def stories(self, *, limit: int = 1000, offset: int = 0, **filters: Any) -> list[JSON]:
        """The stories the token may read (quality=, assessment=, year= filter them)."""
        return self._items("/api/stories", filters, limit=limit, offset=offset)

    def story(self, number: str, as_of: str | None = None) -> JSON:
        """One story (as recorded at `as_of`, an ISO date-time, when given)."""
        return self._json("GET", f"/api/stories/{number}", params={"as_of": as_of})

    def media(self, *, limit: int = 1000, offset: int = 0, **filters: Any) -> list[JSON]:
        """Media items."""
        return self._items("/api/media", filters, limit=limit, offset=offset)

    def media_item(self, media_id: str, as_of: str | None = None) -> JSON:
        """One media item."""
        return self._json("GET", f"/api/media/{media_id}", params={"as_of": as_of})

    def search(self, q: str, **filters: Any) -> JSON:
        """Search: `{"total", "hits", "facets"}`; filters kind, quality, assessment, year,
        limit, offset."""
        return self._json("GET", "/api/search", params={"q": q, **filters})

    def timeline(self, year: int, format: str = "json", as_of: str | None = None) -> Any:
        """The timeline of a year: a dict for json/timelinejs, text for markdown/html."""
        return self._rendered(f"/api/timelines/{year}", format, as_of)

    def kronieken(self, format: str = "json", as_of: str | None = None) -> Any:
        """The Corona Kronieken: a dict for json, text for markdown/html."""
        return self._rendered("/api/kronieken", format, as_of)

    def history(self, kind: str, item_id: str) -> list[JSON]:
        """Every event of an item, oldest first."""
        items: list[JSON] = self._json("GET", f"/api/{kind}/{item_id}/history")["items"]
        return items

    def events(self, after: int = 0, limit: int = 100) -> JSON:
        """A page of the event log: `{"items": [...], "next": N}`."""
        return self._json("GET", "/api/events", params={"after": after, "limit": limit})

    # -- writing (a curator's token) -------------------------------------------------------

    def add_story(self, number: str, title: str, body_markdown: str, **fields: Any) -> JSON:
        """Register a story; fields: storytellers, date, qualities, episodes, rights, consent…"""
        body = {"number": number, "title": title, "body_markdown": body_markdown, **fields}
        return self._json("POST", "/api/stories", json=body)

    def revise_story(self, number: str, version: int, **changes: Any) -> JSON:
        """Revise a story based on `version` (the one you read); `reason=` says why."""
        return self._json(
            "PATCH", f"/api/stories/{number}", json=changes, headers={"If-Match": f'"{version}"'}
        )

    def add_episode(self, episode_id: str, title: str, **fields: Any) -> JSON:
        """Register a governance episode."""
        return self._json(
            "POST", "/api/episodes", json={"id": episode_id, "title": title, **fields}
        )

    def revise_episode(self, episode_id: str, version: int, **changes: Any) -> JSON:
        """Revise an episode based on `version`."""
        return self._json(
            "PATCH",
            f"/api/episodes/{episode_id}",
            json=changes,
            headers={"If-Match": f'"{version}"'},
        )

    def assess(
        self,
        kind: str,
        id: str,
        quality: str,
        assessment: str,
        evidence: str = "",
        source: str = "",
        element: str | None = None,
    ) -> JSON:
        """Assess a quality in an item: shown, partial or lacking."""
        body = {
            "quality": quality,
            "assessment": assessment,
            "evidence": evidence,
            "source": source,
            "element": element,
        }
        return self._json("POST", f"/api/{kind}/{id}/assessments", json=body)

    def retract_assessment(self, kind: str, id: str, assessment_id: str, reason: str = "") -> int:
        """Retract an assessment (the history keeps it); returns the log position."""
        response = self._request(
            "DELETE", f"/api/{kind}/{id}/assessments/{assessment_id}", params={"reason": reason}
        )
        return int(response.headers.get("X-Archive-Position", 0))

    def record_happening(self, kind: str, id: str, date: str, title: str, **fields: Any) -> JSON:
        """Record a dated moment of an item."""
        body = {"date": date, "title": title, **fields}
        return self._json("POST", f"/api/{kind}/{id}/happenings", json=body)

    def link(self, kind: str, id: str, target: str) -> JSON:
        """Link an item to another (`KIND/ID`), both ways."""
        return self._json("POST", f"/api/{kind}/{id}/links", json={"target": target})

    # -- helpers ---------------------------------------------------------------------

    def _items(self, path: str, params: dict[str, Any], *, limit: int, offset: int) -> list[JSON]:
        answer = self._json("GET", path, params={**params, "limit": limit, "offset": offset})
        items: list[JSON] = answer["items"]
        return items

    def _rendered(self, path: str, format: str, as_of: str | None) -> Any:
        response = self._request("GET", path, params={"format": format, "as_of": as_of})
        if format in ("markdown", "html"):
            return response.text
        return response.json()


def _problem(response: httpx.Response) -> ClientError:
    """The ClientError for a problem answer (or any other error answer)."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return ClientError(response.status_code, response.reason_phrase, response.text[:500])
    return ClientError(
        int(data.get("status") or response.status_code),
        str(data.get("title") or response.reason_phrase),
        str(data.get("detail") or ""),
        data,
    )


__all__ = ["Client", "ClientError"]
