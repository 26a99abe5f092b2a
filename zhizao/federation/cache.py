"""The recursive resolver's answer cache: TTL-bounded, size-bounded, with stale copies kept.

An expired answer is not served as fresh, but it is kept (up to `keep_stale` seconds past its
expiry) so that a resolver whose upstream is down can still answer, saying it is stale.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from zhizao.identifiers.handle import parent_prefixes
from zhizao.identifiers.referral import HS_SITE, HS_SITE_PREFIX

MAX_TTL = 2 * 86400.0  # the Handle System's cap on what a cache may keep


@dataclass(frozen=True, slots=True)
class Answer:
    """What the responsible node said: responseCode, the values (JSON) and a message."""

    rc: int
    values_json: str
    message: str
    expires: float
    stale: bool = False


class AnswerCache:
    def __init__(self, max_entries: int = 100_000, keep_stale: float = MAX_TTL) -> None:
        self._entries: OrderedDict[str, Answer] = OrderedDict()
        self._max = max_entries
        self._keep_stale = keep_stale

    def fresh(self, key: str, now: float) -> Answer | None:
        answer = self._entries.get(key)
        if answer is None or answer.expires <= now:
            return None
        self._entries.move_to_end(key)
        return answer

    def stale(self, key: str, now: float) -> Answer | None:
        """An expired (or fresh) copy still within the stale window, marked stale."""
        answer = self._entries.get(key)
        if answer is None or answer.expires + self._keep_stale <= now:
            return None
        return Answer(answer.rc, answer.values_json, answer.message, answer.expires, stale=True)

    def put(self, key: str, answer: Answer) -> None:
        self._entries[key] = answer
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class ReferralCache:
    """Where prefixes live, learnt from referrals, so a warm resolver skips the upper levels.

    A referral's HS_SITE names the node serving one prefix; its HS_SITE.PREFIX names the node
    that knows the prefixes derived from it (DNS keeps NS records the same way). Entries live
    for the site values' TTL.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._sites: OrderedDict[tuple[str, str], tuple[list[str], float]] = OrderedDict()
        self._max = max_entries

    def learn(self, prefix: str, kind: str, urls: list[str], expires: float) -> None:
        key = (kind, prefix)
        self._sites[key] = (urls, expires)
        self._sites.move_to_end(key)
        while len(self._sites) > self._max:
            self._sites.popitem(last=False)

    def nearest(self, prefix: str, now: float) -> tuple[list[str], tuple[str, str] | None]:
        """The nearest known site for `prefix`, and the entry it came from (to forget it)."""
        candidates = [(HS_SITE, prefix)] + [(HS_SITE_PREFIX, p) for p in parent_prefixes(prefix)]
        for key in candidates:
            entry = self._sites.get(key)
            if entry is not None and entry[1] > now:
                return entry[0], key
        return [], None

    def forget(self, key: tuple[str, str] | None) -> None:
        if key is not None:
            self._sites.pop(key, None)

    def __len__(self) -> int:
        return len(self._sites)
