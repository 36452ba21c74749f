"""A private PostgreSQL cluster, for tests that stop and restart the database server.

The machine's shared PostgreSQL (port 5432) serves every other test running at the same
time and must never be restarted; this one lives in a temporary directory on a free port,
owned by the ``postgres`` OS user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from bench.vote_burst import free_port

from .live import create_pg_database

BIN = Path(os.environ.get("GOVERNANCE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(*command: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=timeout)
    if result.returncode:
        raise AssertionError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result


class PrivateCluster:
    """initdb on enter; ``stop()`` / ``start()`` at will; removed on exit."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path: the postgres user must be able to reach the directory.
        self.root = Path(tempfile.mkdtemp(prefix="governance-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.admin_dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def __enter__(self) -> PrivateCluster:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        _as_postgres(str(BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with contextlib.suppress(Exception):
            _as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.root / "postgres.log")
        _as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "30", "start")

    def stop(self) -> None:
        """A fast shutdown: every client connection is cut, as in a real restart."""
        _as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    async def create_database(self, name: str) -> str:
        return await create_pg_database(name, self.admin_dsn)
