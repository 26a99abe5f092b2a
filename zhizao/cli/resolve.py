"""`zhizao resolve HANDLE`: read a handle from this node's database, as an anonymous reader."""

from __future__ import annotations

import json

import click

from zhizao.cli.context import database_option, open_node
from zhizao.identifiers.handle import parse_handle
from zhizao.identifiers.record import dump_values
from zhizao.identifiers.registry import ReadRequest


@click.command()
@database_option
@click.argument("handle")
@click.option("--type", "types", multiple=True, help="Only values of this type (repeatable).")
@click.option("--index", "indexes", multiple=True, type=int, help="Only this index (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the values as Handle.Net JSON.")
@click.pass_context
def resolve(
    ctx: click.Context, handle: str, types: tuple[str, ...], indexes: tuple[int, ...], as_json: bool
) -> None:
    """Print HANDLE's public values."""
    with open_node(ctx) as node:
        values = node.registry.resolve(ReadRequest(parse_handle(handle), indexes, types))
    if as_json:
        click.echo(
            json.dumps(
                {"responseCode": 1, "handle": handle, "values": json.loads(dump_values(values))},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for v in values:
        data = (
            v.data.value
            if isinstance(v.data.value, str)
            else json.dumps(v.data.value, ensure_ascii=False)
        )
        click.echo(f"{v.index:>5}  {v.type:<14} {data}")


COMMANDS = [resolve]
