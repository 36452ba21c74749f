from pathlib import Path

from piccolo.conf.apps import AppConfig

from governance.record.tables import MeetingEvent, OrganisationKey

APP_CONFIG = AppConfig(
    app_name="record",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[MeetingEvent, OrganisationKey],
    migration_dependencies=["governance.meetings.piccolo_app"],
    commands=[],
)
