"""The dashboard's pages, served by `zhizao serve` beside the APIs.

Pages are rendered on the server (Jinja2) from the same services the APIs use; charts are
ECharts options built here and drawn by the locally served ECharts. The language comes from
`?lang=` (remembered in a cookie), else the browser's Accept-Language.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from zhizao.api.problems import status_of
from zhizao.errors import ZhizaoError
from zhizao.node import Node
from zhizao.stats.period import Period
from zhizao.trace_service import TraceService, recall_csv
from zhizao.web import assets
from zhizao.web.drill import Drill
from zhizao.web.i18n import LANGS, Translator, signed
from zhizao.web.overview import Overview, ZoneContext, default_period, zone_context

HERE = Path(__file__).resolve().parent
Page = Callable[[Request], Awaitable[Response]]


def language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get("lang")
    if chosen in LANGS:
        return chosen
    accept = request.headers.get("accept-language", "").lower()
    return "zh" if accept.startswith("zh") else "en"


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no "</script>" or "<!--" can end it early."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Dashboard:
    def __init__(self, node: Node) -> None:
        self.node = node
        self.trace = TraceService(node.store)
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        self.templates.env.filters["signed"] = signed
        self.templates.env.globals["missing_assets"] = assets.missing

    def routes(self) -> list[BaseRoute]:
        page = self.page
        return [
            Route("/", page("overview.html", self.overview), methods=["GET"]),
            Route("/enterprises", page("enterprises.html", self.enterprises), methods=["GET"]),
            Route("/projects", page("projects.html", self.projects), methods=["GET"]),
            Route("/projects/{id}", page("project.html", self.project), methods=["GET"]),
            Route("/lookup", page("lookup.html", self.lookup), methods=["GET"]),
            Route("/recall", page("recall.html", self.recall), methods=["GET"]),
            Route("/recall.csv", self.recall_download, methods=["GET"]),
            Route("/nodes", page("nodes.html", self.nodes), methods=["GET"]),
            Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
        ]

    def page(self, template: str, build: Callable[[Request, Translator], dict[str, Any]]) -> Page:
        """An endpoint: build the page's content in a worker thread, render, and answer a
        domain error (a bad period, an unknown project) on the page with its status."""

        async def endpoint(request: Request) -> Response:
            lang = language(request)
            t = Translator(lang)
            status = 200
            try:
                content = await run_in_threadpool(build, request, t)
            except ZhizaoError as exc:
                template_name, status = "error.html", status_of(exc)[0]
                content = {"error": str(exc), "field": exc.field}
            else:
                template_name = template
            context = {"t": t, "lang": lang, "path": request.url.path,
                       "query": dict(request.query_params), **content}  # fmt: skip
            context["charts_json"] = script_json(content.get("charts", {}))
            response = self.templates.TemplateResponse(
                request, template_name, context, status_code=status
            )
            if request.query_params.get("lang") in LANGS:
                response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax")
            return response

        return endpoint

    def _period(self, request: Request, ctx: ZoneContext | None) -> Period:
        text = request.query_params.get("period")
        if text:
            return Period.parse(text)
        return default_period(self.node.stats, ctx.zone if ctx else None)

    # --- pages ----------------------------------------------------------------------

    def overview(self, request: Request, t: Translator) -> dict[str, Any]:
        ctx = zone_context(self.node.stats)
        if ctx is None:
            return {"no_zone": True, "cards": [], "charts": {}, "periods": []}
        period = self._period(request, ctx)
        built = Overview(self.node.stats, self.node.projects, t, ctx, period).build()
        return {**built, "period": str(period), "period_label": t.period(period),
                "periods": self.period_choices(period, t), "zone": ctx.zone}  # fmt: skip

    @staticmethod
    def period_choices(period: Period, t: Translator) -> list[tuple[str, str]]:
        y = period.year
        texts = [f"{y}-{period.last:02d}", f"{y}-01..{period.last:02d}", f"{y}-H1", f"{y}-H2",
                 str(y), f"{y - 1}-H1", str(y - 1)]  # fmt: skip
        seen: dict[str, str] = {}
        for text in texts:
            p = Period.parse(text)
            seen.setdefault(str(p), t.period(p))
        return list(seen.items())

    def enterprises(self, request: Request, t: Translator) -> dict[str, Any]:
        ctx = zone_context(self.node.stats)
        role = request.query_params.get("role") or None
        return Drill(self.node, self.trace, t).enterprises(self._period(request, ctx), role, ctx)

    def projects(self, request: Request, t: Translator) -> dict[str, Any]:
        return Drill(self.node, self.trace, t).projects(request.query_params.get("event"))

    def project(self, request: Request, t: Translator) -> dict[str, Any]:
        return Drill(self.node, self.trace, t).project(request.path_params["id"])

    def lookup(self, request: Request, t: Translator) -> dict[str, Any]:
        text = (request.query_params.get("id") or "").strip()
        return Drill(self.node, self.trace, t).lookup(text) if text else {"id": ""}

    def recall(self, request: Request, t: Translator) -> dict[str, Any]:
        items = self.recall_items(request)
        if not items:
            return {"items": "", "rows": None}
        return {"items": "\n".join(items), "rows": self.trace.recall(items),
                "csv_query": "&".join(f"items={i}" for i in items)}  # fmt: skip

    @staticmethod
    def recall_items(request: Request) -> list[str]:
        raw = request.query_params.getlist("items")
        return [i.strip() for chunk in raw for i in chunk.splitlines() if i.strip()]

    async def recall_download(self, request: Request) -> Response:
        items = self.recall_items(request)
        try:
            rows = await run_in_threadpool(self.trace.recall, items)
        except ZhizaoError as exc:
            return Response(f"error: {exc}\n", status_of(exc)[0], media_type="text/plain")
        attachment = {"content-disposition": 'attachment; filename="recall.csv"'}
        return Response(recall_csv(rows), media_type="text/csv; charset=utf-8", headers=attachment)

    def nodes(self, request: Request, t: Translator) -> dict[str, Any]:
        period = self._period(request, zone_context(self.node.stats))
        return Drill(self.node, self.trace, t).nodes(period)
