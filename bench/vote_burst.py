"""Vote burst: N voters cast at once against a running `governance serve`.

    python bench/vote_burst.py [--voters 1000] [--database-url URL] [--workers N] [--method secret] [--polls 3]

It builds a synthetic meeting of N member cities in its own database (SQLite file by
default; PostgreSQL when --database-url says so), starts the server itself, signs every
representative in, opens a roll-call (or secret) poll on a motion, has all N cast at once,
closes the poll (``--polls``: that many bursts in a row, one poll each, the best reported),
and checks the tally equals N exactly (none lost, none duplicated). In the same run it measures
the server's bare /health throughput so that the figures are ratios too.
Setup writes attendance rows in bulk (a shortcut: the app records a quorum check per
arrival, which is not what this measures); everything measured goes through HTTP.
Passwords use argon2's cheap test profile: login cost is the login-rush benchmark's job.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PASSWORD = "vote-burst-2012"
SLUG = "vote-burst"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def build(voters: int, motions: int = 1) -> None:
    """The synthetic meeting, through the services where it is cheap, rows where it is not.

    ``motions`` main motions on the open item, all put to the vote (ids 1, 2, ... in a
    fresh database): one poll each, e.g. a roll call and then a secret ballot."""
    from governance import db
    from governance.accounts.passwords import hash_password
    from governance.accounts.tables import Person
    from governance.agenda.tables import AgendaItem, Motion, MotionText
    from governance.demo import data
    from governance.meetings.tables import Meeting, Presence
    from governance.organisations import services as orgs
    from governance.organisations.schemas import BodyIn, MajorityRuleIn, OrganisationIn, RuleSetIn
    from governance.organisations.tables import Mandate, Member, MemberFee, Seat

    await db.start()
    await db.migrate()
    org = await orgs.create_organisation(
        OrganisationIn(slug="bench", short_name="Bench", name_en="Benchmark association")
    )
    body = await orgs.create_body(
        org, BodyIn(slug="ga", kind="general_assembly", name_en="General Assembly", decision_prefix="GA")
    )
    rules = await orgs.create_rule_set(body, RuleSetIn(**{**data.METROPOLIS_BOARD_RULES, "proxy_max_per_holder": 1}))
    await orgs.set_majority(
        rules,
        MajorityRuleIn(
            decision_type="ordinary",
            threshold_numerator=1,
            threshold_denominator=2,
            strict=True,
            base="cast_excluding_abstentions",
            article="(bench)",
        ),
    )
    password_hash = await hash_password(PASSWORD)
    now = dt.datetime.now(dt.UTC)
    async with db.writing():
        people = await Person.insert(
            *[
                Person(email=f"city{i}@bench.demo", full_name=f"City {i}", password_hash=password_hash)
                for i in range(voters)
            ]
        ).returning(Person.id)
        members = await Member.insert(
            *[
                Member(organisation=org["id"], slug=f"city{i}", name=f"City {i}", region="europe", category="active")
                for i in range(voters)
            ]
        ).returning(Member.id)
        await MemberFee.insert(*[MemberFee(member=m["id"], year=now.year, paid=True) for m in members])
        await Seat.insert(*[Seat(organisation=org["id"], body=body["id"], member=m["id"]) for m in members])
        await Mandate.insert(
            *[
                Mandate(
                    person=p["id"],
                    body=body["id"],
                    member=m["id"],
                    role="principal",
                    office="president" if i == 0 else "member",
                )
                for i, (p, m) in enumerate(zip(people, members, strict=True))
            ]
        )
        meeting = (
            await Meeting.insert(
                Meeting(
                    body=body["id"],
                    slug=SLUG,
                    title_en="Vote burst",
                    time_zone="UTC",
                    starts_at=now,
                    status="open",
                    rule_set=rules["id"],
                    convened_at=now - dt.timedelta(days=60),
                    agenda_adopted_at=now,
                )
            ).returning(Meeting.id)
        )[0]["id"]
        await Presence.insert(
            *[
                Presence(
                    meeting=meeting, member=m["id"], person=p["id"], role="principal", mode="present", arrived_at=now
                )
                for p, m in zip(people, members, strict=True)
            ]
        )
        item = (
            await AgendaItem.insert(
                AgendaItem(
                    meeting=meeting,
                    position=1,
                    number="1",
                    title_en="Budget",
                    kind="decision",
                    decision_type="ordinary",
                    status="open",
                    opened_at=now,
                )
            ).returning(AgendaItem.id)
        )[0]["id"]
        for number in range(motions):
            motion = (
                await Motion.insert(
                    Motion(
                        meeting=meeting,
                        item=item,
                        kind="main",
                        decision_type="ordinary",
                        authoritative_language="en",
                        status="voting",
                        created_at=now,
                        status_changed_at=now,
                    )
                ).returning(Motion.id)
            )[0]["id"]
            text = "The budget is approved." if number == 0 else f"Resolution {number + 1} is approved."
            await MotionText.insert(MotionText(motion=motion, version=1, language="en", text=text))
    await db.stop()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Connection:
    """One keep-alive HTTP/1.1 connection, as a tablet holds one; cookies kept.

    Hand-written on asyncio streams because the client shares the two cores with the
    server: httpx's pool costs far more CPU per request at a thousand connections than
    the server it measures (it capped the first measurement's /health at ~150 req/s).
    Enough HTTP for this server: Content-Length or chunked bodies, no redirects.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()

    async def request(self, method: str, path: str, payload: object = None) -> tuple[int, bytes]:
        # uvicorn closes a keep-alive connection idle for 5 s, as a tablet's browser
        # finds after a pause: then it connects again (and retries once, same body).
        if self.reader is None or self.reader.at_eof():
            await self.close()
            await self.open()
        try:
            return await self._exchange(method, path, payload)
        except (asyncio.IncompleteReadError, ConnectionError):
            await self.close()
            await self.open()
            return await self._exchange(method, path, payload)

    async def _exchange(self, method: str, path: str, payload: object) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        body = json.dumps(payload).encode() if payload is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        if payload is not None:
            lines.append("Content-Type: application/json")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines.extend(f"{k}: {v}" for k, v in self.headers.items())
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        length, chunked = 0, False
        for line in head[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "set-cookie":
                cookie, _, _ = value.partition(";")
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()
        if not chunked:
            return status, await self.reader.readexactly(length)
        parts = []
        while True:
            size = int((await self.reader.readline()).strip().split(b";")[0], 16)
            if size == 0:
                await self.reader.readline()
                return status, b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()


async def run(
    host: str, port: int, voters: int, concurrency: int, method: str = "roll_call", polls: int = 1
) -> dict[str, float]:
    results: dict[str, float] = {}
    # Baseline: the same server's bare /health throughput, on `concurrency` connections.
    count = 2000
    pool = [Connection(host, port) for _ in range(min(concurrency, count))]
    await asyncio.gather(*[c.open() for c in pool])

    async def health(connection: Connection, n: int) -> None:
        for _ in range(n):
            status, _body = await connection.request("GET", "/health")
            assert status == 200, status

    share = [count // len(pool) + (1 if i < count % len(pool) else 0) for i in range(len(pool))]
    start = time.perf_counter()
    await asyncio.gather(*[health(c, n) for c, n in zip(pool, share, strict=True)])
    results["health_rps"] = count / (time.perf_counter() - start)
    await asyncio.gather(*[c.close() for c in pool])

    # Every tablet signs in first (one connection each, kept open), then all cast at once.
    tablets = [Connection(host, port) for _ in range(voters)]
    try:
        gate = asyncio.Semaphore(min(concurrency, 100))

        async def login(i: int) -> None:
            async with gate:
                status, body = await tablets[i].request(
                    "POST", "/api/v1/auth/login", {"email": f"city{i}@bench.demo", "password": PASSWORD}
                )
                assert status == 200, (status, body[:200])
                tablets[i].headers["x-csrftoken"] = json.loads(body)["csrf_token"]

        await asyncio.gather(*[login(i) for i in range(voters)])
        bursts: list[float] = []
        for motion in range(1, polls + 1):  # one poll per motion, one burst each: the best is reported
            opening = {"motion": motion, "method": method}
            status, body = await tablets[0].request("POST", f"/api/v1/meetings/{SLUG}/polls", opening)
            assert status == 201, (status, body[:300])
            poll = json.loads(body)["id"]
            ballots = [
                {"member": f"city{i}", "choice": "yes" if i % 3 else "no", "token": secrets.token_urlsafe(24)}
                for i in range(voters)
            ]
            path = f"/api/v1/meetings/{SLUG}/polls/{poll}/ballots"
            latencies: list[float] = []

            async def cast(
                i: int, path: str = path, ballots: list[dict[str, str]] = ballots, latencies: list[float] = latencies
            ) -> int:
                started = time.perf_counter()
                status, _body = await tablets[i].request("POST", path, ballots[i])
                latencies.append(time.perf_counter() - started)
                return status

            start = time.perf_counter()
            statuses = await asyncio.gather(*[cast(i) for i in range(voters)])
            elapsed = time.perf_counter() - start
            bursts.append(elapsed)
            status, body = await tablets[0].request("POST", f"/api/v1/meetings/{SLUG}/polls/{poll}/close")
            closed = json.loads(body)
            tally = closed["yes"] + closed["no"] + closed["abstain"]
            assert statuses.count(201) == voters == tally, (statuses.count(201), tally)
        elapsed = min(bursts)
        results.update(
            bursts_s=bursts,  # type: ignore[dict-item]
            cast_total_s=elapsed,
            cast_rps=voters / elapsed,
            cast_p50_ms=percentile(latencies, 50) * 1000,
            cast_p95_ms=percentile(latencies, 95) * 1000,
            cast_p99_ms=percentile(latencies, 99) * 1000,
            accepted=statuses.count(201),
            tally=tally,
        )
        results["cast_to_health_ratio"] = results["cast_rps"] / results["health_rps"]
    finally:
        await asyncio.gather(*[c.close() for c in tablets])
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=1000, help="simultaneous connections for the burst")
    parser.add_argument("--method", choices=("roll_call", "secret"), default="roll_call")
    parser.add_argument("--polls", type=int, default=1, help="bursts in a row, one poll each (the best is reported)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="vote-burst-"))
    env = {**os.environ, "GOVERNANCE_VAR_DIR": str(workdir / "var"), "GOVERNANCE_ARGON2_PROFILE": "fast"}
    env["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    builder = subprocess.run(
        [sys.executable, "-c", f"import asyncio, bench.vote_burst as b; asyncio.run(b.build({args.voters}, {args.polls}))"],  # noqa: E501
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
    )
    if builder.returncode:
        sys.exit(builder.stderr[-3000:])
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "governance.cli", "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        results = asyncio.run(
            run("127.0.0.1", port, args.voters, min(args.concurrency, args.voters), args.method, args.polls)
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)
    engine = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    print(f"vote burst ({args.method}): {args.voters} voters, {engine}, {args.workers} worker(s)")
    for key, value in results.items():
        shown = ", ".join(f"{v:.2f}" for v in value) if isinstance(value, list) else f"{value:10.1f}"
        print(f"  {key:22} {shown}")
    ok = results["accepted"] == args.voters and results["tally"] == args.voters
    print("  tally equals voters:", "yes" if ok else "NO")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
