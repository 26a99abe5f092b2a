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
    """Mixed into SqlStore; uses its q(), reader() and transaction()."""

    q: Any
    reader: Any
    transaction: Any

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
            f"{_LIVE}"
        )
        params: list[Any] = [biz_step, action]
        if disposition is not None:
            sql += " AND e.disposition = ?"
            params.append(disposition)
        sql += f" GROUP BY {_SITE}, {_MONTH}"
        rows = self.reader().execute(self.q(sql), params).fetchall()
        return [(site, month, int(n)) for site, month, n in rows if site]

    def sensor_sums(self, kind: str, uom: str) -> list[tuple[str, str, Decimal]]:
        """(site, month, sum of the reports' values) for sensor reports of a type and unit."""
        sql = (
            f"SELECT {_SITE}, {_MONTH}, sum(s.value) FROM epcis_events e "
            "JOIN epcis_sensors s ON s.seq = e.seq "
            f"WHERE s.type = ? AND s.uom = ? AND s.field = 'value' AND {_LIVE} "
            f"GROUP BY {_SITE}, {_MONTH}"
        )
        rows = self.reader().execute(self.q(sql), (kind, uom)).fetchall()
        return [(site, month, Decimal(str(v))) for site, month, v in rows if site]

    def monthly_resolutions(self) -> list[tuple[str, str, int]]:
        """(prefix, month, resolutions) from the node's daily counters."""
        rows = self.reader().execute(
            "SELECT prefix, substr(day, 1, 7), sum(count) FROM resolution_counts "
            "GROUP BY prefix, substr(day, 1, 7)"
        )
        return [(p, m, int(n)) for p, m, n in rows.fetchall()]
