from pathlib import Path

from piccolo.conf.apps import AppConfig

from governance.agenda.tables import AgendaDocument, AgendaItem, Motion, MotionText, Recusal, SpeakerRequest

APP_CONFIG = AppConfig(
    app_name="agenda",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[AgendaItem, AgendaDocument, Motion, MotionText, Recusal, SpeakerRequest],
    migration_dependencies=["governance.meetings.piccolo_app", "governance.record.piccolo_app"],
    commands=[],
)
