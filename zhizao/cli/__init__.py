"""The `zhizao` command: a thin layer over the library; each error is one line and exit 1."""

from __future__ import annotations

import sys

import click

from zhizao import __version__
from zhizao.cli.context import database_option
from zhizao.errors import Rejected, ZhizaoError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zhizao")
@database_option
def cli() -> None:
    """zhizao (智造): identifiers, events, projects and stats for a smart-manufacturing zone."""


def _register() -> None:
    from zhizao.cli import (
        demo,
        epcis,
        handles,
        node,
        prefix,
        projects,
        resolve,
        stats,
        tls,
        trace,
    )

    for module in (node, prefix, resolve, handles, epcis, trace, projects, stats, demo, tls):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="zhizao", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        # One line, not click's three: what is wrong and where to look.
        hint = ""
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            hint = f" (see '{ctx.command_path} --help')"
        click.echo(f"Error: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except Rejected as exc:
        for problem in exc.problems:  # every bad row, one line each
            click.echo(f"Error: row {problem.row}: {problem.field}: {problem.message}", err=True)
        sys.exit(1)
    except ZhizaoError as exc:
        row = getattr(exc, "row", None)
        click.echo(f"Error: {f'row {row}: ' if row else ''}{exc.message}", err=True)
        sys.exit(1)
    except ValueError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
