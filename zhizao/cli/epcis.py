"""`zhizao epcis capture FILE…`: capture EPCIS documents, as `POST /epcis/capture` does."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from zhizao.cli.context import database_option, open_node
from zhizao.errors import ZhizaoError


@click.group()
def epcis() -> None:
    """EPCIS 2.0 events: capture documents into this node's repository."""


@epcis.command()
@database_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--proceed",
    is_flag=True,
    help="Keep the valid events of a document with errors (default: reject the whole document).",
)
@click.pass_context
def capture(ctx: click.Context, files: tuple[Path, ...], proceed: bool) -> None:
    """Capture each EPCISDocument FILE (JSON or JSON-LD) as one capture job.

    A document is all or nothing unless --proceed is given; the first problem is reported
    with its event index and field. Events without an eventID get their CBV 2.0 hash.
    """
    behaviour = "proceed" if proceed else "rollback"
    with open_node(ctx) as node:
        for path in files:
            started = time.perf_counter()
            job = node.events.submit(path.read_bytes(), behaviour)
            capture_id, events = job.capture_id, job.event_count
            with click.progressbar(
                length=max(events, 1),
                label=f"capturing {path.name}",
                file=sys.stderr,
                hidden=not sys.stderr.isatty(),
            ) as bar:
                node.events.run_job(capture_id, bar.update, job.document)
                bar.update(max(events, 1) - bar.pos)
            state = node.store.job(capture_id)
            if state["errors"]:
                first = state["errors"][0]["detail"]
                more = len(state["errors"]) - 1
                detail = f"{first} (and {more} more)" if more else first
                if not state["success"] and behaviour == "rollback":
                    raise ZhizaoError(f"{path.name}: nothing captured: {detail}")
                click.echo(f"{path.name}: skipped events with errors: {detail}", err=True)
            stored = node.store.count_captured(capture_id)
            elapsed = time.perf_counter() - started
            rate = stored / elapsed if elapsed > 0 else 0.0
            click.echo(
                f"{path.name}: captured {stored:,} events in {elapsed:.1f} s ({rate:,.0f}/s), "
                f"job {capture_id}"
            )


COMMANDS = [epcis]
