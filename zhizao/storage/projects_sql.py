"""Projects, parties, keys, documents, signatures, the evidence log and API tokens in SQL.

Writes take the caller's transaction (`conn`), so a project change and its evidence entry are
stored together or not at all.
"""

from __future__ import annotations

import json
from typing import Any

from zhizao.projects.evidence import Entry, next_entry
from zhizao.projects.model import Project, SigningEvent

EVIDENCE_LOCK = "zhizao:evidence"
_ENTRY_COLUMNS = "seq, at, actor, kind, data, prev, hash"
_KEY_FIELDS = ("keyId", "party", "publicKey", "registeredAt", "revokedAt")


class ProjectsSql:
    """Mixed into SqlStore; uses its q(), reader(), transaction() and lock_key()."""

    q: Any
    reader: Any
    transaction: Any
    lock_key: Any

    # --- signing events and projects ----------------------------------------------------

    def add_signing_event(self, conn: Any, event: SigningEvent) -> bool:
        cur = conn.execute(
            self.q(
                "INSERT INTO signing_events (id, year, body) VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING"
            ),
            (event.id, event.year, json.dumps(event.to_json(), ensure_ascii=False)),
        )
        return bool(cur.rowcount)

    def signing_events(self) -> list[dict[str, Any]]:
        rows = self.reader().execute("SELECT body FROM signing_events ORDER BY year, id")
        return [json.loads(r[0]) for r in rows]

    def signing_event(self, event_id: str) -> dict[str, Any] | None:
        row = (
            self.reader()
            .execute(self.q("SELECT body FROM signing_events WHERE id = ?"), (event_id,))
            .fetchone()
        )
        return json.loads(row[0]) if row else None

    def put_project(self, conn: Any, project: Project, *, new: bool) -> bool:
        """Insert (new) or replace a project; False when a new one's id is taken."""
        body = json.dumps(project.to_json(), ensure_ascii=False)
        args = (project.signing_event, project.area, project.stage.value, project.investor_party)
        if new:
            cur = conn.execute(
                self.q(
                    "INSERT INTO projects (signing_event, area, stage, investor_party, body, id) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
                ),
                (*args, body, project.id),
            )
        else:
            cur = conn.execute(
                self.q(
                    "UPDATE projects SET signing_event = ?, area = ?, stage = ?, "
                    "investor_party = ?, body = ? WHERE id = ?"
                ),
                (*args, body, project.id),
            )
        return bool(cur.rowcount)

    def project_body(self, project_id: str, conn: Any = None) -> dict[str, Any] | None:
        row = (
            (conn or self.reader())
            .execute(self.q("SELECT body FROM projects WHERE id = ?"), (project_id,))
            .fetchone()
        )
        return json.loads(row[0]) if row else None

    def project_bodies(self, signing_event: str | None = None) -> list[dict[str, Any]]:
        if signing_event is None:
            rows = self.reader().execute("SELECT body FROM projects ORDER BY id")
        else:
            rows = self.reader().execute(
                self.q("SELECT body FROM projects WHERE signing_event = ? ORDER BY id"),
                (signing_event,),
            )
        return [json.loads(r[0]) for r in rows]

    # --- parties and keys ---------------------------------------------------------------

    def add_party(self, conn: Any, party: str, name: str, side: str) -> None:
        conn.execute(
            self.q(
                "INSERT INTO parties (id, name, side) VALUES (?, ?, ?) ON CONFLICT (id) "
                "DO UPDATE SET name = excluded.name, side = excluded.side"
            ),
            (party, name, side),
        )

    def party(self, party: str) -> tuple[str, str] | None:
        row = (
            self.reader()
            .execute(self.q("SELECT name, side FROM parties WHERE id = ?"), (party,))
            .fetchone()
        )
        return (row[0], row[1]) if row else None

    def add_key(self, conn: Any, key_id: str, party: str, public_key: str, at: str) -> bool:
        cur = conn.execute(
            self.q(
                "INSERT INTO party_keys (key_id, party, public_key, registered_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING"
            ),
            (key_id, party, public_key, at),
        )
        return bool(cur.rowcount)

    def revoke_key(self, conn: Any, key_id: str, at: str) -> bool:
        cur = conn.execute(
            self.q("UPDATE party_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL"),
            (at, key_id),
        )
        return bool(cur.rowcount)

    def keys_of(self, party: str) -> list[dict[str, Any]]:
        rows = self.reader().execute(
            self.q(
                "SELECT key_id, party, public_key, registered_at, revoked_at FROM party_keys "
                "WHERE party = ? ORDER BY registered_at"
            ),
            (party,),
        )
        return [dict(zip(_KEY_FIELDS, r, strict=True)) for r in rows]

    def key(self, key_id: str) -> dict[str, Any] | None:
        row = (
            self.reader()
            .execute(
                self.q(
                    "SELECT key_id, party, public_key, registered_at, revoked_at "
                    "FROM party_keys WHERE key_id = ?"
                ),
                (key_id,),
            )
            .fetchone()
        )
        if row is None:
            return None
        return dict(zip(_KEY_FIELDS, row, strict=True))

    # --- documents and signatures -------------------------------------------------------

    def add_document(
        self, conn: Any, sha256: str, project: str, name: str, content: bytes, at: str
    ) -> bool:
        cur = conn.execute(
            self.q(
                "INSERT INTO documents (sha256, project, name, content, registered_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING"
            ),
            (sha256, project, name, content, at),
        )
        return bool(cur.rowcount)

    def document(self, sha256: str) -> tuple[str, str, bytes] | None:
        """(project, name, content) of a stored contract."""
        row = (
            self.reader()
            .execute(
                self.q("SELECT project, name, content FROM documents WHERE sha256 = ?"), (sha256,)
            )
            .fetchone()
        )
        return (row[0], row[1], bytes(row[2])) if row else None

    def documents_of(self, project: str) -> list[dict[str, str]]:
        rows = self.reader().execute(
            self.q(
                "SELECT sha256, name, registered_at FROM documents WHERE project = ? "
                "ORDER BY registered_at"
            ),
            (project,),
        )
        return [{"sha256": r[0], "name": r[1], "registeredAt": r[2]} for r in rows]

    def add_signature(self, conn: Any, row: dict[str, str]) -> bool:
        cur = conn.execute(
            self.q(
                "INSERT INTO signatures (sha256, party, project, key_id, signed_at, signature) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256, party) DO NOTHING"
            ),
            (row["sha256"], row["party"], row["project"], row["keyId"], row["signedAt"],
             row["signature"]),
        )  # fmt: skip
        return bool(cur.rowcount)

    def signature_counts(self) -> dict[str, int]:
        """project → number of signatures, for every project that has one."""
        rows = self.reader().execute("SELECT project, count(*) FROM signatures GROUP BY project")
        return {project: int(n) for project, n in rows.fetchall()}

    def signatures_of(self, project: str, conn: Any = None) -> list[dict[str, str]]:
        rows = (conn or self.reader()).execute(
            self.q(
                "SELECT sha256, party, key_id, signed_at, signature FROM signatures "
                "WHERE project = ? ORDER BY signed_at"
            ),
            (project,),
        )
        names = ("sha256", "party", "keyId", "signedAt", "signature")
        return [dict(zip(names, r, strict=True)) for r in rows]

    def signature(self, sha256: str, party: str) -> str | None:
        row = (
            self.reader()
            .execute(
                self.q("SELECT signature FROM signatures WHERE sha256 = ? AND party = ?"),
                (sha256, party),
            )
            .fetchone()
        )
        return row[0] if row else None

    # --- evidence log -------------------------------------------------------------------

    def append_evidence(
        self, conn: Any, at: str, actor: str, kind: str, data: dict[str, Any]
    ) -> Entry:
        self.lock_key(conn, EVIDENCE_LOCK)  # one appender at a time, or two would share a seq
        row = conn.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM evidence ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        entry = next_entry(_entry(row) if row else None, at, actor, kind, data)
        conn.execute(
            self.q("INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?)"),
            (entry.seq, entry.at, entry.actor, entry.kind,
             json.dumps(entry.data, ensure_ascii=False, sort_keys=True), entry.prev, entry.hash),
        )  # fmt: skip
        return entry

    def evidence(self, after: int = 0, limit: int | None = None) -> list[Entry]:
        sql = (
            "SELECT seq, at, actor, kind, data, prev, hash FROM evidence WHERE seq > ? ORDER BY seq"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_entry(r) for r in self.reader().execute(self.q(sql), (after,))]

    def evidence_tail(self) -> Entry | None:
        row = (
            self.reader()
            .execute(f"SELECT {_ENTRY_COLUMNS} FROM evidence ORDER BY seq DESC LIMIT 1")
            .fetchone()
        )
        return _entry(row) if row else None

    # --- API tokens ---------------------------------------------------------------------

    def add_token(
        self, conn: Any, token_hash: str, label: str, role: str, party: str | None, at: str
    ) -> None:
        conn.execute(
            self.q(
                "INSERT INTO api_tokens (token_hash, label, role, party, created_at) "
                "VALUES (?, ?, ?, ?, ?)"
            ),
            (token_hash, label, role, party, at),
        )

    def token(self, token_hash: str) -> tuple[str, str, str | None] | None:
        """(label, role, party) of a live token."""
        row = (
            self.reader()
            .execute(
                self.q(
                    "SELECT label, role, party FROM api_tokens WHERE token_hash = ? "
                    "AND revoked_at IS NULL"
                ),
                (token_hash,),
            )
            .fetchone()
        )
        return (row[0], row[1], row[2]) if row else None


def _entry(row: Any) -> Entry:
    return Entry(int(row[0]), row[1], row[2], row[3], json.loads(row[4]), row[5], row[6])
