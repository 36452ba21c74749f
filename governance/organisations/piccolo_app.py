from pathlib import Path

from piccolo.conf.apps import AppConfig

from governance.organisations.tables import (
    Body,
    DirectoryEntry,
    MajorityRule,
    Mandate,
    Member,
    MemberFee,
    Organisation,
    OrganisationLogo,
    RuleSet,
    Seat,
    Staff,
)

APP_CONFIG = AppConfig(
    app_name="organisations",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Organisation, OrganisationLogo, Staff, DirectoryEntry, Body, RuleSet, MajorityRule, Member, MemberFee, Seat,
        Mandate,
    ],
    migration_dependencies=["governance.accounts.piccolo_app"],
    commands=[],
)
