"""Running the independent verifier on a record bundle, forging one as an insider would, and a
sample record built from scratch (``tests/record_builder.py``, which the benchmark uses too)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from governance.record import canonical, keys
from governance.verify import main as verify
from tests.record_builder import RecordBuilder

SLUG = "metropolis-bod-2012"
TWO_THIRDS = {"numerator": 2, "denominator": 3, "strict": False, "base": "cast_including_abstentions"}
MEMBERS = {
    "accra": True,
    "barcelona": True,
    "chicago": True,
    "durban": True,
    "essen": True,
    "fes": True,
    "guangzhou": True,
    "observer": False,
}


def pinned(argv: Any) -> list[str]:
    """The verifier's arguments pinned to the bundle's own manifest key (``--key``), unless the
    test gives one: the other checks are under test here; pinning has tests of its own."""
    args = [str(a) for a in argv]
    manifest = Path(args[0]) / "manifest.json" if args else None
    if "--key" in args or manifest is None or not manifest.is_file():
        return args
    return [*args, "--key", json.loads(manifest.read_text())["key"]["fingerprint"]]


def run(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str]:
    """The verifier's exit status and what it printed."""
    status = verify(pinned(argv))
    return status, capsys.readouterr().out


def fails_with(capsys: pytest.CaptureFixture[str], message: str, *argv: Any) -> None:
    status, out = run(capsys, *argv)
    assert status == 1, out
    assert f"FAILED: {message}" in out, out


def load(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "record.json").read_text())


async def forge(directory: Path, record: dict[str, Any]) -> None:
    """Rewrite record.json and re-sign the manifest with the organisation's own key: what an
    insider holding the key could do. Only the record's internal checks can catch it."""
    content = json.dumps(record, indent=1, ensure_ascii=False).encode()
    (directory / "record.json").write_bytes(content)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"]["record.json"] = hashlib.sha256(content).hexdigest()
    signer = await keys.signer("metropolis")
    manifest_bytes = canonical.canonical(manifest)
    (directory / "manifest.json").write_bytes(manifest_bytes)
    (directory / "manifest.sig").write_bytes(signer.sign(manifest_bytes))


def build(organisation: str = "uclg", proxy_consent: str | None = None) -> RecordBuilder:
    """Five cities attend (Accra with two votes), Fès gives Accra its proxy, Guangzhou is away."""
    b = RecordBuilder(members=dict(MEMBERS), weights={"accra": 2}, organisation=organisation)
    for slug in ("accra", "barcelona", "chicago", "durban", "essen", "observer"):
        b.arrive(slug)
    b.proxy("fes", "accra", consent=proxy_consent)
    b.append("motion_tabled", {"motion": 1, "item": 3})
    # Poll 1, roll call: yes 2+1+1 = 4, no 1, abstain 1; more than 1/2 of 5 = 3: adopted.
    b.poll(
        method="roll_call",
        votes={"accra": "yes", "barcelona": "yes", "chicago": "no", "durban": "abstain", "fes": "yes"},
        outcome="adopted",
    )
    # Poll 2, secret, Durban recused: yes 3, no 2, blank 1; at least 2/3 of 5 (blank never cast) = 4: rejected.
    b.poll(
        method="secret",
        votes={"accra": "no", "barcelona": "yes", "chicago": "yes", "essen": "yes", "fes": "blank"},
        options=["yes", "no", "abstain", "blank"],
        majority=TWO_THIRDS,
        recused=("durban",),
        outcome="rejected",
    )
    # Poll 3, secret election for one seat: Chicago 2+1 = 3 of 5 valid (more than 1/2 needs 3): elected.
    bcn, chi, dur = b.member_id("barcelona"), b.member_id("chicago"), b.member_id("durban")
    b.poll(
        method="secret",
        kind="election",
        options={"candidates": [bcn, chi, dur], "method": "absolute_then_relative"},
        votes={
            "accra": str(chi),
            "barcelona": str(bcn),
            "chicago": str(chi),
            "durban": str(bcn),
            "essen": "blank",
            "fes": "abstain",
        },
        result={
            "abstain": 1,
            "blank": 1,
            "tally": {str(bcn): 2, str(chi): 3, str(dur): 0},
            "elected": [chi],
            "outcome": "elected",
            "arithmetic": "round 1: Chicago elected",
        },
    )
    b.append("speaker_added", {"member": "essen"})
    return b
