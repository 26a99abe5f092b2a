"""Shared fixtures: real SQLite files, real PostgreSQL schemas, real server processes."""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from zhizao.node import Node
from zhizao.provision import create_prefix
from zhizao.settings import Settings

PREFIX = "88.118.8160"
ADMIN = f"300:{PREFIX}/ADMIN"
SECRET = "s3cret-for-tests"
PG_ENV = "ZHIZAO_TEST_POSTGRES_URL"


def _postgres_base() -> str | None:
    """The PostgreSQL URL for tests, or None (skip) — a failure instead when CI requires it."""
    url = os.environ.get(PG_ENV)
    reason = None
    if not url:
        reason = f"{PG_ENV} is not set"
    else:
        try:
            import psycopg

            psycopg.connect(url, connect_timeout=3).close()
        except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
            reason = f"PostgreSQL at {url} is not reachable: {exc}"
    if reason is None:
        return url
    if os.environ.get("ZHIZAO_REQUIRE_POSTGRES"):
        pytest.fail(f"PostgreSQL tests are required here but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")
    return None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema per test, dropped afterwards."""
    import psycopg

    base = _postgres_base()
    assert base is not None
    schema = f"zz_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'zhizao.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def node(sqlite_url: str) -> Iterator[Node]:
    """A node on a fresh SQLite file with prefix 88.118.8160 and its admin."""
    n = Node(Settings(database_url=sqlite_url, homed_cache_seconds=0))
    create_prefix(n, PREFIX, ADMIN, SECRET)
    yield n
    n.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def zhizao_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "zhizao", *args]


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port} within {timeout} s")


class Server:
    def __init__(
        self,
        tmp: Path,
        *,
        tls: bool = True,
        extra: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.tmp = tmp
        self.db = f"sqlite:///{tmp / 'server.db'}"
        self.port = free_port()
        self.tls = tls
        self.extra = extra
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self._head = b""

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def setup(self) -> None:
        secret_file = self.tmp / "secret"
        secret_file.write_text(SECRET)
        subprocess.run(
            zhizao_cmd(
                "-d",
                self.db,
                "prefix",
                "create",
                PREFIX,
                "--admin",
                ADMIN,
                "--secret-file",
                str(secret_file),
                "--server-admin",
            ),
            check=True,
            capture_output=True,
        )
        if self.tls:
            subprocess.run(
                zhizao_cmd("tls", "selfsigned", "--out", str(self.tmp / "tls")),
                check=True,
                capture_output=True,
            )

    def start(self) -> Server:
        args = ["-d", self.db, "serve", "--port", str(self.port), *self.extra]
        if self.tls:
            args += [
                "--tls-cert",
                str(self.tmp / "tls" / "cert.pem"),
                "--tls-key",
                str(self.tmp / "tls" / "key.pem"),
            ]
        # Its own process group, so a test can kill the master and its workers together.
        self.proc = subprocess.Popen(
            zhizao_cmd(*args),
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port, self.proc)
        self._head = self._wait_for_workers()
        return self

    def _wait_for_workers(self, timeout: float = 30.0) -> bytes:
        """The output up to the moment every worker runs (granian starts them one by one, and
        a SIGTERM that lands while one is still starting can leave that one running)."""
        workers = (
            int(self.extra[self.extra.index("--workers") + 1]) if "--workers" in self.extra else 1
        )
        assert self.proc is not None and self.proc.stdout is not None
        head, started, deadline = b"", set(), time.monotonic() + timeout
        while len(started) < workers and time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                head += chunk
                started = set(re.findall(rb"Started worker-(\d+) runtime", head))
        return head

    def kill(self) -> None:
        """Crash the whole node: SIGKILL to the master and every worker at once."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> str:
        assert self.proc is not None
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()  # the test fails; its workers must not outlive it
            raise
        return (self._head + out).decode(errors="replace")


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("https"))
    server.setup()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def run(capsys):
    """The real CLI entry point (one error line, exit code) on a database; output and errors
    together."""
    from types import SimpleNamespace

    from zhizao.cli import main

    def invoke(db, *args):
        try:
            main(["-d", db, *args])
            code = 0
        except SystemExit as exc:
            code = exc.code
        captured = capsys.readouterr()
        return SimpleNamespace(exit_code=code, output=captured.out + captured.err)

    return invoke


def demo_client(path: Path, seed: int, scale: float) -> Iterator[object]:
    """An in-process client of a node holding the demo zone (`client.zone`: what was made)."""
    from starlette.testclient import TestClient

    from zhizao.api.app import create_app
    from zhizao.demo.zone import load

    node = Node(Settings(database_url=f"sqlite:///{path}"))
    zone = load(node, seed=seed, scale=scale)
    with TestClient(create_app(node=node), base_url="http://testserver") as client:
        client.zone = zone  # type: ignore[attr-defined]
        yield client
