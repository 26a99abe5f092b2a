"""`zhizao stats resolutions`: the node's resolution volume."""

from __future__ import annotations

from pathlib import Path

import click

from zhizao.cli.context import database_option, open_node
from zhizao.identifiers.handle import check_prefix
from zhizao.identifiers.volume import roll_up
from zhizao.sheets import read_rows
from zhizao.stats.period import Period


@click.group()
def stats() -> None:
    """The zone's figures: resolutions counted, reports imported, figures computed."""


@stats.command("resolutions")
@database_option
@click.option("--prefix", help="Only this prefix.")
@click.option("--by", type=click.Choice(["day", "month"]), default="day", show_default=True)
@click.pass_context
def resolutions(ctx: click.Context, prefix: str | None, by: str) -> None:
    """Resolutions per prefix per day or month (counted by 'zhizao serve')."""
    with open_node(ctx) as node:
        rows = roll_up(node.store.resolution_counts(check_prefix(prefix) if prefix else None), by)
    if not rows:
        click.echo("no resolutions counted yet")
        return
    click.echo(f"{'prefix':<24} {by:<10} {'resolutions':>12}")
    for p, period, n in rows:
        click.echo(f"{p:<24} {period:<10} {n:>12,}")
    click.echo(f"{'total':<24} {'':<10} {sum(n for _, _, n in rows):>12,}")


@stats.command("import")
@database_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, file: Path) -> None:
    """Import a monthly statistics report (XLSX or CSV): all rows or none; every bad row is
    named. Re-importing the same file changes nothing."""
    with open_node(ctx) as node:
        changed, read = node.stats.import_rows(read_rows(file), f"file:{file.name}")
    click.echo(f"{file.name}: {read:,} values read, {changed:,} new or changed")


@stats.command("figure")
@database_option
@click.argument("indicator")
@click.argument("subject")
@click.option("--period", required=True, help="2023-06, 2023-01..06, 2023-H1 or 2023.")
@click.option("--parent", help="Share of this subject (default: the subject's parent).")
@click.option("--rank-by", type=click.Choice(["value", "growth"]), default="value",
              show_default=True)  # fmt: skip
@click.pass_context
def figure(ctx: click.Context, indicator: str, subject: str, period: str, parent: str | None,
           rank_by: str) -> None:  # fmt: skip
    """One figure, as the zone's reports state it: value, YoY, share, rank."""
    with open_node(ctx) as node:
        f = node.stats.figure(indicator, subject, Period.parse(period), parent=parent,
                              rank_by=rank_by)  # fmt: skip
    click.echo(f"{subject} {indicator}: {f.statement()}")


COMMANDS = [stats]
