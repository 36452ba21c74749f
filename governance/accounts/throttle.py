"""Login throttling per account and per client, stored in the database.

The database (not process memory) holds the failures, so the limit holds across
workers and restarts. Keys are hashes: the table never stores what people typed.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from governance.accounts.tables import LoginFailure
from governance.db import reading, writing
from governance.settings import get_settings


def account_key(email: str) -> str:
    return hashlib.sha256(b"account:" + email.strip().lower().encode()).hexdigest()


def client_key(client_ip: str) -> str:
    return hashlib.sha256(b"client:" + client_ip.encode()).hexdigest()


async def seconds_until_allowed(account: str, client: str) -> int:
    """0 when a login attempt may proceed; otherwise how long to wait."""
    settings = get_settings()
    window = timedelta(seconds=settings.login_window_seconds)
    since = datetime.now(UTC) - window
    async with reading():
        by_account = (
            await LoginFailure.select(LoginFailure.failed_at)
            .where((LoginFailure.account_key == account) & (LoginFailure.failed_at > since))
            .order_by(LoginFailure.failed_at)
        )
        by_client = (
            await LoginFailure.select(LoginFailure.failed_at)
            .where((LoginFailure.client_key == client) & (LoginFailure.failed_at > since))
            .order_by(LoginFailure.failed_at)
        )
    waits = [
        _blocked_until(by_account, settings.login_account_limit, window),
        _blocked_until(by_client, settings.login_client_limit, window),
    ]
    until = max((w for w in waits if w is not None), default=None)
    if until is None:
        return 0
    return max(1, int((until - datetime.now(UTC)).total_seconds()) + 1)


def _blocked_until(failures: list[dict], limit: int, window: timedelta) -> datetime | None:
    """When the failures stop blocking: as the oldest one that still counts leaves the window."""
    if len(failures) < limit:
        return None
    return failures[len(failures) - limit]["failed_at"] + window


async def record_failure(account: str, client: str) -> None:
    now = datetime.now(UTC)
    async with writing():
        await LoginFailure.insert(LoginFailure(account_key=account, client_key=client, failed_at=now))
        # Housekeeping: failures older than a day are of no use to anyone.
        await LoginFailure.delete().where(LoginFailure.failed_at < now - timedelta(days=1))


async def clear_account(account: str) -> None:
    async with writing():
        await LoginFailure.delete().where(LoginFailure.account_key == account)
