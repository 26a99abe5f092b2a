"""`zhizao projects …`, `zhizao keys new`, `zhizao parties add`, `zhizao tokens new`.

The CLI runs on the node's own machine against its database, so it acts as bureau staff,
and the evidence log records it as `cli:<user>`.
"""

from __future__ import annotations

import getpass
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from zhizao.cli.context import database_option, open_node
from zhizao.projects.access import BUREAU, ROLES, Caller
from zhizao.projects.model import YI
from zhizao.projects.sheet import HEADERS, project_row, rows_to_fields
from zhizao.projects.signing import (
    Statement,
    document_hash,
    load_private_key,
    new_private_key,
    sign,
)
from zhizao.sheets import csv_text, read_rows, xlsx_bytes
from zhizao.stats.period import Period


def _me() -> Caller:
    return Caller(f"cli:{getpass.getuser()}", BUREAU)


def write_table(path: Path | None, header: list[str], rows: list[list[Any]], title: str) -> None:
    if path is not None and path.suffix.lower() == ".xlsx":
        path.write_bytes(xlsx_bytes(header, rows, title))
    elif path is None:
        click.echo(csv_text(header, rows), nl=False)
    else:
        path.write_text(csv_text(header, rows), encoding="utf-8")


@click.group()
def projects() -> None:
    """Investment projects: import, export, report, sign, verify."""


@projects.command("import")
@database_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, file: Path) -> None:
    """Import projects from the bureau's spreadsheet (.xlsx or .csv; see docs/projects.md).

    All rows or none: every bad row is reported with its row number. Rows for projects already
    stored must be unchanged, so importing the same sheet twice is safe."""
    numbered = rows_to_fields(read_rows(file))
    with open_node(ctx) as node:
        created, unchanged = node.projects.import_rows(numbered, _me())
    total = sum(p.amount for p in created) / YI
    click.echo(f"imported {len(created)} projects ({total:.2f} 亿元), {unchanged} unchanged")


@projects.command()
@database_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="A .xlsx or .csv file (default: CSV on standard output).")  # fmt: skip
@click.option("--signing-event", help="Only the projects of this signing event.")
@click.pass_context
def export(ctx: click.Context, output: Path | None, signing_event: str | None) -> None:
    """Export projects in the layout `projects import` reads."""
    with open_node(ctx) as node:
        rows = [project_row(p) for p in node.projects.projects(signing_event)]
    write_table(output, HEADERS, rows, "projects")
    if output:
        click.echo(f"wrote {len(rows)} projects to {output}", err=True)


def report_rows(report: dict[str, Any]) -> list[list[Any]]:
    def pct(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f}%"

    rows: list[list[Any]] = [
        ["projects signed", report["signed"]["count"], ""],
        ["amount signed (亿元)", report["signed"]["amountYi"],
         f"YoY {pct(report['amountYoY'])} (vs {report['signedYearBefore']['amountYi']})"],
    ]  # fmt: skip
    for title, key in (("by cluster", "byCluster"), ("by origin", "byOrigin"),
                       ("by section", "bySection")):  # fmt: skip
        for name, tally in report[key].items():
            rows.append([f"  {title}: {name}", tally["count"], tally["amountYi"]])
    base = report["projectsSignedByEnd"]
    rows += [
        ["fulfilment rate", pct(report["fulfilmentRate"]), f"of {base} signed by period end"],
        ["start rate", pct(report["startRate"]), ""],
        ["in-production rate", pct(report["inProductionRate"]), ""],
        ["funds-in-place rate", pct(report["fundsInPlaceRate"]), ""],
    ]
    for area in report["areas"]:
        rows.append([f"  rank {area['rank']}: {area['area']}", area["count"], area["amountYi"]])
    return rows


