"""The bureau's project spreadsheet: its columns, read into project fields and written back.

Headers may be English or Chinese (`项目名称` or `name`); the amount column says its unit
(`amount (亿元)`, `合同投资额(万元)`, `amount (yuan)`); origin, contract type and stage may be
written in Chinese as the bureau's forms do. Row numbers are the spreadsheet's own (header = 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from zhizao.errors import InvalidProject
from zhizao.projects.model import YI, Project, amount

# field → accepted headers (lower-case, spaces removed), the first is what export writes
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "项目编号"),
    "name": ("name", "项目名称"),
    "investor": ("investor", "投资方"),
    "origin": ("origin", "投资方来源"),
    "contractType": ("contracttype", "签约类型"),
    "amount": ("amount(亿元)", "合同投资额(亿元)", "amount(万元)", "合同投资额(万元)",
               "amount(yuan)", "合同投资额(元)"),
    "sector": ("sector", "行业代码"),
    "cluster": ("cluster", "产业集群"),
    "area": ("area", "所在园区"),
    "responsibleUnit": ("responsibleunit", "责任单位"),
    "signingEvent": ("signingevent", "签约活动"),
    "signedOn": ("signedon", "签约日期"),
    "stage": ("stage", "当前阶段"),
    "stageDate": ("stagedate", "阶段日期"),
    "investorParty": ("investorparty", "投资方签署方"),
}  # fmt: skip
HEADERS = ["id", "name", "investor", "origin", "contract type", "amount (亿元)", "sector",
           "cluster", "area", "responsible unit", "signing event", "signed on", "stage",
           "stage date", "investor party"]  # fmt: skip
REQUIRED = ("id", "name", "investor", "origin", "contractType", "amount", "sector", "cluster",
            "area", "responsibleUnit")  # fmt: skip
UNITS = {"亿元": YI, "万元": Decimal(10_000), "yuan": Decimal(1), "元": Decimal(1)}
WORDS = {
    "外资": "foreign", "境外": "foreign", "省外": "out-of-province", "省内市外": "in-province",
    "省内": "in-province", "本地": "local", "市内": "local",
    "框架": "framework", "意向": "framework", "框架协议": "framework", "正式": "formal",
    "正式合同": "formal", "谋划": "planned", "洽谈": "negotiating", "签约": "signed",
    "开工": "started", "建设": "under_construction", "在建": "under_construction",
    "投产": "in_production", "达产": "at_capacity",
}  # fmt: skip


def _key(header: Any) -> str:
    return "".join(str(header or "").split()).lower().replace("（", "(").replace("）", ")")


def read_header(header: Sequence[Any]) -> tuple[dict[int, str], Decimal]:
    """{column index → field}, and the unit the amount column is in."""
    columns: dict[int, str] = {}
    unit = YI
    for index, cell in enumerate(header):
        key = _key(cell)
        if not key:
            continue
        for name, accepted in COLUMNS.items():
            if key in accepted:
                if name in columns.values():
                    raise InvalidProject(f"column {cell!r} repeats {name}", field=name, row=1)
                columns[index] = name
                if name == "amount":
                    unit = next(v for u, v in UNITS.items() if key.endswith(f"({u.lower()})"))
                break
        else:
            raise InvalidProject(f"unknown column {cell!r}", field=str(cell), row=1)
    missing = [n for n in REQUIRED if n not in columns.values()]
    if missing:
        raise InvalidProject(f"missing columns: {', '.join(missing)}", field=missing[0], row=1)
    return columns, unit


def rows_to_fields(rows: Iterable[Sequence[Any]]) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, project fields) for each non-empty row after the header."""
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        raise InvalidProject("the file is empty", field="header", row=1)
    columns, unit = read_header(header)
    out = []
    for number, row in enumerate(iterator, start=2):
        if all(c is None or str(c).strip() == "" for c in row):
            continue
        fields: dict[str, Any] = {}
        for index, name in columns.items():
            value = row[index] if index < len(row) else None
            if isinstance(value, str):
                value = WORDS.get(value.strip(), value.strip())
            fields[name] = value
        if fields.get("amount") not in (None, ""):
            try:
                fields["amount"] = str(amount(fields["amount"], "amount", number) * unit)
            except InvalidProject:
                pass  # left as it is, for project_from to report with the rest of the row
        out.append((number, fields))
    return out


def project_row(project: Project) -> list[Any]:
    """A project as a row under HEADERS (amount in 亿元, exact)."""
    stage, since = project.history[-1] if project.history else (None, None)
    signed = project.signed_on
    return [
        project.id, project.name, project.investor, project.origin.value,
        project.contract_type.value, _plain(project.amount / YI), project.sector,
        project.cluster, project.area, project.responsible_unit, project.signing_event or "",
        signed.isoformat() if signed else "", stage.value if stage else "",
        since.isoformat() if since else "", project.investor_party or "",
    ]  # fmt: skip


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def differences(stored: Project, incoming: Project) -> list[str]:
    """Fields in which a re-imported row differs from the stored project."""
    a, b = stored.to_json(), incoming.to_json()
    keys = ("name", "investor", "origin", "contractType", "amount", "sector", "cluster", "area",
            "responsibleUnit", "signingEvent", "investorParty")  # fmt: skip
    out = [
        k for k in keys if a[k] != b[k] and not (k == "amount" and Decimal(a[k]) == Decimal(b[k]))
    ]
    if incoming.signed_on and stored.signed_on != incoming.signed_on:
        out.append("signedOn")
    return out
