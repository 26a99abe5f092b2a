"""A caching recursive resolver: follows prefix referrals down to the node that has the handle.

It starts where it is told (a referral this node holds) or at the configured top-level node,
asks each node non-recursively (`recursive=false`, as DNS clears RD towards authorities), and
follows 302/303 referrals until a node answers. Answers are cached for their values' TTL
(capped at two days), negative answers briefly; `fresh` (the API's `auth=true`) skips that
cache. The sites referrals name are remembered too, so a warm resolver asks the responsible
node directly and the top-level node sees one request per prefix per TTL, not one per name.
Concurrent misses for one handle make one upstream request. When no node can be reached, a
stale copy is served if one is kept, else UpstreamUnavailable.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from zhizao.errors import PrefixNotHomed, ReferralLoop, UpstreamUnavailable
from zhizao.federation.cache import MAX_TTL, Answer, AnswerCache, ReferralCache
from zhizao.federation.upstream import AiohttpFetch, Fetch, UpstreamError
from zhizao.identifiers.handle import Handle, fold_prefix
from zhizao.identifiers.referral import HS_SITE, HS_SITE_PREFIX, site_urls
from zhizao.identifiers.values import DEFAULT_TTL

FOUND, VALUES_NOT_FOUND, HANDLE_NOT_FOUND, NOT_HERE = 1, 200, 100, 301
REFERRALS = (302, 303)


def ttl_of(values: list[Any]) -> float:
    """The shortest relative TTL among the values (absolute TTLs count as the default)."""
    ttls = [v.get("ttl") for v in values if isinstance(v, dict)]
    seconds = [t if isinstance(t, int) and not isinstance(t, bool) else DEFAULT_TTL for t in ttls]
    return float(min([*seconds, MAX_TTL]))


class RecursiveResolver:
    def __init__(
        self,
        root: str | None,
        *,
        max_hops: int = 8,
        negative_ttl: float = 30.0,
        timeout: float = 2.0,
        cache: AnswerCache | None = None,
        fetch: Fetch | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.root = root.rstrip("/") if root else None
        self.max_hops = max_hops
        self.negative_ttl = negative_ttl
        self.cache = cache or AnswerCache()
        self.referrals = ReferralCache()
        self.counts = {"hits": 0, "misses": 0, "coalesced": 0, "upstream": 0, "stale": 0}
        self._fetch: Fetch = fetch or AiohttpFetch(timeout)
        self._clock = clock
        self._inflight: dict[str, asyncio.Future[Answer]] = {}

    async def resolve(self, handle: Handle, start: list[str], *, fresh: bool = False) -> Answer:
        """The answer for `handle`, starting at `start` (a referral's sites) or the root."""
        if not fresh:
            cached = self.cache.fresh(handle.key, self._clock())
            if cached is not None:
                self.counts["hits"] += 1
                return cached
        pending = self._inflight.get(handle.key)
        if pending is not None:
            self.counts["coalesced"] += 1
            return await asyncio.shield(pending)
        urls = start or ([self.root] if self.root else [])
        known, learnt_from = self.referrals.nearest(handle.served_prefix, self._clock())
        if not urls and not known:  # no delegation here, no top-level node to ask: 'not here'
            raise PrefixNotHomed("That prefix doesn't live here")
        self.counts["misses"] += 1
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda f: f.cancelled() or f.exception())  # retrieved
        self._inflight[handle.key] = future
        try:
            answer = await self._walk_known(handle, known, learnt_from, urls)
            self.cache.put(handle.key, answer)
        except UpstreamUnavailable as exc:
            stale = self.cache.stale(handle.key, self._clock())
            if stale is None:
                future.set_exception(exc)
                raise
            self.counts["stale"] += 1
            answer = stale
        except BaseException as exc:
            future.set_exception(exc)
            raise
        finally:
            del self._inflight[handle.key]
        future.set_result(answer)
        return answer

    async def _walk_known(
        self, handle: Handle, known: list[str], learnt_from: tuple[str, str] | None, urls: list[str]
    ) -> Answer:
        """Walk from the nearest site a referral taught us, else from `urls`.

        A learnt site that is down or no longer serves the prefix (the delegation moved) is
        forgotten, and the walk starts again from the top.
        """
        if not known:
            return await self._walk(handle, urls)
        try:
            answer = await self._walk(handle, known)
            if answer.rc != NOT_HERE or not urls:
                return answer
        except (UpstreamUnavailable, ReferralLoop):
            if not urls:
                raise
        self.referrals.forget(learnt_from)
        return await self._walk(handle, urls)

    async def _walk(self, handle: Handle, urls: list[str]) -> Answer:
        seen: set[str] = set()
        for _ in range(self.max_hops):
            if seen.intersection(urls):
                raise ReferralLoop(f"Referrals for {handle.text} came back to {urls[0]}")
            seen.update(urls)
            body = await self._ask(handle, urls)
            rc = body.get("responseCode")
            now = self._clock()
            if rc == FOUND and isinstance(body.get("values"), list):
                values = body["values"]
                return Answer(
                    FOUND,
                    json.dumps(values, ensure_ascii=False, separators=(",", ":")),
                    "",
                    now + ttl_of(values),
                )
            if rc in REFERRALS:
                urls = self._follow(body, now)
                if not urls:
                    raise UpstreamUnavailable(f"A referral for {handle.text} named no usable site")
                continue
            if rc in (VALUES_NOT_FOUND, HANDLE_NOT_FOUND, NOT_HERE):
                message = str(body.get("message") or "")
                return Answer(rc, "[]", message, now + self.negative_ttl)
            raise UpstreamUnavailable(f"{urls[0]} answered responseCode {rc}")
        raise ReferralLoop(f"More than {self.max_hops} referrals for {handle.text}")

    def _follow(self, referral: dict[str, Any], now: float) -> list[str]:
        """The URLs a referral names; each site is remembered for its values' TTL."""
        sites = [
            (v.get("type"), v, site_urls(v["data"].get("value")))
            for v in referral.get("values") or ()
            if isinstance(v, dict) and isinstance(v.get("data"), dict)
        ]
        named = referral.get("referralHandle")
        if isinstance(named, str) and named.upper().startswith("0.NA/"):
            for kind in (HS_SITE, HS_SITE_PREFIX):
                of_kind = [(v, found) for t, v, found in sites if t == kind and found]
                if of_kind:
                    learnt = [u for _, found in of_kind for u in found]
                    expires = now + ttl_of([v for v, _ in of_kind])
                    self.referrals.learn(fold_prefix(named[5:]), kind, learnt, expires)
        return [u for _, _, found in sites for u in found]

    async def _ask(self, handle: Handle, urls: list[str]) -> dict[str, Any]:
        """The first usable answer among a site's servers; UpstreamUnavailable if none."""
        path = "/api/handles/" + quote(handle.text, safe="/") + "?recursive=false"
        failures = []
        for url in urls:
            self.counts["upstream"] += 1
            try:
                status, raw = await self._fetch(url + path)
            except UpstreamError as exc:
                failures.append(f"{url}: {exc}")
                continue
            if status >= 500:
                failures.append(f"{url}: HTTP {status}")
                continue
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if isinstance(body, dict):
                return body
            failures.append(f"{url}: not a Handle answer")
        raise UpstreamUnavailable(
            f"No answer for {handle.text} from the responsible node ({'; '.join(failures)})"
        )

    def close(self) -> None:
        """Drop pooled upstream connections, from synchronous code."""
        if isinstance(self._fetch, AiohttpFetch):
            self._fetch.close()

    async def aclose(self) -> None:
        if isinstance(self._fetch, AiohttpFetch):
            await self._fetch.aclose()
