"""`zhizao prefix ...`: home prefixes and create their administrators."""

from __future__ import annotations

from pathlib import Path

import click

from zhizao.cli.context import database_option, open_node
from zhizao.federation.delegation import delegate, delegations
from zhizao.provision import create_prefix


@click.group()
def prefix() -> None:
    """Prefixes this node homes."""


secret_file_option = click.option(
    "--secret-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the admin's secret from this file (default: prompt).",
)


def _read_secret(secret_file: Path | None, *, confirm: bool = True) -> str:
    if secret_file is not None:
        secret = secret_file.read_text(encoding="utf-8").strip()
        if not secret:
            raise click.UsageError(f"{secret_file} is empty")
        return secret
    return str(click.prompt("Admin secret", hide_input=True, confirmation_prompt=confirm))


@prefix.command("create")
@database_option
@click.argument("prefix_name", metavar="PREFIX")
@click.option(
    "--admin",
    required=True,
    metavar="INDEX:HANDLE",
    help="The administrator identity, e.g. 300:88.118.8160/ADMIN.",
)
@secret_file_option
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


@prefix.command("delegate")
@database_option
@click.argument("prefix_name", metavar="PREFIX")
@click.option("--to", "url", required=True, help="The child node's URL, e.g. http://10.0.0.7:8000.")
@click.option(
    "--admin",
    required=True,
    metavar="INDEX:HANDLE",
    help="An administrator of the parent prefix with the add-derived-prefix permission.",
)
@secret_file_option
@click.pass_context
def delegate_prefix(
    ctx: click.Context, prefix_name: str, url: str, admin: str, secret_file: Path | None
) -> None:
    """Delegate PREFIX (derived from one homed here) to the node at --to.

    Creates 0.NA/PREFIX with HS_SITE and HS_SITE.PREFIX values pointing at that node, so this
    node answers names under PREFIX with a referral there.
    """
    secret = _read_secret(secret_file, confirm=False)  # an existing secret: no confirmation
    with open_node(ctx) as node:
        identity = node.registry.authenticate(admin, secret)
        done = delegate(node, prefix_name, url, identity)
    click.echo(f"delegated {done.prefix} to {', '.join(done.urls)}: 0.NA/{done.prefix}")


@prefix.command("delegations")
@database_option
@click.pass_context
def list_delegations(ctx: click.Context) -> None:
    """List the prefixes this node has delegated, with their nodes' URLs."""
    with open_node(ctx) as node:
        for d in delegations(node):
            click.echo(f"{d.prefix}\t{' '.join(d.urls)}")


COMMANDS = [prefix]
