"""Against real servers (uvicorn subprocesses, real sockets): sign-in throttling shared by
several processes, and a secret poll watched over the live stream.

* PostgreSQL: two ``governance serve`` processes, the first with ``--workers 2``, on one
  database: failed sign-ins spread over them add up to one limit (the count is in the
  database), so an attacker gains nothing by hitting another worker or server.
  (SQLite serves from one process; tests/test_accounts.py proves the same with two app
  objects in one process.)
* Both engines: every server-sent event a tablet, the projector and the console receive
  while a secret poll runs is read: none carries a tally by choice or anything that names
  a choice next to a member; and the server's own log (uvicorn's, as deployed) holds no
  password and no ballot token.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.database import DEMO_PASSWORD, ENGINE
from tests.support.live_server import Stream, demo_site, running_server
from tests.support.live_server import signed_in as _client

SLUG = "metropolis-bod-2012"
API = f"/api/v1/meetings/{SLUG}"
PRESENT = [
    "paris-idf", "guangzhou", "barcelona", "berlin", "brussels", "seoul", "montreal", "mexico-city",
    "moscow", "milan", "lyon", "istanbul", "abidjan", "johannesburg", "rabat",
]  # fmt: skip


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[tuple[list[str], list[Path]]]:
    tmp = tmp_path_factory.mktemp("security-live")
    with demo_site(tmp, "security") as env:
        yield from _serve(env, tmp)


def _serve(env: dict[str, str], tmp: Path) -> Iterator[tuple[list[str], list[Path]]]:
    logs = [tmp / "server-1.log", tmp / "server-2.log"]
    if ENGINE == "postgres":
        second_env = {**env, "GOVERNANCE_VAR_DIR": str(tmp / "var-2")}
        with running_server(env, logs[0], workers=2) as first, running_server(second_env, logs[1]) as second:
            yield [first, second], logs
    else:
        with running_server(env, logs[0]) as first:
            yield [first], logs[:1]


@pytest.mark.postgres_only  # several server processes share a database only on PostgreSQL
def test_failed_sign_ins_add_up_across_processes_and_workers(servers):
    (first, second), _logs = servers
    email = "tehran@metropolis.demo"  # not used by the other test of this module
    statuses = []
    # Five failures (the account limit), each on a new connection, spread over three workers.
    for base in (first, second, first, second, first):
        with httpx.Client(base_url=base, timeout=10) as fresh:
            failed = fresh.post("/api/v1/auth/login", json={"email": email, "password": "guess-1234"})
            statuses.append(failed.status_code)
    assert statuses == [401] * 5
    for base in (first, second, first):
        with httpx.Client(base_url=base, timeout=10) as fresh:
            blocked = fresh.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
            assert blocked.status_code == 429, (base, blocked.text)
            assert int(blocked.headers["retry-after"]) > 0
    # Another account is not affected.
    with httpx.Client(base_url=second, timeout=10) as fresh:
        ok = fresh.post("/api/v1/auth/login", json={"email": "seoul@metropolis.demo", "password": DEMO_PASSWORD})
        assert ok.status_code == 200


def test_the_live_stream_of_a_secret_poll_reveals_no_choice(servers):
    bases, logs = servers
    base = bases[0]
    desk = _client(base, "secretary@metropolis.demo")
    chair = _client(base, "paris-idf@metropolis.demo")
    streams = [
        Stream(_client(base, "observer@metropolis.demo"), f"/meetings/{SLUG}/live?view=projector"),
        Stream(chair, f"/meetings/{SLUG}/live?view=console"),
        Stream(_client(base, "montreal@metropolis.demo"), f"/meetings/{SLUG}/live?view=tablet"),
    ]
    for member in PRESENT:
        assert desk.post(f"{API}/arrivals", json={"member": member}).status_code == 201
    assert chair.post(f"{API}/status", json={"status": "open"}).status_code == 200
    items = chair.get(f"{API}/agenda").json()
    assert chair.post(f"{API}/agenda/items/{items[0]['id']}/open").status_code == 200
    motion = desk.post(f"{API}/motions", json={"item": items[0]["id"], "mover": "seoul", "text_fr": "Adopter."})
    assert motion.status_code == 201, motion.text
    motion_id = motion.json()["id"]
    assert _client(base, "berlin@metropolis.demo").post(f"{API}/motions/{motion_id}/second").status_code == 200
    for status in ("debate", "voting"):
        assert chair.post(f"{API}/motions/{motion_id}/status", json={"status": status}).status_code == 200
    poll = chair.post(f"{API}/polls", json={"motion": motion_id, "method": "secret"})
    assert poll.status_code == 201, poll.text
    poll_id = poll.json()["id"]
    tokens = []
    for index, member in enumerate(PRESENT):
        typed = secrets.token_urlsafe(24)
        tokens.append(typed)
        choice = "yes" if index % 2 == 0 else "no"
        cast = _client(base, f"{member}@metropolis.demo").post(
            f"{API}/polls/{poll_id}/ballots", json={"member": member, "choice": choice, "token": typed}
        )
        assert cast.status_code == 201, cast.text
    # Every stream saw the count reach 15 of 15; nothing else about the ballots.
    seen: list[str] = []
    for stream in streams:
        seen.append(stream.next("poll", "15 of 15"))
        while not stream.events.empty():
            seen.append(stream.events.get_nowait()[1])
    while_open = "\n".join(seen)
    assert not re.search(r"\b(Yes|No|Abstain) \d+", while_open), "a tally by choice while the poll runs"
    assert not any(member in while_open and "voted" in while_open and "YES" in while_open for member in PRESENT)
    assert not any(t in while_open for t in tokens)
    closed = chair.post(f"{API}/polls/{poll_id}/close")
    assert closed.status_code == 200 and (closed.json()["yes"], closed.json()["no"]) == (8, 7)
    time.sleep(0.5)  # let the server flush its log lines (bounded, not a timing assertion)
    server_log = "\n".join(path.read_text(errors="replace") for path in logs)
    assert server_log, "the server wrote nothing"
    assert DEMO_PASSWORD not in server_log and not any(t in server_log for t in tokens)
