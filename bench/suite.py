"""The benchmark suite: `make bench` (or `python -m bench`), baselines in the same run.

    python -m bench [--members 1000] [--engine sqlite|postgres|both] [--no-write] [--skip-record]

For each engine it builds a synthetic meeting of N member cities (all present, two motions
put to the vote), starts `governance serve` itself (SQLite: 1 worker; PostgreSQL: 2 workers,
in a database of its own that it creates and drops), and runs, each bounded in count and
time and checked for correctness afterwards:

* baselines: the same server's bare /health throughput at 64 connections, and the raw
  database's single-row transactional insert rate (asyncpg / sqlite3, no app) at the vote
  burst's concurrency;
* login rush: all N members sign in at once (argon2id, production parameters) while a probe
  measures /health and the tablet page;
* tablet page: the voting page for signed-in members on 64 connections;
* vote burst: all N cast at once, roll call then secret ballot; the tally must equal N;
* live fan-out: N tablets on SSE; the chair closes the secret ballot; time until every
  tablet has the result; the server's RSS with N streams open;
* record and minutes (once, engine-independent): bench/verify_bench.py and
  bench/minutes_bench.py for 300 members x 100 polls, and the real exporter + verifier on
  the benchmark meeting.

It prints every figure and rewrites the generated section of BENCHMARKS.md (between
`<!-- bench:start -->` and `<!-- bench:end -->`). A correctness failure exits non-zero; a
missed performance target is reported, not a failure. Client and server share the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gzip
import json
import os
import platform
import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.vote_burst import PASSWORD, SLUG, Connection, free_port, percentile  # noqa: E402

HOST = "127.0.0.1"
PG_ADMIN = os.environ.get("GOVERNANCE_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "governance_bench"
PAGE = f"/meetings/{SLUG}"
CONCURRENCY_PAGE = 64
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

# Targets (issue #8); missing one is reported, not a failure.
TARGETS = {
    "burst_total_s": 2.0,
    "burst_p99_ms": 250.0,
    "cast_to_raw": 0.5,
    "fanout_p99_ms": 300.0,
    "rss_mb": 200.0,
    "page_rps": 500.0,
    "page_p95_ms": 50.0,
    "page_kb": 60.0,
    "rush_health_p99_ms": 100.0,
    "record_minutes_s": 3.0,
}


class Failure(Exception):
    """A correctness check failed: the suite exits non-zero."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def summary(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": float("nan")}
    return {
        "p50": percentile(latencies, 50) * 1000,
        "p95": percentile(latencies, 95) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "max": max(latencies) * 1000,
    }


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- machine facts ---------------------------------------------------------------------------


def _run(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10, cwd=ROOT).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_facts(engines: list[str]) -> dict[str, str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "?",
    )  # fmt: skip
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    commit = _run("git", "rev-parse", "--short", "HEAD") or "?"
    if _run("git", "status", "--porcelain", "--untracked-files=no"):
        commit += " (dirty)"
    facts = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "machine": f"{os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB RAM, {platform.node()}",
        "python": platform.python_version(),
        "load at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    if "postgres" in engines:
        facts["postgresql"] = asyncio.run(_pg_version())
    return facts


async def _pg_version() -> str:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN)
    try:
        return (await connection.fetchval("SHOW server_version")).split()[0]
    finally:
        await connection.close()


# --- the server --------------------------------------------------------------------------------


