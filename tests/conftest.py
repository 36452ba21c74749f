"""Test set-up: real databases, real HTTP through Litestar's test client.

The engine is chosen for the whole run by ``GOVERNANCE_TEST_DATABASE``:
``sqlite`` (default: a fresh migrated file per test, copied from a template) or
``postgres`` (a ``governance_test`` database on 127.0.0.1:5432, truncated per test).
``make test`` runs the suite once per engine.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.client import Client
from tests.support.database import DEMO_PASSWORD, ENGINE, PG_ADMIN_DSN, PG_TEST_DB, recreate_pg_database

# Settings are read once: fix the environment before anything imports governance.
_TMP = Path(tempfile.mkdtemp(prefix="governance-tests-"))
os.environ["GOVERNANCE_VAR_DIR"] = str(_TMP / "var")
os.environ["GOVERNANCE_ARGON2_PROFILE"] = "fast"
os.environ.pop("GOVERNANCE_SECRET_KEY", None)
if ENGINE == "postgres":
    os.environ["DATABASE_URL"] = PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{PG_TEST_DB}"
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'template.sqlite3'}"

from governance import db  # noqa: E402
from governance.app import create_app  # noqa: E402
from governance.settings import get_settings  # noqa: E402

TEMPLATE = _TMP / "template.sqlite3"
DEMO_TEMPLATE = _TMP / "demo-template.sqlite3"
# The browser suite (tests/browser) is its own pytest run against a live server: see the Makefile.
collect_ignore = ["browser"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres_only`` are deselected, not skipped, on SQLite: CI shows no skips."""
    if ENGINE == "postgres":
        return
    dropped = [item for item in items if item.get_closest_marker("postgres_only")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]


async def _truncate_pg() -> None:
    rows = await db.engine().run_ddl(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migration'"
    )
    names = ", ".join(f'"{row["tablename"]}"' for row in rows)
    await db.engine().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture(scope="session", autouse=True)
async def database() -> AsyncIterator[None]:
    """Migrate once; on SQLite also build a demo template to copy from."""
    if ENGINE == "postgres":
        await recreate_pg_database()
        await db.start()
        await db.migrate()
    else:
        await db.migrate()
    yield
    await db.stop()
    if ENGINE == "postgres":
        await recreate_pg_database(create=False)
    shutil.rmtree(_TMP, ignore_errors=True)


def _use_sqlite_file(path: Path) -> None:
    # Tables cache the engine object: retarget it rather than build a new one.
    db.engine().path = str(path)  # type: ignore[attr-defined]


_demo_template_ready = False


@pytest.fixture
async def fresh_db(tmp_path: Path) -> AsyncIterator[Path | None]:
    """An empty, migrated database for this test."""
    db.reset_write_lock()
    if ENGINE == "postgres":
        await _truncate_pg()
        yield None
    else:
        target = tmp_path / "test.sqlite3"
        shutil.copy(TEMPLATE, target)
        _use_sqlite_file(target)
        yield target


@pytest.fixture
async def demo(fresh_db: Path | None) -> AsyncIterator[Any]:
    """The Guangzhou 2012 demo, loaded through the services."""
    global _demo_template_ready
    from governance.demo import guangzhou

    if ENGINE == "postgres":
        yield await guangzhou.load(DEMO_PASSWORD)
        return
    assert fresh_db is not None
    if not _demo_template_ready:
        report = await guangzhou.load(DEMO_PASSWORD)
        shutil.copy(fresh_db, DEMO_TEMPLATE)
        _demo_template_ready = True
    else:
        shutil.copy(DEMO_TEMPLATE, fresh_db)
        report = None
    yield report


@pytest.fixture
def app() -> Any:
    # The database is started by the session fixture; the test client does not run
    # the lifespan (it would close the PostgreSQL pool between tests).
    return create_app()


@pytest.fixture
def client(app: Any) -> Client:
    return Client(app)


@pytest.fixture
def make_client(app: Any) -> Any:
    """Several independent clients (tablets) against the same app."""
    return lambda: Client(app)


def settings() -> Any:
    return get_settings()


@pytest.fixture
def rotating_keys() -> Any:
    """For a test that rotates an organisation's key: rotation deletes the retired key's private
    file, and the key directory outlives the test's database (the next test's copy of the demo
    still names the old key as current), so the directory is put back as it was afterwards."""
    key_dir = get_settings().key_dir
    saved = _TMP / "keys-before-rotation"
    shutil.rmtree(saved, ignore_errors=True)
    if key_dir.exists():
        shutil.copytree(key_dir, saved)
    yield
    shutil.rmtree(key_dir, ignore_errors=True)
    if saved.exists():
        shutil.copytree(saved, key_dir)
        shutil.rmtree(saved, ignore_errors=True)
