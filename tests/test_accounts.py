"""Accounts: argon2id, session rotation and revocation, CSRF, login throttling."""

from __future__ import annotations

import argon2

from governance.accounts import passwords, sessions
from governance.accounts.tables import AuthSession, LoginFailure, Person
from tests.support.database import DEMO_PASSWORD

REP = "guangzhou@metropolis.demo"


async def test_passwords_are_stored_as_argon2id(demo):
    row = await Person.select(Person.password_hash).where(Person.email == REP).first()
    assert row["password_hash"].startswith("$argon2id$")
    assert DEMO_PASSWORD not in row["password_hash"]


async def test_hash_is_upgraded_when_parameters_change(demo, client):
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16, salt_len=8)
    await Person.update({Person.password_hash: weak.hash(DEMO_PASSWORD)}).where(Person.email == REP)
    assert (await client.api_login(REP)).status_code == 200
    stored = (await Person.select(Person.password_hash).where(Person.email == REP).first())["password_hash"]
    assert not passwords.hasher().check_needs_rehash(stored)
    assert stored.startswith("$argon2id$")


async def test_login_failure_is_generic(demo, client):
    unknown = await client.api_login("nobody@metropolis.demo")
    wrong = await client.api_login(REP, "not-the-password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"] == "E-mail or password is incorrect."
    assert "governance_session" not in client.http.cookies


async def test_session_id_is_rotated_at_login(demo, client):
    # An attacker plants a session token in the victim's browser before login.
    planted = "attacker-chosen-token"
    client.http.cookies.set(sessions.COOKIE_NAME, planted, domain="testserver.local")
    response = await client.page_login(REP)
    assert response.status_code == 303
    issued = client.http.cookies.get(sessions.COOKIE_NAME)
    assert issued and issued != planted
    assert await AuthSession.count().where(AuthSession.id == sessions.token_digest(planted)) == 0
    # Logging in again issues yet another token and deletes the previous session.
    await client.page_login(REP)
    again = client.http.cookies.get(sessions.COOKIE_NAME)
    assert again != issued
    assert await AuthSession.count().where(AuthSession.id == sessions.token_digest(issued)) == 0
    assert (await client.get("/api/v1/auth/me")).json()["email"] == REP


async def test_session_cookie_flags(demo, client):
    response = await client.page_login(REP)
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("governance_"))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()


async def test_forged_and_expired_sessions_are_refused(demo, client):
    client.http.cookies.set(sessions.COOKIE_NAME, "forged", domain="testserver.local")
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    await client.api_login(REP)
    assert (await client.get("/api/v1/auth/me")).status_code == 200
    from datetime import UTC, datetime, timedelta

    past = datetime.now(UTC) - timedelta(hours=1)
    await AuthSession.update({AuthSession.created_at: past - timedelta(hours=12), AuthSession.expires_at: past}).where(
        AuthSession.id == sessions.token_digest(client.http.cookies.get(sessions.COOKIE_NAME))
    )
    response = await client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "Please sign in first."
    assert (await client.get("/meetings", follow_redirects=False)).headers["location"] == "/login?next=/meetings"


async def test_a_lost_tablet_can_be_signed_out(demo, make_client):
    laptop, tablet = make_client(), make_client()
    await laptop.api_login(REP)
    await tablet.api_login(REP)
    listed = (await laptop.get("/api/v1/auth/sessions")).json()
    assert len(listed) == 2
    other = next(s for s in listed if not s["current"])
    assert (await laptop.send("DELETE", f"/api/v1/auth/sessions/{other['handle']}")).status_code == 204
    assert (await tablet.get("/api/v1/auth/me")).status_code == 401
    assert (await laptop.get("/api/v1/auth/me")).status_code == 200
    # Nobody can revoke someone else's session, or a made-up one.
    assert (await laptop.send("DELETE", "/api/v1/auth/sessions/not-a-handle")).status_code == 404


