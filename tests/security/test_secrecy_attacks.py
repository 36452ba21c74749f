"""The operator's attack on a secret ballot: link each member to a choice from what the
database, its files and its backups hold (docs/threat-model.md, "operator with SQL access").

A live ``governance serve`` (2 workers on PostgreSQL) takes a secret ballot of 30 cities
cast in a known, shuffled order, one after the other and all at once. Then every linking
method we know is run, while the poll is open and after the close, against the live
database, a ``governance backup`` of it and a copy restored from that backup:

* row order: SQLite's hidden ``rowid``, PostgreSQL's ``ctid`` (heap order) and ``xmin``
  (the writing transaction), and the order a plain SELECT or a dump returns;
* a join on ``xmin`` between the participation row and the ballot's row (one transaction);
* where each ballot's nonce sits in the bytes of the database file, the backup file and
  (after the close) the WAL;
* superseded versions: copies of the box left in the file, dead tuples read with pageinspect.

Each method pairs the k-th participant (in its order) with the k-th ballot (in its order),
both ways round, and scores how many members it links to their own ballot. With 30 ballots
a blind guess gets 1 right on average and 7 or more with probability below 0.01 %; every
method must score at most 6 (``CHANCE``). The published receipts tell us the truth.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import secrets
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from governance.record import canonical
from tests.support.database import ENGINE

from ..reliability.live import SLUG, Connection, Server, Site, call, drop_site, new_site, tablets

VOTERS = 30
CHANCE = 6  # at most this many of 30 linked, by any method, either way round
WORKERS = 2 if ENGINE == "postgres" else 1  # SQLite serves from one process
POLLS = f"/api/v1/meetings/{SLUG}/polls"
NONCE = re.compile(rb"[0-9a-f]{32}")

Truth = dict[int, str]  # city index -> its ballot's nonce


@pytest.fixture
async def sites(tmp_path: Path) -> Any:
    live = await new_site(tmp_path / "live", "attack_live")
    copy = await new_site(tmp_path / "copy", "attack_copy")
    yield live, copy
    await drop_site(live)
    await drop_site(copy)


def score(participants: list[int], ballots: list[str], truth: Truth) -> int:
    """Members linked to their own ballot by pairing the two orders by rank, both ways round."""
    forward = sum(1 for member, nonce in zip(participants, ballots, strict=False) if truth[member] == nonce)
    backward = sum(1 for member, nonce in zip(participants, reversed(ballots), strict=False) if truth[member] == nonce)
    return max(forward, backward)


def offsets(data: bytes, nonces: Iterable[str]) -> list[str]:
    """The nonces in the order their first copy appears in ``data`` (those found at all)."""
    found = {nonce: data.find(nonce.encode()) for nonce in nonces}
    return [nonce for nonce, at in sorted(found.items(), key=lambda item: item[1]) if at >= 0]


# --- what the attacker reads --------------------------------------------------------------


async def sql(site: Site, query: str) -> list[dict[str, Any]]:
    """Rows straight from the database, as the operator reads them (no server in between)."""
    if site.database_url.startswith("sqlite:///"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(site.database_url.removeprefix("sqlite:///"), timeout=10)) as db:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute(query).fetchall()]
    import asyncpg

    connection = await asyncio.wait_for(asyncpg.connect(site.database_url), timeout=10)
    try:
        return [dict(row) for row in await connection.fetch(query)]
    finally:
        await connection.close()


def city(slug: str) -> int:
    return int(slug.removeprefix("city"))


async def participation_orders(site: Site, poll: int) -> dict[str, list[int]]:
    """The participants in every order the storage keeps: id, physical position, transaction."""
    join = f"FROM participation p JOIN member m ON m.id = p.member WHERE p.poll = {poll}"
    if ENGINE == "postgres":
        rows = await sql(site, f"SELECT m.slug, p.id, p.ctid::text AS ctid, p.xmin::text::bigint AS xmin {join}")
        orders = {
            "id": sorted(rows, key=lambda r: r["id"]),
            "ctid": sorted(rows, key=lambda r: tuple(int(x) for x in r["ctid"].strip("()").split(","))),
            "xmin": sorted(rows, key=lambda r: r["xmin"]),
        }
    else:
        rows = await sql(site, f"SELECT m.slug, p.id, p.rowid AS rowid {join}")
        orders = {"id": sorted(rows, key=lambda r: r["id"]), "rowid": sorted(rows, key=lambda r: r["rowid"])}
    return {name: [city(r["slug"]) for r in ordered] for name, ordered in orders.items()}


async def box_leaves(site: Site, poll: int) -> dict[str, list[Any]]:
    """The open box as stored: nonce -> [choice, weight], in the stored order."""
    text = "leaves::text" if ENGINE == "postgres" else "leaves"
    rows = await sql(site, f"SELECT {text} AS leaves FROM ballot_box WHERE poll = {poll}")
    assert len(rows) == 1, rows
    return dict(json.loads(rows[0]["leaves"]))


async def open_box_orders(site: Site, poll: int) -> dict[str, list[str]]:
    """An open poll's ballots in every order the storage gives them."""
    each = "jsonb_each" if ENGINE == "postgres" else "json_each"
    keys = await sql(site, f"SELECT key FROM ballot_box, {each}(leaves) WHERE poll = {poll}")
    return {"stored text": list(await box_leaves(site, poll)), each: [r["key"] for r in keys]}