class Server:
    """`governance serve` on a free port, in the environment of one engine."""

    def __init__(self, env: dict[str, str], workers: int, logfile: Path) -> None:
        self.port = free_port()
        self.logfile = logfile.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "governance.cli", "serve", "--port", str(self.port), "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
        )

    async def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            check(self.process.poll() is None, "the server exited during start-up (see its log)")
            connection = Connection(HOST, self.port)
            try:
                await connection.open()
                status, _ = await connection.request("GET", "/health")
                if status == 200:
                    return
            except OSError:
                pass
            finally:
                await connection.close()
            await asyncio.sleep(0.2)
        raise Failure("the server did not answer /health in time")

    def pids(self) -> list[int]:
        """The server's process tree: the uvicorn supervisor first, then its workers."""
        tree = [self.process.pid]
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        for pid in tree:
            tree.extend(children.get(pid, []))
        return tree

    def rss_mb(self) -> tuple[float, float]:
        """(the workers' RSS summed, the whole tree's), in MB. One worker: the process itself."""
        rss = {}
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss[pid] = int(line.split()[1]) / 1024
        cmdlines = {}
        for pid in rss:
            with contextlib.suppress(OSError):
                cmdlines[pid] = Path(f"/proc/{pid}/cmdline").read_bytes()
        workers = [p for p in rss if p != self.process.pid and b"multiprocessing" in cmdlines.get(p, b"")
                   and b"resource_tracker" not in cmdlines.get(p, b"")]  # fmt: skip
        worker_rss = sum(rss[p] for p in workers) if workers else rss.get(self.process.pid, 0.0)
        return worker_rss, sum(rss.values())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.logfile.close()


# --- baselines ---------------------------------------------------------------------------------


async def health_rate(port: int, count: int = 3000, connections: int = CONCURRENCY_PAGE) -> dict[str, float]:
    pool = [Connection(HOST, port) for _ in range(connections)]
    await asyncio.gather(*[c.open() for c in pool])
    latencies: list[float] = []
    bad = 0

    async def worker(connection: Connection, n: int) -> None:
        nonlocal bad
        for _ in range(n):
            started = time.perf_counter()
            status, _body = await connection.request("GET", "/health")
            latencies.append(time.perf_counter() - started)
            bad += status != 200

    share = [count // connections + (1 if i < count % connections else 0) for i in range(connections)]
    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*[worker(c, n) for c, n in zip(pool, share, strict=True)]), 60)
    elapsed = time.perf_counter() - started
    await asyncio.gather(*[c.close() for c in pool])
    check(bad == 0, f"/health failed {bad} times")
    return {"rps": count / elapsed, **summary(latencies)}


async def raw_insert_rate(engine: str, workdir: Path, count: int, concurrency: int) -> float:
    """Single-row transactional inserts straight into the database, no app."""
    if engine == "postgres":
        import asyncpg

        dsn = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DATABASE}"
        # The app's pool: 10 to 20 connections per worker, two workers.
        pool = await asyncpg.create_pool(dsn, min_size=20, max_size=20)
        try:
            async with pool.acquire() as connection:
                await connection.execute("CREATE TABLE IF NOT EXISTS bench_raw (id serial PRIMARY KEY, v text)")
            gate = asyncio.Semaphore(concurrency)

            async def insert(i: int) -> None:
                async with gate, pool.acquire() as connection, connection.transaction():
                    await connection.execute("INSERT INTO bench_raw (v) VALUES ($1)", f"row {i}")

            started = time.perf_counter()
            await asyncio.wait_for(asyncio.gather(*[insert(i) for i in range(count)]), 120)
            elapsed = time.perf_counter() - started
            async with pool.acquire() as connection:
                rows = await connection.fetchval("SELECT count(*) FROM bench_raw")
                await connection.execute("DROP TABLE bench_raw")
        finally:
            await pool.close()
    else:
        # SQLite has one writer: the concurrency is a queue in front of one connection.
        path = workdir / "raw.sqlite3"
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, v TEXT)")
        started = time.perf_counter()
        for i in range(count):
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO bench_raw (v) VALUES (?)", (f"row {i}",))
            connection.execute("COMMIT")
        elapsed = time.perf_counter() - started
        rows = connection.execute("SELECT count(*) FROM bench_raw").fetchone()[0]
        connection.close()
    check(rows == count, f"raw inserts: {rows} rows for {count}")
    return count / elapsed


# --- scenarios ---------------------------------------------------------------------------------


