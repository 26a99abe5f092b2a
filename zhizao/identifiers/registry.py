"""The registry: Handle.Net's rules for creating, changing, deleting and reading handles.

I/O goes through the `HandleRepository` / `PrefixRepository` interfaces; this module decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from zhizao.errors import (
    AuthenticationFailed,
    AuthenticationNeeded,
    HandleAlreadyExists,
    HandleNotFound,
    InsufficientPermissions,
    InvalidAdmin,
    InvalidHandle,
    InvalidValue,
    PrefixNotHomed,
    ValueAlreadyExists,
    ValuesNotFound,
)
from zhizao.identifiers.admin import AdminPerm, AdminRecord, AdminRef, parse_identity
from zhizao.identifiers.authz import require
from zhizao.identifiers.handle import (
    Handle,
    parent_prefixes,
    parse_handle,
    prefix_handle,
)
from zhizao.identifiers.record import HandleRecord, encode, select_values
from zhizao.identifiers.repository import HandleRepository, PrefixRepository, WriteTransaction
from zhizao.identifiers.seckey import SecretVerifier, hash_secret
from zhizao.identifiers.values import (
    HS_ADMIN,
    HS_SECKEY,
    SECKEY_HASH,
    Data,
    HandleValue,
    now_stamp,
)

P = AdminPerm


@dataclass(frozen=True, slots=True)
class ReadRequest:
    handle: Handle
    indexes: tuple[int, ...] = ()
    types: tuple[str, ...] = ()
    identity: AdminRef | None = None
    public_only: bool | None = None  # None = Handle.Net's default: public unless authenticated


class Registry:
    def __init__(
        self,
        handles: HandleRepository,
        prefixes: PrefixRepository,
        homed: Callable[[], frozenset[str]] | None = None,
    ) -> None:
        self.handles = handles
        self.prefixes = prefixes
        self._homed = homed or (lambda: frozenset(prefixes.homed_prefixes()))
        self._verifier = SecretVerifier()

    # --- homing and identities ---------------------------------------------------------

    def is_served(self, handle: Handle) -> bool:
        homed = self._homed()
        if not handle.is_prefix_handle:
            return handle.prefix in homed
        # A prefix handle lives where the prefix, or a prefix it derives from, is homed.
        return handle.suffix in homed or any(p in homed for p in parent_prefixes(handle.suffix))

    def check_served(self, handle: Handle) -> None:
        if not self.is_served(handle):
            raise PrefixNotHomed("That prefix doesn't live here")

    def authenticate(self, user: str, password: str) -> AdminRef:
        """Check an `index:handle` identity's secret against its HS_SECKEY (index 0 = any)."""
        try:
            identity = parse_identity(user)
        except InvalidHandle:
            raise AuthenticationFailed(f"Unusable identity {user!r}") from None
        record = self.handles.get(parse_handle(identity.handle).key)
        if record is not None:
            for v in record.values:
                if v.type == HS_SECKEY and identity.index in (0, v.index):
                    if self._verifier.verify(v.data.value, password):
                        return identity
        raise AuthenticationFailed(f"Authentication failed for {identity}")

    def require_server_admin(self, identity: AdminRef | None, what: str) -> None:
        """Node-level operations (homing prefixes) are for the server administrators only."""
        checked = self._need_identity(identity)
        self._checks(checked, None).require([], AdminPerm(0), f" of this node (to {what})")

    def server_admins(self) -> list[AdminRef]:
        return [parse_identity(s) for s in self.prefixes.server_admins()]

    def _checks(self, identity: AdminRef, tx: WriteTransaction | None) -> _Checks:
        return _Checks(self, identity, tx)

    def _creation_admins(
        self, handle: Handle, tx: WriteTransaction
    ) -> tuple[list[AdminRecord], AdminPerm]:
        """Whose HS_ADMIN decides a new handle, and which bit it needs."""
        if handle.is_prefix_handle:
            for parent in parent_prefixes(handle.suffix):
                rec = tx.get(prefix_handle(parent).key)
                if rec is not None:
                    return rec.admins(), P.ADD_DERIVED_PREFIX
            return [], P.ADD_DERIVED_PREFIX  # a top-level prefix: server admins only
        rec = tx.get(prefix_handle(handle.prefix).key)
        return (rec.admins() if rec else []), P.ADD_HANDLE

    # --- reads -------------------------------------------------------------------------

    def resolve(self, req: ReadRequest) -> list[HandleValue]:
        """The values a reader may see; ValuesNotFound when the filter leaves none."""
        self.check_served(req.handle)
        record = self.handles.get(req.handle.key)
        if record is None:
            raise HandleNotFound("Handle Not Found")
        public_only = req.public_only if req.public_only is not None else req.identity is None
        include_private = False
        if not public_only and req.identity is not None:
            try:
                self._checks(req.identity, None).require(record.admins(), P.READ_VALUE)
                include_private = True
            except (InsufficientPermissions, InvalidAdmin):
                include_private = False  # an authenticated non-admin reads like the public
        visible = select_values(
            record.readable(include_private=include_private), req.indexes, req.types
        )
        if not visible:
            raise ValuesNotFound("Values Not Found")
        return visible

    # --- writes ------------------------------------------------------------------------

    def create(
        self,
        handle: Handle,
        values: Sequence[HandleValue],
        identity: AdminRef | None,
        *,
        overwrite: bool,
    ) -> None:
        """Create a handle, or with overwrite replace its whole record."""
        identity = self._need_identity(identity)
        _check_unique_indexes(values)
        self.check_served(handle)
        with self.handles.write() as tx:
            existing = tx.get(handle.key)
            if existing is not None and not overwrite:
                raise HandleAlreadyExists("Handle already exists")
            self._authorize_create(identity, handle, values, existing, tx)
            tx.put(HandleRecord(handle, _prepare(values, existing.by_index() if existing else {})))

    def create_many(
        self,
        items: Sequence[tuple[Handle, Sequence[HandleValue]]],
        identity: AdminRef | None,
        *,
        overwrite: bool,
        as_operator: bool = False,
    ) -> tuple[int, int]:
        """Create a batch of handles atomically; returns (written, skipped as already present).

        `as_operator` is the node operator working on the database directly (the CLI), who
        needs no Handle credential. Errors name the item's position in the batch.
        """
        if not as_operator:
            identity = self._need_identity(identity)
        records = []
        for pos, (handle, values) in enumerate(items):
            try:
                self.check_served(handle)
                records.append(self.prepare_new(handle, values))
            except (InvalidValue, PrefixNotHomed) as exc:
                raise type(exc)(
                    f"item {pos} ({handle.text}): {exc.message}", field=f"[{pos}]"
                ) from None
        if not as_operator:
            assert identity is not None
            with self.handles.write() as tx:
                for rec in records:
                    existing = tx.get(rec.handle.key)
                    if existing is None or overwrite:
                        self._authorize_create(identity, rec.handle, rec.values, existing, tx)
        return self.handles.put_many(encode(*records), overwrite=overwrite)

    def prepare_new(self, handle: Handle, values: Sequence[HandleValue]) -> HandleRecord:
        """A new record as it will be stored: indexes checked, secrets hashed, values stamped."""
        _check_unique_indexes(values)
        return HandleRecord(handle, _prepare(values, {}))

    def check_importable(self, prefixes: Iterable[str]) -> None:
        """Every prefix is homed here (a bulk load writes only what this node serves)."""
        homed = self._homed()
        for prefix in prefixes:
            if prefix not in homed:
                raise PrefixNotHomed(f"prefix {prefix} is not homed on this node")

    def bootstrap(self, handle: Handle, values: Sequence[HandleValue]) -> None:
        """Write a record as the node operator (local CLI): no credential, no permission check."""
        _check_unique_indexes(values)
        with self.handles.write() as tx:
            existing = tx.get(handle.key)
            tx.put(HandleRecord(handle, _prepare(values, existing.by_index() if existing else {})))

    def _authorize_create(
        self,
        identity: AdminRef,
        handle: Handle,
        values: Sequence[HandleValue],
        existing: HandleRecord | None,
        tx: WriteTransaction,
    ) -> None:
        """A new handle needs "add handle" on its prefix; replacing one needs the diff's bits."""
        checks = self._checks(identity, tx)
        if existing is None:
            admins, needed = self._creation_admins(handle, tx)
            checks.require(admins, needed, f" under {handle.prefix}")
            return
        checks.require_additions(existing, values)
        kept = {v.index for v in values}
        for before in existing.values:
            if before.index not in kept:
                checks.require_on(existing, before, P.REMOVE_ADMIN, P.REMOVE_VALUE)

    def add_values(
        self,
        handle: Handle,
        values: Sequence[HandleValue],
        identity: AdminRef | None,
        *,
        overwrite: bool,
    ) -> None:
        """Add values (with overwrite: add or replace them) on an existing handle."""
        identity = self._need_identity(identity)
        _check_unique_indexes(values)
        self.check_served(handle)
        with self.handles.write() as tx:
            existing = self._existing(tx, handle)
            old = existing.by_index()
            taken = [v.index for v in values if v.index in old]
            if taken and not overwrite:
                raise ValueAlreadyExists(f"Value at index {taken[0]} already exists")
            self._checks(identity, tx).require_additions(existing, values)
            merged = dict(old)
            merged.update({v.index: v for v in _prepare(values, old)})
            tx.put(HandleRecord(existing.handle, tuple(sorted(merged.values(), key=_by_index))))

    def remove_values(
        self, handle: Handle, indexes: Sequence[int], identity: AdminRef | None
    ) -> None:
        identity = self._need_identity(identity)
        self.check_served(handle)
        with self.handles.write() as tx:
            existing = self._existing(tx, handle)
            old = existing.by_index()
            missing = [i for i in indexes if i not in old]
            if missing:
                raise ValuesNotFound(f"No value at index {missing[0]}")
            checks = self._checks(identity, tx)
            dropped = set(indexes)
            for i in dropped:
                checks.require_on(existing, old[i], P.REMOVE_ADMIN, P.REMOVE_VALUE)
            kept = tuple(v for v in existing.values if v.index not in dropped)
            tx.put(HandleRecord(existing.handle, kept))

    def delete(self, handle: Handle, identity: AdminRef | None) -> None:
        identity = self._need_identity(identity)
        self.check_served(handle)
        with self.handles.write() as tx:
            existing = self._existing(tx, handle)
            checks = self._checks(identity, tx)
            checks.require(existing.admins(), P.DELETE_HANDLE, f" of {handle.text}")
            tx.delete(handle.key)

    def list_handles(
        self, prefix: str, identity: AdminRef | None, page: int | None, page_size: int | None
    ) -> tuple[int, list[str]]:
        identity = self._need_identity(identity)
        na = prefix_handle(prefix)
        self.check_served(na)
        rec = self.handles.get(na.key)
        admins = rec.admins() if rec else []
        self._checks(identity, None).require(admins, P.LIST_HANDLES, f" of prefix {prefix}")
        total = self.handles.count_handles(na.suffix)
        if page_size == 0:
            return total, []
        if page is None or page_size is None or page < 0 or page_size < 0:
            return total, self.handles.list_handles(na.suffix, 0, None)
        return total, self.handles.list_handles(na.suffix, page * page_size, page_size)

    # --- helpers -----------------------------------------------------------------------

    @staticmethod
    def _need_identity(identity: AdminRef | None) -> AdminRef:
        if identity is None:
            raise AuthenticationNeeded("Authentication needed")
        return identity

    @staticmethod
    def _existing(tx: WriteTransaction, handle: Handle) -> HandleRecord:
        existing = tx.get(handle.key)
        if existing is None:
            raise HandleNotFound("Handle Not Found")
        return existing


