"""The overview page's content: headline cards in the zone reports' style and the charts.

Which subjects the overview speaks of comes from the subjects themselves: the zone is the
subject whose role is "zone", its city is the zone's parent, and the top-level node is the
parent of the zone's secondary node. Every number is a figure the stats service computes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from zhizao.project_service import ProjectService
from zhizao.projects.model import Project, Stage
from zhizao.stats.figures import Figure
from zhizao.stats.indicators import Subject
from zhizao.stats.kpi import KPIS, Calendar
from zhizao.stats.period import Period
from zhizao.stats_service import StatsService
from zhizao.web import charts
from zhizao.web.i18n import Translator, signed

OUTPUT = "nev_output"
INTERVAL_INDICATORS = ("excavator_output", "vehicle_output", "units_completed")
# The articles' KPIs (the card's mean changes), and the table's, which adds OEE.
HEADLINE_KPIS = ("cost_per_unit", "efficiency", "energy_utilisation", "development_days")
TABLE_KPIS = (*HEADLINE_KPIS[:3], "oee", HEADLINE_KPIS[3])
# Readers' units on chart axes: (divisor, label) per unit and language.
SCALES = {
    ("vehicles", "zh"): (1e4, "万辆"), ("vehicles", "en"): (1, "vehicles"),
    ("yuan", "zh"): (1e8, "亿元"), ("yuan", "en"): (1e9, "bn yuan"),
    ("queries", "zh"): (1e8, "亿次"), ("queries", "en"): (1e9, "bn queries"),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ZoneContext:
    zone: Subject
    city: Subject | None
    top_node: Subject | None


def zone_context(stats: StatsService) -> ZoneContext | None:
    subjects = stats.subjects()
    zone = next((s for s in subjects.values() if s.role == "zone"), None)
    if zone is None:
        return None
    city = subjects.get(zone.parent) if zone.parent else None
    secondary = next((s for s in subjects.values() if s.role == "secondary"), None)
    top = subjects.get(secondary.parent) if secondary and secondary.parent else None
    return ZoneContext(zone, city, top)


def default_period(stats: StatsService, zone: Subject | None) -> Period:
    """January to the latest month the zone's output is known (the whole year once December
    is in), as the zone's monthly bulletins are headed; this year when nothing is known."""
    months = sorted(stats.series(OUTPUT, zone.id)) if zone else []
    if not months:
        return Period(date.today().year, 1, 12, "year")
    year, last = int(months[-1][:4]), int(months[-1][5:])
    return Period(year, 1, 12, "year") if last == 12 else Period(year, 1, last, "cumulative")


def scaled(values: list[Any], unit: str, lang: str) -> tuple[list[float | None], str]:
    divisor, label = SCALES.get((unit, lang), (1, unit))
    return [None if v is None else round(float(v) / divisor, 2) for v in values], label


def plain(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.2f}"


def name_of(subject: Subject | None, t: Translator) -> str:
    return "—" if subject is None else t.pick(subject.en, subject.zh)


def figure_card(t: Translator, title: str, f: Figure, parent: Subject | None) -> dict[str, Any]:
    unit = f.indicator.unit
    lines = []
    if f.yoy is not None:
        lines.append(f"{t('yoy')} {signed(f.yoy)}")
    if f.share is not None and parent is not None:
        lines.append(f"{f.share:.1f}% " + t("share_of", parent=name_of(parent, t)))
    if f.rank is not None:
        key = "rank_growth" if f.rank_by == "growth" else "rank"
        lines.append(t(key, rank=f.rank, peers=f.peers))
    base = t("base", label=t.period(f.period.year_before()), value=t.quantity(f.base, unit))
    return {
        "title": title, "value": t.quantity(f.value, unit) if f.value is not None
        else t("no_data"), "period": t.period(f.period), "lines": lines,
        "base": base if f.base is not None else "", "statement": f.statement(),
        "indicator": f.indicator.code,
    }  # fmt: skip


def signed_projects(projects: list[Project]) -> list[Project]:
    return [p for p in projects if p.stage.rank >= Stage.SIGNED.rank]


