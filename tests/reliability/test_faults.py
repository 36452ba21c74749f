"""Faults against live server processes: kill -9 mid-burst, a PostgreSQL restart, SSE reconnects.

Each test runs ``governance serve`` as a real process group on a database of its own and
talks to it over sockets. The figures each test prints (run with ``-s``) are the ones in
RELIABILITY.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.database import ENGINE

from .live import (
    SLUG,
    Connection,
    EventStream,
    Server,
    Site,
    call,
    count_rows,
    drop_site,
    new_site,
    tablets,
    verify_bundle,
    web_client,
)
from .pgcluster import PrivateCluster

VOTERS = 200  # bounded so that the kill test takes well under 40 s on two shared cores
WORKERS = 2 if ENGINE == "postgres" else 1  # SQLite serves from one process
POLLS = f"/api/v1/meetings/{SLUG}/polls"


def ballot(i: int) -> dict[str, str]:
    # The token is the tablet's: a retry sends the very same body.
    return {"member": f"city{i}", "choice": "yes" if i % 3 else "no", "token": secrets.token_urlsafe(24)}


async def open_poll(chair: Connection, method: str = "secret") -> int:
    status, body = await call(chair, "POST", f"{POLLS}/", {"motion": 1, "method": method})
    assert status == 201, (status, body)
    return int(body["id"])


async def cast_until_acknowledged(
    connection: Connection, path: str, body: dict[str, str], within: float = 30
) -> tuple[str, int]:
    """A tablet's retry loop: the same body until a 2xx; its receipt and the attempts it took."""
    deadline = time.monotonic() + within
    attempts = 0
    last: Any = None
    while time.monotonic() < deadline:
        attempts += 1
        try:
            status, answer = await call(connection, "POST", path, body)
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            last = exc
            await connection.close()
        else:
            if 200 <= status < 300:
                return answer["receipt"], attempts
            last = (status, answer)
        await asyncio.sleep(0.2)
    raise AssertionError(f"no acknowledgement for {body['member']} within {within}s: {last}")


async def closed_poll_ballots(chair: Connection, poll: int) -> tuple[dict[str, Any], list[str]]:
    status, closed = await call(chair, "POST", f"{POLLS}/{poll}/close")
    assert status == 200, (status, closed)
    status, published = await call(chair, "GET", f"{POLLS}/{poll}/ballots")
    assert status == 200, (status, published)
    return closed, [b["id"] for b in published]


@pytest.fixture
async def site(tmp_path: Path) -> Any:
    made = await new_site(tmp_path, "faults")
    yield made
    await drop_site(made)


