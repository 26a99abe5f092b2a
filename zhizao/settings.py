"""The only module that reads the environment. Everything else receives a `Settings`."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from zhizao.errors import ConfigurationError

DEFAULT_DATABASE_URL = "sqlite:///./zhizao.db"
ROLES = ("top-level", "secondary", "enterprise", "recursive")


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Handle.Net refuses credentials over plain HTTP; this development switch accepts them,
    # but only from loopback clients.
    insecure_loopback_auth: bool = False
    # Seconds between flushes of in-memory resolution counts (what a crash can lose at most).
    counts_flush_seconds: float = 5.0
    # Seconds a worker trusts its copy of the homed-prefix list.
    homed_cache_seconds: float = 1.0
    max_body_bytes: int = 10 * 1024 * 1024
    # EPCIS capture limits (advertised in GS1-EPCIS-Capture-Limit / -File-Size-Limit).
    epcis_capture_limit: int = 100_000
    epcis_capture_bytes: int = 256 * 1024 * 1024
    # Federation: this node's place in the hierarchy, and the top-level node that recursive
    # resolution of names it neither homes nor has delegated starts from.
    role: str = "enterprise"
    root_url: str | None = None
    negative_ttl_seconds: float = 30.0
    # Seconds between collections of resolution counts from the nodes delegated to.
    collect_seconds: float = 300.0

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ConfigurationError(
                f"ZHIZAO_ROLE must be one of {', '.join(ROLES)}: {self.role!r}"
            )

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    try:
        return Settings(
            database_url=env.get("ZHIZAO_DATABASE_URL") or DEFAULT_DATABASE_URL,
            insecure_loopback_auth=_flag(env.get("ZHIZAO_INSECURE_LOOPBACK_AUTH")),
            counts_flush_seconds=float(env.get("ZHIZAO_COUNTS_FLUSH_SECONDS", "5")),
            homed_cache_seconds=float(env.get("ZHIZAO_HOMED_CACHE_SECONDS", "1")),
            max_body_bytes=int(env.get("ZHIZAO_MAX_BODY_BYTES", str(10 * 1024 * 1024))),
            epcis_capture_limit=int(env.get("ZHIZAO_EPCIS_CAPTURE_LIMIT", "100000")),
            epcis_capture_bytes=int(env.get("ZHIZAO_EPCIS_CAPTURE_BYTES", str(256 << 20))),
            role=env.get("ZHIZAO_ROLE") or "enterprise",
            root_url=env.get("ZHIZAO_ROOT_URL") or None,
            negative_ttl_seconds=float(env.get("ZHIZAO_NEGATIVE_TTL_SECONDS", "30")),
            collect_seconds=float(env.get("ZHIZAO_COLLECT_SECONDS", "300")),
        )
    except ValueError as exc:
        raise ConfigurationError(f"Bad ZHIZAO_* setting: {exc}") from exc


def export_settings(settings: Settings) -> dict[str, str]:
    """The environment that makes `load_settings` give back `settings` (for server workers)."""
    return {
        "ZHIZAO_DATABASE_URL": settings.database_url,
        "ZHIZAO_INSECURE_LOOPBACK_AUTH": "1" if settings.insecure_loopback_auth else "0",
        "ZHIZAO_COUNTS_FLUSH_SECONDS": str(settings.counts_flush_seconds),
        "ZHIZAO_HOMED_CACHE_SECONDS": str(settings.homed_cache_seconds),
        "ZHIZAO_MAX_BODY_BYTES": str(settings.max_body_bytes),
        "ZHIZAO_EPCIS_CAPTURE_LIMIT": str(settings.epcis_capture_limit),
        "ZHIZAO_EPCIS_CAPTURE_BYTES": str(settings.epcis_capture_bytes),
        "ZHIZAO_ROLE": settings.role,
        "ZHIZAO_ROOT_URL": settings.root_url or "",
        "ZHIZAO_NEGATIVE_TTL_SECONDS": str(settings.negative_ttl_seconds),
        "ZHIZAO_COLLECT_SECONDS": str(settings.collect_seconds),
    }
