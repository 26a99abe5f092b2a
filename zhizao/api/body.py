"""Reading a request body without holding more than a limit in memory."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request


async def read_limited(request: Request, limit: int, too_large: Callable[[], Exception]) -> bytes:
    """The body, or `too_large()` raised as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)