async def test_kill_9_mid_burst_loses_nothing_and_counts_nothing_twice(site: Site, tmp_path: Path) -> None:
    """SIGKILL the server while 200 tablets cast; restart; every tablet retries until answered."""
    started = time.monotonic()
    site.build_vote_burst(VOTERS)
    server = Server(site, workers=WORKERS)
    server.start()
    connections: list[Connection] = []
    try:
        connections = await tablets(server.port, VOTERS)
        chair = connections[0]  # city0 presides (bench/vote_burst.py)
        poll = await open_poll(chair)
        path = f"{POLLS}/{poll}/ballots"
        bodies = [ballot(i) for i in range(VOTERS)]
        acknowledged: dict[int, str] = {}
        kill_at = VOTERS // 3  # a third answered: the rest are in flight or not yet sent
        killed = asyncio.Event()

        async def cast(i: int) -> None:
            try:
                status, answer = await call(connections[i], "POST", path, bodies[i])
            except (OSError, asyncio.IncompleteReadError, TimeoutError):
                return  # no answer: the tablet will retry
            if 200 <= status < 300 and not killed.is_set():
                acknowledged[i] = answer["receipt"]
                if len(acknowledged) >= kill_at:
                    killed.set()
                    server.kill()  # synchronous: nothing else runs on this loop meanwhile

        await asyncio.wait_for(asyncio.gather(*[cast(i) for i in range(VOTERS)]), timeout=60)
        assert killed.is_set(), f"the burst finished before the kill ({len(acknowledged)} acknowledged)"
        # Answers that were on their way when the process died are not counted as
        # acknowledged: the tablet never saw them, so it retries like the others.
        unanswered = [i for i in range(VOTERS) if i not in acknowledged]
        # What the dead server left on disk: at least every acknowledged ballot (some more,
        # committed but not answered in time). SQLite recovers its WAL on this first open.
        on_disk = await count_rows(site, "participation")
        assert on_disk >= len(acknowledged), (on_disk, len(acknowledged))

        receipts: dict[int, str] = dict(acknowledged)
        attempts: list[int] = []

        async def retry(i: int) -> None:
            receipts[i], tries = await cast_until_acknowledged(connections[i], path, bodies[i], within=60)
            attempts.append(tries)

        # The tablets retry at once, against a server that is not there yet, while it is
        # restarted on the same database, port and var/ (secret key; sessions are rows).
        retries = asyncio.gather(*[retry(i) for i in unanswered])
        await asyncio.to_thread(server.start)
        await asyncio.wait_for(retries, timeout=90)
        # Tablets that had their answer retry too (a double tap, a lost screen): same receipt.
        for i in list(acknowledged)[:20]:
            again, _tries = await cast_until_acknowledged(connections[i], path, bodies[i])
            assert again == acknowledged[i], f"city{i} got a second receipt"

        closed, published = await closed_poll_ballots(chair, poll)
        assert closed["voted"] == VOTERS, closed
        assert closed["yes"] + closed["no"] + closed["abstain"] == VOTERS, closed
        assert len(published) == len(set(published)) == VOTERS, "a ballot is missing or counted twice"
        assert set(receipts.values()) == set(published), "a receipt does not match a counted ballot"
        assert all(acknowledged[i] in published for i in acknowledged), "an acknowledged ballot is missing"
        report = verify_bundle(site, SLUG, tmp_path / "bundle")
        print(
            f"\nFIGURES kill-9 ({ENGINE}, {WORKERS} worker(s)): voters {VOTERS}, acknowledged before the kill "
            f"{len(acknowledged)}, on disk after the kill {on_disk}, retried {len(unanswered)} "
            f"(attempts per tablet up to {max(attempts)}, {sum(attempts)} in all), "
            f"ballots counted {len(published)}, duplicates {len(published) - len(set(published))}, "
            f"verifier {report.strip().splitlines()[-1]!r}, {time.monotonic() - started:.1f}s"
        )
    finally:
        for connection in connections:
            await connection.close()
        server.stop()


async def test_a_reconnecting_stream_gets_the_current_state(site: Site) -> None:
    """Drop an SSE stream, change the meeting meanwhile, reconnect: the first snapshot is current."""
    voters = 12
    site.build_vote_burst(voters)
    server = Server(site, workers=WORKERS)
    server.start()
    connections: list[Connection] = []
    viewer: httpx.AsyncClient | None = None
    try:
        connections = await tablets(server.port, voters)
        poll = await open_poll(connections[0])
        path = f"{POLLS}/{poll}/ballots"
        viewer = await web_client(server.base, f"city{voters - 1}@bench.demo")
        stream = await EventStream(viewer, f"/meetings/{SLUG}/live?view=tablet").open()
        assert stream.status == 200
        await stream.next("poll", f"0 of {voters}")
        await stream.close()  # the tablet drops off the network

        for i in range(5):  # meanwhile five cities vote
            status, answer = await call(connections[i], "POST", path, ballot(i))
            assert status == 201, (status, answer)

        again = await EventStream(viewer, f"/meetings/{SLUG}/live?view=tablet").open()
        assert again.status == 200
        # The first poll snapshot after reconnecting already shows all five.
        first = await again.next("poll")
        assert f"5 of {voters}" in first, first
        await again.close()
    finally:
        if viewer is not None:
            await viewer.aclose()
        for connection in connections:
            await connection.close()
        server.stop()


