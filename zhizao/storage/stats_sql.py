"""Statistics in SQL: subjects, sites, reported observations, transformations, and the
monthly counts that series derive from the node's own records (EPCIS events, resolutions).

Values are stored as decimal text so that sums are exact on both backends.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from zhizao.stats.indicators import Subject, subject_from_json
from zhizao.stats.kpi import Transformation
from zhizao.stats.reports import Observation

# An event counts once it is stored and not retracted by an error declaration.
_LIVE = (
    "e.is_error = 0 AND NOT EXISTS (SELECT 1 FROM epcis_events d "
    "WHERE d.event_id = e.event_id AND d.is_error = 1)"
)
_SITE = "COALESCE(e.biz_location, e.read_point)"
_MONTH = "substr(e.event_time, 1, 7)"


class StatsSql:
    """Mixed into SqlStore; uses its q(), reader(), transaction() and lock_key()."""

    q: Any
    reader: Any
    transaction: Any
    lock_key: Any

    # --- subjects, sites, transformations -----------------------------------------------

    def put_subjects(self, conn: Any, subjects: Iterable[Subject]) -> int:
        """Insert or replace subjects; the number written."""
        rows = [(s.id, s.kind.value, s.parent, json.dumps(s.to_json(), ensure_ascii=False))
                for s in subjects]  # fmt: skip
        sql = self.q(
            "INSERT INTO stat_subjects (id, kind, parent, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, parent = excluded.parent, "
            "body = excluded.body"
        )
        for row in rows:
            conn.execute(sql, row)
        return len(rows)

    def subjects(self) -> list[Subject]:
        rows = self.reader().execute("SELECT body FROM stat_subjects ORDER BY id").fetchall()
        return [subject_from_json(json.loads(r[0])) for r in rows]

    def put_site(self, conn: Any, location: str, subject: str, indicator: str) -> None:
        conn.execute(
            self.q(
                "INSERT INTO stat_sites (location, subject, output_indicator) VALUES (?, ?, ?) "
                "ON CONFLICT (location) DO UPDATE SET subject = excluded.subject, "
                "output_indicator = excluded.output_indicator"
            ),
            (location, subject, indicator),
        )

    def sites(self) -> dict[str, tuple[str, str]]:
        """location → (subject, the indicator its commissioned units count toward)."""
        rows = self.reader().execute("SELECT location, subject, output_indicator FROM stat_sites")
        return {loc: (subject, ind) for loc, subject, ind in rows.fetchall()}

    def put_transformation(self, conn: Any, t: Transformation) -> None:
        conn.execute(
            self.q(
                "INSERT INTO stat_transformations (subject, body) VALUES (?, ?) "
                "ON CONFLICT (subject) DO UPDATE SET body = excluded.body"
            ),
            (t.subject, json.dumps(t.to_json(), ensure_ascii=False)),
        )

    def transformations(self) -> list[dict[str, Any]]:
        rows = self.reader().execute("SELECT body FROM stat_transformations ORDER BY subject")
        return [json.loads(r[0]) for r in rows.fetchall()]

    # --- observations -------------------------------------------------------------------

    def put_observations(self, conn: Any, rows: Iterable[Observation], source: str) -> int:
        """Insert or replace reported values; the number of rows that changed."""
        changed = 0
        select = self.q(
            "SELECT value FROM stat_observations WHERE indicator = ? AND subject = ? AND month = ?"
        )
        upsert = self.q(
            "INSERT INTO stat_observations (indicator, subject, month, value, source) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (indicator, subject, month) DO UPDATE SET "
            "value = excluded.value, source = excluded.source"
        )
        for o in rows:
            key = (o.indicator, o.subject, o.month)
            old = conn.execute(select, key).fetchone()
            if old is not None and Decimal(old[0]) == o.value:
                continue
            conn.execute(upsert, (*key, str(o.value), source))
            changed += 1
        return changed

    def observations(self, indicator: str) -> dict[str, dict[str, Decimal]]:
        """subject → month → reported value, for one indicator."""
        out: dict[str, dict[str, Decimal]] = {}
        rows = self.reader().execute(
            self.q("SELECT subject, month, value FROM stat_observations WHERE indicator = ?"),
            (indicator,),
        )
        for subject, month, value in rows.fetchall():
            out.setdefault(subject, {})[month] = Decimal(value)
        return out

    # --- counts derived from the node's own records ---------------------------------------

    def event_counts(
        self, biz_step: str, action: str, disposition: str | None = None
    ) -> list[tuple[str, str, int]]:
        """(site, month, identifiers) of live ObjectEvents with this bizStep and action."""
        sql = (
            f"SELECT {_SITE}, {_MONTH}, count(*) FROM epcis_events e "
            "JOIN epcis_ids i ON i.seq = e.seq AND i.role = 'epc' "
            "WHERE e.event_type = 'ObjectEvent' AND e.biz_step = ? AND e.action = ? AND "
            f"{_LIVE} AND e.seq > ? AND e.seq <= ?"
        )
        params: list[Any] = [biz_step, action]
        if disposition is not None:
            sql = sql.replace("e.action = ?", "e.action = ? AND e.disposition = ?")
            params.append(disposition)
        sql += f" GROUP BY {_SITE}, {_MONTH}"
        key = f"count {biz_step} {action} {disposition or '*'}"
        return [(site, month, int(n)) for site, month, n in self._rolled(key, sql, params)]

    def sensor_sums(self, kind: str, uom: str) -> list[tuple[str, str, Decimal]]:
        """(site, month, sum of the reports' values) for sensor reports of a type and unit."""
        sql = (
            f"SELECT {_SITE}, {_MONTH}, sum(s.value) FROM epcis_events e "
            "JOIN epcis_sensors s ON s.seq = e.seq "
            f"WHERE s.type = ? AND s.uom = ? AND s.field = 'value' AND {_LIVE} "
            f"AND e.seq > ? AND e.seq <= ? GROUP BY {_SITE}, {_MONTH}"
        )
        return self._rolled(f"sensor {kind} {uom}", sql, [kind, uom])

    def _rolled(self, query: str, sql: str, params: list[Any]) -> list[tuple[str, str, Decimal]]:
        """The running total of `sql` (grouped by site and month over the events with
        `seq > ? AND seq <= ?`), brought up to the last stored event first. Reading the whole
        event table on every figure would cost seconds at a zone's scale; this adds only what
        was captured since the last read, in any process."""
        reader = self.reader()
        if reader.execute(
            self.q("SELECT upto_seq, declarations FROM stat_rollup_marks WHERE query = ?"),
            (query,),
        ).fetchone() != self._event_mark(reader):
            with self.transaction() as conn:
                self.lock_key(conn, f"rollup {query}")  # PostgreSQL: one updater at a time
                self._advance(conn, query, sql, params)
        rows = self.reader().execute(
            self.q("SELECT site, month, value FROM stat_rollups WHERE query = ?"), (query,)
        )
        return [(site, month, Decimal(v)) for site, month, v in rows.fetchall()]

    def _event_mark(self, conn: Any) -> tuple[int, int]:
        """(last event seq, error declarations): what a running total is current for."""
        top = conn.execute("SELECT COALESCE(max(seq), 0) FROM epcis_events").fetchone()[0]
        declared = conn.execute("SELECT count(*) FROM epcis_events WHERE is_error = 1").fetchone()[
            0
        ]
        return int(top), int(declared)

    def _advance(self, conn: Any, query: str, sql: str, params: list[Any]) -> None:
        top, declared = self._event_mark(conn)
        mark = conn.execute(
            self.q("SELECT upto_seq, declarations FROM stat_rollup_marks WHERE query = ?"),
            (query,),
        ).fetchone()
        if mark is not None and tuple(mark) == (top, declared):
            return  # another process brought it up to date meanwhile
        after = 0
        if mark is None or mark[1] != declared or mark[0] > top:
            # first use, or an error declaration retracted events already counted
            conn.execute(self.q("DELETE FROM stat_rollups WHERE query = ?"), (query,))
        else:
            after = int(mark[0])
        totals = {
            (site, month): Decimal(v)
            for site, month, v in conn.execute(
                self.q("SELECT site, month, value FROM stat_rollups WHERE query = ?"), (query,)
            ).fetchall()
        }
        upsert = self.q(
            "INSERT INTO stat_rollups (query, site, month, value) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (query, site, month) DO UPDATE SET value = excluded.value"
        )
        for site, month, value in conn.execute(self.q(sql), [*params, after, top]).fetchall():
            if site and value is not None:
                total = totals.get((site, month), Decimal(0)) + Decimal(str(value))
                conn.execute(upsert, (query, site, month, str(total)))
        conn.execute(
            self.q(
                "INSERT INTO stat_rollup_marks (query, upto_seq, declarations) VALUES (?, ?, ?) "
                "ON CONFLICT (query) DO UPDATE SET upto_seq = excluded.upto_seq, "
                "declarations = excluded.declarations"
            ),
            (query, top, declared),
        )

    def monthly_resolutions(self) -> list[tuple[str, str, int]]:
        """(prefix, month, resolutions) from the node's daily counters."""
        rows = self.reader().execute(
            "SELECT prefix, substr(day, 1, 7), sum(count) FROM resolution_counts "
            "GROUP BY prefix, substr(day, 1, 7)"
        )
        return [(p, m, int(n)) for p, m, n in rows.fetchall()]
