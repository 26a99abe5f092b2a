"""`zhizao stats …`: resolution volume (this node's and its federation's), reports, figures."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from zhizao.cli.context import database_option, open_node
from zhizao.federation.volume import by_child, collect
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


@stats.command("federation")
@database_option
@click.option(
    "--collect",
    "collect_now",
    is_flag=True,
    help="Ask the delegated nodes for their counts first (a server does it every "
    "ZHIZAO_COLLECT_SECONDS).",
)
@click.pass_context
def federation(ctx: click.Context, collect_now: bool) -> None:
    """Monthly resolutions per delegated child node and for this node, the total, and YoY."""
    with open_node(ctx) as node:
        failed = collect(node).failed if collect_now else {}
        volume = by_child(node)
    children, total, yoy = volume["children"], volume["total"], volume["yoyPercent"]
    if total:
        names = list(children)
        click.echo(f"{'month':<8} " + " ".join(f"{n:>14}" for n in names) + f" {'total':>14} YoY")
        for month, n in total.items():
            cells = " ".join(f"{children[c].get(month, 0):>14,}" for c in names)
            growth = f"{yoy[month]:+.1f}%" if month in yoy else ""
            click.echo(f"{month:<8} {cells} {n:>14,} {growth}")
    else:
        click.echo("no resolutions counted or collected yet")
    for prefix, why in failed.items():  # what was shown is then the last collected figures
        click.echo(f"Error: could not collect {prefix}: {why}", err=True)
    if failed:
        sys.exit(1)


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
