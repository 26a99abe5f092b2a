"""The zone's statistics over one store: series from reports and from the node's own records,
and the figures, monthly tables and transformation KPIs computed from them.

A subject's monthly value is, in this order (the first that has the month answers):
1. a reported observation (the monthly statistics form);
2. a count derived from the node's records: units commissioned and inspected, defects and
   energy from EPCIS events at the subject's sites; resolutions the node counted under the
   subject's prefix; investment signed in its area;
3. the sum of its child subjects' values (summed indicators only).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from zhizao.errors import InvalidReport, StatsNotFound
from zhizao.events.ids import canonical_id
from zhizao.project_service import ProjectService
from zhizao.stats import kpi
from zhizao.stats.figures import Figure, Series, figure, monthly, over
from zhizao.stats.indicators import Combine, Subject, indicator, subject_from_json
from zhizao.stats.period import Period
from zhizao.stats.reports import Observation, read_rows
from zhizao.storage import Store

Table = dict[str, dict[str, Decimal]]  # subject → month → value
SOURCES = ("all", "reported", "records")


class StatsService:
    def __init__(self, store: Store, projects: ProjectService, cache_seconds: float = 2.0):
        self.store = store
        self.projects = projects
        self._ttl = cache_seconds
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    # --- cache: other workers' writes show within `cache_seconds` ------------------------

    def _cached(self, key: str, make: Callable[[], Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] > now:
                return hit[1]
        value = make()
        with self._lock:
            self._cache[key] = (now + self._ttl, value)
        return value

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()

    # --- subjects -----------------------------------------------------------------------

    def subjects(self) -> dict[str, Subject]:
        return self._cached("subjects", lambda: {s.id: s for s in self.store.subjects()})

    def subject(self, subject_id: str) -> Subject:
        found = self.subjects().get(subject_id)
        if found is None:
            raise StatsNotFound(f"no subject {subject_id!r}", field="subject")
        return found

    def add_subjects(self, bodies: Iterable[dict[str, Any]]) -> int:
        subjects = []
        for i, body in enumerate(bodies):
            try:
                subjects.append(subject_from_json(body))
            except (KeyError, ValueError) as exc:
                raise InvalidReport(f"subjects[{i}]: {exc}", field=f"subjects[{i}]") from None
        with self.store.transaction() as conn:
            n = self.store.put_subjects(conn, subjects)
        self.invalidate()
        return n

    def add_site(self, location: str, subject: str, output_indicator: str) -> None:
        """EPCIS events at `location` count toward `subject`; units commissioned there are
        its `output_indicator` (e.g. nev_output for a vehicle plant)."""
        self.subject(subject)
        indicator(output_indicator, field="indicator")
        with self.store.transaction() as conn:
            self.store.put_site(conn, canonical_id(location), subject, output_indicator)
        self.invalidate()

    def record_transformation(self, fields: dict[str, Any]) -> kpi.Transformation:
        t = kpi.transformation_from(fields)
        self.subject(t.subject)
        with self.store.transaction() as conn:
            self.store.put_transformation(conn, t)
        self.invalidate()
        return t

    def transformations(self) -> list[kpi.Transformation]:
        return [kpi.transformation_from(b) for b in self.store.transformations()]

    # --- reports ------------------------------------------------------------------------

    def import_rows(self, rows: Iterable[Any], source: str = "report") -> tuple[int, int]:
        """(changed, read) for a report's cells, all or nothing; every bad row named."""
        numbered = read_rows(rows, self.subjects().keys())
        return self.put_observations([o for _, o in numbered], source), len(numbered)

    def put_observations(self, rows: list[Observation], source: str) -> int:
        with self.store.transaction() as conn:
            changed = self.store.put_observations(conn, rows, source)
        self.invalidate()
        return changed

    # --- series -------------------------------------------------------------------------

    def table(self, code: str, source: str = "all") -> Table:
        """Every subject's series of an indicator; `source` = reported | records | all."""
        if source not in SOURCES:
            raise InvalidReport(f"source must be one of {', '.join(SOURCES)}", field="source")
        return self._cached(f"table:{code}:{source}", lambda: self._table(code, source))

    def _table(self, code: str, source: str) -> Table:
        ind = indicator(code)
        out: Table = defaultdict(dict)
        if source in ("all", "reported"):
            for subject, months in self.store.observations(code).items():
                out[subject].update(months)
        if source in ("all", "records"):
            for subject, months in self._derived(code).items():
                for month, value in months.items():
                    out[subject].setdefault(month, value)
        if ind.combine is Combine.SUM:
            return self._roll_up(out)
        return dict(out)

    def _roll_up(self, own: Table) -> Table:
        """Fill each subject's unreported months with the sum of its children's."""
        children: dict[str, list[str]] = defaultdict(list)
        for s in self.subjects().values():
            if s.parent:
                children[s.parent].append(s.id)
        done: Table = {}

        def total(subject: str, path: frozenset[str]) -> dict[str, Decimal]:
            if subject in done:
                return done[subject]
            mine = dict(own.get(subject, {}))
            summed: dict[str, Decimal] = defaultdict(Decimal)
            for child in children.get(subject, ()):
                if child not in path:  # a cycle in the subject tree counts once
                    for month, value in total(child, path | {child}).items():
                        summed[month] += value
            for month, value in summed.items():
                mine.setdefault(month, value)
            done[subject] = mine
            return mine

        for subject in self.subjects():
            total(subject, frozenset({subject}))
        return {**own, **done}

    def _derived(self, code: str) -> Table:
        out: Table = defaultdict(dict)

        def add(subject: str, month: str, value: Decimal) -> None:
            out[subject][month] = out[subject].get(month, Decimal(0)) + value

        sites = self.store.sites()
        if code in {ind for _, ind in sites.values()}:
            for site, month, n in self.store.event_counts("commissioning", "ADD"):
                if site in sites and sites[site][1] == code:
                    add(sites[site][0], month, Decimal(n))
        elif code in ("inspected", "defects"):
            bad = "non_conformant" if code == "defects" else None
            for site, month, n in self.store.event_counts("inspecting", "OBSERVE", bad):
                if site in sites:
                    add(sites[site][0], month, Decimal(n))
        elif code == "energy_kwh":
            for site, month, kwh in self.store.sensor_sums("Energy", "KWH"):
                if site in sites:
                    add(sites[site][0], month, kwh)
        elif code == "resolutions":
            holders = [(s.prefix, s.id) for s in self.subjects().values() if s.prefix]
            for prefix, month, n in self.store.monthly_resolutions():
                for held, subject in holders:
                    if prefix == held or prefix.startswith(held + "."):
                        add(subject, month, Decimal(n))
        elif code in ("signed_amount", "signed_projects"):
            areas = {}
            for s in self.subjects().values():
                areas.update({s.id: s.id, s.en: s.id, s.zh: s.id})
            for p in self.projects.projects():
                if p.signed_on is not None and p.area in areas:
                    month = f"{p.signed_on:%Y-%m}"
                    add(areas[p.area], month, p.amount if code == "signed_amount" else Decimal(1))
        return out

    def series(self, code: str, subject: str, source: str = "all") -> Series:
        self.subject(subject)
        return self.table(code, source).get(subject, {})

    # --- figures ------------------------------------------------------------------------

    def figure(self, code: str, subject_id: str, period: Period, *, parent: str | None = None,
               rank_by: str = "value", source: str = "all") -> Figure:  # fmt: skip
        """The subject's figure; its share is of `parent` (default: its own parent) and it
        is ranked among the subjects of its kind that share its parent."""
        if rank_by not in ("value", "growth"):
            raise InvalidReport("rankBy must be value or growth", field="rankBy")
        subject = self.subject(subject_id)
        table = self.table(code, source)
        parent_id = parent or subject.parent
        if parent_id:
            self.subject(parent_id)
        peers = {s.id: table.get(s.id, {}) for s in self.subjects().values()
                 if s.parent == subject.parent and s.kind == subject.kind}  # fmt: skip
        return figure(
            indicator(code), subject_id, period, table.get(subject_id, {}),
            parent=(parent_id, table.get(parent_id, {})) if parent_id else None,
            peers=peers if subject.parent else None, rank_by=rank_by,
        )  # fmt: skip

    def monthly(self, code: str, subject: str, period: Period) -> list[dict[str, Any]]:
        return monthly(self.series(code, subject), period, indicator(code).combine)

    # --- transformation KPIs -------------------------------------------------------------

    def kpis(self, t: kpi.Transformation) -> list[dict[str, Any]]:
        needed = {n for k in kpi.KPIS.values() for n in k.needs}
        series = {code: s for code in needed if (s := self.table(code).get(t.subject))}
        return kpi.compare(t, series)

    def kpi_summary(self) -> dict[str, Any]:
        done = {t.subject: (t, self.kpis(t)) for t in self.transformations()}
        return {
            "subjects": {s: {"transformation": t.to_json(), "kpis": rows}
                         for s, (t, rows) in done.items()},
            "average": kpi.average_changes({s: rows for s, (_, rows) in done.items()}),
        }  # fmt: skip

    def output_interval(
        self, code: str, subject: str, period: Period, calendar: kpi.Calendar
    ) -> dict[str, Any]:
        units = over(self.series(code, subject), period, indicator(code).combine)
        minutes = kpi.output_interval(units, period, calendar)
        return {
            "subject": subject, "indicator": code, "period": str(period),
            "label": period.label(), "units": None if units is None else int(units),
            "calendar": calendar.label(), "scheduledMinutes": float(calendar.minutes(
                len(period.months()))), "minutesPerUnit": None if minutes is None
            else round(float(minutes), 2),
        }  # fmt: skip
