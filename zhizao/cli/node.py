"""`zhizao init` and `zhizao serve`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from zhizao.cli.context import database_option, open_node, settings_from
from zhizao.provision import EXAMPLE_HANDLES, load_example
from zhizao.settings import ROLES, export_settings


@click.command()
@database_option
@click.option(
    "--example/--no-example",
    default=True,
    show_default=True,
    help="Load the small example: prefix 88.118.8160, its admin, a few identifiers.",
)
@click.option(
    "--secret-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("zhizao-admin.secret"),
    show_default=True,
    help="Where to write the example admin's secret (mode 600).",
)
@click.pass_context
def init(ctx: click.Context, example: bool, secret_out: Path) -> None:
    """Create or migrate the database; optionally load the example. Safe to re-run."""
    with open_node(ctx) as node:
        click.echo(
            f"database ready: {node.settings.database_url} "
            f"(schema version {node.store.schema_version()})"
        )
        if not example:
            return
        setup = load_example(node)
        if setup is None:
            click.echo("example already loaded (prefix 88.118.8160)")
            return
        fd = os.open(secret_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(setup.secret + "\n")
        click.echo(
            f"homed prefix {setup.prefix}; admin {setup.admin} (secret written to {secret_out})"
        )
        click.echo(f"registered {len(EXAMPLE_HANDLES)} example identifiers")


def _try_line(base: str, node_handles: list[str]) -> str:
    if not node_handles:
        return "no identifiers yet: zhizao prefix create / zhizao handles import"
    return f"try:  curl {base}/api/handles/{node_handles[0]}"


@click.command()
@database_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes."
)
@click.option(
    "--tls-cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM certificate: serve HTTPS (see 'zhizao tls selfsigned').",
)
@click.option(
    "--tls-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM private key for --tls-cert.",
)
@click.option("--access-log/--no-access-log", default=False, show_default=True)
@click.option(
    "--role",
    type=click.Choice(ROLES),
    help="This node's place in the federation (default: $ZHIZAO_ROLE or enterprise).",
)
@click.option(
    "--root",
    metavar="URL",
    help="The top-level node recursive resolution starts from (default: $ZHIZAO_ROOT_URL).",
)
@click.option(
    "--insecure-loopback-auth",
    is_flag=True,
    help="Development only: accept credentials over plain HTTP from loopback clients.",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    workers: int,
    tls_cert: Path | None,
    tls_key: Path | None,
    access_log: bool,
    role: str | None,
    root: str | None,
    insecure_loopback_auth: bool,
) -> None:
    """Serve the node's HTTP API (Handle.Net-compatible JSON REST API at /api)."""
    from granian import Granian
    from granian.constants import Interfaces

    if (tls_cert is None) != (tls_key is None):
        raise click.UsageError("--tls-cert and --tls-key go together")
    settings = settings_from(ctx)
    if insecure_loopback_auth:
        settings = settings.with_overrides(insecure_loopback_auth=True)
    settings = settings.with_overrides(role=role, root_url=root)
    with open_node(ctx) as node:  # fail here, in one line, if the database is unusable
        sample: list[str] = []
        for p in node.store.homed_prefixes():  # the first prefix holding identifiers
            if sample := list(node.store.list_handles(p, 0, 10)):
                break
    # Show an identifier worth resolving: not the administrator's own handle, if there is one.
    first = sorted(sample, key=lambda h: h.upper().endswith("/ADMIN"))[:1]
    os.environ.update(export_settings(settings))
    scheme = "https" if tls_cert else "http"
    base = f"{scheme}://{host}:{port}"
    click.echo(
        f"zhizao {settings.role} node serving {settings.database_url} on {base} "
        f"({workers} worker(s))"
        + (f", resolving from {settings.root_url}" if settings.root_url else "")
    )
    click.echo(_try_line(base, first) + (" -k" if tls_cert and first else ""))
    click.echo(f"dashboard: {base}/")
    Granian(
        "zhizao.api.app:create_app",
        factory=True,
        interface=Interfaces.RSGI,
        address=host,
        port=port,
        workers=workers,
        log_access=access_log,
        ssl_cert=tls_cert,
        ssl_key=tls_key,
        respawn_failed_workers=True,
    ).serve()


COMMANDS = [init, serve]
