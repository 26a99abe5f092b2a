"""The dashboard's two languages: labels, period names and numbers in the units people use.

Chinese readers count vehicles in 万辆 and money in 亿元; English readers in plain thousands
and billions of yuan. Values stay exact in the model; only their display changes here.
"""

from __future__ import annotations

from decimal import Decimal

from zhizao.stats.period import Period

LANGS = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {  # key → (en, zh)
    "title": ("zhizao — smart-manufacturing zone", "智造 — 智能制造园区"),
    "overview": ("Overview", "总览"),
    "enterprises": ("Enterprises", "企业"),
    "projects": ("Projects", "项目"),
    "lookup": ("Identifier lookup", "标识查询"),
    "recall": ("Recall", "召回"),
    "nodes": ("Node statistics", "节点统计"),
    "period": ("Period", "统计期"),
    "yoy": ("YoY", "同比"),
    "share_of": ("of {parent}", "占{parent}"),
    "rank": ("rank {rank} of {peers}", "{peers}个中排名第{rank}"),
    "rank_growth": ("rank {rank} of {peers} by growth", "增速{peers}个中排名第{rank}"),
    "base": ("base {label}: {value}", "上年同期{label}：{value}"),
    "no_data": ("no data reported", "暂无数据"),
    "projects_signed": ("{n} projects signed", "签约项目{n}个"),
    "kpi_card": ("Digital transformation", "数字化转型成效"),
    "kpi_value": ("{n} enterprises", "{n}家企业"),
    "kpi_note": ("transformed; mean change before → after", "完成转型；转型前后平均变化"),
    "interval_card": ("Average output interval", "平均下线间隔"),
    "interval_value": ("{minutes} min per unit", "每{minutes}分钟下线一台"),
    "calendar": ("{units} units; calendar {calendar}", "{units}台；按{calendar}计"),
    "monthly_output": ("Monthly output", "月度产量"),
    "cumulative_output": ("Cumulative output", "累计产量"),
    "by_expo": ("Investment signed by expo", "历届签约金额"),
    "by_cluster": ("Signed investment by industry cluster", "签约项目产业分布"),
    "funnel": ("Project stages", "项目推进阶段"),
    "by_node": ("Resolution volume by top-level node", "顶级节点标识解析量"),
    "kpi_chart": ("Transformation KPIs: before → after (mean change)", "转型前后指标变化（平均）"),
    "value": ("Value", "数值"),
    "cumulative": ("Cumulative", "累计"),
    "cumulative_yoy": ("Cumulative YoY", "累计同比"),
    "amount": ("Amount", "金额"),
    "export": ("Export the period's indicators (XLSX)", "导出本期指标表（XLSX）"),
    "name": ("Name", "名称"),
    "role": ("Role", "类型"),
    "prefix": ("Prefix", "标识前缀"),
    "output": ("Output", "产量"),
    "stage": ("Stage", "阶段"),
    "investor": ("Investor", "投资方"),
    "cluster": ("Cluster", "产业集群"),
    "signatures": ("Signatures", "电子签名"),
    "expo": ("Signing event", "签约活动"),
    "all": ("All", "全部"),
    "evidence_ok": ("Evidence log verified: {n} entries, every signature valid",
                    "存证日志校验通过：{n}条记录，签名全部有效"),  # fmt: skip
    "evidence_bad": ("Evidence log verification FAILED", "存证日志校验失败"),
    "history": ("Stage history", "阶段历程"),
    "funds": ("Funds in place", "到位资金"),
    "valid": ("valid", "有效"),
    "invalid": ("INVALID", "无效"),
    "lookup_hint": ("Type or scan an identifier (handle, EPC URN, GS1 Digital Link)",
                    "输入或扫描标识（Handle、EPC URN、GS1 数字链接）"),  # fmt: skip
    "search": ("Look up", "查询"),
    "record": ("Identifier record", "标识记录"),
    "not_registered": ("not registered on this node", "本节点未注册该标识"),
    "events": ("Events", "事件"),
    "no_events": ("no events recorded", "无事件记录"),
    "inside": ("What is inside", "组成结构"),
    "used_in": ("Where used", "用于"),
    "not_traced": ("not in any genealogy", "无谱系记录"),
    "recall_hint": ("Lots or items, one per line", "批次或物品标识，每行一个"),
    "recall_go": ("Find affected vehicles", "查找受影响车辆"),
    "affected": ("{n} affected items", "受影响{n}件"),
    "download_csv": ("Download CSV", "下载 CSV"),
    "item": ("Item", "物品"),
    "contains": ("Contains", "包含"),
    "location": ("Last location", "最后位置"),
    "owner": ("Owning party", "所属方"),
    "when": ("Last event", "最后事件时间"),
    "node_total": ("Resolutions this node counted", "本节点解析量"),
    "monthly_node": ("Monthly resolution volume", "月度解析量"),
    "node": ("Node", "节点"),
    "time": ("Time", "时间"),
    "type": ("Type", "类型"),
    "step": ("Business step", "业务步骤"),
    "where": ("Where", "地点"),
    "transformed_on": ("Transformed on", "转型日期"),
    "before": ("Before", "转型前"),
    "after": ("After", "转型后"),
    "change": ("Change", "变化"),
    "automaker": ("Automaker", "整车企业"),
    "supplier": ("Supplier", "零部件企业"),
    "machinery": ("Machinery", "装备制造"),
    "no_zone": ("No subject is marked as the zone (role \"zone\"): run `zhizao demo` or "
                "import subjects.",
                "未设定园区主体（role 为 zone）：请运行 zhizao demo 或导入主体。"),
}  # fmt: skip

