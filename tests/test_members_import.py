"""Importing members from CSV: all or nothing, each bad line named with its reason."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from governance.organisations.csv_import import parse_members_csv
from governance.organisations.tables import Member, MemberFee, Seat
from tests.support.database import ENGINE, PG_TEST_DB, recreate_pg_database

GOOD = (
    "slug,name,country,region,category,fee_2012\n"
    "lisbon,Lisbon,Portugal,europe,active,yes\n"
    "quito,Quito,Ecuador,latin_america,,no\n"
    "guangzhou,Guangzhou (updated),China,asia_pacific,active,yes\n"
)
BAD = (
    "slug,name,country,region,category,fee_2012\n"
    "lisbon,Lisbon,Portugal,europe,active,yes\n"
    "Bad Slug,Somewhere,Nowhere,europe,active,yes\n"
    "quito,,Ecuador,latin_america,active,no\n"
    "lima,Lima,Peru,andes,active,maybe\n"
    "lisbon,Lisbon again,Portugal,europe,active,yes\n"
)


def test_parser_reports_every_bad_line():
    parsed = parse_members_csv(BAD.encode())
    assert len(parsed.errors) == 4
    assert parsed.errors[0].startswith("Line 3: slug: Use lower-case letters")
    assert parsed.errors[1] == "Line 4: name: This field is required"
    assert parsed.errors[2] == "Line 5: region: Choose one of the options; fee_2012 must be yes or no, not maybe"
    assert parsed.errors[3] == "Line 6: the code lisbon already appears on line 2"


def test_parser_refuses_what_is_not_a_members_file():
    assert parse_members_csv(b"").errors == ["The file is empty."]
    assert parse_members_csv(b"\xff\xfe\x00garbage").errors[0].startswith("The file is not UTF-8")
    assert parse_members_csv(b"name,country\nX,Y\n").errors[0].startswith("Line 1: missing column(s) slug, region")
    assert parse_members_csv(b"slug,name,region\n").errors == ["The file has a header but no members."]
    assert parse_members_csv(b"slug,name,region\na,A,europe,extra\n").errors == ["Line 2: more values than columns."]


async def _upload(client, text: str, seat_in: str | None = None):
    url = "/api/v1/organisations/metropolis/members/import"
    if seat_in:
        url += f"?seat_in_body={seat_in}"
    return await client.send("POST", url, files={"file": ("members.csv", text.encode(), "text/csv")})


async def test_a_broken_file_imports_nothing(demo, client):
    before = await Member.count()
    await client.api_login("secretary@metropolis.demo")
    response = await _upload(client, BAD)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Nothing was imported. Correct these lines and import the file again."
    assert "Line 4: name: This field is required" in body["errors"]["file"]
    assert await Member.count() == before
    assert await Member.count().where(Member.slug == "lisbon") == 0


async def test_a_good_file_creates_updates_and_seats(demo, client):
    await client.api_login("secretary@metropolis.demo")
    response = await _upload(client, GOOD, seat_in="bod")
    assert response.status_code == 201, response.text
    assert response.json() == {"created": 2, "updated": 1, "seated": 2}
    lisbon = await Member.select().where(Member.slug == "lisbon").first()
    assert lisbon["category"] == "active" and lisbon["region"] == "europe"
    quito = await Member.select().where(Member.slug == "quito").first()
    assert quito["category"] == "active"  # default when the cell is empty
    assert (await MemberFee.select(MemberFee.paid).where(MemberFee.member == quito["id"]).first())["paid"] is False
    assert (
        await Member.select(Member.name)
        .where(Member.slug == "guangzhou", Member.organisation.slug == "metropolis")
        .first()
    )["name"] == "Guangzhou (updated)"
    assert await Seat.count().where(Seat.member == lisbon["id"]) == 1
    # Importing the same file again changes nothing but counts updates.
    again = await _upload(client, GOOD, seat_in="bod")
    assert again.json() == {"created": 0, "updated": 3, "seated": 0}


async def test_import_needs_a_file_and_the_secretariat(demo, make_client):
    fmdv, metropolis = make_client(), make_client()
    await fmdv.api_login("secretary@fmdv.demo")
    assert (await _upload(fmdv, GOOD)).status_code == 403
    await metropolis.api_login("secretary@metropolis.demo")
    missing = await metropolis.send(
        "POST", "/api/v1/organisations/metropolis/members/import", files={"other": ("x.csv", b"x", "text/csv")}
    )
    assert missing.status_code == 422
    assert missing.json()["errors"]["file"] == "Attach the CSV file in the form field named file."


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "governance.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_cli_demo_then_members_import(tmp_path: Path):
    """The operator's path: a real subprocess on its own SQLite file (or PostgreSQL database)."""
    env = {**os.environ, "GOVERNANCE_VAR_DIR": str(tmp_path / "var"), "GOVERNANCE_ARGON2_PROFILE": "fast"}
    if ENGINE == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    else:
        name = f"{PG_TEST_DB}_cli"
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
        asyncio.run(recreate_pg_database(name))
    demo = _cli("demo", "--password", "cli-password-2012", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "guangzhou@metropolis.demo" in demo.stdout and "cli-password-2012" in demo.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD)
    refused = _cli("members", "import", str(bad), "--organisation", "metropolis", env=env)
    assert refused.returncode == 1
    assert "Nothing was imported" in refused.stderr and "Line 6: the code lisbon" in refused.stderr
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    done = _cli("members", "import", str(good), "--organisation", "metropolis", "--body", "bod", env=env)
    assert done.returncode == 0, done.stderr
    assert "2 created, 1 updated, 2 seated" in done.stdout
    added = _cli(
        "user",
        "add",
        "operator@metropolis.demo",
        "--name",
        "Operator",
        "--password",
        "operator-pass-1",
        "--secretariat",
        "metropolis",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    duplicate = _cli(
        "user", "add", "operator@metropolis.demo", "--name", "Operator", "--password", "operator-pass-1", env=env
    )
    assert duplicate.returncode == 1
    assert "exists already: its password is not overwritten" in duplicate.stderr
    short = _cli("user", "add", "x@metropolis.demo", "--name", "X", "--password", "short", env=env)
    assert short.returncode == 1 and "password: Use at least 10 characters." in short.stderr
    assert _cli("migrate", env=env).returncode == 0
    if ENGINE == "postgres":
        asyncio.run(recreate_pg_database(name, create=False))
