"""The operator's attack on a secret ballot: link each member to a choice from what the
database, its files and its backups hold (docs/threat-model.md, "operator with SQL access").

A live ``governance serve`` (2 workers on PostgreSQL) takes a secret ballot of 30 cities
cast in a known, shuffled order, one after the other and all at once. Then:

* **while the poll is open**, the ballots are sealed rows (governance/polls/sealing.py): their
  order links them to their members (the test shows it, holding the key an attacker does not
  have), so nothing else may be readable in them or anywhere: no nonce, receipt or choice of a
  ballot in the database file, its WAL, a ``governance backup`` or a PostgreSQL dump; every
  sealed row the same length whatever the choice; the key not in the database or its backups;
* **after the close**, every linking method we know is run against the live database, a
  backup and a restored copy: row order (SQLite's ``rowid``, PostgreSQL's ``ctid`` and
  ``xmin``, a plain SELECT, the dump's order), where each ballot's nonce sits in the bytes of
  the database file and the backup file, the WAL (SQLite: truncated), dead tuples of the
  sealed rows read with pageinspect (PostgreSQL: none, ``VACUUM FULL``), and the poll's key
  file (deleted). Each method pairs the k-th participant (in its order) with the k-th ballot (in
  its order), both ways round, and scores how many members it links to their own ballot. With
  30 ballots a blind guess gets 1 right on average and 7 or more with probability below
  0.01 %; every method must score at most 6 (``CHANCE``).
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
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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


def key_file(site: Site, poll: int) -> Path:
    return Path(site.env["GOVERNANCE_VAR_DIR"]) / "ballot-keys" / f"poll-{poll}.key"


async def sealed_rows(site: Site, poll: int) -> list[dict[str, Any]]:
    """The open poll's sealed ballots in row order (rowid / heap position), as the operator reads them."""
    if ENGINE == "postgres":
        query = f"SELECT sealed, xmin::text AS xmin FROM sealed_ballot WHERE poll = {poll} ORDER BY ctid"
    else:
        query = f"SELECT sealed FROM sealed_ballot WHERE poll = {poll} ORDER BY rowid"
    return [{**row, "sealed": bytes(row["sealed"])} for row in await sql(site, query)]


