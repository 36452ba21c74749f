"""Live-server plumbing for the fault and backup tests: databases, server processes, clients.

Everything is real: a database of the test's own (a temporary SQLite file, or a PostgreSQL
database named with the pid), ``governance serve`` in its own process group (so that
``kill -9`` takes the uvicorn supervisor and every worker at once), HTTP over sockets.
Every wait is bounded, so a hang fails the test instead of stalling CI.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.vote_burst import PASSWORD, SLUG, Connection, free_port
from tests.support.database import ENGINE, PG_ADMIN_DSN

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "governance.cli"]
__all__ = ["PASSWORD", "SLUG", "Connection", "free_port"]


# --- databases ------------------------------------------------------------------------


async def _pg_admin(dsn: str, *statements: str) -> None:
    import asyncpg

    admin = await asyncio.wait_for(asyncpg.connect(dsn), timeout=10)
    try:
        for statement in statements:
            await admin.execute(statement)
    finally:
        await admin.close()


async def create_pg_database(name: str, admin_dsn: str = PG_ADMIN_DSN) -> str:
    """A fresh, empty PostgreSQL database; its URL."""
    await _pg_admin(admin_dsn, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")
    return admin_dsn.rsplit("/", 1)[0] + f"/{name}"


async def drop_pg_database(name: str, admin_dsn: str = PG_ADMIN_DSN) -> None:
    with contextlib.suppress(Exception):
        await _pg_admin(admin_dsn, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class Site:
    """One deployment under test: its database, var/ and key directories, environment."""

    workdir: Path
    database_url: str
    pg_name: str | None = None  # a PostgreSQL database this test created (dropped after)
    pg_admin: str = PG_ADMIN_DSN
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "GOVERNANCE_VAR_DIR": str(self.workdir / "var"),
            "GOVERNANCE_KEY_DIR": str(self.workdir / "keys"),
            "GOVERNANCE_ARGON2_PROFILE": "fast",
        }
        self.env.pop("GOVERNANCE_SECRET_KEY", None)

    def cli(self, *args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a ``governance`` command against this site (bounded)."""
        result = subprocess.run([*CLI, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode:
            raise AssertionError(f"governance {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
        return result

    def build_vote_burst(self, voters: int) -> None:
        """bench/vote_burst.py's synthetic meeting: ``voters`` cities present, a motion to vote."""
        code = f"import asyncio, bench.vote_burst as b; asyncio.run(b.build({voters}))"
        result = subprocess.run(
            [sys.executable, "-c", code], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 0, result.stderr[-3000:]


async def new_site(workdir: Path, name: str) -> Site:
    """A site on the engine under test: a SQLite file, or a PostgreSQL database of its own."""
    if ENGINE == "postgres":
        pg_name = f"governance_rel_{os.getpid()}_{name}"
        return Site(workdir, await create_pg_database(pg_name), pg_name=pg_name)
    return Site(workdir, f"sqlite:///{workdir / f'{name}.sqlite3'}")


async def drop_site(site: Site) -> None:
    if site.pg_name:
        await drop_pg_database(site.pg_name, site.pg_admin)


async def count_rows(site: Site, table: str) -> int:
    """Rows in ``table``, read straight from the database (no server in between)."""
    if site.database_url.startswith("sqlite:///"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(site.database_url.removeprefix("sqlite:///"), timeout=10)) as db:
            return int(db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    import asyncpg

    connection = await asyncio.wait_for(asyncpg.connect(site.database_url), timeout=10)
    try:
        return int(await connection.fetchval(f'SELECT count(*) FROM "{table}"'))
    finally:
        await connection.close()


# --- the server ---------------------------------------------------------------------------


class Server:
    """``governance serve`` in a process group of its own, on a fixed port across restarts."""

    def __init__(self, site: Site, workers: int = 1, port: int | None = None) -> None:
        self.site = site
        self.workers = workers
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.site.workdir / f"server-{self.port}.log"

    def start(self, within: float = 40) -> None:
        command = [*CLI, "serve", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log_path.open("a") as log:
            log.write(f"\n--- start #{self.starts + 1} ---\n")
            # start_new_session: its own process group, so kill() reaches every worker.
            self.process = subprocess.Popen(
                command, env=self.site.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.starts += 1
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited at start:\n{self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        self.stop()
        raise AssertionError(f"the server did not answer /health within {within}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """``kill -9`` the whole server: supervisor and workers, no chance to flush anything."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._reap_group()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self._reap_group()
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self._reap_group()

    def _reap_group(self) -> None:
        # Workers die with the group; make sure none lingers before the port is reused.
        if self.process is None:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            except PermissionError:  # pragma: no cover
                return
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            time.sleep(0.05)

    def log_tail(self, size: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-size:] if self.log_path.exists() else ""


# --- clients ------------------------------------------------------------------------------


async def sign_in(connection: Connection, email: str, password: str = PASSWORD) -> None:
    status, body = await connection.request("POST", "/api/v1/auth/login", {"email": email, "password": password})
    assert status == 200, (status, body[:300])
    connection.headers["x-csrftoken"] = json.loads(body)["csrf_token"]


async def tablets(port: int, voters: int, parallel: int = 50) -> list[Connection]:
    """One signed-in keep-alive connection per city of the vote-burst meeting."""
    connections = [Connection("127.0.0.1", port) for _ in range(voters)]
    gate = asyncio.Semaphore(parallel)

    async def one(i: int) -> None:
        async with gate:
            await sign_in(connections[i], f"city{i}@bench.demo")

    await asyncio.wait_for(asyncio.gather(*[one(i) for i in range(voters)]), timeout=60)
    return connections


async def call(connection: Connection, method: str, path: str, payload: object = None) -> tuple[int, Any]:
    status, body = await asyncio.wait_for(connection.request(method, path, payload), timeout=20)
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        return status, body.decode(errors="replace")


class EventStream:
    """A server-sent event stream read over httpx (cookies of a signed-in client)."""

    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self.client, self.url = client, url
        self.status: int | None = None
        self._stack = contextlib.AsyncExitStack()
        self._lines: AsyncIterator[str] | None = None

    async def open(self) -> EventStream:
        response = await self._stack.enter_async_context(
            self.client.stream("GET", self.url, timeout=httpx.Timeout(10, read=120))
        )
        self.status = response.status_code
        self._lines = response.aiter_lines()
        return self

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._stack.aclose(), timeout=5)

    async def _event(self) -> tuple[str, str]:
        assert self._lines is not None
        kind, data = "message", []
        async for line in self._lines:
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif line == "" and data:
                return kind, "\n".join(data)
        raise EOFError("the stream ended")

    async def next(self, kind: str, containing: str = "", within: float = 20) -> str:
        """The next ``kind`` event whose data contains ``containing`` (bounded wait)."""
        seen: list[tuple[str, str]] = []
        try:
            async with asyncio.timeout(within):
                while True:
                    event, data = await self._event()
                    if event == kind and containing in data:
                        return data
                    seen.append((event, data[:100]))
        except TimeoutError:
            raise AssertionError(f"no {kind!r} event containing {containing!r} within {within}s; saw {seen}") from None


async def web_client(base: str, email: str, password: str = PASSWORD) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=20)
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    client.headers["x-csrftoken"] = response.json()["csrf_token"]
    return client


def verify_bundle(site: Site, meeting: str, out: Path) -> str:
    """Export the meeting's record and run the independent verifier on it; its report."""
    site.cli("record", "export", meeting, "--out", str(out))
    # Pinned to the key the server published (what an auditor reads on the keys page).
    key = json.loads((out / "manifest.json").read_text())["key"]
    fingerprint, organisation = key["fingerprint"], key["name"].split("/", 1)[1]
    assert fingerprint in site.cli("keys", "list", organisation).stdout
    result = subprocess.run(
        [sys.executable, "-m", "governance.verify", str(out), "--key", fingerprint],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, f"the verifier refused the record:\n{result.stdout}\n{result.stderr}"
    assert "OK: every check holds." in result.stdout, result.stdout
    return result.stdout


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
