"""Shared CLI plumbing: the --database option and opening the node it names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from zhizao.node import Node
from zhizao.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


def _store_database(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(dict)["database"] = value


def database_option(f: F) -> F:
    """`--database URL` on the group and on each command (overrides ZHIZAO_DATABASE_URL)."""
    return click.option(
        "--database",
        "-d",
        metavar="URL",
        expose_value=False,
        callback=_store_database,
        is_eager=True,
        help="sqlite:///PATH or postgresql://... (default: $ZHIZAO_DATABASE_URL or "
        "sqlite:///./zhizao.db)",
    )(f)


def settings_from(ctx: click.Context) -> Settings:
    settings = load_settings()
    root = ctx.find_root()
    database = (root.obj or {}).get("database") or (ctx.obj or {}).get("database")
    return settings.with_overrides(database_url=database)


@contextmanager
def open_node(ctx: click.Context) -> Iterator[Node]:
    """The node the command's settings name, closed (counts flushed) when the command ends."""
    node = Node(settings_from(ctx))
    try:
        yield node
    finally:
        node.close()
