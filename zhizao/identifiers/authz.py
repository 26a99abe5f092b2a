"""Authorisation as Handle.Net does it: HS_ADMIN values, directly or through HS_VLIST groups."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from zhizao.errors import InsufficientPermissions, InvalidAdmin
from zhizao.identifiers.admin import AdminPerm, AdminRecord, AdminRef
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.values import HS_VLIST, HandleValue

# Look up a handle's values by canonical key; None when the handle does not exist here.
ValueLoader = Callable[[str], Sequence[HandleValue] | None]

MAX_GROUP_DEPTH = 16


def same_identity(a: AdminRef, b: AdminRef) -> bool:
    return parse_handle(a.handle).key == parse_handle(b.handle).key and a.index == b.index


def is_member(identity: AdminRef, group: AdminRef, load: ValueLoader) -> bool:
    """Is `identity` the admin `group` names, or a member of it through nested HS_VLISTs?

    Cycle-safe: each (handle, index) is expanded at most once.
    """
    seen: set[tuple[str, int]] = set()
    target = (parse_handle(identity.handle).key, identity.index)

    def walk(ref: AdminRef, depth: int) -> bool:
        key = (parse_handle(ref.handle).key, ref.index)
        if key == target or (ref.index == 0 and key[0] == target[0]):
            return True
        if key in seen or depth > MAX_GROUP_DEPTH:
            return False
        seen.add(key)
        values = load(key[0]) or ()
        for v in values:
            if v.type == HS_VLIST and (ref.index == 0 or v.index == ref.index):
                if any(walk(member, depth + 1) for member in v.vlist()):
                    return True
        return False

    return walk(group, 0)


def require(
    identity: AdminRef,
    admins: Iterable[AdminRecord],
    needed: AdminPerm,
    load: ValueLoader,
    server_admins: Iterable[AdminRef] = (),
    what: str = "",
) -> None:
    """Raise unless `identity` holds every bit of `needed` through one of `admins`.

    Server administrators (the node's configuration) may do anything, as in Handle.Net, where
    they are the only ones who can change a record that has no HS_ADMIN.
    """
    if any(same_identity(identity, s) for s in server_admins):
        return
    is_admin = False
    for admin in admins:
        if is_member(identity, admin.admin, load):
            if admin.allows(needed):
                return
            is_admin = True
    perm_names = ", ".join(p.name.lower().replace("_", " ") for p in needed if p.name)
    if is_admin:
        raise InsufficientPermissions(f"{identity} lacks permission to {perm_names}{what}")
    raise InvalidAdmin(f"{identity} is not an administrator{what}")
