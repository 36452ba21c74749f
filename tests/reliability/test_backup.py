"""`governance backup` / `governance restore`: a restored copy carries the same verifiable record.

The demo Board meeting is played through (`governance demo --simulate`), backed up while a
server is running on it, restored into a fresh database, and its record exported from both:
the verifier passes on the copy and the two exports are identical.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.database import DEMO_PASSWORD, ENGINE

from .live import Server, Site, drop_site, new_site, verify_bundle

MEETING = "metropolis-bod-2012"


@pytest.fixture
async def sites(tmp_path: Path) -> Any:
    original = await new_site(tmp_path / "original", "backup_a")
    copy = await new_site(tmp_path / "copy", "backup_b")
    # The signing keys are files, not rows: the copy signs its export with the same key.
    copy.env["GOVERNANCE_KEY_DIR"] = original.env["GOVERNANCE_KEY_DIR"]
    yield original, copy
    await drop_site(original)
    await drop_site(copy)


def one_line_error(result: Any) -> str:
    """A user's mistake: non-zero exit, one line on stderr, no traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def same_exports(first: Path, second: Path) -> list[str]:
    """The two bundles are identical, file by file (the manifest but for its export time)."""
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        if name == "manifest.json":
            a, b = (json.loads((d / name).read_text()) for d in (first, second))
            a.pop("exported_at"), b.pop("exported_at")
            assert a == b, "the manifests differ"
        elif name != "manifest.sig":  # signs exported_at too
            assert (first / name).read_bytes() == (second / name).read_bytes(), f"{name} differs"
    return names


async def test_backup_restore_keeps_the_record_verifiable(sites: tuple[Site, Site], tmp_path: Path) -> None:
    started = time.monotonic()
    original, copy = sites
    original.cli("demo", "--password", DEMO_PASSWORD, "--simulate", timeout=180)
    before = tmp_path / "bundle-original"
    verify_bundle(original, MEETING, before)

    backup_file = tmp_path / "governance.backup"
    server = Server(original)  # a backup is taken while the server runs
    server.start()
    try:
        made = original.cli("backup", "--out", str(backup_file))
    finally:
        server.stop()
    assert "Backed up" in made.stdout and backup_file.stat().st_size > 0

    restored = copy.cli("restore", str(backup_file))
    assert "Restored" in restored.stdout
    copy.cli("migrate")  # what the restore message tells the operator to run
    after = tmp_path / "bundle-restored"
    report = verify_bundle(copy, MEETING, after)
    files = same_exports(before, after)

    # The copy now holds data: a second restore refuses to overwrite it, unless --force.
    refused = one_line_error(copy.cli("restore", str(backup_file), check=False))
    assert "--force" in refused
    copy.cli("restore", str(backup_file), "--force")
    again = tmp_path / "bundle-forced"
    verify_bundle(copy, MEETING, again)
    same_exports(before, again)
    print(
        f"\nFIGURES backup ({ENGINE}): backup {backup_file.stat().st_size:,} bytes taken while serving, "
        f"restored into a fresh database and again with --force; verifier {report.strip().splitlines()[-1]!r} "
        f"on the copy; exports identical ({', '.join(files)}; manifest but for exported_at); "
        f"{time.monotonic() - started:.1f}s"
    )


async def test_backup_and_restore_mistakes_get_one_line(sites: tuple[Site, Site], tmp_path: Path) -> None:
    original, copy = sites
    original.cli("migrate")
    missing_dir = tmp_path / "no-such-dir" / "x.backup"
    assert "does not exist" in one_line_error(original.cli("backup", "--out", str(missing_dir), check=False))
    assert "is a directory" in one_line_error(original.cli("backup", "--out", str(tmp_path), check=False))
    backup_file = tmp_path / "ok.backup"
    original.cli("backup", "--out", str(backup_file))
    assert "already exists" in one_line_error(original.cli("backup", "--out", str(backup_file), check=False))
    original.cli("backup", "--out", str(backup_file), "--force")

    assert "No backup file" in one_line_error(copy.cli("restore", str(tmp_path / "nothing"), check=False))
    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"this is not a database\n" * 10)
    assert "not a backup" in one_line_error(copy.cli("restore", str(garbage), check=False))
    if ENGINE == "sqlite":
        foreign = tmp_path / "foreign.sqlite3"
        import sqlite3

        with sqlite3.connect(foreign) as db:
            db.execute("CREATE TABLE t (x)")
        assert "not a governance backup" in one_line_error(copy.cli("restore", str(foreign), check=False))


async def test_postgres_backup_without_pg_dump_says_so(sites: tuple[Site, Site], tmp_path: Path) -> None:
    original, _copy = sites
    original.cli("migrate")
    original.env["PATH"] = str(tmp_path)  # no pg_dump anywhere on it
    message = one_line_error(original.cli("backup", "--out", str(tmp_path / "x.backup"), check=False))
    assert "pg_dump was not found" in message
    assert not (tmp_path / "x.backup").exists()
    original.env["PATH"] = os.environ["PATH"]
