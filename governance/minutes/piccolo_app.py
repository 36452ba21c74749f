from pathlib import Path

from piccolo.conf.apps import AppConfig

from governance.minutes.tables import MinutesComment, MinutesSignature, MinutesVersion, SignatoryKey

APP_CONFIG = AppConfig(
    app_name="minutes",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[MinutesVersion, MinutesComment, SignatoryKey, MinutesSignature],
    migration_dependencies=["governance.polls.piccolo_app"],
    commands=[],
)
