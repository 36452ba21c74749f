"""Migrations apply from empty, the Piccolo tables match them, and the database itself
refuses what must never happen (checks, uniques, foreign keys), even when code forgets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from piccolo.conf.apps import Finder

from governance import db
from governance.accounts.tables import Person
from governance.organisations.tables import Body, Mandate, Member, Organisation, Seat
from tests.support.database import ENGINE


async def _columns(table: str) -> set[str]:
    if db.is_sqlite():
        rows = await db.engine().run_ddl(f"PRAGMA table_info({table})")
        return {row["name"] for row in rows}
    rows = await db.engine().run_ddl(f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'")
    return {row["column_name"] for row in rows}


async def test_migrations_apply_from_empty_and_twice(tmp_path):
    """A brand-new database (a new file, or an emptied schema) migrates, and again is a no-op."""
    if ENGINE == "sqlite":
        db.engine().path = str(tmp_path / "empty.sqlite3")  # type: ignore[attr-defined]
        await db.migrate()
        await db.migrate()
        applied = await db.engine().run_ddl("SELECT app_name FROM migration ORDER BY id")
    else:
        applied = await _migrate_empty_postgres()
    on_disk = sorted(
        (path.parent.parent.name, path.stem) for path in Path(db.__file__).parent.glob("*/piccolo_migrations/*_20*.py")
    )
    # Every committed migration ran once, apps in dependency order.
    assert len(applied) == len(on_disk)
    order = [row["app_name"] for row in applied]
    assert order == sorted(
        order, key=["accounts", "organisations", "meetings", "record", "agenda", "polls", "minutes"].index
    )


async def _migrate_empty_postgres() -> list:
    """Point the one engine at a new, empty database, migrate twice, and point it back."""
    from tests.support.database import PG_TEST_DB, recreate_pg_database

    empty = f"{PG_TEST_DB}_empty"

    engine = db.engine()
    original = dict(engine.config)  # type: ignore[attr-defined]
    await recreate_pg_database(empty)
    await db.stop()
    try:
        engine.config = {"dsn": original["dsn"].rsplit("/", 1)[0] + f"/{empty}"}  # type: ignore[attr-defined]
        await db.start()
        await db.migrate()
        await db.migrate()
        applied = await engine.run_ddl("SELECT app_name FROM migration ORDER BY id")
        await db.stop()
    finally:
        engine.config = original  # type: ignore[attr-defined]
        await db.start()
        await recreate_pg_database(empty, create=False)
    return applied


async def test_tables_match_the_migrations(fresh_db):
    for table in Finder().get_table_classes():
        declared = {column._meta.db_column_name for column in table._meta.columns}
        assert await _columns(table._meta.tablename) == declared, table._meta.tablename


async def _org() -> dict:
    rows = await Organisation.insert(Organisation(slug="org", short_name="Org", name_en="Organisation")).returning(
        Organisation.id
    )
    return rows[0]


@pytest.mark.parametrize(
    "values",
    [
        {"email": "Upper@Example.org"},  # not lower-case
        {"email": "no-at-sign"},
        {"full_name": "   "},
        {"language": "de"},
    ],
)
async def test_person_checks(fresh_db, values):
    row = {"email": "ok@example.org", "full_name": "Ok", **values}
    with pytest.raises(db.IntegrityViolation) as caught:
        async with db.writing():
            await Person.insert(Person(**row))
    assert caught.value.kind == "check"
    assert await Person.count() == 0


async def test_unique_email_is_enforced_by_the_database(fresh_db):
    async with db.writing():
        await Person.insert(Person(email="a@example.org", full_name="A"))
    with pytest.raises(db.IntegrityViolation) as caught:
        async with db.writing():
            await Person.insert(Person(email="a@example.org", full_name="B"))
    assert caught.value.kind == "unique"
    assert caught.value.table == "person" and caught.value.columns == ("email",)


async def test_seats_cannot_cross_organisations(fresh_db):
    """Composite foreign keys: a member of one organisation cannot sit in another's body."""
    async with db.writing():
        one, other = (
            await _org(),
            (
                await Organisation.insert(Organisation(slug="other", short_name="O", name_en="Other")).returning(
                    Organisation.id
                )
            )[0],
        )
        body = (
            await Body.insert(
                Body(organisation=one["id"], slug="bod", kind="board", name_en="Board", decision_prefix="B")
            ).returning(Body.id)
        )[0]
        stranger = (
            await Member.insert(
                Member(organisation=other["id"], slug="x", name="X", region="europe", category="active")
            ).returning(Member.id)
        )[0]
    with pytest.raises(db.IntegrityViolation) as caught:
        async with db.writing():
            await Seat.insert(Seat(organisation=one["id"], body=body["id"], member=stranger["id"]))
    assert caught.value.kind == "foreign_key"


async def test_one_president_per_body_and_mandates_need_a_seat(demo):
    board = await Body.select(Body.id).where(Body.slug == "bod", Body.organisation.slug == "metropolis").first()
    berlin = (
        await Member.select(Member.id).where(Member.slug == "berlin", Member.organisation.slug == "metropolis").first()
    )
    person = await Person.select(Person.id).where(Person.email == "berlin@metropolis.demo").first()
    with pytest.raises(db.IntegrityViolation) as caught:
        async with db.writing():
            await Mandate.update({Mandate.office: "president"}).where(
                (Mandate.person == person["id"]) & (Mandate.body == board["id"])
            )
    assert caught.value.kind == "unique"
    gauteng_fmdv = await Member.select(Member.id).where(Member.slug == "bamako").first()  # FMDV member, no seat here
    with pytest.raises(db.IntegrityViolation):
        async with db.writing():
            await Mandate.insert(
                Mandate(
                    person=person["id"], body=board["id"], member=gauteng_fmdv["id"], role="delegate", office="member"
                )
            )
    assert berlin is not None


async def test_a_convened_meeting_needs_its_rule_set(demo):
    from governance.meetings.tables import Meeting

    with pytest.raises(db.IntegrityViolation) as caught:
        async with db.writing():
            await Meeting.update({Meeting.rule_set: None}).where(Meeting.slug == "metropolis-bod-2012")
    assert caught.value.kind == "check"
    assert (
        dt.date(2012, 11, 16)
        == (await Meeting.select(Meeting.starts_at).where(Meeting.slug == "metropolis-bod-2012").first())["starts_at"]
        .astimezone(dt.timezone(dt.timedelta(hours=8)))
        .date()
    )
