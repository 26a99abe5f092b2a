"""Recursion at the edge: a name this node does not home, resolved where the referrals lead.

Shared by the resolution fast lane (`NodeApp.answer`) and `GET /api/handles/{handle}`.
"""

from __future__ import annotations

import json

from zhizao.api import handle_protocol as hp
from zhizao.errors import HandleNotFound, PrefixNotHomed, PrefixReferral, ValuesNotFound
from zhizao.federation.resolver import HANDLE_NOT_FOUND, NOT_HERE, VALUES_NOT_FOUND
from zhizao.identifiers.record import wanted
from zhizao.identifiers.registry import ReadRequest
from zhizao.node import Node

# RFC 7234's warning for an answer the responsible node could not confirm.
STALE_WARNING = ("Warning", '110 - "Response is Stale"')


async def resolve_elsewhere(
    node: Node, req: ReadRequest, referral: PrefixNotHomed, *, fresh: bool = False
) -> tuple[str, bool]:
    """(values JSON as the request filters them, stale?) from the node responsible."""
    start = referral.urls if isinstance(referral, PrefixReferral) else []
    answer = await node.resolver.resolve(req.handle, start, fresh=fresh)
    if answer.rc == NOT_HERE:
        raise PrefixNotHomed(answer.message or "No node serves that prefix")
    if answer.rc == HANDLE_NOT_FOUND:
        raise HandleNotFound(answer.message or "Handle Not Found")
    if answer.rc == VALUES_NOT_FOUND:
        raise ValuesNotFound(answer.message or "Values Not Found")
    values_json = answer.values_json
    if req.indexes or req.types:
        values = [
            v
            for v in json.loads(values_json)
            if wanted(v.get("index"), str(v.get("type")), req.indexes, req.types)
        ]
        if not values:
            raise ValuesNotFound("Values Not Found")
        values_json = hp.dumps(values)
    return values_json, answer.stale


def resolution_body(text: str, values_json: str, stale: bool) -> str:
    body = hp.resolution_body(text, values_json)
    return body[:-1] + ',"stale":true}' if stale else body
