from pathlib import Path

from piccolo.conf.apps import AppConfig

from governance.accounts.tables import AccessLink, AccountEvent, AuthSession, LoginFailure, Person

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Person, AuthSession, LoginFailure, AccessLink, AccountEvent],
    migration_dependencies=[],
    commands=[],
)
