"""The recursive resolver's rules, against scripted nodes behind its one-GET `fetch` seam."""

import asyncio
import json
from urllib.parse import urlsplit

import pytest

from zhizao.errors import ReferralLoop, UpstreamUnavailable
from zhizao.federation.cache import MAX_TTL
from zhizao.federation.resolver import RecursiveResolver
from zhizao.federation.upstream import AiohttpFetch, UpstreamError
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.referral import site_data

H = parse_handle("88.118.8160/CELL-1")


def referral_to(port):
    return {"responseCode": 303, "values": [
        {"index": 2, "type": "HS_SITE.PREFIX", "data": {"format": "site", "value": site_data(
            f"http://127.0.0.1:{port}")}}]}  # fmt: skip


def found(ttl=86400):
    value = {"index": 1, "type": "URL", "data": {"format": "string", "value": "x"}, "ttl": ttl}
    return {"responseCode": 1, "values": [value]}


class Nodes:
    """Port → answer; counts the requests each port got."""

    def __init__(self, answers):
        self.answers = answers
        self.asked: list[int] = []

    async def __call__(self, url: str) -> tuple[int, bytes]:
        parts = urlsplit(url)
        self.asked.append(parts.port)
        assert parts.query == "recursive=false"
        answer = self.answers[parts.port]
        if answer is None:
            raise UpstreamError("ClientConnectorError")
        return 300 if answer["responseCode"] == 303 else 200, json.dumps(answer).encode()


def resolver(nodes, clock=lambda: 0.0, **kw):
    return RecursiveResolver("http://127.0.0.1:1", fetch=nodes, clock=clock, **kw)


def test_follows_referrals_and_caches_for_the_ttl_capped_at_two_days():
    now = [0.0]
    nodes = Nodes({1: referral_to(2), 2: referral_to(3), 3: found(ttl=10 * 86400)})
    r = resolver(nodes, clock=lambda: now[0])
    answer = asyncio.run(r.resolve(H, []))
    assert answer.rc == 1 and answer.expires == MAX_TTL and nodes.asked == [1, 2, 3]
    now[0] = MAX_TTL - 1
    asyncio.run(r.resolve(H, []))
    assert nodes.asked == [1, 2, 3]  # from the cache
    asyncio.run(r.resolve(H, [], fresh=True))  # auth=true
    assert nodes.asked == [1, 2, 3, 1, 2, 3]


def test_negative_answers_are_cached_briefly():
    now = [0.0]
    nodes = Nodes({1: {"responseCode": 100, "message": "Handle Not Found"}})
    r = resolver(nodes, clock=lambda: now[0], negative_ttl=5)
    assert asyncio.run(r.resolve(H, [])).rc == 100
    now[0] = 4.9
    asyncio.run(r.resolve(H, []))
    assert nodes.asked == [1]
    now[0] = 5.1
    asyncio.run(r.resolve(H, []))
    assert nodes.asked == [1, 1]


def test_concurrent_misses_make_one_upstream_request():
    nodes = Nodes({1: found()})

    async def slow(url):  # the node takes a while, so the 50 misses overlap
        await asyncio.sleep(0.05)
        return await nodes(url)

    async def many():
        r = resolver(slow)
        answers = await asyncio.gather(*(r.resolve(H, []) for _ in range(50)))
        return r, answers

    r, answers = asyncio.run(many())
    assert nodes.asked == [1] and {a.rc for a in answers} == {1}
    assert r.counts["coalesced"] == 49


def test_a_referral_loop_and_too_many_hops_end():
    with pytest.raises(ReferralLoop, match="came back"):
        asyncio.run(resolver(Nodes({1: referral_to(2), 2: referral_to(1)})).resolve(H, []))
    chain = {p: referral_to(p + 1) for p in range(1, 20)}
    with pytest.raises(ReferralLoop, match="More than 4 referrals"):
        asyncio.run(resolver(Nodes(chain), max_hops=4).resolve(H, []))


def test_upstream_down_serves_stale_else_fails_clearly():
    now = [0.0]
    nodes = Nodes({1: found(ttl=1)})
    r = resolver(nodes, clock=lambda: now[0])
    asyncio.run(r.resolve(H, []))
    nodes.answers[1] = None
    now[0] = 2.0
    answer = asyncio.run(r.resolve(H, []))
    assert answer.stale and answer.rc == 1
    with pytest.raises(UpstreamUnavailable, match="88.118.8160/OTHER"):
        asyncio.run(r.resolve(parse_handle("88.118.8160/OTHER"), []))


def named_referral(port, prefix, kind="HS_SITE.PREFIX", ttl=86400):
    body = referral_to(port)
    body["referralHandle"] = f"0.NA/{prefix}"
    body["values"][0]["type"] = kind
    body["values"][0]["ttl"] = ttl
    return body


def test_referrals_are_remembered_so_a_warm_resolver_asks_the_responsible_node():
    now = [0.0]
    nodes = Nodes(
        {1: named_referral(2, "88"), 2: named_referral(3, "88.118.8160", "HS_SITE", 60),
         3: found()}
    )  # fmt: skip
    r = resolver(nodes, clock=lambda: now[0])
    asyncio.run(r.resolve(H, []))
    assert nodes.asked == [1, 2, 3]
    asyncio.run(r.resolve(parse_handle("88.118.8160/CELL-2"), []))
    assert nodes.asked == [1, 2, 3, 3]  # straight to the node serving 88.118.8160
    # another prefix under 88 starts at the node that knows 88's derived prefixes
    asyncio.run(r.resolve(parse_handle("88.200/x"), []))
    assert nodes.asked[4:] == [2, 3]
    now[0] = 61  # the HS_SITE of 88.118.8160 expired: ask 88's derived-prefix site again
    asyncio.run(r.resolve(parse_handle("88.118.8160/CELL-3"), []))
    assert nodes.asked[6:] == [2, 3]


def test_a_learnt_site_that_is_down_or_moved_is_forgotten_and_the_walk_restarts_at_the_top():
    nodes = Nodes({1: referral_to(2), 2: named_referral(3, "88.118.8160", "HS_SITE"), 3: found()})
    r = resolver(nodes)
    asyncio.run(r.resolve(H, []))
    nodes.answers[3] = None  # the enterprise node is down...
    nodes.answers[2] = named_referral(4, "88.118.8160", "HS_SITE")  # ...and moved to port 4
    nodes.answers[4] = found()
    answer = asyncio.run(r.resolve(parse_handle("88.118.8160/CELL-2"), []))
    assert answer.rc == 1 and nodes.asked[3:] == [3, 1, 2, 4]
    # a site that answers 'not here' (the prefix left it) is forgotten the same way
    nodes.answers[4] = {"responseCode": 301}
    nodes.answers[2] = named_referral(3, "88.118.8160", "HS_SITE")
    nodes.answers[3] = found()
    answer = asyncio.run(r.resolve(parse_handle("88.118.8160/CELL-3"), []))
    assert answer.rc == 1 and nodes.asked[7:] == [4, 1, 2, 3]


def test_the_real_fetch_reports_a_node_it_cannot_reach_as_upstream_error():
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    fetch = AiohttpFetch(timeout=1)

    async def ask():
        with pytest.raises(UpstreamError):
            await fetch(f"http://127.0.0.1:{port}/api/handles/88/x")
        await fetch.aclose()

    asyncio.run(ask())
