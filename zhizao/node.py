"""A node: one store, the registry over it, the resolution chain and its counters.

The composition root that the edges (api, cli) share, so they wire the domain the same way.
"""

from __future__ import annotations

import logging
import time

from zhizao.errors import ConfigurationError
from zhizao.event_service import EventService
from zhizao.federation.resolver import RecursiveResolver
from zhizao.identifiers.registry import Registry
from zhizao.identifiers.resolution import Next, default_chain
from zhizao.identifiers.sessions import Sessions
from zhizao.identifiers.volume import ResolutionCounter
from zhizao.project_service import ProjectService
from zhizao.settings import Settings
from zhizao.stats_service import StatsService
from zhizao.storage import Store, open_store

log = logging.getLogger("zhizao")


class HomedCache:
    """A worker's copy of the homed prefixes, refreshed after `ttl` seconds.

    Homing changes are rare; re-reading them on every resolution would double its cost. Other
    workers see a change within `ttl`.
    """

    def __init__(self, store: Store, ttl: float) -> None:
        self._store = store
        self._ttl = ttl
        self._value: frozenset[str] = frozenset()
        self._until = 0.0

    def __call__(self) -> frozenset[str]:
        now = time.monotonic()
        if now >= self._until:
            self._value = frozenset(self._store.homed_prefixes())
            self._until = now + self._ttl
        return self._value

    def invalidate(self) -> None:
        self._until = 0.0


class Node:
    def __init__(self, settings: Settings, store: Store | None = None) -> None:
        self.settings = settings
        self.store = store or open_store(settings.database_url)
        self.homed = HomedCache(self.store, settings.homed_cache_seconds)
        self.registry = Registry(self.store, self.store, homed=self.homed)
        self.sessions = Sessions(self.store, self.store)
        self.counter = ResolutionCounter()
        self.resolve: Next = default_chain(
            self.registry, self.counter, settings.homed_cache_seconds
        )
        self.resolver = RecursiveResolver(
            settings.root_url, negative_ttl=settings.negative_ttl_seconds
        )
        self.events = EventService(self.store, settings)
        self.projects = ProjectService(self.store)
        self.stats = StatsService(self.store, self.projects)

    def home(self, prefix: str) -> bool:
        """Home a prefix here; this worker answers for it at once, the others within the TTL."""
        if self.settings.role == "recursive":
            raise ConfigurationError("A recursive resolver homes no prefixes (ZHIZAO_ROLE)")
        added = self.store.home(prefix)
        self.homed.invalidate()
        return added

    def unhome(self, prefix: str) -> bool:
        removed = self.store.unhome(prefix)
        self.homed.invalidate()
        return removed

    def flush_counts(self) -> int:
        """Write the in-memory resolution counts; on failure keep them for the next try."""
        counts = self.counter.drain()
        try:
            self.store.add_resolution_counts(counts)
        except Exception:
            self.counter.restore(counts)
            log.exception("could not flush resolution counts; will retry")
            return 0
        return sum(counts.values())

    def close(self) -> None:
        self.flush_counts()
        self.resolver.close()
        self.store.close()