class _Checks:
    """One operation's permission checks, reading through its transaction.

    The server administrators are read once per operation, not once per value checked.
    """

    def __init__(self, registry: Registry, identity: AdminRef, tx: WriteTransaction | None):
        self.identity = identity
        self._registry = registry
        self._tx = tx
        self._server_admins: list[AdminRef] | None = None

    def _load(self, key: str) -> Sequence[HandleValue] | None:
        rec = self._tx.get(key) if self._tx is not None else self._registry.handles.get(key)
        return rec.values if rec else None

    def require(self, admins: list[AdminRecord], needed: AdminPerm, what: str = "") -> None:
        if self._server_admins is None:
            self._server_admins = self._registry.server_admins()
        require(self.identity, admins, needed, self._load, self._server_admins, what)

    def require_on(
        self, record: HandleRecord, value: HandleValue, admin_perm: AdminPerm, perm: AdminPerm
    ) -> None:
        """`admin_perm` for an HS_ADMIN value, `perm` for any other, through the record's admins."""
        needed = admin_perm if value.type == HS_ADMIN else perm
        where = f" (index {value.index} of {record.handle.text})"
        self.require(record.admins(), needed, where)

    def require_additions(self, record: HandleRecord, values: Sequence[HandleValue]) -> None:
        """Adding `values` to `record`: "add" for new indexes, "modify" for changed ones."""
        old = record.by_index()
        for v in values:
            before = old.get(v.index)
            if before is None:
                self.require_on(record, v, P.ADD_ADMIN, P.ADD_VALUE)
            elif not _unchanged(before, v):
                self.require_on(record, v, P.MODIFY_ADMIN, P.MODIFY_VALUE)


def _by_index(v: HandleValue) -> int:
    return v.index


def _check_unique_indexes(values: Sequence[HandleValue]) -> None:
    seen: set[int] = set()
    for pos, v in enumerate(values):
        if v.index in seen:
            raise InvalidValue(
                f"values[{pos}].index: index {v.index} appears twice", field=f"values[{pos}].index"
            )
        seen.add(v.index)


def _unchanged(before: HandleValue, after: HandleValue) -> bool:
    if after.type == HS_SECKEY:
        return False  # a secret sent again is a new secret
    return before.same_content(after)


def _prepare(values: Sequence[HandleValue], old: dict[int, HandleValue]) -> tuple[HandleValue, ...]:
    """Hash secrets and stamp timestamps; an unchanged value keeps its old stamp."""
    stamp = now_stamp()
    out = []
    for v in values:
        if v.type == HS_SECKEY and v.data.format != SECKEY_HASH:
            v = replace(v, data=Data(SECKEY_HASH, hash_secret(v.data.value)))
        before = old.get(v.index)
        if before is not None and _unchanged(before, v):
            out.append(before)
        else:
            out.append(v.stamped(stamp))
    return tuple(sorted(out, key=_by_index))
