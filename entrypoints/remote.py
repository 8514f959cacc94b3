"""The command line's reads against a remote archive (`--server URL`), through the HTTP client.

`Remote` answers the same read calls as `archive.service.Archive` (search, timeline,
kronieken, history), so a command does not care where its archive is.
"""

from __future__ import annotations

from typing import Any

import httpx

from api.client import Client, ClientError
from events.errors import ArchiveError


class RemoteError(ArchiveError):
    """A problem answer of the remote archive, or no answer at all."""


class Remote:
    """A remote archive, read through `api.client.Client`."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url
        self.client = Client(base_url, token=token)

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except ClientError as error:
            raise RemoteError(f"{error.status} {error.title}: {error.detail}") from None
        except httpx.HTTPError as error:
            raise RemoteError(f"server {self.base_url} onbereikbaar: {error}") from None

    def search(self, q: str, **filters: Any) -> Any:
        """Ranked search, as `GET /api/search`."""
        return self._call("search", q, **{k: v for k, v in filters.items() if v is not None})

    def timeline(self, year: int, *, fmt: str = "json", as_of: str | None = None) -> Any:
        """A year's timeline, as `GET /api/timelines/{year}`."""
        return self._call("timeline", year, format=fmt, as_of=as_of)

    def kronieken(self, *, fmt: str = "json", as_of: str | None = None) -> Any:
        """The Corona Kronieken, as `GET /api/kronieken`."""
        return self._call("kronieken", format=fmt, as_of=as_of)

    def history(self, kind: str, key: str) -> Any:
        """Every event of an item, as `GET /api/{kind}/{key}/history`."""
        return self._call("history", kind, key)

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()
