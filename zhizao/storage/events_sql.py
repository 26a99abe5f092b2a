"""EPCIS storage shared by both backends: events, capture jobs, named queries, subscriptions."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import orjson

from zhizao.errors import JobAlreadyFinished, NoSuchResource, ResourceAlreadyExists
from zhizao.events.query import QuerySpec
from zhizao.events.record import EventRecord
from zhizao.storage.batch import insert_rows, select_in
from zhizao.storage.event_query import where_sql

EVENT_COLUMNS = (
    "seq, event_id, event_type, event_time, record_time, action, biz_step, disposition, "
    "read_point, biz_location, transformation_id, capture_id, body"
)
INSERT_EVENT = f"INSERT INTO epcis_events ({EVENT_COLUMNS}) VALUES ({', '.join('?' * 13)})"
INSERT_DECLARATION = (
    f"INSERT INTO epcis_events ({EVENT_COLUMNS}, is_error, error_time, error_reason) "
    f"VALUES ({', '.join('?' * 16)})"
)
# Most identifiers are items, without a quantity: their rows leave those columns out (NULL),
# as binding None costs a bound value each (and on Python 3.11 more, see storage.sqlite).
INSERT_ITEM = "INSERT INTO epcis_ids (seq, role, id) VALUES (?, ?, ?)"
INSERT_COUNTED = "INSERT INTO epcis_ids VALUES (?, ?, ?, ?, ?)"
# for the rare body orjson refuses (an integer beyond 64 bits); made once, as json.dumps with
# options builds a new encoder on every call
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def body_json(body: dict[str, Any]) -> str:
    """An event's stored text: compact JSON (orjson: a sixth of the standard library's time)."""
    try:
        return orjson.dumps(body).decode()
    except TypeError:  # an integer beyond 64 bits, which the standard library keeps exact
        return _COMPACT.encode(body)


def _about(record: EventRecord, text: str) -> str:
    """`text` prefixed with the record's place in its document (`event 3: …`), if it has one."""
    return text if record.index is None else f"event {record.index}: {text}"


JOB_COLUMNS = "capture_id, created_at, finished_at, running, success, behaviour, errors"


def job_json(row: Sequence[Any]) -> dict[str, Any]:
    """A capture job as the standard's CaptureJob object."""
    job = {
        "captureID": row[0],
        "createdAt": row[1],
        "running": bool(row[3]),
        "success": bool(row[4]),
        "captureErrorBehaviour": row[5],
        "errors": json.loads(row[6]),
    }
    if row[2]:
        job["finishedAt"] = row[2]
    return job