async def login(connection: Connection, i: int) -> tuple[int, float]:
    started = time.perf_counter()
    status, body = await connection.request(
        "POST", "/api/v1/auth/login", {"email": f"city{i}@bench.demo", "password": PASSWORD}
    )
    elapsed = time.perf_counter() - started
    if status == 200:
        connection.headers["x-csrftoken"] = json.loads(body)["csrf_token"]
    return status, elapsed


async def login_rush(port: int, tablets: list[Connection], chair: Connection) -> dict[str, float]:
    """Everyone but the chair (already in) signs in at once; /health and the page are probed."""
    health_probe, page_probe = Connection(HOST, port), Connection(HOST, port)
    page_probe.cookies, page_probe.headers = dict(chair.cookies), dict(chair.headers)
    done = asyncio.Event()
    health_latencies: list[float] = []
    page_latencies: list[float] = []

    async def probe(connection: Connection, path: str, out: list[float], pause: float) -> None:
        while not done.is_set():
            started = time.perf_counter()
            status, _ = await connection.request("GET", path)
            out.append(time.perf_counter() - started)
            check(status == 200, f"{path} answered {status} during the login rush")
            await asyncio.sleep(pause)

    probes = [
        asyncio.create_task(probe(health_probe, "/health", health_latencies, 0.01)),
        asyncio.create_task(probe(page_probe, PAGE, page_latencies, 0.05)),
    ]
    started = time.perf_counter()
    try:
        results = await asyncio.wait_for(
            asyncio.gather(*[login(tablets[i], i) for i in range(1, len(tablets))]), timeout=300
        )
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        await asyncio.gather(*probes, return_exceptions=True)
        await health_probe.close()
        await page_probe.close()
    statuses = [status for status, _ in results]
    check(statuses.count(200) == len(statuses), f"logins: {statuses.count(200)} of {len(statuses)} succeeded")
    latencies = [t for _, t in results]
    health, page = summary(health_latencies), summary(page_latencies)
    return {
        "logins": len(results),
        "total_s": elapsed,
        "rps": len(results) / elapsed,
        **summary(latencies),
        "health_p50": health["p50"],
        "health_p99": health["p99"],
        "health_max": health["max"],
        "health_probes": len(health_latencies),
        "page_p50": page["p50"],
        "page_p99": page["p99"],
        "page_probes": len(page_latencies),
    }


async def tablet_page(port: int, tablets: list[Connection], count: int, seconds: float) -> dict[str, float]:
    """The voting page for signed-in members on 64 connections (each a different member)."""
    pool = tablets[: min(CONCURRENCY_PAGE, len(tablets))]
    latencies: list[float] = []
    problems: list[str] = []
    sizes: set[int] = set()
    deadline = time.perf_counter() + seconds
    issued = 0

    async def worker(connection: Connection) -> None:
        nonlocal issued
        while issued < count and time.perf_counter() < deadline:
            issued += 1
            started = time.perf_counter()
            status, body = await connection.request("GET", PAGE)
            latencies.append(time.perf_counter() - started)
            sizes.add(len(body))
            if status != 200 or b'class="choice' not in body:  # the ballot is on the page
                problems.append(f"{status}: {body[:120]!r}")

    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*[worker(c) for c in pool]), seconds + 30)
    elapsed = time.perf_counter() - started
    check(not problems, f"tablet page: {len(problems)} bad answers, e.g. {problems[:1]}")
    # What a tablet transfers on its first visit: the page and the static files it names.
    status, body = await tablets[0].request("GET", PAGE)
    static = sorted(set(re.findall(rb'(?:src|href)="(/static/[^"]+)"', body)))
    raw, packed = len(body), len(gzip.compress(body))
    for path in static:
        status, content = await tablets[0].request("GET", path.decode())
        check(status == 200, f"{path!r}: {status}")
        raw += len(content)
        packed += len(gzip.compress(content))
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        **summary(latencies),
        "page_bytes": len(body),
        "kb_with_static": raw / 1024,
        "kb_gzip": packed / 1024,
    }


async def open_poll(chair: Connection, motion: int, method: str) -> int:
    status, body = await chair.request("POST", f"/api/v1/meetings/{SLUG}/polls", {"motion": motion, "method": method})
    check(status == 201, f"opening the {method} poll: {status} {body[:300]!r}")
    return json.loads(body)["id"]


