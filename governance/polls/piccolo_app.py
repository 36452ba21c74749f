from pathlib import Path

from piccolo.conf.apps import AppConfig

from governance.polls.tables import (
    Candidate,
    Participation,
    Poll,
    PollElector,
    RollCallVote,
    SealedBallot,
    SecretBallot,
    SecretBallotRequest,
)

APP_CONFIG = AppConfig(
    app_name="polls",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Poll, Candidate, PollElector, Participation, RollCallVote, SealedBallot, SecretBallot,
                   SecretBallotRequest],
    migration_dependencies=["governance.agenda.piccolo_app"],
    commands=[],
)
