"""Spreadsheet files at the edges: the cells of a CSV or XLSX, and a table as XLSX or CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from zhizao.errors import ZhizaoError


def read_rows(path: Path) -> list[list[Any]]:
    """The cells of a CSV (UTF-8, with or without BOM) or of an XLSX's first sheet."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    if path.suffix.lower() != ".csv":
        raise ZhizaoError(f"{path.name}: import reads .xlsx or .csv files", field="FILE")
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [list(r) for r in csv.reader(f)]


def xlsx_bytes(header: list[str], rows: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