async def vote_burst(tablets: list[Connection], poll: int, method: str) -> dict[str, Any]:
    """All N cast at once in an open poll (closed afterwards by the caller: tally == N)."""
    voters = len(tablets)
    ballots = [
        {"member": f"city{i}", "choice": ("yes", "no", "abstain")[i % 3], "token": secrets.token_urlsafe(24)}
        for i in range(voters)
    ]
    path = f"/api/v1/meetings/{SLUG}/polls/{poll}/ballots"
    latencies: list[float] = [0.0] * voters

    async def cast(i: int) -> int:
        started = time.perf_counter()
        status, _body = await tablets[i].request("POST", path, ballots[i])
        latencies[i] = time.perf_counter() - started
        return status

    started = time.perf_counter()
    statuses = await asyncio.wait_for(asyncio.gather(*[cast(i) for i in range(voters)]), 120)
    elapsed = time.perf_counter() - started
    check(statuses.count(201) == voters, f"{method}: {statuses.count(201)} of {voters} casts accepted")
    expected = {c: sum(1 for b in ballots if b["choice"] == c) for c in ("yes", "no", "abstain")}
    return {
        "poll": poll,
        "total_s": elapsed,
        "rps": voters / elapsed,
        **summary(latencies),
        "expected": expected,  # type: ignore[dict-item]
    }


async def close_poll(chair: Connection, poll: int, expected: dict[str, int]) -> float:
    started = time.perf_counter()
    status, body = await chair.request("POST", f"/api/v1/meetings/{SLUG}/polls/{poll}/close")
    elapsed = time.perf_counter() - started
    check(status in (200, 201), f"closing poll {poll}: {status} {body[:300]!r}")
    closed = json.loads(body)
    tally = {c: closed[c] for c in ("yes", "no", "abstain")}
    check(tally == expected, f"poll {poll}: tally {tally}, expected {expected} (lost or duplicated ballots)")
    return elapsed


class Tablet:
    """One SSE stream, hand-read (chunked transfer): notes when the result arrives."""

    RESULT = b'class="result '

    def __init__(self, cookies: dict[str, str], arrived: list[int], everyone: asyncio.Event) -> None:
        self.cookies = cookies
        self.arrived, self.everyone = arrived, everyone
        self.snapshot = asyncio.Event()
        self.result_at: float | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def run(self, port: int) -> None:
        reader, self.writer = await asyncio.open_connection(HOST, port)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = f"GET {PAGE}/live HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: text/event-stream\r\n"
        self.writer.write(f"{request}Cookie: {cookie}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        check(head.startswith(b"HTTP/1.1 200"), f"SSE stream refused: {head[:100]!r}")
        check(b"chunked" in head.lower(), "SSE stream not chunked")
        while True:
            size = int((await reader.readline()).strip().split(b";")[0], 16)
            if size == 0:
                return
            chunk = await reader.readexactly(size)
            await reader.readline()
            if b"event: poll" in chunk:
                if self.RESULT in chunk and self.result_at is None:
                    self.result_at = time.perf_counter()
                    self.arrived[0] -= 1
                    if self.arrived[0] == 0:
                        self.everyone.set()
                self.snapshot.set()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def fan_out(server: Server, tablets: list[Connection], chair: Connection, poll: int, expected: dict) -> dict:
    """N tablets on SSE, then the chair closes the poll: when does every tablet have the result?"""
    idle_rss, _ = server.rss_mb()
    waiting, everyone = [len(tablets)], asyncio.Event()
    streams = [Tablet(dict(t.cookies), waiting, everyone) for t in tablets]
    tasks = []
    gate = asyncio.Semaphore(100)  # connecting: at most 100 handshakes in flight

    async def connect(stream: Tablet) -> None:
        async with gate:
            tasks.append(asyncio.create_task(stream.run(server.port)))
            await asyncio.wait_for(stream.snapshot.wait(), 120)

    try:
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*[connect(s) for s in streams]), 180)
        connect_s = time.perf_counter() - started
        failed = [t for t in tasks if t.done() and t.exception()]
        check(not failed, f"{len(failed)} SSE streams failed: {failed[:1] and failed[0].exception()!r}")
        await asyncio.sleep(1.0)  # let the connect-time snapshots settle
        worker_rss, tree_rss = server.rss_mb()
        closed_at = time.perf_counter()
        close_s = await close_poll(chair, poll, expected)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(everyone.wait(), max(1.0, closed_at + 60 - time.perf_counter()))
        missing = sum(1 for s in streams if s.result_at is None)
        check(missing == 0, f"fan-out: {missing} of {len(streams)} tablets never got the result")
        delays = [s.result_at - closed_at for s in streams if s.result_at is not None]
    finally:
        for stream in streams:
            stream.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "tablets": len(streams),
        "connect_s": connect_s,
        "close_ms": close_s * 1000,
        **summary(delays),
        "rss_mb": worker_rss,
        "rss_tree_mb": tree_rss,
        "rss_idle_mb": idle_rss,
    }


