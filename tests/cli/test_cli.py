"""The `zhizao` command on real SQLite files in tmp_path."""

import json
import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.conftest import PREFIX, zhizao_cmd
from zhizao.cli import cli, main

DOCS = Path(__file__).parents[2] / "docs" / "cli.md"


def all_commands(group=cli, path=("zhizao",)):
    for name, cmd in group.commands.items():
        full = (*path, name)
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, full)
        else:
            yield " ".join(full), cmd


@pytest.mark.parametrize("name", [n for n, _ in all_commands()])
def test_every_command_has_help_and_is_documented(name):
    result = CliRunner().invoke(cli, [*name.split()[1:], "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert f"`{name}" in DOCS.read_text(encoding="utf-8"), f"{name} missing from docs/cli.md"


def run(db, *args, input=None):
    return CliRunner().invoke(cli, ["-d", db, *args], input=input, catch_exceptions=False)


def test_init_is_safe_to_rerun(tmp_path, sqlite_url, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = run(sqlite_url, "init")
    assert first.exit_code == 0 and "homed prefix 88.118.8160" in first.output
    assert (tmp_path / "zhizao-admin.secret").stat().st_mode & 0o777 == 0o600
    again = run(sqlite_url, "init")
    assert again.exit_code == 0 and "already loaded" in again.output
    out = run(sqlite_url, "resolve", "88.118.8160/VIN-LS5A3DKE0PA000001").output
    assert "https://example.com/vehicles/LS5A3DKE0PA000001" in out


def test_prefix_create_with_prompted_secret_and_resolve_json(sqlite_url):
    r = run(
        sqlite_url,
        "prefix",
        "create",
        "88.200.1",
        "--admin",
        "300:88.200.1/ADMIN",
        input="pw\npw\n",
    )
    assert r.exit_code == 0, r.output
    out = run(sqlite_url, "resolve", "88.200.1/ADMIN", "--json").output
    body = json.loads(out[out.index("{") :])
    assert body["handle"] == "88.200.1/ADMIN"
    assert all(v["type"] != "HS_SECKEY" for v in body["values"])
    assert "88.200.1\t1" in run(sqlite_url, "prefix", "list").output


def test_import_csv_then_rerun_skips(tmp_path, sqlite_url):
    run(sqlite_url, "prefix", "create", PREFIX, "--admin", f"300:{PREFIX}/ADMIN", input="a\na\n")
    f = tmp_path / "ids.csv"
    f.write_text(
        "handle,URL,2:PRODUCT\n"
        + "".join(f"{PREFIX}/CELL-{i:04},https://example.com/c{i},cell {i}\n" for i in range(250))
    )
    r = run(sqlite_url, "handles", "import", str(f), "--batch-size", "100")
    assert r.exit_code == 0 and "imported 250 identifiers, skipped 0" in r.output
    r = run(sqlite_url, "handles", "import", str(f))
    assert "imported 0 identifiers, skipped 250" in r.output
    out = run(sqlite_url, "resolve", f"{PREFIX}/CELL-0042").output
    assert "cell 42" in out and "HS_ADMIN" in out


def test_import_reports_the_bad_line_and_keeps_its_batch_out(tmp_path, sqlite_url):
    run(sqlite_url, "prefix", "create", PREFIX, "--admin", f"300:{PREFIX}/ADMIN", input="a\na\n")
    f = tmp_path / "ids.jsonl"
    good = [
        json.dumps(
            {"handle": f"{PREFIX}/J{i}", "values": [{"index": 1, "type": "URL", "data": f"u{i}"}]}
        )
        for i in range(5)
    ]
    bad = json.dumps(
        {
            "handle": f"{PREFIX}/J9",
            "values": [{"index": 1, "type": "URL", "data": "x", "ttl": "soon"}],
        }
    )
    f.write_text("\n".join(good[:3] + [bad] + good[3:]) + "\n")
    r = CliRunner().invoke(
        cli,
        ["-d", sqlite_url, "handles", "import", str(f), "--batch-size", "2"],
        standalone_mode=False,
    )
    assert "line 4" in str(r.exception) and "values[0].ttl" in str(r.exception)
    # Batch 1 (lines 1-2) is stored; batch 2 (line 3 + the bad line 4) is not.
    listed = run(sqlite_url, "prefix", "list").output
    assert f"{PREFIX}\t3" in listed  # ADMIN + J0 + J1


def test_stats_resolutions_by_month(sqlite_url):
    from zhizao.node import Node
    from zhizao.settings import Settings

    n = Node(Settings(database_url=sqlite_url))
    n.store.add_resolution_counts(
        {
            (PREFIX, "2026-01-03"): 5,
            (PREFIX, "2026-01-09"): 2,
            (PREFIX, "2026-02-01"): 1,
            ("88.2", "2026-01-01"): 4,
        }
    )
    n.close()
    out = run(sqlite_url, "stats", "resolutions", "--by", "month", "--prefix", PREFIX).output
    lines = out.strip().splitlines()
    assert lines[1].split() == [PREFIX, "2026-01", "7"] and lines[2].split()[-1] == "1"
    assert lines[-1].split() == ["total", "8"]


def test_stats_federation_names_a_child_it_cannot_collect_from(sqlite_url):
    from zhizao.federation.delegation import delegate
    from zhizao.node import Node
    from zhizao.provision import create_prefix
    from zhizao.settings import Settings

    node = Node(Settings(database_url=sqlite_url))
    create_prefix(node, "88", "300:88/ADMIN", "s")
    delegate(node, "88.118", "http://127.0.0.1:9", node.registry.authenticate("300:88/ADMIN", "s"))
    node.close()
    assert run(sqlite_url, "stats", "federation").output == (
        "no resolutions counted or collected yet\n"
    )
    proc = subprocess.run(
        zhizao_cmd("-d", sqlite_url, "stats", "federation", "--collect"),
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: could not collect 88.118: http://127.0.0.1:9")
    assert len(proc.stderr.splitlines()) == 1


def test_tls_selfsigned(tmp_path):
    r = CliRunner().invoke(cli, ["tls", "selfsigned", "--out", str(tmp_path / "t")])
    assert r.exit_code == 0
    from cryptography import x509

    cert = x509.load_pem_x509_certificate((tmp_path / "t" / "cert.pem").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)


@pytest.mark.parametrize(
    "args, needle",
    [
        (["resolve", "88..1/x"], "Invalid prefix"),
        (["resolve", "99/x"], "doesn't live here"),
        (["-d", "mysql://x", "resolve", "88/x"], "Unsupported database URL"),
        (["prefix", "create", "88.1"], "Missing option '--admin'"),
        (["handles", "import", "/nonexistent.csv"], "does not exist"),
        (["handles", "import", "bad.csv"], "line 2: 3 columns"),
        (["stats", "resolutions", "--by", "year"], "'year' is not one of"),
    ],
)
def test_errors_are_one_line_and_non_zero(tmp_path, args, needle):
    db = ["-d", f"sqlite:///{tmp_path / 'x.db'}"] if args[0] != "-d" else []
    (tmp_path / "bad.csv").write_text("handle,URL\n88.1/a,u,extra\n")
    proc = subprocess.run(zhizao_cmd(*db, *args), capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode != 0
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("Error: ")
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr


def test_main_entry_point_exits_non_zero(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["-d", f"sqlite:///{tmp_path / 'y.db'}", "resolve", "nope/"])
    assert exit_info.value.code == 1