STAGE_NAMES = {
    "planned": ("Planned", "谋划"), "negotiating": ("Negotiating", "洽谈"),
    "signed": ("Signed", "签约"), "started": ("Started", "开工"),
    "under_construction": ("Under construction", "在建"),
    "in_production": ("In production", "投产"), "at_capacity": ("At capacity", "达产"),
}  # fmt: skip


# English messages that count, in the singular: "1 affected item", not "1 affected items"
SINGULAR_EN = {
    "affected": "{n} affected item",
    "projects_signed": "{n} project signed",
    "kpi_value": "{n} enterprise",
    "evidence_ok": "Evidence log verified: {n} entry, every signature valid",
}


class Translator:
    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "en"
        self._i = 1 if self.lang == "zh" else 0

    def __call__(self, key: str, **values: object) -> str:
        pair = MESSAGES.get(key)
        text = key if pair is None else pair[self._i]
        if self.lang == "en" and values.get("n") == 1:
            text = SINGULAR_EN.get(key, text)
        return text.format(**values) if values else text

    def pick(self, en: str, zh: str) -> str:
        return zh if self.lang == "zh" else en

    def stage(self, stage: str) -> str:
        pair = STAGE_NAMES.get(stage, (stage, stage))
        return pair[self._i]

    def period(self, period: Period) -> str:
        return period.label(self.lang)

    def quantity(self, value: float | int | Decimal | None, unit: str) -> str:
        """A value in the units its readers use: 11.3万辆 / 113,000 vehicles, 411.5亿元."""
        if value is None:
            return "—"
        v = float(value)
        if unit == "yuan":
            return f"{_short(v / 1e8)}亿元" if self._i else f"{_short(v / 1e9)} bn yuan"
        if self._i:
            zh_unit = {"vehicles": "辆", "units": "台", "queries": "次", "projects": "个",
                       "identifiers": "个", "kWh": "千瓦时"}.get(unit, unit)  # fmt: skip
            if abs(v) >= 1e8:
                return f"{_short(v / 1e8)}亿{zh_unit}"
            if abs(v) >= 1e4:
                return f"{_short(v / 1e4)}万{zh_unit}"
            return f"{_short(v)}{zh_unit}"
        if abs(v) >= 1e9 and unit == "queries":
            return f"{_short(v / 1e9)} bn {unit}"
        return f"{_short(v)} {unit}"


def _short(v: float) -> str:
    """At most two decimals, trailing zeros dropped: 11.3, 411.5, 41.15, 113,000."""
    text = f"{v:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def signed(percent: float | None, digits: int = 1) -> str:
    """+63.8% / −16.0%: the sign always shown, as reports write changes."""
    if percent is None:
        return "—"
    return f"{percent:+.{digits}f}%".replace("-", "−")
