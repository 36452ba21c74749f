"""``governance serve`` in a subprocess, clients signed in over real HTTP, a server-sent event
stream read in a thread: for the tests of the live panel and its workers."""

from __future__ import annotations

import contextlib
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from .database import DEMO_PASSWORD


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(env: dict[str, str], log_path: Path, workers: int = 1) -> Iterator[str]:
    """`governance serve` in a subprocess: its base URL once /health answers; stopped after."""
    port = free_port()
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "governance.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):  # bounded readiness poll: at most ~20 s
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start: " + log_path.read_text()[-2000:])
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def signed_in(base: str, email: str) -> httpx.Client:
    """A client of the live server signed in through the API, its CSRF header set."""
    client = httpx.Client(base_url=base, timeout=10)
    response = client.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["x-csrftoken"] = response.json()["csrf_token"]
    return client


class Stream:
    """Reads a server-sent event stream in a thread; events land in a queue."""

    def __init__(self, client: httpx.Client, url: str) -> None:
        self.events: queue.Queue[tuple[str, str]] = queue.Queue()
        self.client = client
        self.url = url
        self.status: int | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        assert self.ready.wait(10)

    def _read(self) -> None:
        with self.client.stream("GET", self.url, timeout=httpx.Timeout(10, read=60)) as response:
            self.status = response.status_code
            self.ready.set()
            event, data = "message", []
            try:
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif line == "" and data:
                        self.events.put((event, "\n".join(data)))
                        event, data = "message", []
            except httpx.HTTPError:
                return

    def next(self, kind: str, containing: str, within: float = 10.0) -> str:
        """The next event of ``kind`` whose data contains ``containing`` (bounded wait)."""
        deadline = time.monotonic() + within
        seen = []
        while time.monotonic() < deadline:
            try:
                event, data = self.events.get(timeout=max(0.05, deadline - time.monotonic()))
            except queue.Empty:
                break
            if event == kind and containing in data:
                return data
            seen.append((event, data[:120]))
        raise AssertionError(f"no {kind} event with {containing!r} within {within}s; saw {seen}")


@contextlib.contextmanager
def demo_site(tmp: Path, name: str) -> Iterator[dict[str, str]]:
    """The environment of a site of its own loaded with the demo (a SQLite file in ``tmp``, or a
    PostgreSQL database named after ``name``, dropped afterwards), for ``running_server``."""
    import asyncio
    import os
    import secrets

    from .database import ENGINE, PG_ADMIN_DSN, PG_TEST_DB, recreate_pg_database

    env = {**os.environ, "GOVERNANCE_VAR_DIR": str(tmp / "var"), "GOVERNANCE_ARGON2_PROFILE": "fast"}
    env["GOVERNANCE_SECRET_KEY"] = secrets.token_urlsafe(48)
    database = f"{PG_TEST_DB}_{name}"
    if ENGINE == "postgres":
        asyncio.run(recreate_pg_database(database))
        env["DATABASE_URL"] = PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{database}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / f'{name}.sqlite3'}"
    cli = [sys.executable, "-m", "governance.cli"]
    subprocess.run([*cli, "demo", "--password", DEMO_PASSWORD], env=env, check=True, capture_output=True, timeout=120)
    try:
        yield env
    finally:
        if ENGINE == "postgres":
            asyncio.run(recreate_pg_database(database, create=False))
