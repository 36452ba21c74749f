"""The database a test run uses, chosen once by ``GOVERNANCE_TEST_DATABASE``.

Imports nothing from ``governance``: ``tests/conftest.py`` reads it before the settings exist.
"""

from __future__ import annotations

import os

ENGINE = os.environ.get("GOVERNANCE_TEST_DATABASE", "sqlite")
PG_ADMIN_DSN = os.environ.get("GOVERNANCE_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
# One database per test run, so that two runs on one machine never collide.
PG_TEST_DB = f"governance_test_{os.getpid()}"
# Every account of the Guangzhou 2012 demo signs in with it.
DEMO_PASSWORD = "guangzhou-2012"


async def recreate_pg_database(name: str = PG_TEST_DB, create: bool = True) -> None:
    """Drop a test database (forcing connections off) and, unless told not to, create it empty."""
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if create:
            await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