async def test_postgres_restart_mid_meeting(tmp_path: Path) -> None:
    """Restart PostgreSQL under a running two-worker server: /health reports the outage, the app
    reconnects by itself, tablets' retries succeed exactly once, live updates resume."""
    started = time.monotonic()
    voters = 30
    with PrivateCluster() as cluster:
        site = Site(tmp_path / "site", await cluster.create_database("governance_restart"))
        site.build_vote_burst(voters)
        server = Server(site, workers=2)
        server.start()
        connections: list[Connection] = []
        viewer: httpx.AsyncClient | None = None
        stream: EventStream | None = None
        try:
            connections = await tablets(server.port, voters)
            poll = await open_poll(connections[0])
            path = f"{POLLS}/{poll}/ballots"
            bodies = [ballot(i) for i in range(voters)]
            receipts: dict[int, str] = {}
            for i in range(10):  # a third vote before the outage
                receipts[i], _ = await cast_until_acknowledged(connections[i], path, bodies[i])
            viewer = await web_client(server.base, f"city{voters - 1}@bench.demo")
            stream = await EventStream(viewer, f"/meetings/{SLUG}/live?view=tablet").open()
            await stream.next("poll", f"10 of {voters}")

            cluster.stop()
            outage = time.monotonic()
            probe = httpx.AsyncClient(base_url=server.base, timeout=10)
            health = await probe.get("/health")
            assert health.status_code == 503, health.text
            assert "database unreachable" in health.text
            # Tablets vote during the outage: refused (no answer that claims success).
            refused = 0
            for i in range(10, 20):
                with contextlib.suppress(OSError, asyncio.IncompleteReadError, TimeoutError):
                    status, answer = await call(connections[i], "POST", path, bodies[i])
                    assert not 200 <= status < 300, (status, answer)
                    refused += 1
            cluster.start()

            # The app reconnects by itself: /health turns green without a restart.
            deadline = time.monotonic() + 30
            while (await probe.get("/health")).status_code != 200:
                assert time.monotonic() < deadline, "the app did not reconnect within 30 s"
                await asyncio.sleep(0.2)
            recovered = time.monotonic() - outage
            await probe.aclose()

            # Every tablet retries (those that were refused and those that had not voted);
            # the first ten retry too and get their first receipt back.
            for i in range(voters):
                receipt, _ = await cast_until_acknowledged(connections[i], path, bodies[i])
                assert receipts.setdefault(i, receipt) == receipt, f"city{i} got a second receipt"
            # The stream opened before the outage follows again, well before its periodic
            # refresh (live.REFRESH, 15 s) could hide a dead LISTEN connection.
            await stream.next("poll", f"{voters} of {voters}", within=8)

            # A stream opened after the restart subscribes (LISTEN) and follows as well.
            fresh = await EventStream(viewer, f"/meetings/{SLUG}/live?view=tablet").open()
            assert fresh.status == 200
            await fresh.next("poll", f"{voters} of {voters}")
            status, _ = await call(connections[0], "POST", f"{POLLS}/{poll}/close")
            assert status == 200
            await fresh.next("poll", within=8)  # only changed parts are sent: this is the close
            await fresh.close()

            status, published = await call(connections[0], "GET", f"{POLLS}/{poll}/ballots")
            assert status == 200
            published = [b["id"] for b in published]
            status, closed = await call(connections[0], "GET", f"{POLLS}/{poll}")
            assert closed["voted"] == voters and len(published) == len(set(published)) == voters
            assert set(published) == set(receipts.values())
            report = verify_bundle(site, SLUG, tmp_path / "bundle")
            print(
                f"\nFIGURES pg-restart: voters {voters}, 2 workers, acknowledged before the outage 10, "
                f"refused during it {refused}, health 503 during the outage, back to 200 after "
                f"{recovered:.1f}s, ballots counted {len(published)}, duplicates 0, stream resumed, "
                f"verifier {report.strip().splitlines()[-1]!r}, {time.monotonic() - started:.1f}s"
            )
        finally:
            if stream is not None:
                await stream.close()
            if viewer is not None:
                await viewer.aclose()
            for connection in connections:
                await connection.close()
            server.stop()
