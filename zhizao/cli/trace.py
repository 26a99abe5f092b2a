"""`zhizao trace inside|where-used ID` and `zhizao recall LOT…`: genealogy answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from zhizao.cli.context import database_option, open_node
from zhizao.trace_service import TraceService, recall_csv


@click.group()
def trace() -> None:
    """What is inside an item, and which finished items use it."""


def _print_tree(node: dict[str, Any], depth: int = 0) -> None:
    click.echo("  " * depth + node["id"])
    for child in node.get("contains", []):
        _print_tree(child, depth + 1)


@trace.command()
@database_option
@click.argument("item")
@click.option("--at", metavar="TIME", help="Time to look at (ISO 8601; default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of an indented tree.")
@click.pass_context
def inside(ctx: click.Context, item: str, at: str | None, as_json: bool) -> None:
    """Everything inside ITEM (a URN, Digital Link, hdl: handle or other URI), as a tree."""
    with open_node(ctx) as node:
        answer = TraceService(node.store).inside(item, at)
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    _print_tree(answer["tree"])
    click.echo(f"{answer['count']} items inside, at {answer['at']}")


@trace.command("where-used")
@database_option
@click.argument("item")
@click.option(
    "--scope",
    type=click.Choice(["current", "ever"]),
    default="current",
    show_default=True,
    help="Items that hold it now, or that ever held it.",
)
@click.pass_context
def where_used(ctx: click.Context, item: str, scope: str) -> None:
    """Every finished item above ITEM, each with the path down to it."""
    with open_node(ctx) as node:
        answer = TraceService(node.store).where_used([item], scope)
    for used in answer["usedIn"]:
        click.echo(" > ".join(used["path"]))
    click.echo(f"{_items(answer['count'])} ({scope})")


@click.command()
@database_option
@click.argument("items", nargs=-1, required=True)
@click.option("--csv", "csv_file", type=click.Path(path_type=Path), help="Also write a CSV.")
@click.pass_context
def recall(ctx: click.Context, items: tuple[str, ...], csv_file: Path | None) -> None:
    """Every finished item that ever contained any of ITEMS (lots or items), and where it is."""
    with open_node(ctx) as node:
        rows = TraceService(node.store).recall(list(items))
    for row in rows:
        where = row["lastLocation"] or "location unknown"
        owner = row["owningParty"] or "owner unknown"
        click.echo(f"{row['item']}  contains {row['contains']}  at {where}  owned by {owner}")
    click.echo(_items(len(rows), "affected "))
    if csv_file is not None:
        csv_file.write_text(recall_csv(rows), encoding="utf-8")
        click.echo(f"wrote {csv_file}")


COMMANDS = [trace, recall]


def _items(count: int, kind: str = "") -> str:
    return f"{count} {kind}item{'' if count == 1 else 's'}"
