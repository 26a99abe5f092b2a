"""How a resolver asks another node: one GET, answered with (status, body) or UpstreamError.

The resolver sees only the `Fetch` callable, so tests script nodes as plain functions. The
real one is aiohttp's client: it made 3.5× the requests per second of httpx's async client one
at a time and 8.8× sixteen at once (`bench/upstream.py`), and a resolver's miss path is exactly
that.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp

Fetch = Callable[[str], Awaitable[tuple[int, bytes]]]


class UpstreamError(Exception):
    """The node could not be asked (refused, reset, timed out)."""


class AiohttpFetch:
    """GETs over pooled keep-alive connections: one session per event loop."""

    def __init__(self, timeout: float = 2.0, connections: int = 256) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, url: str) -> tuple[int, bytes]:
        try:
            async with self._for_loop().get(url) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise UpstreamError(type(exc).__name__) from exc

    def _for_loop(self) -> aiohttp.ClientSession:
        # A session belongs to the loop it was made on (a test client may run the app on its own).
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop:
            self.close()  # a session of a loop that ended (a test client's)
            connector = aiohttp.TCPConnector(limit=self._connections, keepalive_timeout=30)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
            self._loop = loop
        return self._session

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def close(self) -> None:
        """Drop the pooled connections from synchronous code (shutdown, or a loop that ended)."""
        session, loop, self._session = self._session, self._loop, None
        if session is None or session.closed:
            return
        if loop is None or loop.is_closed():
            session.detach()  # its sockets went with the loop
        elif loop.is_running():
            loop.call_soon_threadsafe(lambda: loop.create_task(session.close()))
        else:
            loop.run_until_complete(session.close())
