"""ECharts options, built on the server from the figures the page states.

The browser only draws: every number a chart shows is computed here, by the same code as the
cards and tables beside it, so a chart cannot disagree with its page.
"""

from __future__ import annotations

from typing import Any

PALETTE = ["#c23531", "#2f4554", "#61a0a8", "#d48265", "#91c7ae", "#749f83", "#ca8622"]


def _base(title: str) -> dict[str, Any]:
    return {
        "color": PALETTE,
        "title": {"text": title, "left": "left", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 60, "right": 60, "top": 60, "bottom": 40},
    }


def bars_with_change(
    title: str, categories: list[str], bars: list[float | None], bar_name: str,
    change: list[float | None], change_name: str, *, bar_type: str = "bar",
) -> dict[str, Any]:  # fmt: skip
    """Values as bars (or a line) on the left axis, a percentage change on the right."""
    option = _base(title)
    option.update({
        "legend": {"top": 24, "data": [bar_name, change_name]},
        "xAxis": {"type": "category", "data": categories,
                  "axisLabel": {"interval": 0, "fontSize": 10, "width": 90, "overflow": "break"}},
        "yAxis": [{"type": "value", "name": bar_name},
                  {"type": "value", "name": "%", "axisLabel": {"formatter": "{value}%"}}],
        "series": [
            {"name": bar_name, "type": bar_type, "data": bars},
            {"name": change_name, "type": "line", "yAxisIndex": 1, "data": change,
             "label": {"show": True, "formatter": "{c}%", "fontSize": 10}},
        ],
    })  # fmt: skip
    return option


def bars(title: str, categories: list[str], series: dict[str, list[float | None]],
         *, horizontal: bool = False) -> dict[str, Any]:  # fmt: skip
    option = _base(title)
    category = {"type": "category", "data": categories}
    value = {"type": "value"}
    option.update({
        "legend": {"top": 24, "data": list(series)},
        "xAxis": value if horizontal else category,
        "yAxis": category if horizontal else value,
        "series": [{"name": name, "type": "bar", "data": data,
                    "label": {"show": True, "position": "right" if horizontal else "top"}}
                   for name, data in series.items()],
    })  # fmt: skip
    if horizontal:
        option["grid"]["left"] = 160
    return option


def pie(title: str, slices: list[tuple[str, float]]) -> dict[str, Any]:
    option = _base(title)
    option["tooltip"] = {"trigger": "item", "formatter": "{b}: {c} ({d}%)"}
    option["series"] = [{
        "type": "pie", "radius": ["35%", "65%"], "top": 30,
        "data": [{"name": name, "value": value} for name, value in slices],
    }]  # fmt: skip
    return option


def funnel(title: str, steps: list[tuple[str, int]]) -> dict[str, Any]:
    option = _base(title)
    option["tooltip"] = {"trigger": "item", "formatter": "{b}: {c}"}
    option["series"] = [{
        "type": "funnel", "top": 40, "bottom": 10, "left": "8%", "width": "55%",
        "sort": "none",
        "label": {"show": True, "formatter": "{b}: {c}"},
        "data": [{"name": name, "value": value} for name, value in steps],
    }]  # fmt: skip
    return option


def tree(title: str, root: dict[str, Any]) -> dict[str, Any]:
    """A genealogy (`{"id", "contains": [...]}`) as ECharts' tree, root on the left."""

    def node(t: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"name": t["id"]}
        if t.get("contains"):
            out["children"] = [node(c) for c in t["contains"]]
        return out

    option = _base(title)
    option["tooltip"] = {"trigger": "item"}
    option["series"] = [{
        "type": "tree", "data": [node(root)], "top": 40, "left": 180, "right": 260,
        "bottom": 20, "initialTreeDepth": 2, "expandAndCollapse": True,
        "label": {"position": "left", "fontSize": 10},
        "leaves": {"label": {"position": "right"}},
    }]  # fmt: skip
    return option