async def closed_ballot_orders(site: Site, poll: int) -> dict[str, list[str]]:
    """A closed poll's ballot rows in every order the storage keeps."""
    if ENGINE == "postgres":
        rows = await sql(
            site, f"SELECT nonce, ctid::text AS ctid, xmin::text::bigint AS xmin FROM secret_ballot WHERE poll = {poll}"
        )
        plain = await sql(site, f"SELECT nonce FROM secret_ballot WHERE poll = {poll}")
        heap = sorted(rows, key=lambda r: tuple(int(x) for x in r["ctid"].strip("()").split(",")))
        assert len({r["xmin"] for r in rows}) == 1, "the close writes every ballot in one transaction"
        return {"ctid": [r["nonce"] for r in heap], "plain select": [r["nonce"] for r in plain]}
    rows = await sql(site, f"SELECT nonce, rowid AS rowid FROM secret_ballot WHERE poll = {poll}")
    plain = await sql(site, f"SELECT nonce FROM secret_ballot WHERE poll = {poll}")
    return {
        "rowid": [r["nonce"] for r in sorted(rows, key=lambda r: r["rowid"])],
        "plain select": [r["nonce"] for r in plain],
    }


async def xmin_join(site: Site, poll: int, truth: Truth, ballots: list[str]) -> int:
    """PostgreSQL: participation rows written in the same transaction as the ballot storage."""
    box = await sql(site, f"SELECT xmin::text AS xmin FROM ballot_box WHERE poll = {poll}")
    if not box:
        return 0
    joined = await sql(
        site,
        f"SELECT m.slug FROM participation p JOIN member m ON m.id = p.member "
        f"WHERE p.poll = {poll} AND p.xmin::text = '{box[0]['xmin']}'",
    )
    # At most the last writer shares the box's transaction: the box tells it nothing more than
    # "one of these ballots", so its best guess is any one of them.
    assert len(joined) <= 1, joined
    return sum(1 for r in joined if truth[city(r["slug"])] == ballots[0])


def database_file_bytes(site: Site) -> bytes:
    return Path(site.database_url.removeprefix("sqlite:///")).read_bytes()


def wal_bytes(site: Site) -> bytes:
    wal = Path(site.database_url.removeprefix("sqlite:///") + "-wal")
    return wal.read_bytes() if wal.exists() else b""


def dump_text(backup: Path) -> bytes:
    """A PostgreSQL backup (custom format) as the SQL a restore runs: the rows in dump order."""
    return subprocess.run(["pg_restore", "-f", "-", str(backup)], capture_output=True, check=True, timeout=60).stdout


# --- the attack ---------------------------------------------------------------------------


class Scores:
    def __init__(self, truth: Truth) -> None:
        self.truth = truth
        self.by_method: dict[str, int] = {}

    def pair(self, where: str, participants: dict[str, list[int]], ballots: dict[str, list[str]]) -> None:
        for p_name, p_order in participants.items():
            for b_name, b_order in ballots.items():
                self.by_method[f"{where}: participation by {p_name} x ballots by {b_name}"] = score(
                    p_order, b_order, self.truth
                )

    def add(self, method: str, value: int) -> None:
        self.by_method[method] = value

    def check(self) -> None:
        linked = {method: n for method, n in self.by_method.items() if n > CHANCE}
        assert not linked, f"linked better than chance (at most {CHANCE} of {VOTERS}): {linked}"
        assert len(self.by_method) >= 10, self.by_method


async def cast_all(connections: list[Connection], poll: int, order: list[int], concurrent: bool) -> dict[int, str]:
    """Cast in ``order`` (one after the other, or all at once); each city's receipt."""
    ballots = {i: {"member": f"city{i}", "choice": ("yes", "no", "abstain")[i % 3], "token": secrets.token_urlsafe(24)}
               for i in order}  # fmt: skip

    async def cast(i: int) -> tuple[int, str]:
        status, answer = await call(connections[i], "POST", f"{POLLS}/{poll}/ballots", ballots[i])
        assert status == 201, (status, answer)
        return i, answer["receipt"]

    if concurrent:
        return dict(await asyncio.gather(*[cast(i) for i in order]))
    return dict([await cast(i) for i in order])


