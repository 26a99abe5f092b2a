"""Setting a node up: home a prefix with its administrator, and the small example `init` loads."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from zhizao.identifiers.admin import ALL_PERMS, AdminRef, parse_identity, perms_to_string
from zhizao.identifiers.bulk import ADMIN_GROUP_INDEX, admin_value, default_owner
from zhizao.identifiers.handle import check_prefix, parse_handle, prefix_handle
from zhizao.identifiers.values import (
    HS_SECKEY,
    HS_VLIST,
    SECRET_PERMISSIONS,
    Data,
    HandleValue,
)
from zhizao.node import Node


@dataclass(frozen=True, slots=True)
class PrefixSetup:
    prefix: str
    admin: AdminRef
    secret: str


def create_prefix(
    node: Node, prefix: str, admin: str, secret: str, *, server_admin: bool = False
) -> PrefixSetup:
    """Home `prefix` and make `admin` (`index:handle`, under the prefix) its administrator.

    `0.NA/<prefix>` gets HS_ADMIN (all bits) naming the group at index 200, an HS_VLIST holding
    the admin identity; the admin handle gets HS_ADMIN and the HS_SECKEY (hashed, not public).
    Re-running puts both records back in this state, with the new secret.
    """
    canonical = check_prefix(prefix)
    ref = parse_identity(admin)
    if ref.index == 0:
        raise ValueError(f"--admin needs an index, e.g. 300:{prefix}/ADMIN")
    admin_handle = parse_handle(ref.handle)
    if admin_handle.prefix != canonical:
        raise ValueError(f"The admin handle {ref.handle} must be under {prefix}")
    na = prefix_handle(prefix)
    node.home(canonical)
    node.registry.bootstrap(
        na,
        [
            admin_value(100, na.text, ADMIN_GROUP_INDEX, perms_to_string(ALL_PERMS)),
            HandleValue(
                ADMIN_GROUP_INDEX,
                HS_VLIST,
                Data("vlist", [{"handle": ref.handle, "index": ref.index}]),
            ),
        ],
    )
    node.registry.bootstrap(
        admin_handle,
        [
            default_owner(prefix),
            HandleValue(
                ref.index, HS_SECKEY, Data("string", secret), permissions=SECRET_PERMISSIONS
            ),
        ],
    )
    if server_admin:
        node.store.add_server_admin(str(ref))
    return PrefixSetup(canonical, ref, secret)


EXAMPLE_PREFIX = "88.118.8160"
EXAMPLE_ADMIN = f"300:{EXAMPLE_PREFIX}/ADMIN"
# A GB/T 34014-style pack code, a cell, a vehicle (VIN) and a part batch.
EXAMPLE_HANDLES: dict[str, dict[str, str]] = {
    f"{EXAMPLE_PREFIX}/PACK-001PE0B2C3D4E5F6G7H8J9K": {
        "URL": "https://example.com/packs/001PE0B2C3D4E5F6G7H8J9K",
        "PRODUCT": "NEV traction battery pack, 75 kWh",
        "MANUFACTURER": "Example Battery Co., Liangjiang",
    },
    f"{EXAMPLE_PREFIX}/CELL-03HCB0A1B2C3D4E5F6G7H8": {
        "URL": "https://example.com/cells/03HCB0A1B2C3D4E5F6G7H8",
        "PRODUCT": "LFP prismatic cell 280 Ah",
    },
    f"{EXAMPLE_PREFIX}/VIN-LS5A3DKE0PA000001": {
        "URL": "https://example.com/vehicles/LS5A3DKE0PA000001",
        "PRODUCT": "Intelligent connected NEV, SUV",
    },
    f"{EXAMPLE_PREFIX}/LOT-2023-06-0417": {
        "URL": "https://example.com/lots/2023-06-0417",
        "PRODUCT": "Busbar batch, 5,000 pcs",
    },
}


def load_example(node: Node) -> PrefixSetup | None:
    """The `init` example; None when it is already there (re-running is safe)."""
    if EXAMPLE_PREFIX in node.store.homed_prefixes():
        return None
    setup = create_prefix(
        node, EXAMPLE_PREFIX, EXAMPLE_ADMIN, secrets.token_urlsafe(18), server_admin=True
    )
    owner = default_owner(EXAMPLE_PREFIX)
    items = []
    for text, fields in EXAMPLE_HANDLES.items():
        values = [owner] + [
            HandleValue(i, t, Data("string", v)) for i, (t, v) in enumerate(fields.items(), start=1)
        ]
        items.append((parse_handle(text), values))
    node.registry.create_many(items, None, overwrite=True, as_operator=True)
    return setup
