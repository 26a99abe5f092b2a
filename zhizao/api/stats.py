"""`/v1/stats` routes: subjects, figures (value, YoY, share, rank, pull), monthly tables,
transformation KPIs, output intervals, the period's indicator table (JSON or XLSX) and
monthly report imports."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from zhizao.api.projects import call, caller, ok
from zhizao.errors import InvalidReport
from zhizao.sheets import xlsx_bytes
from zhizao.stats.indicators import INDICATORS
from zhizao.stats.kpi import Calendar
from zhizao.stats.period import Period
from zhizao.stats_service import StatsService

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_HEADER = ["indicator", "指标", "subject", "主体", "period", "value", "unit", "base period",
                 "base", "YoY %", "parent", "share %", "rank", "peers"]  # fmt: skip


def service(request: Request) -> StatsService:
    return request.app.state.stats


def param(request: Request, name: str, default: str | None = None) -> str:
    value = request.query_params.get(name, default)
    if value is None or value == "":
        raise InvalidReport(f"the query parameter {name} is required", field=name)
    return value


def period_of(request: Request) -> Period:
    return Period.parse(param(request, "period"))


async def subjects(request: Request) -> Response:
    """The subjects series describe; filter with kind, parent, role."""
    keep = {k: request.query_params[k] for k in ("kind", "parent", "role")
            if k in request.query_params}  # fmt: skip
    found = (await call(service(request).subjects)).values()
    return ok([s.to_json() for s in found
               if all(s.to_json().get(k) == v for k, v in keep.items())])  # fmt: skip


async def indicators(request: Request) -> Response:
    """The indicators and their units."""
    return ok([{"code": i.code, "unit": i.unit, "en": i.en, "zh": i.zh, "combine": i.combine}
               for i in INDICATORS.values()])  # fmt: skip


async def figure(request: Request) -> Response:
    """One figure: indicator, subject, period; optional parent, rankBy=value|growth,
    source=all|reported|records."""
    f = await call(
        lambda: service(request).figure(
            param(request, "indicator"), param(request, "subject"), period_of(request),
            parent=request.query_params.get("parent"),
            rank_by=param(request, "rankBy", "value"), source=param(request, "source", "all"),
        )
    )  # fmt: skip
    return ok(f.to_json())


async def monthly(request: Request) -> Response:
    """Each month of the period: value, cumulative, and YoY of both."""
    rows = await call(service(request).monthly, param(request, "indicator"),
                      param(request, "subject"), period_of(request))  # fmt: skip
    return ok({"indicator": param(request, "indicator"), "subject": param(request, "subject"),
               "period": str(period_of(request)), "months": rows})  # fmt: skip


async def kpis(request: Request) -> Response:
    """Transformation KPIs of every transformed subject, and their average changes."""
    return ok(await call(service(request).kpi_summary))


async def output_interval(request: Request) -> Response:
    """Scheduled minutes ÷ units completed, for a calendar (daysPerYear, hoursPerDay)."""
    try:
        calendar = Calendar(int(param(request, "daysPerYear", "330")),
                            int(param(request, "hoursPerDay", "24")))  # fmt: skip
    except ValueError:
        raise InvalidReport("daysPerYear and hoursPerDay are whole numbers",
                            field="daysPerYear") from None  # fmt: skip
    if not (1 <= calendar.days_per_year <= 366 and 1 <= calendar.hours_per_day <= 24):
        raise InvalidReport("the calendar needs 1–366 days of 1–24 hours", field="daysPerYear")
    return ok(await call(service(request).output_interval, param(request, "indicator"),
                         param(request, "subject"), period_of(request), calendar))  # fmt: skip


def report_rows(stats: StatsService, period: Period) -> list[list[Any]]:
    rows = []
    for code, ind in INDICATORS.items():
        table = stats.table(code)
        for sid, subject in stats.subjects().items():
            if not any(m in table.get(sid, {}) for m in period.months()):
                continue
            f = stats.figure(code, sid, period).to_json()
            rows.append([code, ind.zh, sid, subject.zh, f["label"], f["value"], ind.unit,
                         f["baseLabel"], f["base"], f["yoy"], f["parent"], f["share"],
                         f["rank"], f["peers"] or None])  # fmt: skip
    return rows


async def report(request: Request) -> Response:
    """The period's indicator table; `format=xlsx` for the spreadsheet."""
    period = period_of(request)
    rows = await call(report_rows, service(request), period)
    if request.query_params.get("format") == "xlsx":
        data = await call(xlsx_bytes, REPORT_HEADER, rows, f"zhizao {period}")
        name = f"zhizao-indicators-{period}.xlsx"
        disposition = f'attachment; filename="{name}"'
        return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition})
    return ok({"period": str(period), "label": period.label(), "columns": REPORT_HEADER,
               "rows": rows})  # fmt: skip


async def import_report(request: Request) -> Response:
    """Import a monthly statistics report (CSV body, header row first): all or nothing,
    every bad row named. Needs a bureau token."""
    who = await caller(request)
    who.require_bureau("import statistics reports")
    text = (await request.body()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    changed, read = await call(service(request).import_rows, rows, f"api:{who.actor}")
    return ok({"rows": read, "changed": changed})


ROUTES = [
    Route("/stats/subjects", subjects, methods=["GET"]),
    Route("/stats/indicators", indicators, methods=["GET"]),
    Route("/stats/figures", figure, methods=["GET"]),
    Route("/stats/monthly", monthly, methods=["GET"]),
    Route("/stats/kpis", kpis, methods=["GET"]),
    Route("/stats/output-interval", output_interval, methods=["GET"]),
    Route("/stats/report", report, methods=["GET"]),
    Route("/stats/reports", import_report, methods=["POST"]),
]
