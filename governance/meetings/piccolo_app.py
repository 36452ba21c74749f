from pathlib import Path

from piccolo.conf.apps import AppConfig

from governance.meetings.tables import DisplayLink, Event, Excusal, Meeting, Presence, Proxy, QuorumCheck

APP_CONFIG = AppConfig(
    app_name="meetings",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Event, Meeting, Presence, Excusal, Proxy, QuorumCheck, DisplayLink],
    migration_dependencies=["governance.organisations.piccolo_app"],
    commands=[],
)