async def test_revocation_from_the_sessions_page(demo, make_client):
    laptop, tablet = make_client(), make_client()
    await laptop.page_login(REP)
    await tablet.page_login(REP)
    page = await laptop.get("/account/sessions")
    assert page.status_code == 200 and "this device" in page.text
    handles = [
        s.handle
        for s in await sessions.list_sessions(
            (await Person.select(Person.id).where(Person.email == REP).first())["id"],
            laptop.http.cookies.get(sessions.COOKIE_NAME),
        )
        if not s.current
    ]
    response = await laptop.post_form(f"/account/sessions/{handles[0]}/revoke", follow_redirects=False)
    assert response.status_code == 303
    assert (await tablet.get("/meetings", follow_redirects=False)).status_code == 303


async def test_logout_ends_the_session(demo, client):
    await client.page_login(REP)
    token = client.http.cookies.get(sessions.COOKIE_NAME)
    assert (await client.post_form("/logout", follow_redirects=False)).status_code == 303
    assert await AuthSession.count().where(AuthSession.id == sessions.token_digest(token)) == 0


async def test_csrf_is_required_on_unsafe_requests(demo, client):
    await client.api_login("secretary@metropolis.demo")
    body = {"slug": "new-body", "kind": "committee", "name_en": "New committee", "decision_prefix": "NC"}
    url = "/api/v1/organisations/metropolis/bodies"
    missing = await client.http.post(url, json=body)
    wrong = await client.http.post(url, json=body, headers={"x-csrftoken": "0" * 96})
    assert missing.status_code == wrong.status_code == 403
    assert "did not come from this site" in missing.json()["detail"]
    listed = (await client.get(url)).json()
    assert "new-body" not in {b["slug"] for b in listed}
    # A form post without the hidden field is refused too.
    form = await client.http.post("/logout", data={}, follow_redirects=False)
    assert form.status_code == 403
    ok = await client.send("POST", url, json=body)
    assert ok.status_code == 201


async def test_api_login_only_accepts_json(demo, client):
    response = await client.http.post(
        "/api/v1/auth/login",
        content=f'{{"email": "{REP}", "password": "{DEMO_PASSWORD}"}}',
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 400
    assert "governance_session" not in client.http.cookies


async def test_login_is_throttled_per_account(demo, make_client):
    attacker, other_client = make_client(), make_client()
    for _ in range(5):
        assert (await attacker.api_login(REP, "guess")).status_code == 401
    blocked = await attacker.api_login(REP)  # even the right password, while blocked
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many failed sign-in attempts" in blocked.json()["detail"]
    # The account is protected whichever client (or worker) asks: the count is in the database.
    assert (await other_client.api_login(REP)).status_code == 429
    # Other accounts are not affected.
    assert (await other_client.api_login("berlin@metropolis.demo")).status_code == 200
    assert await LoginFailure.count() == 5
    assert REP not in str(await LoginFailure.select())  # hashes, not what was typed


async def test_login_is_throttled_per_client(demo, client):
    from governance.settings import get_settings

    limit = get_settings().login_client_limit
    for index in range(limit):
        await client.api_login(f"nobody{index}@metropolis.demo", "guess")
    assert (await client.api_login(REP)).status_code == 429


async def test_throttle_holds_across_app_instances(demo, make_client):
    # Two app objects stand for two workers: they share nothing but the database.
    from governance.app import create_app
    from tests.support.client import Client

    first, second = make_client(), Client(create_app())
    for _ in range(3):
        await first.api_login(REP, "guess")
    for _ in range(2):
        await second.api_login(REP, "guess")
    assert (await first.api_login(REP)).status_code == 429
    assert (await second.api_login(REP)).status_code == 429


async def test_login_page_keeps_the_email_and_says_why(demo, client):
    response = await client.page_login(REP, "wrong")
    assert response.status_code == 401
    assert "E-mail or password is incorrect." in response.text
    assert f'value="{REP}"' in response.text
    assert "wrong" not in response.text.split("<main")[1]


async def test_open_redirect_is_refused(demo, client):
    token = await client.ensure_csrf()
    response = await client.http.post(
        "/login",
        data={"email": REP, "password": DEMO_PASSWORD, "next": "//evil.example/x", "_csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/meetings"


async def test_security_headers(demo, client):
    response = await client.get("/login")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert "<script>" not in response.text  # no inline scripts to allow


async def test_language_chosen_before_login_becomes_the_preference(demo, client):
    await client.get("/language/es?next=/login")
    await client.page_login(REP)
    row = await Person.select(Person.language).where(Person.email == REP).first()
    assert row["language"] == "es"
