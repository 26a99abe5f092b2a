"""The drill-down pages' content: enterprises, projects, identifier lookup, node statistics."""

from __future__ import annotations

import json
from typing import Any

from zhizao.errors import IdentifierError, NotInGenealogy
from zhizao.events.vocab import canonical_term
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.registry import ReadRequest
from zhizao.node import Node
from zhizao.projects.model import Stage
from zhizao.stats.period import Period
from zhizao.trace_service import TraceService
from zhizao.web import charts
from zhizao.web.i18n import Translator
from zhizao.web.overview import ZoneContext, scaled, signed_projects

OUTPUT_INDICATORS = ("nev_output", "excavator_output", "vehicle_output", "units_completed")
ROLE_ORDER = {"automaker": 0, "machinery": 1, "supplier": 2}


def event_row(e: dict[str, Any]) -> dict[str, Any]:
    """An event as the lookup's table shows it: standard terms as their bare words."""
    where = e.get("bizLocation") or e.get("readPoint") or {}
    return {
        "id": e.get("eventID"), "type": e.get("type"), "eventTime": e.get("eventTime"),
        "action": e.get("action"), "where": where.get("id"),
        **{f: canonical_term(f, e[f]) if e.get(f) else None for f in ("bizStep", "disposition")},
    }  # fmt: skip


class Drill:
    def __init__(self, node: Node, trace: TraceService, t: Translator) -> None:
        self.node, self.trace, self.t = node, trace, t

    # --- enterprises ----------------------------------------------------------------

    def enterprises(self, period: Period, role: str | None, ctx: ZoneContext | None
                    ) -> dict[str, Any]:  # fmt: skip
        stats, t = self.node.stats, self.t
        rows = []
        for s in stats.subjects().values():
            if s.kind != "enterprise" or (role and s.role != role):
                continue
            if ctx and s.parent != ctx.zone.id:
                continue
            row: dict[str, Any] = {"id": s.id, "name": t.pick(s.en, s.zh), "role": s.role,
                                   "prefix": s.prefix, "output": "—", "yoy": None,
                                   "share": None}  # fmt: skip
            for code in OUTPUT_INDICATORS:
                if stats.series(code, s.id):
                    f = stats.figure(code, s.id, period)
                    row.update(output=t.quantity(f.value, f.indicator.unit), yoy=f.yoy,
                               share=f.share, sort=float(f.value or 0))  # fmt: skip
                    break
            rows.append(row)
        rows.sort(key=lambda r: (ROLE_ORDER.get(r["role"], 9), -r.get("sort", 0), r["id"]))
        roles = sorted({r["role"] for r in rows if r["role"]}, key=lambda r: ROLE_ORDER.get(r, 9))
        return {"rows": rows, "period": str(period), "period_label": t.period(period),
                "role": role, "roles": roles}  # fmt: skip

    # --- projects -------------------------------------------------------------------

    def projects(self, event: str | None) -> dict[str, Any]:
        service, t = self.node.projects, self.t
        chosen = service.projects(event)
        signatures = self.node.store.signature_counts()
        rows = [{"id": p.id, "name": p.name, "investor": p.investor,
                 "amount": t.quantity(p.amount, "yuan"), "cluster": p.cluster,
                 "stage": t.stage(p.stage.value), "event": p.signing_event,
                 "signatures": signatures.get(p.id, 0)}
                for p in sorted(chosen, key=lambda p: (p.signing_event or "", p.id))]  # fmt: skip
        report = service.verify()
        total = sum(p.amount for p in signed_projects(chosen))
        return {"rows": rows, "events": service.signing_events(), "event": event,
                "verify": report.to_json(),
                "signed_total": t.quantity(total, "yuan")}  # fmt: skip

    def project(self, project_id: str) -> dict[str, Any]:
        service, t = self.node.projects, self.t
        p = service.project(project_id)
        months = sorted(p.funds)
        funds, unit = scaled([p.funds[m] for m in months], "yuan", t.lang)
        chart = {"funds": charts.bars(f"{t('funds')} ({unit})", months, {t("funds"): funds})}
        return {
            "p": p, "amount": t.quantity(p.amount, "yuan"), "stage": t.stage(p.stage.value),
            "history": [(t.stage(s.value), d.isoformat()) for s, d in p.history],
            "stages": [(t.stage(s.value), p.stage.rank >= s.rank) for s in Stage],
            "signatures": service.signatures(project_id), "verify": service.verify().to_json(),
            "charts": chart if months else {},
        }  # fmt: skip

    # --- identifier lookup ----------------------------------------------------------

    def lookup(self, text: str) -> dict[str, Any]:
        out: dict[str, Any] = {"id": text, "record": None, "record_error": None}
        try:
            handle = parse_handle(text.removeprefix("hdl:"))
            answer = self.node.resolve(ReadRequest(handle))
            out["record"] = json.loads(answer.values_json)
        except IdentifierError as exc:
            out["record_error"] = str(exc)
        page = self.node.events.query({"MATCH_anyEPC": text, "orderBy": "eventTime"}, 100, None)
        events = [event_row(json.loads(body)) for body in page.bodies]
        out["events"], out["more_events"] = events, page.next_token is not None
        try:
            inside = self.trace.inside(text)
            used = self.trace.where_used([text], "ever")
        except NotInGenealogy:
            out["inside"] = out["used"] = None
            out["charts"] = {}
        else:
            out["inside"], out["used"] = inside, used
            out["charts"] = (
                {"tree": charts.tree(f"{self.t('inside')} ({inside['count']})", inside["tree"])}
                if inside["count"]
                else {}
            )
        return out

    # --- node statistics ------------------------------------------------------------

    def nodes(self, period: Period) -> dict[str, Any]:
        stats, t = self.node.stats, self.t
        nodes = [s for s in stats.subjects().values() if s.kind == "node"]
        rows = []
        for s in nodes:
            f = stats.figure("resolutions", s.id, period,
                             rank_by="growth" if s.role == "top-level" else "value")  # fmt: skip
            rows.append({"name": t.pick(s.en, s.zh), "role": s.role, "prefix": s.prefix,
                         "value": t.quantity(f.value, "queries"), "yoy": f.yoy,
                         "rank": f.rank, "peers": f.peers})  # fmt: skip
        year = Period(period.year, 1, 12, "year")
        series, unit = {}, ""
        for s in nodes:
            if s.role == "top-level":
                values = [r["value"] for r in stats.monthly("resolutions", s.id, year)]
                series[t.pick(s.en, s.zh)], unit = scaled(values, "queries", t.lang)
        own = self.own_counts()
        chart = charts.bars(f"{t('monthly_node')} {year.year} ({unit})", year.months(), series)
        for s in chart["series"]:
            s.update(type="line", label={"show": False})
        return {"rows": rows, "own": own, "period_label": t.period(period),
                "period": str(period), "charts": {"monthly": chart}}  # fmt: skip

    def own_counts(self) -> list[dict[str, Any]]:
        """What this node counted itself, per prefix and month (its daily counters)."""
        rows = sorted(self.node.store.monthly_resolutions(), key=lambda r: (r[1], r[0]))
        return [{"prefix": p, "month": m, "count": n} for p, m, n in rows[-60:]]
