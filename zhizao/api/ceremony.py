"""The live ceremony board: a page, and the server-sent events that keep it current.

The stream polls the evidence log's length, which every write in any worker advances, so a
signature accepted by another process shows up too; the board is recomputed only then.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from zhizao.api.projects import service

POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0


async def stream(request: Request) -> Response:
    event_id = request.path_params["id"]
    svc = service(request)
    first = await run_in_threadpool(svc.board, event_id)  # 404 before the stream starts

    async def events() -> AsyncIterator[str]:
        board, quiet = first, 0.0
        yield f"event: board\ndata: {json.dumps(board, ensure_ascii=False)}\n\n"
        while not await request.is_disconnected():
            await asyncio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS
            if await run_in_threadpool(svc.version) != board["version"]:
                board, quiet = await run_in_threadpool(svc.board, event_id), 0.0
                yield f"event: board\ndata: {json.dumps(board, ensure_ascii=False)}\n\n"
            elif quiet >= KEEPALIVE_SECONDS:
                quiet = 0.0
                yield ": keep-alive\n\n"

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


async def page(request: Request) -> Response:
    event_id = request.path_params["id"]
    board = await run_in_threadpool(service(request).board, event_id)
    title = escape(board["event"]["name"])
    return HTMLResponse(PAGE.replace("{{title}}", title).replace("{{id}}", escape(event_id)))


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{title}} · signing board</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body{font-family:system-ui,sans-serif;margin:2rem;background:#0b1d33;color:#eef}
 h1{font-weight:600} .total{font-size:3rem;font-weight:700;color:#ffd54a}
 table{border-collapse:collapse;width:100%;margin-top:1rem}
 td,th{padding:.4rem .6rem;border-bottom:1px solid #345;text-align:left}
 tr.signed td{color:#9fe89f} .n{text-align:right}
 #clusters span{display:inline-block;margin-right:1.5rem}
</style></head>
<body>
<h1>{{title}}</h1>
<div><span class="total" id="total">–</span> 亿元 signed ·
 <span id="count">0</span> of <span id="of">0</span> projects</div>
<div id="clusters"></div>
<table><thead><tr><th>Project</th><th>Investor</th><th>Cluster</th>
<th class="n">亿元</th><th>Status</th></tr></thead><tbody id="rows"></tbody></table>
<script>
const rows = document.getElementById("rows");
function cell(text, cls) { const td = document.createElement("td");
  td.textContent = text; if (cls) td.className = cls; return td; }
function show(board) {
  document.getElementById("total").textContent = board.signedAmountYi;
  document.getElementById("count").textContent = board.signedCount;
  document.getElementById("of").textContent = board.projects.length;
  const clusters = document.getElementById("clusters"); clusters.replaceChildren();
  for (const [name, yi] of Object.entries(board.byCluster)) {
    const s = document.createElement("span"); s.textContent = name + ": " + yi + " 亿元";
    clusters.append(s); }
  rows.replaceChildren();
  for (const p of board.projects) {
    const tr = document.createElement("tr"); if (p.signed) tr.className = "signed";
    tr.dataset.project = p.id;
    tr.append(cell(p.name), cell(p.investor), cell(p.cluster), cell(p.amountYi, "n"),
      cell(p.signed ? "signed" : (p.signatures ? "signing…" : "waiting")));
    rows.append(tr); }
}
const source = new EventSource("/v1/signing-events/{{id}}/board/stream");
source.addEventListener("board", (e) => show(JSON.parse(e.data)));
</script></body></html>
"""

ROUTES = [
    Route("/signing-events/{id}/board/stream", stream, methods=["GET"]),
    Route("/signing-events/{id}/ceremony", page, methods=["GET"]),
]
