"""`zhizao projects …`, `keys new`, `parties add`, `tokens new` on real SQLite files."""

import csv
import sqlite3

from openpyxl import Workbook, load_workbook

HEADER = ["项目编号", "项目名称", "投资方", "投资方来源", "签约类型", "合同投资额(亿元)",
          "行业代码", "产业集群", "所在园区", "责任单位", "签约活动", "签约日期", "当前阶段",
          "阶段日期"]  # fmt: skip
ROWS = [
    ["P-001", "Changan NEV park", "Changan", "省内", "正式", "102", "C3612",
     "intelligent connected NEV", "Yufu", "Bureau", "", "2018-08-23", "开工", "2019-03-01"],
    ["P-002", "Battery pack line", "CATL-like", "省外", "正式", "41.15", "C3841",
     "intelligent connected NEV", "Longxing", "Bureau", "", "2023-05-20", "", ""],
    ["P-003", "Sensor plant", "Foreign Co", "外资", "框架", "8.5", "C3983",
     "electronic information", "Yufu", "Bureau", "", "2023-02-01", "", ""],
]  # fmt: skip


def write_csv(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])


def count(db_url):
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        return conn.execute("SELECT count(*) FROM projects").fetchone()[0]


def test_import_reports_every_bad_row_and_keeps_everything_out(run, tmp_path, sqlite_url):
    run(sqlite_url, "init")
    bad = [list(ROWS[0]), list(ROWS[1]), list(ROWS[2])]
    bad[0][5] = "-3"  # negative amount, row 2
    bad[2][6] = "Z99"  # unknown sector, row 4
    sheet = tmp_path / "projects.csv"
    write_csv(sheet, bad)
    result = run(sqlite_url, "projects", "import", str(sheet))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("Error: row 2: amount: amount must be above zero")
    assert lines[1].startswith("Error: row 4: sector: 'Z99' is not a GB/T 4754-2017")
    assert count(sqlite_url) == 0


def test_import_xlsx_reimport_altered_row_export_and_report(run, tmp_path, sqlite_url):
    book = Workbook()
    book.active.append(HEADER)
    for row in ROWS:
        book.active.append(row)
    sheet = tmp_path / "projects.xlsx"
    book.save(sheet)
    first = run(sqlite_url, "projects", "import", str(sheet))
    assert first.exit_code == 0, first.output
    assert "imported 3 projects (151.65 亿元), 0 unchanged" in first.output
    again = run(sqlite_url, "projects", "import", str(sheet))
    assert "imported 0 projects (0.00 亿元), 3 unchanged" in again.output

    altered = [list(r) for r in ROWS]
    altered[1][5] = "14.15"  # someone edits the amount in the sheet, row 3
    write_csv(tmp_path / "altered.csv", altered)
    result = run(sqlite_url, "projects", "import", str(tmp_path / "altered.csv"))
    assert result.exit_code == 1
    assert "row 3" in result.output and "differs from the stored one in amount" in result.output

    out = tmp_path / "export.xlsx"
    assert run(sqlite_url, "projects", "export", "-o", str(out)).exit_code == 0
    exported = list(load_workbook(out).active.iter_rows(values_only=True))
    assert exported[1][:6] == ("P-001", "Changan NEV park", "Changan", "in-province", "formal",
                               "102")  # fmt: skip
    # the export reads back in as unchanged
    assert "3 unchanged" in run(sqlite_url, "projects", "import", str(out)).output

    report = run(sqlite_url, "projects", "report", "--period", "2023-H1", "--xlsx",
                 str(tmp_path / "report.xlsx"))  # fmt: skip
    assert report.exit_code == 0, report.output
    table = report.output
    assert "H1 2023" in table
    signed = next(line for line in table.splitlines() if line.startswith("amount signed"))
    assert "49.65" in signed  # 41.15 + 8.5
    assert "start rate" in table and "33.3%" in table  # P-001 started, of 3 signed by June
    cells = list(load_workbook(tmp_path / "report.xlsx").active.iter_rows(values_only=True))
    assert cells[0] == ("indicator", "H1 2023", "note")
    bad_period = run(sqlite_url, "projects", "report", "--period", "2023-H3")
    assert bad_period.exit_code == 1 and "is not a period" in bad_period.output


def test_keys_sign_verify_and_tamper(run, tmp_path, sqlite_url):
    write_csv(tmp_path / "p.csv", [ROWS[1][:11] + ["", "", ""]])
    assert run(sqlite_url, "projects", "import", str(tmp_path / "p.csv")).exit_code == 0
    for party, side in (("liangjiang", "zone"), ("catl", "investor")):
        assert (
            run(sqlite_url, "parties", "add", party, "--name", party, "--side", side).exit_code == 0
        )
        made = run(sqlite_url, "keys", "new", "--out", str(tmp_path / f"{party}.pem"),
                   "--party", party)  # fmt: skip
        assert made.exit_code == 0 and "registered for" in made.output
    assert (tmp_path / "catl.pem").stat().st_mode & 0o777 == 0o600
    again = run(sqlite_url, "keys", "new", "--out", str(tmp_path / "catl.pem"))
    assert again.exit_code == 1 and "not overwriting" in again.output
    contract = tmp_path / "agreement.pdf"
    contract.write_bytes(b"%PDF-1.7 agreement")

    def sign_as(party, key):
        return run(sqlite_url, "projects", "sign", "P-002", "--document", str(contract),
                   "--party", party, "--key", str(tmp_path / f"{key}.pem"),
                   "--at", "2023-05-20T10:00:00+08:00")  # fmt: skip

    assert sign_as("liangjiang", "liangjiang").exit_code == 0
    wrong_key = sign_as("catl", "liangjiang")
    assert wrong_key.exit_code == 1 and "does not verify" in wrong_key.output
    signed = sign_as("catl", "catl")
    assert signed.exit_code == 0 and "project is signed" in signed.output, signed.output
    ok = run(sqlite_url, "projects", "verify")
    assert ok.exit_code == 0 and "2 signatures verified" in ok.output
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE documents SET content = ?", (b"%PDF-1.7 agreement, amended",))
    failed = run(sqlite_url, "projects", "verify")
    assert failed.exit_code == 1 and "was altered after it was registered" in failed.output
    token = run(sqlite_url, "tokens", "new", "--label", "bob", "--role", "bureau")
    assert token.output.startswith("zz_")
