"""Settings from the environment, read once.

Everything an operator may change is an environment variable; nothing secret is ever
written to a log. Outside production a missing secret key is generated once and kept
under ``var/`` so that sessions survive a restart of the demo.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable configuration."""


@dataclass(frozen=True)
class Settings:
    environment: str
    var_dir: Path
    database_url: str
    secret_key: str
    secure_cookies: bool
    session_hours: int
    # "production" is argon2-cffi's RFC 9106 low-memory profile; "fast" is for tests only.
    argon2_profile: str
    # Login throttling: failures allowed per account and per client in the window.
    login_window_seconds: int
    login_account_limit: int
    login_client_limit: int
    # Reverse proxies whose X-Forwarded-For is believed (uvicorn's forwarded_allow_ips).
    # Empty: the socket's address is the client's, as it must be without a proxy.
    trusted_proxies: str
    # PostgreSQL connection pool per worker (opened at start-up, up to the maximum).
    db_pool_min: int = 10
    db_pool_max: int = 20
    # Where organisations' Ed25519 signing keys live (files, mode 0600), outside the database.
    key_dir: Path = Path("var/keys")
    # One-time links that let a person choose their own password: an invitation (new
    # account) lasts days, a reset link hours.
    invitation_days: int = 7
    reset_link_hours: int = 24

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def csrf_secret(self) -> str:
        # Derived, so the CSRF key is not the session key itself.
        return hashlib.sha256(b"csrf:" + self.secret_key.encode()).hexdigest()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))


def _secret_key(environment: str, var_dir: Path) -> str:
    key = os.environ.get("GOVERNANCE_SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise ConfigurationError("GOVERNANCE_SECRET_KEY must be at least 32 characters long.")
        return key
    if environment == "production":
        raise ConfigurationError("GOVERNANCE_SECRET_KEY must be set in production.")
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Created with 0600 from the start: never readable by other users, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def environment_name() -> str:
    """GOVERNANCE_ENV as it is now (before, and without, the rest of the settings)."""
    return os.environ.get("GOVERNANCE_ENV", "development").strip() or "development"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    environment = environment_name()
    var_dir = Path(os.environ.get("GOVERNANCE_VAR_DIR", str(PROJECT_ROOT / "var"))).resolve()
    database_url = os.environ.get("DATABASE_URL", "").strip()
    if not database_url:
        database_url = f"sqlite:///{var_dir / 'governance.sqlite3'}"
    if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ConfigurationError("DATABASE_URL must start with sqlite:/// or postgresql:// (got another scheme).")
    return Settings(
        environment=environment,
        var_dir=var_dir,
        database_url=database_url,
        secret_key=_secret_key(environment, var_dir),
        secure_cookies=_flag("GOVERNANCE_SECURE_COOKIES", environment == "production"),
        session_hours=int(os.environ.get("GOVERNANCE_SESSION_HOURS", "12")),
        argon2_profile=os.environ.get("GOVERNANCE_ARGON2_PROFILE", "production"),
        login_window_seconds=int(os.environ.get("GOVERNANCE_LOGIN_WINDOW_SECONDS", "900")),
        login_account_limit=int(os.environ.get("GOVERNANCE_LOGIN_ACCOUNT_LIMIT", "5")),
        login_client_limit=int(os.environ.get("GOVERNANCE_LOGIN_CLIENT_LIMIT", "30")),
        trusted_proxies=os.environ.get("GOVERNANCE_TRUSTED_PROXIES", "").strip(),
        db_pool_min=int(os.environ.get("GOVERNANCE_DB_POOL_MIN", "10")),
        db_pool_max=int(os.environ.get("GOVERNANCE_DB_POOL_MAX", "20")),
        key_dir=_key_dir(environment, var_dir),
        invitation_days=int(os.environ.get("GOVERNANCE_INVITATION_DAYS", "7")),
        reset_link_hours=int(os.environ.get("GOVERNANCE_RESET_LINK_HOURS", "24")),
    )


def _key_dir(environment: str, var_dir: Path) -> Path:
    configured = os.environ.get("GOVERNANCE_KEY_DIR", "").strip()
    if configured:
        return Path(configured).resolve()
    if environment == "production":
        raise ConfigurationError("GOVERNANCE_KEY_DIR must be set in production (where the signing keys live).")
    return var_dir / "keys"
