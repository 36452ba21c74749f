"""``governance backup`` and ``governance restore``: one file holds the whole database.

* **SQLite**: sqlite3's online backup API copies the database page by page under its own
  locks, so it is consistent and safe while the server runs (a plain file copy is not: it
  can catch a write half-done, or miss what still sits in the WAL). The backup file is a
  self-contained SQLite database (journal mode DELETE: no -wal file to carry along).
* **PostgreSQL**: ``pg_dump --format=custom`` (one consistent snapshot, server running) and
  ``pg_restore``. The record's tables refuse UPDATE and DELETE by trigger; a restore never
  updates or deletes rows (it creates the tables, copies the rows in, then adds triggers
  and constraints), and replacing a database that holds data drops its objects whole
  (``--clean``), which the triggers do not see.

The organisation's signing keys live in files (``GOVERNANCE_KEY_DIR``), not in the
database, and are not in the backup: keep them safe separately. The keys
that seal the ballots of open secret polls (``<GOVERNANCE_VAR_DIR>/ballot-keys``) are not in it
either, on purpose (docs/threat-model.md): a backup taken while a secret poll is open holds only
its seals; to count that poll after a restore, copy its key file back too.

Errors a user can cause (a bad path, a missing ``pg_dump``, a target that holds data) raise
:class:`BackupError` with a one-line message; the CLI prints it and exits non-zero.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
TIMEOUT = 3600.0  # seconds; a dump or restore that takes longer is stuck, not slow


class BackupError(Exception):
    """A backup or restore that cannot proceed, for a reason the user can fix."""


@dataclass(frozen=True)
class Outcome:
    engine: str  # "SQLite" | "PostgreSQL"
    path: Path  # the backup file
    size: int  # bytes
    tables: int  # tables in the database backed up or restored


def _sqlite_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite:///"))


def _is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite:")


def _check_output(out: Path, force: bool) -> None:
    if out.is_dir():
        raise BackupError(f"{out} is a directory: give the backup's file name, e.g. {out / 'governance.backup'}")
    if not out.parent.is_dir():
        raise BackupError(f"The directory {out.parent} does not exist.")
    if out.exists() and not force:
        raise BackupError(f"{out} already exists: choose another name, or use --force to replace it.")
    if not os.access(out.parent, os.W_OK):
        raise BackupError(f"Cannot write to {out.parent}.")


def _magic(path: Path) -> bytes:
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    try:
        with path.open("rb") as handle:
            return handle.read(16)
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror}.") from None


# --- backup -------------------------------------------------------------------------------


def backup(database_url: str, out: Path, force: bool = False) -> Outcome:
    """Write a consistent backup of the database ``database_url`` names to ``out``."""
    _check_output(out, force)
    # Written next to the target and renamed at the end: a failed backup never leaves a
    # half-written file under the name the operator will later restore from.
    partial = out.with_name(f".{out.name}.partial")
    try:
        if _is_sqlite(database_url):
            tables = _backup_sqlite(_sqlite_path(database_url), partial)
            engine = "SQLite"
        else:
            tables = _backup_postgres(database_url, partial)
            engine = "PostgreSQL"
        os.replace(partial, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return Outcome(engine, out, out.stat().st_size, tables)


def _backup_sqlite(source: Path, partial: Path) -> int:
    if not source.is_file():
        raise BackupError(f"No SQLite database at {source} (check DATABASE_URL).")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    try:
        with (
            contextlib.closing(sqlite3.connect(source, timeout=30)) as src,
            contextlib.closing(sqlite3.connect(partial)) as dst,
        ):
            # Page by page, 1,000 at a time: a running server's writers wait only for one
            # step, and a step that sees the source change restarts by itself.
            src.backup(dst, pages=1000)
            dst.execute("PRAGMA journal_mode=DELETE")
            if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("The backup failed its integrity check: the database itself may be damaged.")
            return _sqlite_tables(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Cannot back up {source}: {exc}.") from None


def _sqlite_tables(connection: sqlite3.Connection) -> int:
    row = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return int(row[0])


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH: install PostgreSQL's client tools "
            f"(Debian: apt-get install postgresql-client), of the server's major version or newer."
        )
    return found


def _run(command: list[str], what: str) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)  # noqa: S603 - our own argv, no shell
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what} did not finish within {TIMEOUT:.0f} s.") from None
    if result.returncode:
        raise BackupError(f"{what} failed: {_first_error(result.stderr)}")
    return result


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower() or "fatal" in line.lower():
            return line
    return lines[0] if lines else "(no message)"


def _backup_postgres(database_url: str, partial: Path) -> int:
    pg_dump = _tool("pg_dump")
    # --no-owner / --no-privileges: the backup restores under whichever role restores it.
    _run(
        [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", f"--dbname={database_url}"],
        "pg_dump",
    )
    listing = _run([_tool("pg_restore"), "--list", str(partial)], "pg_restore --list")
    return sum(1 for line in listing.stdout.splitlines() if " TABLE " in line and " TABLE DATA " not in line)


# --- restore ------------------------------------------------------------------------------


def restore(database_url: str, backup_file: Path, force: bool = False) -> Outcome:
    """Restore ``backup_file`` into the database ``database_url`` names.

    The target must be empty (a new file or database) unless ``force``; then what it holds
    is replaced entirely. Stop the server first: a restore under a running server would
    pull its data from under it.
    """
    magic = _magic(backup_file)
    if _is_sqlite(database_url):
        if not magic.startswith(SQLITE_MAGIC):
            kind = "a PostgreSQL dump" if magic.startswith(PGDUMP_MAGIC) else "not a backup"
            raise BackupError(f"{backup_file} is {kind}: a SQLite backup is needed here (DATABASE_URL is SQLite).")
        tables = _restore_sqlite(backup_file, _sqlite_path(database_url), force)
        engine = "SQLite"
    else:
        if not magic.startswith(PGDUMP_MAGIC):
            kind = "a SQLite backup" if magic.startswith(SQLITE_MAGIC) else "not a backup"
            raise BackupError(f"{backup_file} is {kind}: a pg_dump backup is needed here (DATABASE_URL is PostgreSQL).")
        tables = _restore_postgres(backup_file, database_url, force)
        engine = "PostgreSQL"
    return Outcome(engine, backup_file, backup_file.stat().st_size, tables)


def _restore_sqlite(backup_file: Path, target: Path, force: bool) -> int:
    if not target.parent.is_dir():
        raise BackupError(f"The directory {target.parent} does not exist.")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as src:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{backup_file} fails SQLite's integrity check: it is damaged.")
            if not src.execute("SELECT 1 FROM sqlite_master WHERE name = 'migration'").fetchone():
                raise BackupError(f"{backup_file} is a SQLite database, but not a governance backup.")
            with contextlib.closing(sqlite3.connect(target, timeout=30)) as dst:
                if _sqlite_tables(dst) and not force:
                    raise BackupError(
                        f"{target} already holds a database: restore into a new DATABASE_URL, "
                        "or use --force to replace it."
                    )
                # The backup API replaces the target's pages wholesale under its write lock
                # (and through its WAL if it has one): triggers never fire, and a stale
                # -wal file can never be replayed over the restored pages.
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")  # as the server runs it
                return _sqlite_tables(dst)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Cannot restore {backup_file} into {target}: {exc}.") from None


async def _pg_tables(database_url: str) -> int:
    import asyncio

    import asyncpg

    try:
        connection = await asyncio.wait_for(asyncpg.connect(database_url), timeout=30)
    except asyncpg.InvalidCatalogNameError:
        name = database_url.rsplit("/", 1)[-1].split("?")[0]
        raise BackupError(f"The database {name} does not exist: create it first (createdb {name}).") from None
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        raise BackupError(f"Cannot connect to PostgreSQL: {exc}.") from None
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        )
    finally:
        await connection.close()


def _restore_postgres(backup_file: Path, database_url: str, force: bool) -> int:
    import asyncio

    pg_restore = _tool("pg_restore")
    if asyncio.run(_pg_tables(database_url)) and not force:
        raise BackupError(
            "The target database already holds tables: restore into a new, empty database, "
            "or use --force to replace what it holds."
        )
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if force:
        command += ["--clean", "--if-exists"]
    _run([*command, f"--dbname={database_url}", str(backup_file)], "pg_restore")
    return asyncio.run(_pg_tables(database_url))
