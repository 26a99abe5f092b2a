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
from zhizao.importer import ImportFailed, import_lines

# Above this size an import starts its writer process at once (see `import_lines`).
LARGE_FILE_BYTES = 4 << 20


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


class _CountingLines:
    """The file's lines, counting the bytes read so far (for the progress bar)."""

    def __init__(self, f: IO[str]) -> None:
        self._f = f
        self.consumed = 0

    def __iter__(self) -> Iterator[str]:
        for line in self._f:
            self.consumed += len(line)
            yield line


@handles.command("import")
@database_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "ndjson"]),
    help="Default: from the file name.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace handles that exist (default: skip them, so re-running is safe).",
)
@click.option(
    "--batch-size",
    default=10_000,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Rows per transaction.",
)
@click.pass_context
def import_(
    ctx: click.Context, file: Path, fmt: str | None, overwrite: bool, batch_size: int
) -> None:
    """Register the identifiers in FILE (CSV or JSON Lines; see docs/cli.md).

    Each batch is one transaction: a malformed row stops the import at its line, with every
    earlier batch stored and nothing of its own batch. Re-running skips what is stored.
    """
    fmt = _format_of(file, fmt)
    started = time.perf_counter()
    with open_node(ctx) as node:
        try:
            with (
                file.open(encoding="utf-8", newline="") as f,
                click.progressbar(
                    length=file.stat().st_size,
                    label=f"importing {file.name}",
                    file=sys.stderr,
                    hidden=not sys.stderr.isatty(),  # a bar on a terminal, nothing in logs
                ) as bar,
            ):
                lines = _CountingLines(f)
                result = import_lines(
                    node,
                    lines,
                    fmt,
                    overwrite=overwrite,
                    batch_size=batch_size,
                    on_batch=lambda _: bar.update(lines.consumed - bar.pos),
                    large=file.stat().st_size > LARGE_FILE_BYTES,
                )
        except ImportFailed as exc:
            raise ZhizaoError(
                f"{file.name}: {exc.message} (stored before it: {exc.stored.written:,};"
                " fix the row and re-run, stored handles are skipped)"
            ) from None
    elapsed = time.perf_counter() - started
    rate = result.written / elapsed if elapsed > 0 else 0.0
    click.echo(
        f"imported {result.written:,} identifiers, skipped {result.skipped:,} already "
        f"present, in {elapsed:.1f} s ({rate:,.0f}/s)"
    )


COMMANDS = [handles]
