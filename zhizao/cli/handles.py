"""`zhizao handles import FILE`: bulk registration with a progress bar."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import click

from zhizao.cli.context import database_option, open_node
from zhizao.errors import ZhizaoError
from zhizao.identifiers.bulk import Row, read_rows


@click.group()
def handles() -> None:
    """Identifiers in bulk."""


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "jsonl", "ndjson"):
        return suffix
    raise click.UsageError(f"Cannot tell the format of {path.name}: use --format csv|jsonl")


def _lines(f: IO[str], bar: "click._termui_impl.ProgressBar[int]") -> Iterator[str]:
    for line in f:
        bar.update(len(line.encode("utf-8")))
        yield line


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@handles.command("import")
@database_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "ndjson"]),
              help="Default: from the file name.")
@click.option("--overwrite", is_flag=True,
              help="Replace handles that exist (default: skip them, so re-running is safe).")
@click.option("--batch-size", default=10_000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Rows per transaction.")
@click.pass_context
def import_(ctx: click.Context, file: Path, fmt: str | None, overwrite: bool,
            batch_size: int) -> None:
    """Register the identifiers in FILE (CSV or JSON Lines; see docs/cli.md).

    Each batch is one transaction: a malformed row stops the import at its line, with every
    earlier batch stored and nothing of its own batch. Re-running skips what is stored.
    """
    fmt = _format_of(file, fmt)
    node = open_node(ctx)
    written = skipped = 0
    started = time.perf_counter()
    try:
        with file.open(encoding="utf-8", newline="") as f, click.progressbar(
            length=file.stat().st_size, label=f"importing {file.name}", file=sys.stderr,
        ) as bar:
            for batch in _batches(read_rows(_lines(f, bar), fmt), batch_size):
                w, s = node.registry.create_many([(r.handle, r.values) for r in batch], None,
                                                 overwrite=overwrite, as_operator=True)
                written, skipped = written + w, skipped + s
    except ZhizaoError as exc:
        raise ZhizaoError(f"{file.name}: {exc.message} (stored before it: {written}; fix the "
                          "row and re-run, stored handles are skipped)") from None
    finally:
        node.close()
    elapsed = time.perf_counter() - started
    rate = written / elapsed if elapsed > 0 else 0.0
    click.echo(f"imported {written:,} identifiers, skipped {skipped:,} already present, "
               f"in {elapsed:.1f} s ({rate:,.0f}/s)")


COMMANDS = [handles]
