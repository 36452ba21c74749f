"""The live quorum panel, end to end: a real uvicorn server, real HTTP, a real SSE stream.

On PostgreSQL the server runs two workers, so a change handled by one worker must reach
a stream held by the other (LISTEN/NOTIFY).
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.database import DEMO_PASSWORD, ENGINE, PG_ADMIN_DSN, PG_TEST_DB, recreate_pg_database
from tests.support.live_server import Stream, running_server
from tests.support.live_server import signed_in as _client

SLUG = "metropolis-bod-2012"


# The first server's environment, for a second process on the same database.
SERVER_ENV: dict[str, str] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("live")
    env = {**os.environ, "GOVERNANCE_VAR_DIR": str(tmp / "var"), "GOVERNANCE_ARGON2_PROFILE": "fast"}
    workers = 1
    if ENGINE == "postgres":
        name = f"{PG_TEST_DB}_live"
        asyncio.run(recreate_pg_database(name))
        env["DATABASE_URL"] = PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
        workers = 2
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'live.sqlite3'}"
    SERVER_ENV.clear()
    SERVER_ENV.update(env)
    cli = [sys.executable, "-m", "governance.cli"]
    subprocess.run([*cli, "demo", "--password", DEMO_PASSWORD], env=env, check=True, capture_output=True, timeout=120)
    try:
        with running_server(env, tmp / "server.log", workers) as base:
            yield base
    finally:
        if ENGINE == "postgres":
            asyncio.run(recreate_pg_database(f"{PG_TEST_DB}_live", create=False))


def test_the_live_panel_follows_the_desk(server):
    desk = _client(server, "secretary@metropolis.demo")
    tablet = _client(server, "guangzhou@metropolis.demo")
    stream = Stream(tablet, f"/meetings/{SLUG}/live")
    assert stream.status == 200
    # The current snapshot arrives at once on connect, banner included.
    first = stream.next("quorum", "0 / 14")
    assert "No quorum" in first
    stream.next("mine", "You represent Guangzhou.")

    started = time.monotonic()
    assert desk.post(f"/api/v1/meetings/{SLUG}/arrivals", json={"member": "paris-idf"}).status_code == 201
    stream.next("quorum", "1 / 14")
    latency = time.monotonic() - started
    assert latency < 10

    # A proxy for Guangzhou's representative shows on its tablet once accepted.
    assert desk.post(f"/api/v1/meetings/{SLUG}/arrivals", json={"member": "guangzhou"}).status_code == 201
    stream.next("quorum", "2 / 14")
    proxy = desk.post(f"/api/v1/meetings/{SLUG}/proxies", json={"grantor": "brussels", "holder": "guangzhou"})
    assert proxy.status_code == 201, proxy.text
    # Recorded at the desk, it needs Brussels' signed form (or Brussels' own confirmation).
    form = {"file": ("brussels.pdf", b"%PDF-1.4 signed proxy form\n%%EOF\n", "application/pdf")}
    assert desk.post(f"/api/v1/meetings/{SLUG}/proxies/{proxy.json()['id']}/form", files=form).status_code == 201
    accepted = tablet.post(f"/api/v1/meetings/{SLUG}/proxies/{proxy.json()['id']}/accept")
    assert accepted.status_code == 200
    # One snapshot per change: the quorum panel, then "what I hold".
    stream.next("quorum", "3 / 14")
    stream.next("mine", "You also hold the proxy of Brussels-Capital Region.")

    # Several changes in a row all reach the stream (whichever worker handled them).
    for count, member in enumerate(["berlin", "seoul", "montreal"], start=4):
        assert desk.post(f"/api/v1/meetings/{SLUG}/arrivals", json={"member": member}).status_code == 201
        stream.next("quorum", f"{count} / 14")


def test_the_stream_is_guarded(server):
    anonymous = httpx.Client(base_url=server, timeout=10)
    response = anonymous.get(f"/meetings/{SLUG}/live", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    outsider = _client(server, "secretary@fmdv.demo")
    assert outsider.get(f"/meetings/{SLUG}/live").status_code == 403


def test_console_projector_and_tablet_follow_the_chair(server):
    chair = _client(server, "paris-idf@metropolis.demo")
    tablet = _client(server, "seoul@metropolis.demo")
    console = Stream(chair, f"/meetings/{SLUG}/live?view=console")
    projector = Stream(_client(server, "observer@metropolis.demo"), f"/meetings/{SLUG}/live?view=projector")
    screen = Stream(tablet, f"/meetings/{SLUG}/live?view=tablet")
    for stream in (console, projector, screen):
        stream.next("agenda", "No item is under discussion.")
    items = chair.get(f"/api/v1/meetings/{SLUG}/agenda").json()
    assert chair.post(f"/api/v1/meetings/{SLUG}/status", json={"status": "open"}).status_code == 200
    assert chair.post(f"/api/v1/meetings/{SLUG}/agenda/items/{items[0]['id']}/open").status_code == 200
    for stream in (console, projector, screen):
        stream.next("agenda", "1. Adoption of the agenda")
    motion = tablet.post(
        f"/api/v1/meetings/{SLUG}/motions",
        json={"item": items[0]["id"], "text_fr": "Le Conseil adopte l'ordre du jour."},
    )
    assert motion.status_code == 201, motion.text
    # The text is in French (authoritative); the English tablet marks it as such.
    screen.next("agenda", "Authoritative text (fr)")
    projector.next("agenda", "Le Conseil adopte l")
    console.next("agenda", "Take up")


if ENGINE == "postgres":
    # Two server processes share one PostgreSQL database only there (SQLite serves from one process).

    @pytest.fixture(scope="module")
    def second_server(server, tmp_path_factory) -> Iterator[str]:
        """Another `governance serve` process on the same PostgreSQL database as `server`."""
        tmp = tmp_path_factory.mktemp("live-second")
        # Same database and secret key as the first process; its own var/ and port.
        secret = (Path(SERVER_ENV["GOVERNANCE_VAR_DIR"]) / "secret_key").read_text().strip()
        env = {**SERVER_ENV, "GOVERNANCE_VAR_DIR": str(tmp / "var"), "GOVERNANCE_SECRET_KEY": secret}
        with running_server(env, tmp / "server.log") as base:
            yield base

    def test_a_vote_on_one_server_shows_on_a_tablet_of_the_other(server, second_server):
        """A tablet streams from one process; the chair and voters act through another."""
        tablet = _client(server, "montreal@metropolis.demo")
        stream = Stream(tablet, f"/meetings/{SLUG}/live?view=tablet")
        chair = _client(second_server, "paris-idf@metropolis.demo")
        desk = _client(second_server, "secretary@metropolis.demo")
        present = [
            "guangzhou",
            "barcelona",
            "brussels",
            "mexico-city",
            "montreal",
            "moscow",
            "milan",
            "lyon",
            "istanbul",
            "abidjan",
            "johannesburg",
            "rabat",
            "tehran",
            "bogota",
        ]
        for member in present:
            desk.post(f"/api/v1/meetings/{SLUG}/arrivals", json={"member": member})
        items = chair.get(f"/api/v1/meetings/{SLUG}/agenda").json()
        current = next((i for i in items if i["status"] == "open"), items[0])
        motion = desk.post(
            f"/api/v1/meetings/{SLUG}/motions",
            json={"item": current["id"], "mover": "lyon", "text_fr": "Motion de test."},
        ).json()
        _client(second_server, "milan@metropolis.demo").post(f"/api/v1/meetings/{SLUG}/motions/{motion['id']}/second")
        for status in ("debate", "voting"):
            response = chair.post(f"/api/v1/meetings/{SLUG}/motions/{motion['id']}/status", json={"status": status})
            assert response.status_code == 200, response.text
        poll = chair.post(f"/api/v1/meetings/{SLUG}/polls", json={"motion": motion["id"], "method": "secret"})
        assert poll.status_code == 201, poll.text
        stream.next("poll", "Vote for Montréal")
        voter = _client(second_server, "guangzhou@metropolis.demo")
        cast = voter.post(
            f"/api/v1/meetings/{SLUG}/polls/{poll.json()['id']}/ballots",
            json={"member": "guangzhou", "choice": "yes", "token": "t" * 24},
        )
        assert cast.status_code == 201, cast.text
        stream.next("poll", "1 of ")


def test_a_revoked_session_stops_receiving_the_meeting_within_one_update(server):
    """Revoked from another device (the person's own "my sessions"), the tablet's open stream
    ends at its next update with an "ended" event, and cannot be reopened."""
    tablet = _client(server, "montreal@metropolis.demo")
    stream = Stream(tablet, f"/meetings/{SLUG}/live")
    stream.next("mine", "You represent Montréal.")
    phone = _client(server, "montreal@metropolis.demo")
    mine = phone.get("/api/v1/auth/sessions").json()
    handle = next(s["handle"] for s in mine if not s["current"])
    assert phone.delete(f"/api/v1/auth/sessions/{handle}").status_code == 204
    # One update: at once in this process; on PostgreSQL the stream may sit on the other
    # worker, whose next update is the next change of the meeting (or its periodic refresh).
    desk = _client(server, "secretary@metropolis.demo")
    assert desk.post(f"/api/v1/meetings/{SLUG}/arrivals", json={"member": "kolkata"}).status_code == 201
    ended = stream.next("ended", "Your session has ended")
    assert "reload the page" in ended
    stream.thread.join(timeout=10)
    assert not stream.thread.is_alive()  # the server closed the stream
    assert tablet.get(f"/meetings/{SLUG}/live", follow_redirects=False).status_code == 303


def test_a_display_link_streams_without_login_and_ends_when_revoked(server):
    """The room's screen follows the meeting with its link alone; revoked, its stream ends."""
    desk = _client(server, "secretary@metropolis.demo")
    created = desk.post(f"/api/v1/meetings/{SLUG}/display-links", json={"label": "live test"})
    assert created.status_code == 201, created.text
    path = "/display/" + created.json()["url"].rsplit("/display/", 1)[1]
    screen = httpx.Client(base_url=server, timeout=10)  # nobody signed in
    stream = Stream(screen, f"{path}/live")
    assert stream.status == 200
    first = stream.next("display", "Quorum")
    quorum = re.search(r"<strong>(\d+) / (\d+)</strong>", first)
    assert quorum is not None
    assert desk.post(f"/api/v1/meetings/{SLUG}/arrivals", json={"member": "toronto"}).status_code == 201
    stream.next("display", f"<strong>{int(quorum.group(1)) + 1} / {quorum.group(2)}</strong>")
    revoked = desk.post(f"/api/v1/meetings/{SLUG}/display-links/{created.json()['id']}/revoke")
    assert revoked.status_code == 200
    stream.next("ended", "This display link was revoked")
    stream.thread.join(timeout=10)
    assert not stream.thread.is_alive()  # the server closed the stream
    assert screen.get(f"{path}/live").status_code == 404