@pytest.mark.parametrize("concurrent", [False, True], ids=["one-after-the-other", "all-at-once"])
async def test_no_storage_order_links_a_secret_ballot_to_its_member(
    sites: tuple[Site, Site], tmp_path: Path, concurrent: bool
) -> None:
    live, copy = sites
    live.build_vote_burst(VOTERS)
    copy.env["GOVERNANCE_KEY_DIR"] = live.env["GOVERNANCE_KEY_DIR"]
    server = Server(live, workers=WORKERS)
    server.start()
    connections: list[Connection] = []
    try:
        connections = await tablets(server.port, VOTERS)
        status, opened = await call(connections[0], "POST", f"{POLLS}/", {"motion": 1, "method": "secret"})
        assert status == 201, opened
        poll = int(opened["id"])
        order = random.Random(16).sample(range(VOTERS), VOTERS)
        receipts = await cast_all(connections, poll, order, concurrent)

        # The truth, from the open box: each leaf's receipt names its city.
        stored = await box_leaves(live, poll)
        box = list(stored)
        by_receipt = {
            canonical.receipt_of(canonical.leaf(poll, choice, weight, nonce)): nonce
            for nonce, (choice, weight) in stored.items()
        }
        truth = {i: by_receipt[receipt] for i, receipt in receipts.items()}
        assert len(set(truth.values())) == VOTERS == len(box)
        assert box == sorted(box), "the box keeps its leaves sorted by nonce, whatever the casting order"
        scores = Scores(truth)
        # The scoring sees a link where there is one: ballots kept in casting order would score 30.
        cast_order = (await participation_orders(live, poll))["id"]
        assert score(cast_order, [truth[i] for i in cast_order], truth) == VOTERS

        # 1. The live database while the poll is open.
        participants = await participation_orders(live, poll)
        scores.pair("open, live", participants, await open_box_orders(live, poll))
        if ENGINE == "postgres":
            scores.add("open, live: xmin join", await xmin_join(live, poll, truth, box))
        else:
            scores.pair("open, live file bytes", participants, {"offset": offsets(database_file_bytes(live), box)})
        # 2. A backup taken while the poll is open, and the copy restored from it.
        open_backup = tmp_path / "open.backup"
        live.cli("backup", "--out", str(open_backup))
        if ENGINE == "postgres":
            scores.pair("open, backup", participants, {"dump order": offsets(dump_text(open_backup), box)})
        else:
            data = open_backup.read_bytes()
            scores.pair("open, backup file bytes", participants, {"offset": offsets(data, box)})
            assert all(data.count(nonce.encode()) == 1 for nonce in box), "a superseded copy of the box"
        copy.cli("restore", str(open_backup), "--force")
        scores.pair("open, restored", await participation_orders(copy, poll), await open_box_orders(copy, poll))

        # 3. The close writes the ballots out in receipt order; the box and its history go.
        status, closed = await call(connections[0], "POST", f"{POLLS}/{poll}/close")
        assert status == 200 and closed["voted"] == VOTERS, closed
        await asyncio.gather(*[c.close() for c in connections])
        server.stop()  # the server's idle pool has checkpointed; stopping it closes the files
        assert await sql(live, f"SELECT * FROM ballot_box WHERE poll = {poll}") == []
        scores.pair("closed, live", participants, await closed_ballot_orders(live, poll))
        if ENGINE == "postgres":
            assert await dead_box_versions(live) == 0, "pageinspect still reads the box's superseded versions"
        else:
            data = database_file_bytes(live)
            scores.pair("closed, live file bytes", participants, {"offset": offsets(data, box)})
            for nonce in box:  # one copy each (the ballot's row and its index entry): no stale box
                assert data.count(nonce.encode()) <= 2, f"a superseded copy of the box holds {nonce}"
            assert not NONCE.search(wal_bytes(live)), "the WAL still holds ballots"
        closed_backup = tmp_path / "closed.backup"
        live.cli("backup", "--out", str(closed_backup))
        if ENGINE == "postgres":
            scores.pair("closed, backup", participants, {"dump order": offsets(dump_text(closed_backup), box)})
        else:
            scores.pair("closed, backup file bytes", participants, {"offset": offsets(closed_backup.read_bytes(), box)})
        copy.cli("restore", str(closed_backup), "--force")
        scores.pair("closed, restored", await participation_orders(copy, poll), await closed_ballot_orders(copy, poll))
        print(f"\nFIGURES secrecy attacks ({ENGINE}, {'concurrent' if concurrent else 'sequential'}): "
              f"{len(scores.by_method)} methods, best {max(scores.by_method.values())} of {VOTERS} linked")  # fmt: skip
        scores.check()
    finally:
        for connection in connections:
            await connection.close()
        server.stop()


async def dead_box_versions(site: Site) -> int:
    """Tuples pageinspect still finds in ``ballot_box``'s pages and its TOAST table's (live or dead)."""
    import asyncpg

    admin = site.pg_admin.rsplit("/", 1)[0] + "/" + (site.pg_name or "")
    connection = await asyncio.wait_for(asyncpg.connect(admin), timeout=10)
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        found = 0
        toast = await connection.fetchval(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'ballot_box'"
        )
        for relation in ("ballot_box", toast):
            pages = await connection.fetchval(f"SELECT pg_relation_size('{relation}') / 8192")
            for page in range(pages):
                found += await connection.fetchval(
                    f"SELECT count(*) FROM heap_page_items(get_raw_page('{relation}', {page})) WHERE t_data IS NOT NULL"
                )
        return found
    finally:
        await connection.close()