class Overview:
    """Builds the overview for one period and language."""

    def __init__(self, stats: StatsService, projects: ProjectService, t: Translator,
                 ctx: ZoneContext, period: Period) -> None:  # fmt: skip
        self.stats, self.project_service, self.t = stats, projects, t
        self.ctx, self.period = ctx, period

    def build(self) -> dict[str, Any]:
        projects = self.project_service.projects()
        self.summary = self.stats.kpi_summary()
        return {"cards": self.cards(), "charts": self.charts(projects),
                "kpi_columns": [self.t.pick(KPIS[k].en, KPIS[k].zh) for k in TABLE_KPIS],
                "kpi_rows": self.kpi_rows()}  # fmt: skip

    def kpi_rows(self) -> list[dict[str, Any]]:
        """Each transformed enterprise's headline KPIs before → after its transformation."""
        subjects = self.stats.subjects()
        rows = []
        for sid, done in sorted(self.summary["subjects"].items()):
            by_kpi = {r["kpi"]: r for r in done["kpis"]}
            cells = []
            for k in TABLE_KPIS:
                r = by_kpi.get(k)
                if r is None:
                    cells.append("—")
                    continue
                cells.append(f"{plain(r['before'])} → {plain(r['after'])} ({signed(r['change'])})")
            rows.append({"name": name_of(subjects.get(sid), self.t),
                         "on": done["transformation"]["on"], "cells": cells})  # fmt: skip
        return rows

    # --- cards ----------------------------------------------------------------------

    def cards(self) -> list[dict[str, Any]]:
        t, zone, period = self.t, self.ctx.zone, self.period
        output = self.stats.figure(OUTPUT, zone.id, period)
        cards = [figure_card(t, t.pick(f"{zone.en} NEV output", f"{zone.zh}新能源汽车产量"),
                             output, self.ctx.city)]  # fmt: skip
        # Investment is signed once a year at the expo: the card covers the period's year.
        year = Period(period.year, 1, 12, "year")
        amount = self.stats.figure("signed_amount", zone.id, year)
        card = figure_card(t, t.pick("Investment signed", "签约投资"), amount, self.ctx.city)
        count = self.stats.figure("signed_projects", zone.id, year).value
        if count is not None:
            card["lines"].insert(0, t("projects_signed", n=int(count)))
        cards.append(card)
        if self.ctx.top_node is not None:
            node = self.ctx.top_node
            f = self.stats.figure("resolutions", node.id, period, rank_by="growth")
            title = t.pick(f"{node.en}: resolution volume", f"{node.zh}标识解析量")
            cards.append(figure_card(t, title, f, None))
        cards.append(self.kpi_card())
        interval = self.interval_card()
        if interval is not None:
            cards.append(interval)
        return cards

    def kpi_card(self) -> dict[str, Any]:
        t = self.t
        summary = self.summary
        average: dict[str, float] = summary["average"]
        lines = [f"{t.pick(KPIS[k].en, KPIS[k].zh)} {signed(v)}" for k, v in average.items()
                 if k in HEADLINE_KPIS]  # fmt: skip
        return {"title": t("kpi_card"), "value": t("kpi_value", n=len(summary["subjects"])),
                "period": t("kpi_note"), "lines": lines, "base": "", "statement": "",
                "indicator": "kpi"}  # fmt: skip

    def interval_card(self) -> dict[str, Any] | None:
        """The output interval of the zone's machinery makers, over the period's year or,
        when that year has no output, the latest year that has."""
        t = self.t
        for s in self.stats.subjects().values():
            if s.role != "machinery":
                continue
            for code in INTERVAL_INDICATORS:
                months = sorted(self.stats.series(code, s.id))
                if not months:
                    continue
                years = {int(m[:4]) for m in months}
                year = self.period.year if self.period.year in years else max(years)
                calendar = Calendar()
                found = self.stats.output_interval(code, s.id, Period(year, 1, 12, "year"),
                                                   calendar)  # fmt: skip
                if found["minutesPerUnit"] is None:
                    continue
                cal = t.pick(calendar.label(), f"每年{calendar.days_per_year}天×每天"
                             f"{calendar.hours_per_day}小时")  # fmt: skip
                return {
                    "title": f"{name_of(s, t)}: {t('interval_card')}",
                    "value": t("interval_value", minutes=f"{found['minutesPerUnit']:.1f}"),
                    "period": t.period(Period(year, 1, 12, "year")), "base": "",
                    "lines": [t("calendar", units=f"{found['units']:,}", calendar=cal)],
                    "statement": "", "indicator": code,
                }  # fmt: skip
        return None

    # --- charts ---------------------------------------------------------------------

    def charts(self, projects: list[Project]) -> dict[str, dict[str, Any]]:
        t, lang = self.t, self.t.lang
        to_date = Period(self.period.year, 1, self.period.last, "cumulative")
        rows = self.stats.monthly(OUTPUT, self.ctx.zone.id, to_date)
        months = [r["month"] for r in rows]
        values, unit = scaled([r["value"] for r in rows], "vehicles", lang)
        cumulative, _ = scaled([r["cumulative"] for r in rows], "vehicles", lang)
        out = {
            "monthly": charts.bars_with_change(
                f"{t('monthly_output')} ({unit})", months, values, t("output"),
                [r["yoy"] for r in rows], t("yoy")),
            "cumulative": charts.bars_with_change(
                f"{t('cumulative_output')} ({unit})", months, cumulative, t("cumulative"),
                [r["cumulativeYoY"] for r in rows], t("cumulative_yoy"), bar_type="line"),
        }  # fmt: skip
        out.update(self.project_charts(projects))
        if self.ctx.top_node is not None:
            out["nodes"] = self.node_chart()
        out["kpis"] = self.kpi_chart()
        return out

    def project_charts(self, projects: list[Project]) -> dict[str, dict[str, Any]]:
        t, lang = self.t, self.t.lang
        done = signed_projects(projects)
        by_expo: dict[str, list[Project]] = defaultdict(list)
        for p in done:
            if p.signing_event:
                by_expo[p.signing_event].append(p)
        expos = sorted(by_expo)
        years = {e["id"]: e["year"] for e in self.project_service.signing_events()}
        names = [f"{years.get(e, e)} ({len(by_expo[e])})" for e in expos]
        amounts, unit = scaled([sum(p.amount for p in by_expo[e]) for e in expos], "yuan", lang)
        by_cluster: dict[str, Decimal] = defaultdict(Decimal)
        for p in done:
            by_cluster[p.cluster] += p.amount
        slices, _ = scaled(list(by_cluster.values()), "yuan", lang)
        reached = [(t.stage(s.value), sum(p.stage.rank >= s.rank for p in projects))
                   for s in Stage]  # fmt: skip
        return {
            "expos": charts.bars(f"{t('by_expo')} ({unit})", names, {t("amount"): amounts}),
            "clusters": charts.pie(f"{t('by_cluster')} ({unit})",
                                   [(k, v or 0.0) for k, v in zip(by_cluster, slices,
                                                                  strict=True)]),
            "funnel": charts.funnel(t("funnel"), reached),
        }  # fmt: skip

    def node_chart(self) -> dict[str, Any]:
        t = self.t
        top = self.ctx.top_node
        assert top is not None
        peers = [s for s in self.stats.subjects().values()
                 if s.kind == top.kind and s.parent == top.parent]  # fmt: skip
        figures = [self.stats.figure("resolutions", s.id, self.period) for s in peers]
        values, unit = scaled([f.value for f in figures], "queries", t.lang)
        return charts.bars_with_change(
            f"{t('by_node')}, {t.period(self.period)} ({unit})", [name_of(s, t) for s in peers],
            values, t("value"), [f.yoy for f in figures], t("yoy"))  # fmt: skip

    def kpi_chart(self) -> dict[str, Any]:
        t = self.t
        average = self.summary["average"]
        names = [t.pick(KPIS[k].en, KPIS[k].zh) for k in average]
        return charts.bars(t("kpi_chart") + " (%)", names,
                           {t("change"): list(average.values())}, horizontal=True)  # fmt: skip
