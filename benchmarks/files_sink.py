"""The baseline of the upload benchmark: a bare ASGI app that reads a body and drops it."""

from __future__ import annotations

from typing import Any


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Read the whole body, answer 200 with how many bytes came."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/api/health":
        body = b'{"status": "ok"}'
    else:
        size = 0
        while True:
            message = await receive()
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = str(size).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})