class EventsSql:
    """Mixed into SqlStore; uses its q(), reader() and transaction()."""

    q: Any
    reader: Any
    transaction: Any
    placeholder: str

    def lock_events(self, conn: Any) -> None:
        """Serialise event writers (SQLite's single writer already does)."""

    # --- capture ------------------------------------------------------------------------

    def insert_events(
        self, conn: Any, records: Sequence[EventRecord], capture_id: str | None
    ) -> list[int]:
        """Insert inside the caller's transaction; returns each record's seq.

        An event whose eventID is stored already is refused (naming its index), except an
        error declaration, which is stored beside the event it corrects.
        """
        self.lock_events(conn)
        plain = [r for r in records if r.error_declaration is None]
        seen: dict[str, EventRecord] = {}
        for r in plain:
            if r.event_id in seen:
                earlier = seen[r.event_id].index
                where = "" if earlier is None else f" (first at event {earlier})"
                raise ResourceAlreadyExists(
                    _about(r, f"eventID {r.event_id} appears twice{where}"),
                    field="eventID",
                    index=r.index,
                )
            seen[r.event_id] = r
        stored = self._existing_ids(conn, list(seen))
        if stored:
            first = next(r for r in plain if r.event_id in stored)
            raise ResourceAlreadyExists(
                _about(first, f"an event with eventID {first.event_id} is stored"),
                field="eventID",
                index=first.index,
            )
        first = conn.execute("SELECT coalesce(max(seq), 0) FROM epcis_events").fetchone()[0] + 1
        seqs = list(range(first, first + len(records)))
        rows: list[tuple[Any, ...]] = []
        declarations: list[tuple[Any, ...]] = []
        items: list[tuple[Any, ...]] = []
        counted: list[tuple[Any, ...]] = []
        sensors: list[tuple[Any, ...]] = []
        for seq, r in zip(seqs, records, strict=True):
            row = (seq, r.event_id, r.event_type, r.event_time, r.record_time, r.action,
                   r.biz_step, r.disposition, r.read_point, r.biz_location, r.transformation_id,
                   capture_id, body_json(r.body))  # fmt: skip
            if r.error_declaration is None:
                rows.append(row)
            else:
                declarations.append((*row, 1, r.error_time, r.error_reason))
            for u in r.ids:
                if u.quantity is None and u.uom is None:
                    items.append((seq, u.role, u.canonical))
                else:
                    counted.append((seq, u.role, u.canonical, u.quantity, u.uom))
            if r.sensors:
                sensors += [(seq, *s) for s in r.sensors]
        insert_rows(conn, self.q(INSERT_EVENT), rows)
        insert_rows(conn, self.q(INSERT_DECLARATION), declarations)
        insert_rows(conn, self.q(INSERT_ITEM), items)
        insert_rows(conn, self.q(INSERT_COUNTED), counted)
        insert_rows(conn, self.q("INSERT INTO epcis_sensors VALUES (?, ?, ?, ?, ?)"), sensors)
        return seqs

    def save_events(
        self,
        records: Sequence[EventRecord],
        capture_id: str | None = None,
        job: tuple[str, bool, list[Any]] | None = None,
    ) -> list[int]:
        """Store events and their genealogy, and finish the job, in one transaction."""
        with self.transaction() as conn:
            seqs = self.insert_events(conn, records, capture_id)
            self.derive(conn, records, seqs)  # type: ignore[attr-defined]
            if job is not None and capture_id is not None:
                self.finish_job(conn, capture_id, *job)
            return seqs

    def _existing_ids(self, conn: Any, event_ids: list[str]) -> set[str]:
        sql = "SELECT event_id FROM epcis_events WHERE is_error = 0 AND event_id IN ({marks})"
        return {r[0] for r in select_in(conn, self.placeholder, sql, event_ids)}

    def original_seq(self, conn: Any, event_id: str) -> int | None:
        row = conn.execute(
            self.q("SELECT seq FROM epcis_events WHERE event_id = ? AND is_error = 0"), (event_id,)
        ).fetchone()
        return row[0] if row else None

    # --- query --------------------------------------------------------------------------

    def find_events(
        self, spec: QuerySpec, after: tuple[Any, int] | None, limit: int, *, min_seq: int = 0
    ) -> list[tuple[Any, int, str]]:
        """(sort value, seq, body) of matching events, in the spec's order, after `after`."""
        where, args = where_sql(spec, self.placeholder)
        column = spec.order_column
        direction = "DESC" if spec.order_by and spec.descending else "ASC"
        if min_seq:
            where.append(f"e.seq > {self.placeholder}")
            args.append(min_seq)
        if after is not None:
            op = "<" if direction == "DESC" else ">"
            p = self.placeholder
            where.append(f"(e.{column} {op} {p} OR (e.{column} = {p} AND e.seq {op} {p}))")
            args.extend([after[0], after[0], after[1]])
        sql = (
            f"SELECT e.{column}, e.seq, e.body FROM epcis_events e "
            f"{'WHERE ' + ' AND '.join(where) if where else ''} "
            f"ORDER BY e.{column} {direction}, e.seq {direction} LIMIT {int(limit)}"
        )
        return [(r[0], r[1], r[2]) for r in self.reader().execute(sql, args)]

    def count_events(self, spec: QuerySpec) -> int:
        where, args = where_sql(spec, self.placeholder)
        sql = "SELECT count(*) FROM epcis_events e " + (
            "WHERE " + " AND ".join(where) if where else ""
        )
        return int(self.reader().execute(sql, args).fetchone()[0])

    def count_captured(self, capture_id: str) -> int:
        row = (
            self.reader()
            .execute(
                self.q("SELECT count(*) FROM epcis_events WHERE capture_id = ?"), (capture_id,)
            )
            .fetchone()
        )
        return int(row[0])

    def event_bodies(self, event_id: str) -> list[str]:
        """The event and its error declarations, oldest first."""
        rows = self.reader().execute(
            self.q("SELECT body FROM epcis_events WHERE event_id = ? ORDER BY seq"), (event_id,)
        )
        return [r[0] for r in rows]

    def distinct(self, column: str) -> list[str]:
        assert column in ("event_type", "biz_step", "disposition", "read_point", "biz_location")
        sql = f"SELECT DISTINCT {column} FROM epcis_events WHERE {column} IS NOT NULL ORDER BY 1"
        return [r[0] for r in self.reader().execute(sql)]

    def distinct_epcs(self, limit: int) -> list[str]:
        sql = f"SELECT DISTINCT id FROM epcis_ids ORDER BY 1 LIMIT {int(limit)}"
        return [r[0] for r in self.reader().execute(sql)]

    # --- capture jobs -------------------------------------------------------------------

    def create_job(self, capture_id: str, created_at: str, behaviour: str, document: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                self.q(
                    "INSERT INTO epcis_capture_jobs (capture_id, created_at, running, success, "
                    "behaviour) VALUES (?, ?, 1, 1, ?)"
                ),
                (capture_id, created_at, behaviour),
            )
            conn.execute(
                self.q("INSERT INTO epcis_capture_documents (capture_id, document) VALUES (?, ?)"),
                (capture_id, document),
            )

    def claim_job(
        self,
        capture_id: str,
        lease_seconds: float,
        with_document: bool = True,
        holder: str = "",
        taking_over: str | None = None,
    ) -> tuple[str, str | None] | None:
        """(behaviour, document) of a running job nobody holds, now held by `holder`.

        `taking_over`: the holder of a lease not yet lapsed, known to be gone (a crashed
        process of this host), whose job may be taken now.
        """
        now = time.time()
        # One statement, so two workers racing for the same job cannot both get it: under
        # PostgreSQL's READ COMMITTED a SELECT-then-UPDATE would let both through.
        with self.transaction() as conn:
            row = conn.execute(
                self.q(
                    "UPDATE epcis_capture_jobs SET claimed_until = ?, claimed_by = ? "
                    "WHERE capture_id = ? AND running = 1 AND (claimed_until < ? OR "
                    "claimed_by = ?) RETURNING behaviour"
                ),
                (now + lease_seconds, holder, capture_id, now, taking_over),
            ).fetchone()
            if row is None:
                return None
            if not with_document:
                return row[0], None
            document = conn.execute(
                self.q("SELECT document FROM epcis_capture_documents WHERE capture_id = ?"),
                (capture_id,),
            ).fetchone()
            return row[0], document[0] if document else None

    def pending_jobs(self) -> list[tuple[str, str | None, bool]]:
        """(capture_id, holder, lapsed) of every running job, oldest first: acknowledged and
        not finished. `lapsed`: nobody holds it in time; otherwise the caller tells whether
        its holder is gone."""
        rows = self.reader().execute(
            self.q(
                "SELECT capture_id, claimed_by, claimed_until < ? FROM epcis_capture_jobs "
                "WHERE running = 1 ORDER BY created_at"
            ),
            (time.time(),),
        )
        return [(r[0], r[1], bool(r[2])) for r in rows]

    def finish_job(
        self, conn: Any, capture_id: str, finished_at: str, success: bool, errors: list[Any]
    ) -> None:
        done = conn.execute(
            self.q(
                "UPDATE epcis_capture_jobs SET running = 0, success = ?, finished_at = ?, "
                "errors = ? WHERE capture_id = ? AND running = 1"
            ),
            (1 if success else 0, finished_at, json.dumps(errors), capture_id),
        )
        if done.rowcount == 0:
            # Another worker finished it first (its lease outlived ours): keep its result and
            # roll back ours.
            raise JobAlreadyFinished(capture_id)
        conn.execute(
            self.q("DELETE FROM epcis_capture_documents WHERE capture_id = ?"), (capture_id,)
        )

    def job(self, capture_id: str) -> dict[str, Any]:
        row = (
            self.reader()
            .execute(
                self.q(f"SELECT {JOB_COLUMNS} FROM epcis_capture_jobs WHERE capture_id = ?"),
                (capture_id,),
            )
            .fetchone()
        )
        if row is None:
            raise NoSuchResource(f"No capture job {capture_id}", field="captureID")
        return job_json(row)

    def jobs(self, limit: int, after: str | None) -> list[dict[str, Any]]:
        rows = self.reader().execute(
            self.q(
                f"SELECT {JOB_COLUMNS} FROM epcis_capture_jobs WHERE capture_id > ? "
                f"ORDER BY capture_id LIMIT {int(limit)}"
            ),
            (after or "",),
        )
        return [job_json(r) for r in rows]

    # --- named queries and subscriptions --------------------------------------------------

    def create_query(self, name: str, query: dict[str, Any], created_at: str) -> None:
        with self.transaction() as conn:
            if conn.execute(
                self.q("SELECT 1 FROM epcis_queries WHERE name = ?"), (name,)
            ).fetchone():
                raise ResourceAlreadyExists(f"A query named {name} exists", field="name")
            conn.execute(
                self.q("INSERT INTO epcis_queries VALUES (?, ?, ?)"),
                (name, json.dumps(query), created_at),
            )

    def named_query(self, name: str) -> dict[str, Any]:
        row = (
            self.reader()
            .execute(self.q("SELECT query FROM epcis_queries WHERE name = ?"), (name,))
            .fetchone()
        )
        if row is None:
            raise NoSuchResource(f"No query named {name}", field="queryName")
        return dict(json.loads(row[0]))

    def query_names(self) -> list[str]:
        return [r[0] for r in self.reader().execute("SELECT name FROM epcis_queries ORDER BY 1")]

    def delete_query(self, name: str) -> None:
        with self.transaction() as conn:
            self.named_query(name)
            conn.execute(self.q("DELETE FROM epcis_subscriptions WHERE query_name = ?"), (name,))
            conn.execute(self.q("DELETE FROM epcis_queries WHERE name = ?"), (name,))

    def create_subscription(self, row: dict[str, Any]) -> None:
        with self.transaction() as conn:
            start = row.get("last_seq")
            if start is None:
                start = conn.execute("SELECT coalesce(max(seq), 0) FROM epcis_events").fetchone()[0]
            conn.execute(
                self.q(
                    "INSERT INTO epcis_subscriptions (subscription_id, query_name, dest, "
                    "signature_token, created_at, last_seq) VALUES (?, ?, ?, ?, ?, ?)"
                ),
                (row["id"], row["query_name"], row["dest"], row.get("token"), row["created_at"],
                 start),
            )  # fmt: skip

    def seq_before(self, record_time: str) -> int:
        """The last seq recorded before `record_time` (a subscription's starting point)."""
        row = (
            self.reader()
            .execute(
                self.q("SELECT coalesce(max(seq), 0) FROM epcis_events WHERE record_time < ?"),
                (record_time,),
            )
            .fetchone()
        )
        return int(row[0])

    def subscriptions(self, query_name: str | None = None) -> list[dict[str, Any]]:
        sql = (
            "SELECT subscription_id, query_name, dest, signature_token, created_at, last_seq, "
            "attempts, next_attempt, last_error FROM epcis_subscriptions"
        )
        args: tuple[Any, ...] = ()
        if query_name is not None:
            sql, args = sql + " WHERE query_name = ?", (query_name,)
        rows = self.reader().execute(self.q(sql + " ORDER BY created_at"), args)
        keys = ("id", "query_name", "dest", "token", "created_at", "last_seq", "attempts",
                "next_attempt", "last_error")  # fmt: skip
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def delete_subscription(self, query_name: str, subscription_id: str) -> None:
        with self.transaction() as conn:
            cur = conn.execute(
                self.q(
                    "DELETE FROM epcis_subscriptions WHERE query_name = ? AND subscription_id = ?"
                ),
                (query_name, subscription_id),
            )
            if cur.rowcount == 0:
                raise NoSuchResource(f"No subscription {subscription_id}", field="subscriptionID")

    def claim_subscription(self, subscription_id: str, lease_seconds: float) -> bool:
        now = time.time()
        with self.transaction() as conn:
            cur = conn.execute(
                self.q(
                    "UPDATE epcis_subscriptions SET claimed_until = ? WHERE subscription_id = ? "
                    "AND claimed_until < ? AND next_attempt <= ?"
                ),
                (now + lease_seconds, subscription_id, now, now),
            )
            return bool(cur.rowcount)

    def delivered(self, subscription_id: str, last_seq: int) -> None:
        with self.transaction() as conn:
            conn.execute(
                self.q(
                    "UPDATE epcis_subscriptions SET last_seq = ?, attempts = 0, next_attempt = 0, "
                    "claimed_until = 0, last_error = NULL WHERE subscription_id = ?"
                ),
                (last_seq, subscription_id),
            )

    def delivery_failed(self, subscription_id: str, error: str, retry_in: float) -> None:
        with self.transaction() as conn:
            conn.execute(
                self.q(
                    "UPDATE epcis_subscriptions SET attempts = attempts + 1, next_attempt = ?, "
                    "claimed_until = 0, last_error = ? WHERE subscription_id = ?"
                ),
                (time.time() + retry_in, error[:500], subscription_id),
            )
