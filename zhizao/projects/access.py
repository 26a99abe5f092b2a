"""Who may write what: API tokens carry a role; an investor party acts only for itself."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from zhizao.errors import AccessDenied

BUREAU = "bureau"  # the zone's investment-promotion staff: every write
INVESTOR = "investor"  # an investor party: its own keys and its own projects' signatures
ROLES = (BUREAU, INVESTOR)


@dataclass(frozen=True, slots=True)
class Caller:
    label: str
    role: str
    party: str | None = None

    @property
    def actor(self) -> str:
        """How the evidence log names who made a write."""
        return f"{self.label} ({self.role}{':' + self.party if self.party else ''})"

    def require_bureau(self, what: str) -> None:
        if self.role != BUREAU:
            raise AccessDenied(f"only bureau staff may {what}", field="Authorization")

    def require_party(self, party: str, what: str) -> None:
        if self.role != BUREAU and self.party != party:
            raise AccessDenied(f"{self.actor} may not {what} for {party}", field="Authorization")


def new_token() -> tuple[str, str]:
    """(token to hand out once, its hash to store)."""
    token = "zz_" + secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