def unseal_with(key: bytes, poll: int, sealed: bytes) -> tuple[str, int, str]:
    """What only the key's holder can do (the format of governance/polls/sealing.py)."""
    plain = AESGCM(key).decrypt(sealed[:12], sealed[12:], str(poll).encode())
    choice, weight, nonce = json.loads(plain.rstrip(b" "))
    return choice, weight, nonce


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
        assert len(self.by_method) >= 6, self.by_method


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

        # The truth, with the key (the test's privilege, not the attacker's): each sealed ballot's
        # receipt names its city. And the rows are in casting order: only the seal protects them.
        key = key_file(live, poll).read_bytes()
        rows = await sealed_rows(live, poll)
        opened_rows = [unseal_with(key, poll, row["sealed"]) for row in rows]
        by_receipt = {
            canonical.receipt_of(canonical.leaf(poll, choice, weight, nonce)): nonce
            for choice, weight, nonce in opened_rows
        }
        truth = {i: by_receipt[receipt] for i, receipt in receipts.items()}
        nonces = list(truth.values())
        assert len(set(nonces)) == VOTERS == len(rows)
        scores = Scores(truth)
        participants = await participation_orders(live, poll)
        # The link is there, for the key's holder: the sealed rows, opened, pair with participation
        # (SQLite: by row order; PostgreSQL: by the transaction, xmin). Only the seal protects them.
        if ENGINE == "postgres":
            voter_of = {
                r["xmin"]: city(r["slug"])
                for r in await sql(
                    live,
                    f"SELECT p.xmin::text AS xmin, m.slug FROM participation p JOIN member m ON m.id = p.member "
                    f"WHERE p.poll = {poll}",
                )
            }
            linked = sum(1 for row, (_c, _w, nonce) in zip(rows, opened_rows, strict=True)
                         if truth[voter_of[row["xmin"]]] == nonce)  # fmt: skip
        else:
            linked = score(participants["id"], [nonce for _c, _w, nonce in opened_rows], truth)
        assert linked == VOTERS, linked

        # 1. While the poll is open nothing but the seal is readable: one length whatever the
        # choice, no nonce or receipt in the database file, its WAL, a backup or a dump, no key.
        assert len({len(row["sealed"]) for row in rows}) == 1, "sealed ballots differ in length"
        secrets_of_ballots = [n.encode() for n in nonces] + [r.encode() for r in receipts.values()]
        open_backup = tmp_path / "open.backup"
        live.cli("backup", "--out", str(open_backup))
        readable = {"backup": open_backup.read_bytes()}
        if ENGINE == "postgres":
            readable["dump"] = dump_text(open_backup)
        else:
            readable["database file"] = database_file_bytes(live)
            readable["WAL"] = wal_bytes(live)
        for where, data in readable.items():
            assert not [b for b in secrets_of_ballots if b in data], f"a ballot readable in the {where}"
            assert key not in data, f"the poll's key in the {where}"
        if ENGINE == "postgres":  # the xmin join links a member to a seal, and to nothing more
            assert {row["xmin"] for row in rows} <= {
                r["xmin"] for r in await sql(live, f"SELECT xmin::text AS xmin FROM participation WHERE poll = {poll}")
            }
        copy.cli("restore", str(open_backup), "--force")
        assert len(await sealed_rows(copy, poll)) == VOTERS  # the copy holds the seals, not the key
        assert not key_file(copy, poll).exists()

        # 2. The close writes the ballots out in receipt order; the seals, their history and the key go.
        status, closed = await call(connections[0], "POST", f"{POLLS}/{poll}/close")
        assert status == 200 and closed["voted"] == VOTERS, closed
        await asyncio.gather(*[c.close() for c in connections])
        server.stop()  # the server's idle pool has checkpointed; stopping it closes the files
        assert await sql(live, f"SELECT * FROM sealed_ballot WHERE poll = {poll}") == []
        assert not key_file(live, poll).exists(), "the poll's key outlives its close"
        scores.pair("closed, live", participants, await closed_ballot_orders(live, poll))
        if ENGINE == "postgres":
            assert await dead_versions(live) == 0, "pageinspect still reads the sealed rows' superseded versions"
        else:
            data = database_file_bytes(live)
            scores.pair("closed, live file bytes", participants, {"offset": offsets(data, nonces)})
            for nonce in nonces:  # one copy each: the ballot's row and its index entry
                assert data.count(nonce.encode()) <= 2, f"a stray copy of {nonce}"
            assert not NONCE.search(wal_bytes(live)), "the WAL still holds ballots"
        closed_backup = tmp_path / "closed.backup"
        live.cli("backup", "--out", str(closed_backup))
        if ENGINE == "postgres":
            scores.pair("closed, backup", participants, {"dump order": offsets(dump_text(closed_backup), nonces)})
        else:
            in_backup = offsets(closed_backup.read_bytes(), nonces)
            scores.pair("closed, backup file bytes", participants, {"offset": in_backup})
        copy.cli("restore", str(closed_backup), "--force")
        scores.pair("closed, restored", await participation_orders(copy, poll), await closed_ballot_orders(copy, poll))
        print(f"\nFIGURES secrecy attacks ({ENGINE}, {'concurrent' if concurrent else 'sequential'}): "
              f"{len(scores.by_method)} methods, best {max(scores.by_method.values())} of {VOTERS} linked")  # fmt: skip
        scores.check()
    finally:
        for connection in connections:
            await connection.close()
        server.stop()


async def dead_versions(site: Site) -> int:
    """Tuples pageinspect still finds in ``sealed_ballot``'s pages and its TOAST table's (live or dead)."""
    import asyncpg

    admin = site.pg_admin.rsplit("/", 1)[0] + "/" + (site.pg_name or "")
    connection = await asyncio.wait_for(asyncpg.connect(admin), timeout=10)
    try:
        await connection.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        found = 0
        toast = await connection.fetchval(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'sealed_ballot'"
        )
        for relation in ("sealed_ballot", toast):
            pages = await connection.fetchval(f"SELECT pg_relation_size('{relation}') / 8192")
            for page in range(pages):
                found += await connection.fetchval(
                    f"SELECT count(*) FROM heap_page_items(get_raw_page('{relation}', {page})) WHERE t_data IS NOT NULL"
                )
        return found
    finally:
        await connection.close()
