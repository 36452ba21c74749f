"""Piccolo's configuration: the engine comes from DATABASE_URL (SQLite file by default)."""

from piccolo.conf.apps import AppRegistry

from governance.db import make_engine
from governance.settings import get_settings

DB = make_engine(get_settings().database_url)

# Order matters only for readability: migrations declare their dependencies.
APP_REGISTRY = AppRegistry(
    apps=[
        "governance.accounts.piccolo_app",
        "governance.organisations.piccolo_app",
        "governance.meetings.piccolo_app",
        "governance.record.piccolo_app",
        "governance.agenda.piccolo_app",
        "governance.polls.piccolo_app",
        "governance.minutes.piccolo_app",
    ]
)
