"""Nobody types another person's password (DOMAIN.md rule 19, issue 17).

The attack, from the outside: a secretariat account set Seoul's password (API or page),
signed in as Seoul and could cast Seoul's secret vote. Now staff invite, or issue a reset
link, and the person chooses; every staff action is on the person's account page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from governance.accounts import passwords
from governance.accounts.tables import AccessLink, AccountEvent, AuthSession, Person
from governance.cli import main as cli_main
from governance.demo import guangzhou
from tests.support.database import DEMO_PASSWORD

SECRETARY = "secretary@metropolis.demo"
SEOUL = "seoul@metropolis.demo"
PRESIDENT = "paris-idf@metropolis.demo"
API_PEOPLE = "/api/v1/organisations/metropolis/people"
PAGE_PEOPLE = "/organisations/metropolis/people"
REFUSAL = "Staff never set a person's password"


async def _person_id(email: str) -> int:
    return (await Person.select(Person.id).where(Person.email == email).first())["id"]


async def _signed_in(make_client: Any, email: str, password: str = DEMO_PASSWORD) -> Any:
    client = make_client()
    assert (await client.api_login(email, password)).status_code == 200, email
    return client


async def _me(client: Any) -> int:
    return (await client.get("/api/v1/auth/me")).status_code


def _path(url: str) -> str:
    return url.removeprefix("http://testserver.local")


# --- the attack, refused ------------------------------------------------------------------


@pytest.mark.parametrize("target", [SEOUL, PRESIDENT])
async def test_secretariat_cannot_set_a_password_through_the_api(demo, make_client, target):
    victim = await _signed_in(make_client, target)  # the tablet already signed in
    secretary = await _signed_in(make_client, SECRETARY)
    person_id = await _person_id(target)
    current = (await secretary.get(f"{API_PEOPLE}/{person_id}")).json()
    body = {k: current[k] for k in ("email", "full_name", "language", "is_active")}

    refused = await secretary.send("PUT", f"{API_PEOPLE}/{person_id}", json={**body, "password": "staff-knows-it-1"})
    assert refused.status_code == 403
    assert REFUSAL in refused.json()["detail"]
    # Not even a first password for a new person.
    created = await secretary.send(
        "POST", API_PEOPLE, json={"email": "new@metropolis.demo", "full_name": "New", "password": "staff-knows-it-1"}
    )
    assert created.status_code == 403 and REFUSAL in created.json()["detail"]
    assert await Person.count().where(Person.email == "new@metropolis.demo") == 0

    # The staff member cannot sign in as the victim; the victim still can, and their tablet is untouched.
    assert (await make_client().api_login(target, "staff-knows-it-1")).status_code == 401
    assert (await make_client().api_login(target)).status_code == 200
    assert await _me(victim) == 200
    # Editing without a password still works (and is not a password change).
    assert (await secretary.send("PUT", f"{API_PEOPLE}/{person_id}", json=body)).status_code == 200
    assert await _me(victim) == 200


async def test_secretariat_cannot_set_a_password_through_the_page(demo, make_client):
    seoul = await _signed_in(make_client, SEOUL)
    secretary = make_client()
    assert (await secretary.page_login(SECRETARY)).status_code == 303
    person_id = await _person_id(SEOUL)
    form = await secretary.get(f"{PAGE_PEOPLE}/{person_id}/edit")
    assert form.status_code == 200 and 'name="password"' not in form.text

    data = {"email": SEOUL, "full_name": "Seoul", "language": "en", "is_active": "on", "password": "staff-knows-it-1"}
    refused = await secretary.post_form(f"{PAGE_PEOPLE}/{person_id}/edit", data)
    assert refused.status_code == 403
    assert "Staff never set a person&#39;s password" in refused.text
    assert (await make_client().api_login(SEOUL, "staff-knows-it-1")).status_code == 401
    assert (await make_client().api_login(SEOUL)).status_code == 200
    assert await _me(seoul) == 200
    assert await AccountEvent.count() == 0
    # What the page offers instead: a reset link for Seoul to choose a new password.
    listing = (await secretary.get(PAGE_PEOPLE)).text
    assert f'action="{PAGE_PEOPLE}/{person_id}/reset-link"' in listing
    offered = await secretary.post_form(f"{PAGE_PEOPLE}/{person_id}/reset-link")
    assert offered.status_code == 200 and "Password reset link" in offered.text
    assert offered.headers["cache-control"] == "no-store"
    assert 'class="access-link">http://testserver.local/account/link/' in offered.text


# --- invitations ----------------------------------------------------------------------------


async def test_an_invitation_link_works_once(demo, make_client):
    secretary = await _signed_in(make_client, SECRETARY)
    created = await secretary.send("POST", API_PEOPLE, json={"email": "ana@metropolis.demo", "full_name": "Ana"})
    assert created.status_code == 201, created.text
    person = created.json()
    assert person["can_log_in"] is False
    invitation = person["invitation"]
    assert invitation["kind"] == "invitation" and invitation["delivery"] == "shown"
    url = _path(invitation["url"])
    token = url.rsplit("/", 1)[1]
    # Only the token's SHA-256 is stored, valid for the configured days (7).
    [stored] = await AccessLink.select().where(AccessLink.person == person["id"])
    assert stored["id"] == hashlib.sha256(token.encode()).hexdigest() and stored["kind"] == "invitation"
    lifetime = stored["expires_at"] - stored["created_at"]
    assert dt.timedelta(days=7) - dt.timedelta(minutes=1) < lifetime <= dt.timedelta(days=7)

    ana = make_client()
    form = await ana.get(url)
    assert form.status_code == 200 and "Choose your password" in form.text and "Ana" in form.text
    assert form.headers["cache-control"] == "no-store" and form.headers["referrer-policy"] == "no-referrer"
    # The form's POST needs the CSRF token like any other.
    no_csrf = await ana.http.post(url, data={"password": "anas-own-password", "password_again": "anas-own-password"})
    assert no_csrf.status_code == 403
    differ = await ana.post_form(url, {"password": "anas-own-password", "password_again": "something else"})
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    short = await ana.post_form(url, {"password": "short", "password_again": "short"})
    assert short.status_code == 422 and "Use at least 10 characters." in short.text

    used = await ana.post_form(url, {"password": "anas-own-password", "password_again": "anas-own-password"})
    assert used.status_code == 303 and used.headers["location"] == "/meetings"
    me = await ana.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["email"] == "ana@metropolis.demo"
    assert (await make_client().api_login("ana@metropolis.demo", "anas-own-password")).status_code == 200

    # Dead once used: a clear page, never a 500, and nothing changes.
    again = await make_client().get(url)
    assert again.status_code == 410 and "This link has been used already." in again.text
    attacker = {"password": "attackers-password", "password_again": "attackers-password"}
    reuse = await make_client().post_form(url, attacker)
    assert reuse.status_code == 410
    assert (await make_client().api_login("ana@metropolis.demo", "attackers-password")).status_code == 401
    unknown = await make_client().get("/account/link/" + "x" * 43)
    assert unknown.status_code == 404 and "This link is not known." in unknown.text
    # The person has a password now: no more invitations, only reset links.
    again_invited = await secretary.send("POST", f"{API_PEOPLE}/{person['id']}/invitation")
    assert again_invited.status_code == 409 and "password reset link" in again_invited.json()["detail"]


async def test_an_invitation_link_expires(demo, make_client):
    secretary = make_client()
    assert (await secretary.page_login(SECRETARY)).status_code == 303
    added = await secretary.post_form(
        f"{PAGE_PEOPLE}/new", {"email": "bo@metropolis.demo", "full_name": "Bo", "language": "en", "is_active": "on"}
    )
    assert added.status_code == 200 and "Invitation link" in added.text
    url = _path(added.text.split('<code class="access-link">')[1].split("</code>")[0])
    person_id = await _person_id("bo@metropolis.demo")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    await AccessLink.update({AccessLink.created_at: past - dt.timedelta(days=7), AccessLink.expires_at: past}).where(
        AccessLink.person == person_id
    )
    bo = make_client()
    expired = await bo.get(url)
    assert expired.status_code == 410 and "This link has expired." in expired.text
    posted = await bo.post_form(url, {"password": "bos-own-password", "password_again": "bos-own-password"})
    assert posted.status_code == 410
    assert (await Person.select(Person.password_hash).where(Person.id == person_id).first())["password_hash"] is None
    # A new invitation replaces it (and the old link stays dead).
    fresh = await secretary.post_form(f"{PAGE_PEOPLE}/{person_id}/invitation")
    assert fresh.status_code == 200
    new_url = _path(fresh.text.split('<code class="access-link">')[1].split("</code>")[0])
    assert new_url != url and (await bo.get(new_url)).status_code == 200
    assert (await bo.get(url)).status_code == 404


async def test_a_person_created_deactivated_gets_no_invitation_until_reactivated(demo, make_client):
    secretary = await _signed_in(make_client, SECRETARY)
    body = {"email": "later@metropolis.demo", "full_name": "Later", "is_active": False}
    created = await secretary.send("POST", API_PEOPLE, json=body)
    assert created.status_code == 201 and created.json()["invitation"] is None
    person_id = created.json()["id"]
    refused = await secretary.send("POST", f"{API_PEOPLE}/{person_id}/invitation")
    assert refused.status_code == 409 and "deactivated" in refused.json()["detail"]
    assert await AccessLink.count() == 0
    reactivated = await secretary.send("PUT", f"{API_PEOPLE}/{person_id}", json={**body, "is_active": True})
    assert reactivated.status_code == 200
    invited = await secretary.send("POST", f"{API_PEOPLE}/{person_id}/invitation")
    assert invited.status_code == 201 and "/account/link/" in invited.json()["url"]


async def test_another_organisations_secretariat_cannot_send_links(demo, make_client):
    fmdv = await _signed_in(make_client, "secretary@fmdv.demo")
    person_id = await _person_id(SEOUL)
    for path in ("reset-link", "invitation"):
        response = await fmdv.send("POST", f"{API_PEOPLE}/{person_id}/{path}")
        assert response.status_code == 403
    assert await AccessLink.count() == 0


# --- reset links ------------------------------------------------------------------------------


async def test_a_reset_link_lets_the_person_choose_and_ends_old_sessions(demo, make_client):
    tablet = await _signed_in(make_client, SEOUL)
    secretary = await _signed_in(make_client, SECRETARY)
    person_id = await _person_id(SEOUL)
    issued = await secretary.send("POST", f"{API_PEOPLE}/{person_id}/reset-link")
    assert issued.status_code == 201, issued.text
    link = issued.json()
    assert link["kind"] == "reset"
    stored = await AccessLink.select().where(AccessLink.person == person_id).first()
    assert stored["expires_at"] - stored["created_at"] <= dt.timedelta(hours=24)
    # Issuing a link changes nothing yet: the password and the tablet's session still work.
    assert await _me(tablet) == 200
    assert (await make_client().api_login(SEOUL)).status_code == 200

    seoul = make_client()
    form = await seoul.get(_path(link["url"]))
    assert form.status_code == 200 and "Choose a new password" in form.text
    done = await seoul.post_form(
        _path(link["url"]), {"password": "seouls-new-password", "password_again": "seouls-new-password"}
    )
    assert done.status_code == 303
    assert await _me(seoul) == 200
    assert await _me(tablet) == 401  # every older session ended
    assert await AuthSession.count().where(AuthSession.person == person_id) == 1
    assert (await make_client().api_login(SEOUL)).status_code == 401
    assert (await make_client().api_login(SEOUL, "seouls-new-password")).status_code == 200


# --- account events ----------------------------------------------------------------------------


async def test_staff_actions_are_on_the_persons_account_page_without_tokens(demo, make_client):
    secretary = await _signed_in(make_client, SECRETARY)
    person_id = await _person_id(SEOUL)
    link = (await secretary.send("POST", f"{API_PEOPLE}/{person_id}/reset-link")).json()
    token = link["url"].rsplit("/", 1)[1]
    body = {"email": "seoul-city@metropolis.demo", "full_name": "Seoul", "language": "en", "is_active": True}
    assert (await secretary.send("PUT", f"{API_PEOPLE}/{person_id}", json=body)).status_code == 200

    seoul = await _signed_in(make_client, "seoul-city@metropolis.demo")
    account = await seoul.get("/account")
    assert account.status_code == 200
    page = account.text
    assert 'href="/account"' in page  # reachable from the header
    secretary_name = (await Person.select(Person.full_name).where(Person.email == SECRETARY).first())["full_name"]
    assert f"{secretary_name} created a password reset link for you, valid until" in page
    assert "The link was shown to them, to hand over to you." in page
    assert f"{secretary_name} changed your e-mail address from {SEOUL} to seoul-city@metropolis.demo." in page
    assert token not in page
    events = (await seoul.get("/api/v1/auth/events")).json()
    assert [event["kind"] for event in events] == ["email_changed", "reset_link"]
    assert all(event["actor_name"] == secretary_name for event in events)
    # No token anywhere in the stored events, nor its digest.
    digest = hashlib.sha256(token.encode()).hexdigest()
    for row in await AccountEvent.select():
        assert token not in str(row) and digest not in str(row)

    # A deactivation (and the reactivation) is recorded too; deactivating signs the person out.
    deactivated = await secretary.send("PUT", f"{API_PEOPLE}/{person_id}", json={**body, "is_active": False})
    assert deactivated.status_code == 200
    assert await _me(seoul) == 401
    assert (await secretary.send("PUT", f"{API_PEOPLE}/{person_id}", json=body)).status_code == 200
    rows = await AccountEvent.select(AccountEvent.kind).where(AccountEvent.person == person_id)
    kinds = [row["kind"] for row in rows]
    assert sorted(kinds) == ["deactivated", "email_changed", "reactivated", "reset_link"]
    # Someone else sees none of it.
    other = await _signed_in(make_client, PRESIDENT)
    assert (await other.get("/api/v1/auth/events")).json() == []


# --- self-service ------------------------------------------------------------------------------


async def test_changing_ones_own_password_needs_the_current_one(demo, make_client):
    laptop = make_client()
    assert (await laptop.page_login(SEOUL)).status_code == 303
    tablet = await _signed_in(make_client, SEOUL)
    old_cookie = laptop.http.cookies.get("governance_session")
    new = {"new_password": "seouls-own-password", "new_password_again": "seouls-own-password"}

    wrong = await laptop.post_form("/account/password", {"current_password": "not-my-password", **new})
    assert wrong.status_code == 422 and "This is not your current password." in wrong.text
    differ = await laptop.post_form(
        "/account/password", {"current_password": DEMO_PASSWORD, **new, "new_password_again": "other"}
    )
    assert differ.status_code == 422
    assert (await make_client().api_login(SEOUL)).status_code == 200
    assert await _me(tablet) == 200

    changed = await laptop.post_form("/account/password", {"current_password": DEMO_PASSWORD, **new})
    assert changed.status_code == 303 and changed.headers["location"] == "/account?changed=true"
    rotated = laptop.http.cookies.get("governance_session")
    assert rotated and rotated != old_cookie  # a fresh session id for this device
    assert await _me(laptop) == 200
    assert await _me(tablet) == 401  # other devices signed out
    stale = make_client()
    stale.http.cookies.set("governance_session", old_cookie)
    assert await _me(stale) == 401
    assert (await make_client().api_login(SEOUL)).status_code == 401
    assert (await make_client().api_login(SEOUL, "seouls-own-password")).status_code == 200
    page = (await laptop.get("/account?changed=true")).text
    assert "You changed your password." in page and "Your password is changed." in page


async def test_changing_ones_own_password_through_the_api(demo, make_client):
    seoul = await _signed_in(make_client, SEOUL)
    other = await _signed_in(make_client, SEOUL)
    url = "/api/v1/auth/password"
    wrong = await seoul.send("POST", url, json={"current_password": "nope", "new_password": "x" * 12})
    assert wrong.status_code == 422
    weak = await seoul.send("POST", url, json={"current_password": DEMO_PASSWORD, "new_password": "short"})
    assert weak.status_code == 400
    done = await seoul.send(
        "POST", "/api/v1/auth/password", json={"current_password": DEMO_PASSWORD, "new_password": "a new password 2026"}
    )
    assert done.status_code == 204
    assert await _me(seoul) == 200 and await _me(other) == 401
    assert (await make_client().api_login(SEOUL, "a new password 2026")).status_code == 200


# --- the demo and the operator's command line ---------------------------------------------------


async def test_the_demo_keeps_a_changed_password(fresh_db, make_client):
    await guangzhou.load()
    seoul = await _signed_in(make_client, SEOUL)
    new = {"current_password": DEMO_PASSWORD, "new_password": "seouls-own-password"}
    assert (await seoul.send("POST", "/api/v1/auth/password", json=new)).status_code == 204
    report = await guangzhou.load()  # again, without a password: nobody's password changes
    assert SEOUL in report.kept
    assert (await make_client().api_login(SEOUL, "seouls-own-password")).status_code == 200
    assert (await make_client().api_login(SEOUL)).status_code == 401
    assert await _me(seoul) == 200
    # The operator's explicit --password resets every demo account.
    await guangzhou.load(DEMO_PASSWORD)
    assert (await make_client().api_login(SEOUL)).status_code == 200


async def test_the_demo_refuses_to_run_in_production(fresh_db, monkeypatch):
    monkeypatch.setenv("GOVERNANCE_ENV", "production")
    with pytest.raises(guangzhou.DemoRefused, match="GOVERNANCE_ENV=production"):
        await guangzhou.load()
    assert await Person.count() == 0


def test_the_demo_command_refuses_in_production():
    result = CliRunner().invoke(cli_main, ["demo"], env={"GOVERNANCE_ENV": "production"})
    assert result.exit_code == 1
    assert "The demo does not run with GOVERNANCE_ENV=production" in result.output


def test_user_add_never_overwrites_a_password_silently(tmp_path: Path):
    """The operator's tool, run as on the server (its own SQLite file, whatever the engine)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "GOVERNANCE_VAR_DIR": str(tmp_path / "var"),
        "GOVERNANCE_ARGON2_PROFILE": "fast",
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "governance.cli", *args], env=env, capture_output=True, text=True, timeout=120
        )

    assert cli("migrate").returncode == 0
    add = ["user", "add", "op@example.org", "--name", "Op"]
    first = cli(*add, "--password", "first-password-1")
    assert first.returncode == 0, first.stderr
    again = cli(*add, "--password", "second-password-2")
    assert again.returncode == 1
    assert "its password is not overwritten" in again.stderr and "--reset-password" in again.stderr
    reset = cli(*add, "--password", "second-password-2", "--reset-password")
    assert reset.returncode == 0, reset.stderr
    assert "signed out everywhere" in reset.stdout
    query = (
        "SELECT p.password_hash, e.kind, e.actor, e.actor_name FROM person p JOIN account_event e ON e.person = p.id"
    )
    with closing(sqlite3.connect(tmp_path / "cli.sqlite3")) as connection:
        [(stored, kind, actor, actor_name)] = connection.execute(query).fetchall()
    assert passwords.hasher().verify(stored, "second-password-2")
    assert (kind, actor, actor_name) == ("password_set_by_operator", None, "operator (command line)")


async def test_account_events_are_escaped_and_translated(demo, make_client):
    secretary = await _signed_in(make_client, SECRETARY)
    payload = '<img src=x onerror="alert(1)">'
    await Person.update({Person.full_name: payload}).where(Person.email == SECRETARY)
    assert (await secretary.send("POST", f"{API_PEOPLE}/{await _person_id(SEOUL)}/reset-link")).status_code == 201
    seoul = await _signed_in(make_client, SEOUL)
    page = (await seoul.get("/account")).text
    assert payload not in page and "&lt;img src=x onerror=" in page
    assert (await seoul.get("/language/fr?next=/account")).status_code == 303
    french = (await seoul.get("/account")).text
    assert "a créé pour vous un lien de réinitialisation du mot de passe" in french
    assert "Changer votre mot de passe" in french
