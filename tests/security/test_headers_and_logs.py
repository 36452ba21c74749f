"""Security headers on every kind of response, HSTS only over HTTPS, and no secret in any
log line while people sign in (right and wrong), set a signing passphrase, sign the
minutes and cast votes, with the root logger at DEBUG.

tests/test_accounts.py::test_security_headers checks the sign-in page; here every kind of
response is checked (pages, API, errors, static files, the sign-in redirect, the OpenAPI
document)."""

from __future__ import annotations

import httpx

from governance.accounts import sessions
from governance.app import create_app
from governance.demo import simulate
from governance.settings import get_settings
from tests.support.database import DEMO_PASSWORD
from tests.support.polls import API, token, voter
from tests.support.polls import put_to_the_vote as _session

from .logcapture import all_logs

SLUG = "metropolis-bod-2012"
BASE = f"/meetings/{SLUG}/minutes"


def _check_headers(response: httpx.Response, where: str, *, csp: bool = True) -> None:
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "same-origin", where
    assert headers.get("x-frame-options") == "DENY", where
    policy = headers.get("content-security-policy", "")
    if csp:
        assert "frame-ancestors 'none'" in policy, where
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
        assert "object-src 'none'" in policy and "base-uri 'self'" in policy, where
    assert "strict-transport-security" not in headers, f"{where}: HSTS over plain HTTP"


async def test_security_headers_on_every_kind_of_response(demo, client):
    anonymous = [
        ("page", await client.get("/login")),
        ("redirect to sign in", await client.get("/meetings", follow_redirects=False)),
        ("404 page", await client.get("/no-such-page")),
        ("405", await client.http.delete("/login")),
        ("static file", await client.get("/static/app.css")),
        ("static script", await client.get("/static/countdown.js")),
        ("health", await client.get("/health")),
        ("API 401", await client.get("/api/v1/auth/me")),
    ]
    await client.api_login("secretary@metropolis.demo")
    signed_in = [
        ("API JSON", await client.get("/api/v1/meetings")),
        ("API 404", await client.get("/api/v1/meetings/no-such-meeting")),
        ("API 403 CSRF", await client.http.post("/api/v1/organisations/metropolis/bodies", json={})),
        ("API 413", await client.send("POST", "/api/v1/organisations/metropolis/members", content=b"x" * 11_000_000)),
        ("meeting page", await client.get(f"/meetings/{SLUG}/desk")),
    ]
    for where, response in anonymous + signed_in:
        assert response.status_code < 500, where
        _check_headers(response, where)
    # The OpenAPI viewer loads its assets from a CDN: no CSP there, the other headers still.
    _check_headers(await client.get("/schema/openapi.json"), "/schema", csp=False)
    # No inline script on any page: the policy needs no 'unsafe-inline'.
    page = (await client.get(f"/meetings/{SLUG}/desk")).text
    assert "<script>" not in page and " onclick=" not in page and "javascript:" not in page


async def test_hsts_only_over_https(demo):
    app = create_app()
    for scheme, expected in (("https", True), ("http", False)):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 50000)), base_url=f"{scheme}://testserver"
        ) as http:
            for url in ("/login", "/health", "/static/app.css", "/api/v1/auth/me"):
                response = await http.get(url)
                hsts = response.headers.get("strict-transport-security")
                if expected:
                    assert hsts == "max-age=31536000; includeSubDomains", (scheme, url)
                else:
                    assert hsts is None, (scheme, url)


def _leaks(lines: list[str], forbidden: dict[str, str]) -> list[str]:
    text = "\n".join(lines)
    assert lines, "the capture saw nothing: is logging wired?"
    settings = get_settings()
    forbidden = {
        "the demo password": DEMO_PASSWORD,
        "the secret key": settings.secret_key,
        "the CSRF key": settings.csrf_secret,
        **forbidden,
    }
    return sorted(what for what, secret in forbidden.items() if secret and secret in text)


def _session_secrets(client, label: str) -> dict[str, str]:
    return {
        f"{label}'s session token": client.http.cookies.get(sessions.COOKIE_NAME, ""),
        f"{label}'s CSRF token": client.csrf,
    }


async def test_no_secret_in_the_logs_at_sign_in_and_casting(demo, make_client):
    """Passwords (right and wrong), session and CSRF tokens, ballot tokens: never logged."""
    wrong_password = "wrong-password-Zq8!"
    forbidden: dict[str, str] = {"a wrong password": wrong_password}
    with all_logs() as logs:
        stranger = make_client()
        assert (await stranger.page_login("berlin@metropolis.demo", wrong_password)).status_code == 401
        assert (await stranger.api_login("berlin@metropolis.demo", wrong_password)).status_code == 401
        assert (await stranger.api_login("nobody@metropolis.demo", wrong_password)).status_code == 401
        _desk, _chair, _motion, poll = await _session(make_client, method="secret")
        for member in ("guangzhou", "seoul", "berlin"):
            tablet = await voter(make_client, member)
            typed = token()
            forbidden[f"{member}'s ballot token"] = typed
            cast = await tablet.send(
                "POST", f"{API}/polls/{poll['id']}/ballots", json={"member": member, "choice": "yes", "token": typed}
            )
            assert cast.status_code == 201
            forbidden |= _session_secrets(tablet, member)
    assert _leaks(logs, forbidden) == []


async def test_no_secret_in_the_logs_when_signing_the_minutes(demo, make_client):
    """Signing passphrases (set, wrong, right) never logged."""
    report = await simulate.play(simulate.DEFAULT_SEED, with_minutes=False)
    assert report.played, report.message
    passphrases = {"paris-idf@metropolis.demo": "paris-signs-2012", "secretary@metropolis.demo": "sec-signs-2012-x"}
    forbidden = {f"the passphrase of {who}": phrase for who, phrase in passphrases.items()}
    forbidden["a wrong passphrase"] = "not-the-passphrase"
    secretary, chair = make_client(), make_client()
    with all_logs() as logs:
        for client, email in ((secretary, "secretary@metropolis.demo"), (chair, "paris-idf@metropolis.demo")):
            assert (await client.page_login(email)).status_code == 303
            saved = await client.post_form(
                "/account/signing-key",
                {"passphrase": passphrases[email], "confirm": passphrases[email]},
                follow_redirects=False,
            )
            assert saved.status_code == 303, saved.text
            forbidden |= _session_secrets(client, email)
        assert (await secretary.post_form(f"{BASE}/draft", follow_redirects=False)).status_code == 303
        assert (await secretary.post_form(f"{BASE}/1/circulate", follow_redirects=False)).status_code == 303
        assert (await chair.post_form(f"{BASE}/1/approve", follow_redirects=False)).status_code == 303
        wrong = await chair.post_form(f"{BASE}/1/sign", {"office": "president", "passphrase": "not-the-passphrase"})
        assert wrong.status_code == 403
        for client, office, email in (
            (chair, "president", "paris-idf@metropolis.demo"),
            (secretary, "secretary_general", "secretary@metropolis.demo"),
        ):
            signed = await client.post_form(
                f"{BASE}/1/sign", {"office": office, "passphrase": passphrases[email]}, follow_redirects=False
            )
            assert signed.status_code == 303, signed.text
    assert _leaks(logs, forbidden) == []
