"""`zhizao prefix ...`: home prefixes and create their administrators."""

from __future__ import annotations

from pathlib import Path

import click

from zhizao.cli.context import database_option, open_node
from zhizao.provision import create_prefix


@click.group()
def prefix() -> None:
    """Prefixes this node homes."""


def _read_secret(secret_file: Path | None) -> str:
    if secret_file is not None:
        secret = secret_file.read_text(encoding="utf-8").strip()
        if not secret:
            raise click.UsageError(f"{secret_file} is empty")
        return secret
    return str(click.prompt("Admin secret", hide_input=True, confirmation_prompt=True))


@prefix.command("create")
@database_option
@click.argument("prefix_name", metavar="PREFIX")
@click.option(
    "--admin",
    required=True,
    metavar="INDEX:HANDLE",
    help="The administrator identity, e.g. 300:88.118.8160/ADMIN.",
)
@click.option(
    "--secret-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the admin's secret from this file (default: prompt).",
)
@click.option(
    "--server-admin",
    is_flag=True,
    help="Also make the admin a server administrator (may home/unhome prefixes).",
)
@click.pass_context
def create(
    ctx: click.Context, prefix_name: str, admin: str, secret_file: Path | None, server_admin: bool
) -> None:
    """Create and home 0.NA/PREFIX with ADMIN (an HS_SECKEY identity) as its administrator."""
    secret = _read_secret(secret_file)
    with open_node(ctx) as node:
        setup = create_prefix(node, prefix_name, admin, secret, server_admin=server_admin)
    click.echo(f"homed {setup.prefix}: 0.NA/{setup.prefix} administered by {setup.admin}")


@prefix.command("list")
@database_option
@click.pass_context
def list_prefixes(ctx: click.Context) -> None:
    """List the prefixes this node homes, with their number of handles."""
    with open_node(ctx) as node:
        for p in node.store.homed_prefixes():
            click.echo(f"{p}\t{node.store.count_handles(p)}")


COMMANDS = [prefix]
