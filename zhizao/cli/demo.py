"""`zhizao demo`: load the demo zone (a Liangjiang-like zone whose figures match the articles)."""

from __future__ import annotations

import sys
import time

import click

from zhizao.cli.context import database_option, open_node
from zhizao.demo.zone import load


@click.command()
@database_option
@click.option("--seed", type=int, default=1, show_default=True, help="Generator seed.")
@click.option(
    "--scale",
    type=click.FloatRange(0, 1),
    default=0.002,
    show_default=True,
    help="Share of the zone's 2023 NEV output traced at event level (1 = every vehicle).",
)
@click.pass_context
def demo(ctx: click.Context, seed: int, scale: float) -> None:
    """Generate and load the demo zone: subjects, monthly reports, expos and projects, KPI
    records, node counters and traced vehicles. Safe to re-run."""
    started = time.perf_counter()
    with open_node(ctx) as node:
        with click.progressbar(length=5, label="demo zone", file=sys.stderr,
                               hidden=not sys.stderr.isatty()) as bar:  # fmt: skip

            def step(name: str, n: int) -> None:
                bar.label = f"demo zone: {name}"
                if name != "traced events":
                    bar.update(1)

            zone = load(node, seed, scale, step)
    click.echo(
        f"demo zone ready in {time.perf_counter() - started:.1f} s (seed {seed}, scale {scale}): "
        f"{len(zone.subjects)} subjects, {len(zone.observations):,} monthly report values, "
        f"{zone.traced_vehicles:,} traced vehicles ({zone.events:,} events)"
    )
    if zone.recall_lot:
        click.echo(f"try:  zhizao recall {zone.recall_lot}")


COMMANDS = [demo]
