from pathlib import Path

from piccolo.conf.apps import AppConfig

from governance.accounts.tables import AuthSession, LoginFailure, Person

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Person, AuthSession, LoginFailure],
    migration_dependencies=[],
    commands=[],
)
