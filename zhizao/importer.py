"""Bulk registration from a file: this process parses and encodes, a writer process stores.

Encoding a row and storing it cost about the same CPU time. Two threads cannot overlap them:
the database driver holds the GIL while binding each row, so the threads take turns. Two
processes do overlap, on two cores, at the price of pickling each batch once. Each batch is
one transaction; small files skip the extra process.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from zhizao.errors import ZhizaoError
from zhizao.identifiers.bulk import check_format, encode_csv, read_jsonl
from zhizao.identifiers.record import EncodedBatch
from zhizao.identifiers.values import now_stamp
from zhizao.node import Node
from zhizao.settings import Settings
from zhizao.storage import open_store


@dataclass
class ImportResult:
    written: int = 0
    skipped: int = 0


class ImportFailed(ZhizaoError):
    """A row or a batch failed; `stored` says what was stored before it."""

    def __init__(self, message: str, stored: ImportResult) -> None:
        super().__init__(message)
        self.stored = stored


def encoded_batches(
    node: Node, lines: Iterable[str], fmt: str, batch_size: int
) -> Iterator[EncodedBatch]:
    if check_format(fmt) == "csv":
        yield from encode_csv(lines, now_stamp(), batch_size)
        return
    batch = EncodedBatch()
    for row in read_jsonl(lines):
        batch.add(node.registry.prepare_new(row.handle, row.values))
        if len(batch) >= batch_size:
            yield batch
            batch = EncodedBatch()
    if len(batch):
        yield batch


def _writer(settings: Settings, overwrite: bool, batches: Any, results: Any) -> None:
    """The writer process: store each batch; report (written, skipped) or the first error."""
    store = open_store(settings.database_url)
    done = ImportResult()
    failed: str | None = None
    try:
        while (batch := batches.get()) is not None:
            if failed is not None:
                continue  # drain; nothing after a failed batch is written
            try:
                w, s = store.put_rows(*batch, overwrite=overwrite)
            except Exception as exc:  # noqa: BLE001 - reported to the parent as text
                failed = exc.message if isinstance(exc, ZhizaoError) else f"writing failed: {exc}"
                continue
            done.written += w
            done.skipped += s
    finally:
        store.close()
        results.put((done.written, done.skipped, failed))


class _Sink:
    """Where batches go: straight into the store, or to a writer process once there are two."""

    def __init__(self, node: Node, overwrite: bool) -> None:
        self.node = node
        self.overwrite = overwrite
        self.result = ImportResult()
        self._first: EncodedBatch | None = None
        self._proc: Any = None

    def start_writer(self) -> None:
        ctx = mp.get_context("spawn")
        self._batches, self._results = ctx.Queue(maxsize=3), ctx.Queue()
        self._proc = ctx.Process(
            target=_writer,
            name="zhizao-import-writer",
            daemon=True,
            args=(self.node.settings, self.overwrite, self._batches, self._results),
        )
        self._proc.start()

    def put(self, batch: EncodedBatch) -> None:
        self.node.registry.check_importable(batch.prefixes)
        if self._first is None and self._proc is None:
            self._first = batch  # held back: a one-batch file needs no writer process
            return
        if self._proc is None:
            self.start_writer()
        if self._first is not None:
            self._send((self._first.rows, self._first.terms))
            self._first = None
        self._send((batch.rows, batch.terms))

    def _send(self, item: Any) -> None:
        # Never block for good on a writer that died (killed, out of memory).
        while True:
            try:
                self._batches.put(item, timeout=1)
                return
            except queue.Full:
                self._check_writer()

    def _check_writer(self) -> None:
        if not self._proc.is_alive():
            # Batches still in the queue have no reader now: do not wait to flush them at exit.
            self._batches.cancel_join_thread()
            self._batches.close()
            raise ImportFailed(
                f"the writer process ended unexpectedly (exit code {self._proc.exitcode})",
                ImportResult(),
            )

    def close(self) -> ImportResult:
        if self._proc is None:
            if self._first is not None:
                w, s = self.node.store.put_many(self._first, overwrite=self.overwrite)
                self.result = ImportResult(w, s)
            return self.result
        self._send(None)
        while True:
            alive = self._proc.is_alive()
            try:
                written, skipped, failed = self._results.get(timeout=1)
                break
            except queue.Empty:
                if not alive:  # it had ended before we looked: its report would be there
                    self._check_writer()
        self._proc.join()
        self.result = ImportResult(written, skipped)
        if failed is not None:
            raise ImportFailed(failed, self.result)
        return self.result


def import_lines(
    node: Node,
    lines: Iterable[str],
    fmt: str,
    *,
    overwrite: bool = False,
    batch_size: int = 10_000,
    on_batch: Callable[[int], None] | None = None,
    large: bool = False,
) -> ImportResult:
    """Load every row. On a bad row, store every batch before its own, then raise its error.

    `large`: the input spans many batches, so the writer process starts at once and its start-up
    overlaps with encoding the first batches (a small input is written without it).
    """
    sink = _Sink(node, overwrite)
    if large:
        sink.start_writer()
    encoded = 0
    try:
        for batch in encoded_batches(node, lines, fmt, batch_size):
            sink.put(batch)
            encoded += len(batch)
            if on_batch is not None:
                on_batch(encoded)
    except ImportFailed:
        raise  # the writer failed: nothing more can be stored
    except ZhizaoError as exc:  # a bad row: store the batches before it, then report it
        raise ImportFailed(exc.message, sink.close()) from None
    return sink.close()