# --- one engine --------------------------------------------------------------------------------


async def _pg_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def run_engine(engine: str, members: int, workdir: Path) -> dict[str, Any]:
    workers = 2 if engine == "postgres" else 1
    env = {k: v for k, v in os.environ.items() if k not in ("GOVERNANCE_ARGON2_PROFILE",)}
    env["GOVERNANCE_VAR_DIR"] = str(workdir / "var")
    env["PYTHONPATH"] = str(ROOT)
    if engine == "postgres":
        asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))
        asyncio.run(_pg_admin(f"CREATE DATABASE {PG_DATABASE}"))
        env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + f"/{PG_DATABASE}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    try:
        log(f"{engine}: building a meeting of {members} members (argon2id, production parameters)")
        builder = subprocess.run(
            [sys.executable, "-c", f"import asyncio, bench.vote_burst as b; asyncio.run(b.build({members}, 2))"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        check(builder.returncode == 0, f"building the meeting failed:\n{builder.stderr[-3000:]}")
        raw = asyncio.run(raw_insert_rate(engine, workdir, max(members, 1000), members))
        log(f"{engine}: raw insert rate {raw:.0f}/s")
        server = Server(env, workers, workdir / f"server-{engine}.log")
        try:
            results = asyncio.run(_scenarios(server, members))
        except BaseException:
            server.stop()
            print((workdir / f"server-{engine}.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        server.stop()
        results.update(engine=engine, workers=workers, members=members, raw_insert_rps=raw)
        results["export"] = export_and_verify(env, workdir / f"bundle-{engine}")
        results["cast_to_raw"] = results["burst_roll_call"]["rps"] / raw
        results["secret_to_raw"] = results["burst_secret"]["rps"] / raw
        results["page_to_health"] = results["page"]["rps"] / results["health"]["rps"]
        return results
    finally:
        if engine == "postgres":
            with contextlib.suppress(Exception):
                asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)"))


async def _scenarios(server: Server, members: int) -> dict[str, Any]:
    await server.wait_ready()
    results: dict[str, Any] = {}
    log("baseline: /health")
    results["health"] = await health_rate(server.port)
    tablets = [Connection(HOST, server.port) for _ in range(members)]
    chair = Connection(HOST, server.port)  # city0 (the President), on a connection of its own
    try:
        status, _ = await login(chair, 0)
        check(status == 200, f"the chair could not sign in: {status}")
        tablets[0].cookies, tablets[0].headers = dict(chair.cookies), dict(chair.headers)
        log(f"login rush: {members - 1} members at once")
        results["login"] = await login_rush(server.port, tablets, chair)
        # The roll call opens first: the tablet page then shows the ballot (nobody voted yet).
        poll = await open_poll(chair, 1, "roll_call")
        log("tablet page")
        results["page"] = await tablet_page(server.port, tablets[1:], 4000, 20)
        log("vote burst: roll call")
        burst = results["burst_roll_call"] = await vote_burst(tablets, poll, "roll_call")
        results["close_roll_call_ms"] = await close_poll(chair, poll, burst["expected"]) * 1000
        log("vote burst: secret ballot")
        poll = await open_poll(chair, 2, "secret")
        results["burst_secret"] = await vote_burst(tablets, poll, "secret")
        # The tablets' API connections are closed; their cookies carry on to the SSE streams.
        await asyncio.gather(*[t.close() for t in tablets])
        log(f"live fan-out: {members} SSE streams")
        results["fanout"] = await fan_out(
            server, tablets, chair, results["burst_secret"]["poll"], results["burst_secret"]["expected"]
        )
    finally:
        await asyncio.gather(*[t.close() for t in tablets], chair.close())
    return results


def export_and_verify(env: dict[str, str], out: Path) -> dict[str, float]:
    """The real exporter and the offline verifier on the benchmark meeting (processes included)."""
    started = time.perf_counter()
    export = subprocess.run(
        [sys.executable, "-m", "governance.cli", "record", "export", SLUG, "--out", str(out)],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    exported = time.perf_counter() - started
    check(export.returncode == 0, f"record export failed:\n{export.stderr[-2000:]}")
    started = time.perf_counter()
    fingerprint = json.loads((out / "manifest.json").read_text())["key"]["fingerprint"]
    verify = subprocess.run(
        [sys.executable, "-m", "governance.verify", str(out), "--key", fingerprint],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    verified = time.perf_counter() - started
    check(verify.returncode == 0, f"the verifier refused the exported record:\n{verify.stdout[-2000:]}")
    return {"export_s": exported, "verify_s": verified, "record_mb": (out / "record.json").stat().st_size / 1e6}


def record_and_minutes(members: int = 300, polls: int = 100) -> dict[str, Any]:
    """bench/verify_bench.py and bench/minutes_bench.py, in a process of their own (the minutes
    benchmark sets its own database in the environment)."""
    code = f"""
import json, sys, contextlib, io
sys.path.insert(0, "bench")
import bench.verify_bench as v, bench.minutes_bench as m
record = v.bench({members}, {polls}, runs=1)
with contextlib.redirect_stdout(io.StringIO()):
    import os, tempfile
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["DATABASE_URL"] = "sqlite:///" + scratch + "/bench.sqlite3"
        os.environ["GOVERNANCE_VAR_DIR"] = scratch + "/var"
        os.environ["GOVERNANCE_ARGON2_PROFILE"] = "fast"
        content = m.scaled_content({members}, {polls})
        embedded = (m.realistic_record({members}, {polls}) if hasattr(m, "realistic_record")
                    else 9400 * 1024)
        minutes = m.measure(content, embedded)
print(json.dumps({{"record": record, "minutes": minutes}}))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    check(done.returncode == 0, f"record and minutes benchmark failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- the report --------------------------------------------------------------------------------


def _met(value: float, target: float, below: bool = True) -> str:
    ok = value <= target if below else value >= target
    return "met" if ok else "**missed**"


STEPS = ("document (HTML)", "PDF/A-3 render", "two signatures", "verify (PDF + detached)")


def report(facts: dict[str, str], runs: list[dict[str, Any]], extra: dict[str, Any] | None, command: str,
           wall: float) -> str:  # fmt: skip
    names = {"sqlite": "SQLite, 1 worker", "postgres": "PostgreSQL, 2 workers"}
    header = "| scenario | figure | " + " | ".join(names[r["engine"]] for r in runs) + " | target |"
    lines = [
        f"Generated by `{command}` — do not edit by hand between the markers.",
        "",
        "| machine | " + facts["machine"] + " |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in facts.items() if k != "machine"],
        f"| load at end | {' '.join(f'{x:.2f}' for x in os.getloadavg())} |",
        f"| wall time | {wall / 60:.1f} min |",
        "",
        f"N = {runs[0]['members'] if runs else '-'} members. Client and server share the machine's cores; latencies "
        "are measured by the client from request sent to response read. Ratios compare with the "
        "baselines measured in the same run.",
        "",
        header,
        "|---|---|" + "---|" * len(runs) + "---|",
    ]

    def row(scenario: str, figure: str, cell: Any, target: str = "") -> None:
        values = []
        for r in runs:
            try:
                values.append(cell(r))
            except (KeyError, TypeError):
                values.append("-")
        lines.append(f"| {scenario} | {figure} | " + " | ".join(values) + f" | {target} |")

    t = TARGETS
    row("baseline", "`/health` req/s (64 conn.)", lambda r: f"{r['health']['rps']:,.0f}")
    row("baseline", "raw single-row insert transactions/s", lambda r: f"{r['raw_insert_rps']:,.0f}")
    row(
        "login rush",
        "logins, wall, logins/s",
        lambda r: f"{r['login']['logins']} ok, {r['login']['total_s']:.1f} s, {r['login']['rps']:.0f}/s",
    )
    row(
        "login rush",
        "login p50 / p95 / p99 ms",
        lambda r: f"{r['login']['p50']:,.0f} / {r['login']['p95']:,.0f} / {r['login']['p99']:,.0f}",
    )
    row("login rush", "`/health` during rush p50 / p99 ms",
        lambda r: f"{r['login']['health_p50']:.1f} / {r['login']['health_p99']:.1f} "
                  f"({_met(r['login']['health_p99'], t['rush_health_p99_ms'])})",
        "p99 <= 100")  # fmt: skip
    row(
        "login rush",
        "tablet page during rush p50 / p99 ms",
        lambda r: f"{r['login']['page_p50']:.0f} / {r['login']['page_p99']:.0f}",
    )
    row(
        "tablet page",
        "req/s (64 conn.)",
        lambda r: f"{r['page']['rps']:,.0f} ({_met(r['page']['rps'], t['page_rps'], below=False)})",
        ">= 500",
    )
    row("tablet page", "p50 / p95 / p99 ms",
        lambda r: f"{r['page']['p50']:.0f} / {r['page']['p95']:.0f} / {r['page']['p99']:.0f} "
                  f"({_met(r['page']['p95'], t['page_p95_ms'])})",
        "p95 <= 50")  # fmt: skip
    row("tablet page", "KB: page + static (gzip)",
        lambda r: f"{r['page']['kb_with_static']:.0f} ({r['page']['kb_gzip']:.0f}) "
                  f"({_met(r['page']['kb_with_static'], t['page_kb'])} uncompressed)",
        "<= 60")  # fmt: skip
    row("tablet page", "**ratio** page req/s / `/health` req/s", lambda r: f"**{r['page_to_health']:.3f}**")
    for kind, label in (("burst_roll_call", "vote burst, roll call"), ("burst_secret", "vote burst, secret")):
        row(label, "all recorded in (s), casts/s",
            lambda r, k=kind: f"{r[k]['total_s']:.2f} s, {r[k]['rps']:,.0f}/s "
                              f"({_met(r[k]['total_s'], t['burst_total_s'])})",
            "<= 2 s")  # fmt: skip
        row(label, "p50 / p95 / p99 ms",
            lambda r, k=kind: f"{r[k]['p50']:,.0f} / {r[k]['p95']:,.0f} / {r[k]['p99']:,.0f} "
                              f"({_met(r[k]['p99'], t['burst_p99_ms'])})",
            "p99 <= 250")  # fmt: skip
    row("vote burst", "tally == N (both polls)", lambda r: "yes, exact", "exact")
    row("vote burst", "**ratio** casts/s / raw inserts/s (roll call; secret)",
        lambda r: f"**{r['cast_to_raw']:.3f}**; {r['secret_to_raw']:.3f} "
                  f"({_met(r['cast_to_raw'], t['cast_to_raw'], below=False)})",
        ">= 0.5")  # fmt: skip
    row(
        "live fan-out",
        "SSE tablets connected (time to connect all)",
        lambda r: f"{r['fanout']['tablets']} ({r['fanout']['connect_s']:.1f} s)",
    )
    row("live fan-out", "close -> result on tablet p50 / p95 / p99 / max ms",
        lambda r: f"{r['fanout']['p50']:,.0f} / {r['fanout']['p95']:,.0f} / {r['fanout']['p99']:,.0f} / "
                  f"{r['fanout']['max']:,.0f} ({_met(r['fanout']['p99'], t['fanout_p99_ms'])})",
        "p99 <= 300")  # fmt: skip
    row("live fan-out", "close request ms", lambda r: f"{r['fanout']['close_ms']:.0f}")
    row("live fan-out", "server RSS MB: workers with N streams (idle before; whole tree)",
        lambda r: f"{r['fanout']['rss_mb']:.0f} ({r['fanout']['rss_idle_mb']:.0f}; {r['fanout']['rss_tree_mb']:.0f}) "
                  f"({_met(r['fanout']['rss_mb'], t['rss_mb'])})",
        "< 200")  # fmt: skip
    row(
        "record",
        "export + verify of this meeting (s, processes incl.), record.json MB",
        lambda r: f"{r['export']['export_s']:.1f} + {r['export']['verify_s']:.1f}, {r['export']['record_mb']:.1f} MB",
    )
    if extra:
        record, minutes = extra["record"], extra["minutes"]
        together = record["verify_s"] + minutes["total"]
        lines += [
            "",
            "Record and minutes, 300 members x 100 polls (engine-independent; "
            "`bench/verify_bench.py` and `bench/minutes_bench.py` called as functions, one run each):",
            "",
            "| step | seconds |",
            "|---|---|",
            f"| verify a synthetic bundle ({record['record_mb']:.1f} MB record.json; "
            f"built in {record['build_s']:.1f} s "
            "by the tests' builder, not timed) | " + f"{record['verify_s']:.2f} |",
            *[f"| minutes: {step} | {minutes[step]:.2f} |" for step in STEPS],
            f"| minutes total ({int(minutes.get('pages', 0))} pages) | {minutes['total']:.2f} |",
            f"| **record verify + minutes together** | **{together:.2f}** "
            f"({_met(together, t['record_minutes_s'])}; target < 3 s) |",
        ]
    return "\n".join(lines)


def write_benchmarks(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{START}\n{text}\n{END}"
    if START in current and END in current:
        before, rest = current.split(START, 1)
        after = rest.split(END, 1)[1]
        current = before + block + after
    else:
        head, _, tail = current.partition("\n")
        current = f"{head}\n\n## `make bench` (latest run)\n\n{block}\n{tail}"
    path.write_text(current)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--no-write", action="store_true", help="print, but leave BENCHMARKS.md alone")
    parser.add_argument("--skip-record", action="store_true", help="skip the record and minutes scenario")
    args = parser.parse_args(argv)
    check(args.members >= 64, "--members: at least 64")
    wall = time.perf_counter()
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    facts = machine_facts(engines)
    for key, value in facts.items():
        print(f"{key:>14}: {value}")
    command = "make bench" if os.environ.get("MAKELEVEL") else "python -m bench"
    command += f" (--members {args.members} --engine {args.engine})"
    runs: list[dict[str, Any]] = []
    extra = None
    try:
        for engine in engines:
            with tempfile.TemporaryDirectory(prefix=f"bench-{engine}-") as tmp:
                runs.append(run_engine(engine, args.members, Path(tmp)))
            print(json.dumps(runs[-1], indent=1, default=str), flush=True)
        if not args.skip_record:
            log("record and minutes: 300 members x 100 polls")
            extra = record_and_minutes()
            print(json.dumps(extra, indent=1), flush=True)
    except Failure as failure:
        print(f"\nCORRECTNESS FAILED: {failure}", file=sys.stderr)
        return 1
    text = report(facts, runs, extra, command, time.perf_counter() - wall)
    print("\n" + text)
    if not args.no_write:
        write_benchmarks(text)
        print("\nBENCHMARKS.md updated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
