"""Sectors: GB/T 4754-2017 industry codes, and the zone's industrial-cluster tags.

A code is a section letter and a two-digit division, optionally narrowed to a group or class
(`C36`, `C361`, `C3612` new-energy vehicle manufacturing). The division must lie in its
section's range, which is how GB/T 4754-2017 numbers them, so `C36` is valid and `A36` is not.
"""

from __future__ import annotations

import re

from zhizao.errors import InvalidProject

# section → (first division, last division, name)
SECTIONS = {
    "A": (1, 5, "农、林、牧、渔业"),
    "B": (6, 12, "采矿业"),
    "C": (13, 43, "制造业"),
    "D": (44, 46, "电力、热力、燃气及水生产和供应业"),
    "E": (47, 50, "建筑业"),
    "F": (51, 52, "批发和零售业"),
    "G": (53, 60, "交通运输、仓储和邮政业"),
    "H": (61, 62, "住宿和餐饮业"),
    "I": (63, 65, "信息传输、软件和信息技术服务业"),
    "J": (66, 69, "金融业"),
    "K": (70, 70, "房地产业"),
    "L": (71, 72, "租赁和商务服务业"),
    "M": (73, 75, "科学研究和技术服务业"),
    "N": (76, 79, "水利、环境和公共设施管理业"),
    "O": (80, 82, "居民服务、修理和其他服务业"),
    "P": (83, 83, "教育"),
    "Q": (84, 85, "卫生和社会工作"),
    "R": (86, 90, "文化、体育和娱乐业"),
    "S": (91, 96, "公共管理、社会保障和社会组织"),
    "T": (97, 97, "国际组织"),
}

# The clusters a zone like Liangjiang reports by; a zone may extend the list in settings.
CLUSTERS = (
    "intelligent connected NEV",
    "auto parts",
    "electronic information",
    "equipment manufacturing",
    "biomedicine",
    "digital economy",
    "modern services",
    "new materials",
)

_CODE = re.compile(r"^([A-T])(\d{2})(\d{1,2})?$")


def check_sector(code: str, field: str = "sector", row: int | None = None) -> str:
    """The code, upper-cased, if it is a GB/T 4754-2017 code; InvalidProject if not."""
    text = (code or "").strip().upper()
    found = _CODE.match(text)
    if found:
        first, last, _ = SECTIONS[found.group(1)]
        if first <= int(found.group(2)) <= last:
            return text
    raise InvalidProject(
        f"{code!r} is not a GB/T 4754-2017 industry code (e.g. C36, C3612)", field=field, row=row
    )


def check_cluster(tag: str, known: tuple[str, ...] = CLUSTERS, row: int | None = None) -> str:
    text = (tag or "").strip()
    for name in known:
        if text.lower() == name.lower():
            return name
    raise InvalidProject(
        f"{tag!r} is not one of the zone's clusters ({', '.join(known)})", field="cluster", row=row
    )


def section_name(code: str) -> str:
    return SECTIONS[code[0]][2]
