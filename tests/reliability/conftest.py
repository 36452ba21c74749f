"""Engine-specific tests are deselected, not skipped, on the other engine: CI shows no skips."""

from __future__ import annotations

import pytest

from tests.support.database import ENGINE

# Tests that only mean something on PostgreSQL (restarting the database server).
POSTGRES_ONLY = ("test_postgres_restart_mid_meeting", "test_postgres_backup_")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ENGINE == "postgres":
        return
    keep = [item for item in items if not item.name.startswith(POSTGRES_ONLY)]
    dropped = [item for item in items if item.name.startswith(POSTGRES_ONLY)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