@projects.command()
@database_option
@click.option("--period", required=True, help="2023-06, 2023-01..06, 2023-H1 or 2023.")
@click.option("--area", help="Only this park or area.")
@click.option("--signing-event", help="Only this signing event's projects.")
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the table to this .xlsx file.")  # fmt: skip
@click.pass_context
def report(ctx: click.Context, period: str, area: str | None, signing_event: str | None,
           xlsx: Path | None) -> None:  # fmt: skip
    """The indicator table for a period: signed, by cluster/origin, rates, area ranking."""
    chosen = Period.parse(period)
    with open_node(ctx) as node:
        answer = node.projects.report(chosen, area=area, signing_event=signing_event)
    rows = report_rows(answer)
    header = ["indicator", chosen.label(), "note"]
    width = max(len(str(r[0])) for r in rows) + 2
    click.echo(f"{header[0]:<{width}}{header[1]:>12}  {header[2]}")
    for name, value, note in rows:
        click.echo(f"{name:<{width}}{value!s:>12}  {note}")
    if xlsx:
        write_table(xlsx, header, rows, f"indicators {chosen}")
        click.echo(f"wrote {xlsx}", err=True)


@projects.command("sign")
@database_option
@click.argument("project")
@click.option("--document", "document", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The contract file; registered with the project if it is not yet.")  # fmt: skip
@click.option("--party", required=True, help="The signing party's id.")
@click.option("--key", "key_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The party's private key (PEM, from `zhizao keys new`).")  # fmt: skip
@click.option("--at", "signed_at", help="Signing time, ISO 8601 with offset (default: now).")
@click.pass_context
def sign_(ctx: click.Context, project: str, document: Path, party: str, key_file: Path,
          signed_at: str | None) -> None:  # fmt: skip
    """Sign PROJECT's contract as PARTY with a private key, and submit the signature."""
    content = document.read_bytes()
    sha = document_hash(content)
    when = signed_at or datetime.now(UTC).isoformat(timespec="seconds")
    signature = sign(load_private_key(key_file.read_bytes()), Statement(sha, project, party, when))
    with open_node(ctx) as node:
        if node.store.document(sha) is None:
            node.projects.register_document(project, document.name, content, _me())
        node.projects.sign(project, sha, party, when, signature, _me())
        stage = node.projects.project(project).stage.value
    click.echo(f"{party} signed {document.name} (sha256 {sha[:16]}…) for {project}; "
               f"project is {stage}")  # fmt: skip


@projects.command()
@database_option
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Re-check the evidence log, every stored contract and every signature."""
    with open_node(ctx) as node:
        result = node.projects.verify()
    if result.failure:
        seq, why = result.failure
        click.echo(f"Error: evidence entry {seq} fails: {why}", err=True)
        sys.exit(1)
    click.echo(f"ok: {result.entries} entries, {result.documents} documents, "
               f"{result.signatures} signatures verified")  # fmt: skip


@click.group()
def keys() -> None:
    """Signing keys (Ed25519)."""


@keys.command("new")
@database_option
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the private key (PEM, readable by you only).")  # fmt: skip
@click.option("--party", help="Also register the public key for this party.")
@click.pass_context
def keys_new(ctx: click.Context, out: Path, party: str | None) -> None:
    """Make a key pair; print the public key (base64) and its key id."""
    if out.exists():
        raise click.ClickException(f"{out} exists; not overwriting a key")
    pem, public = new_private_key()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    click.echo(f"public key: {public}")
    if party:
        with open_node(ctx) as node:
            click.echo(
                f"registered for {party} as key {node.projects.register_key(party, public, _me())}"
            )


@click.group()
def parties() -> None:
    """Signing parties (the zone side, the investors)."""


@parties.command("add")
@database_option
@click.argument("party")
@click.option("--name", required=True)
@click.option("--side", type=click.Choice(["zone", "investor"]), required=True)
@click.pass_context
def parties_add(ctx: click.Context, party: str, name: str, side: str) -> None:
    """Register PARTY (an id such as `changan`)."""
    with open_node(ctx) as node:
        node.projects.add_party(party, name, side, _me())
    click.echo(f"party {party} ({side}) registered")


@click.group()
def tokens() -> None:
    """API tokens for /v1 writes."""


@tokens.command("new")
@database_option
@click.option("--label", required=True, help="Who holds it, as the evidence log will say.")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--party", help="The party an investor token acts for.")
@click.pass_context
def tokens_new(ctx: click.Context, label: str, role: str, party: str | None) -> None:
    """Issue a token; it is shown once and stored only as its hash."""
    with open_node(ctx) as node:
        click.echo(node.projects.issue_token(label, role, party))


COMMANDS = [projects, keys, parties, tokens]
