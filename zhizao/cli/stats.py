"""`zhizao stats resolutions`: the node's resolution volume."""

from __future__ import annotations

import click

from zhizao.cli.context import database_option, open_node
from zhizao.identifiers.handle import check_prefix
from zhizao.identifiers.volume import roll_up


@click.group()
def stats() -> None:
    """Figures this node has counted."""


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


COMMANDS = [stats]
