from pathlib import Path

from piccolo.conf.apps import AppConfig

from governance.polls.tables import (
    BallotBox,
    Candidate,
    Participation,
    Poll,
    PollElector,
    RollCallVote,
    SecretBallot,
    SecretBallotRequest,
)

APP_CONFIG = AppConfig(
    app_name="polls",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Poll, Candidate, PollElector, Participation, RollCallVote, BallotBox, SecretBallot,
                   SecretBallotRequest],
    migration_dependencies=["governance.agenda.piccolo_app"],
    commands=[],
)
