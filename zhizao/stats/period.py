"""Reporting periods as the zone's reports name them: a month, January–month N, a half, a year.

`2023-06` (June), `2023-01..06` (cumulative January–June, "1–6月"), `2023-H1`, `2023`.
A period knows its months and the same period a year earlier, the base of every YoY figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from zhizao.errors import InvalidPeriod

_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-01\.\.(\d{2})$"), "cumulative"),
    (re.compile(r"^(\d{4})-H([12])$"), "half"),
    (re.compile(r"^(\d{4})$"), "year"),
)


@dataclass(frozen=True, slots=True)
class Period:
    year: int
    first: int  # first month, 1-12
    last: int  # last month, inclusive
    kind: str  # month | cumulative | half | year

    @classmethod
    def parse(cls, text: str) -> Period:
        for pattern, kind in _PATTERNS:
            found = pattern.match(text.strip())
            if not found:
                continue
            year = int(found.group(1))
            if kind == "year":
                return cls(year, 1, 12, kind)
            n = int(found.group(2))
            if kind == "half":
                return cls(year, 1 if n == 1 else 7, 6 if n == 1 else 12, kind)
            if not 1 <= n <= 12:
                break
            return cls(year, n if kind == "month" else 1, n, kind)
        raise InvalidPeriod(
            f"{text!r} is not a period; use 2023-06, 2023-01..06, 2023-H1 or 2023",
            field="period",
        )

    @property
    def start(self) -> date:
        return date(self.year, self.first, 1)

    @property
    def end(self) -> date:
        """The first day after the period."""
        return date(self.year + 1, 1, 1) if self.last == 12 else date(self.year, self.last + 1, 1)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def months(self) -> list[str]:
        return [f"{self.year}-{m:02d}" for m in range(self.first, self.last + 1)]

    def year_before(self) -> Period:
        return Period(self.year - 1, self.first, self.last, self.kind)

    def __str__(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.first:02d}"
        if self.kind == "cumulative":
            return f"{self.year}-01..{self.last:02d}"
        if self.kind == "half":
            return f"{self.year}-H{1 if self.first == 1 else 2}"
        return str(self.year)

    def label(self, lang: str = "en") -> str:
        """How a report heads the column: 'Jan–Jun 2023', 'Jun 2023', 'H1 2023', '2023';
        in Chinese (`lang="zh"`) '2023年1–6月', '2023年6月', '2023年上半年', '2023年'."""
        y, first, last, zh = self.year, self.first, self.last, lang == "zh"
        names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
        if self.kind == "month":
            return f"{y}年{first}月" if zh else f"{names[first - 1]} {y}"
        if self.kind == "cumulative":
            return f"{y}年1–{last}月" if zh else f"Jan–{names[last - 1]} {y}"
        if self.kind == "half":
            return (
                f"{y}年{'上' if first == 1 else '下'}半年"
                if zh
                else f"H{1 if first == 1 else 2} {y}"
            )
        return f"{y}年" if zh else str(y)
