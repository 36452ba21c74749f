"""Verifier speed: a synthetic record of 300 voters and 100 polls, verified end to end.

    python bench/verify_bench.py [--voters 300] [--polls 100] [--runs 3]

Builds the bundle with the tests' builder (tests/record_builder.py: every voter attends,
polls alternate roll call and secret ballot, every voter casts yes, no or abstain at random),
then times ``python -m governance.verify``'s ``main`` on it in-process and prints the seconds
(the best of the runs, and each run). Target: under 2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from governance.verify import main
from tests.record_builder import RecordBuilder


def build(directory: Path, voters: int, polls: int) -> Path:
    rng = random.Random(2012)
    slugs = [f"city-{n:04d}" for n in range(1, voters + 1)]
    builder = RecordBuilder(members=dict.fromkeys(slugs, True))
    for slug in slugs:
        builder.arrive(slug)
    for number in range(polls):
        votes = {slug: rng.choice(["yes", "no", "abstain"]) for slug in slugs}
        builder.poll(method="secret" if number % 2 else "roll_call", votes=votes)
    return builder.write(directory)


def _fingerprint(directory: Path) -> str:
    return json.loads((directory / "manifest.json").read_text())["key"]["fingerprint"]


def bench(voters: int = 300, polls: int = 100, runs: int = 1) -> dict[str, float]:
    """The same measurement as a function (for `make bench`): seconds to build the bundle and
    to verify it (best of ``runs``), and the record's size; raises if verification fails."""
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as tmp:
        started = time.perf_counter()
        directory = build(Path(tmp) / "bundle", voters, polls)
        built = time.perf_counter() - started
        size = (directory / "record.json").stat().st_size
        timings = []
        for _ in range(runs):
            report = io.StringIO()
            started = time.perf_counter()
            with contextlib.redirect_stdout(report):
                status = main([str(directory), "--key", _fingerprint(directory)])
            timings.append(time.perf_counter() - started)
            if status != 0:
                raise RuntimeError(f"verification failed:\n{report.getvalue()[-2000:]}")
    return {"build_s": built, "verify_s": min(timings), "record_mb": size / 1e6}


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--polls", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="verify-bench-") as tmp:
        started = time.perf_counter()
        directory = build(Path(tmp) / "bundle", args.voters, args.polls)
        built = time.perf_counter() - started
        size = (directory / "record.json").stat().st_size
        print(f"built {args.voters} voters x {args.polls} polls in {built:.2f} s; record.json {size / 1e6:.1f} MB")
        timings = []
        for _ in range(args.runs):
            report = io.StringIO()
            started = time.perf_counter()
            with contextlib.redirect_stdout(report):
                status = main([str(directory), "--key", _fingerprint(directory)])
            timings.append(time.perf_counter() - started)
            if status != 0:
                sys.exit(f"verification failed:\n{report.getvalue()[-2000:]}")
        print(f"verified (exit 0): best {min(timings):.3f} s; runs " + ", ".join(f"{t:.3f}" for t in timings))
        print("target: under 2 s:", "met" if min(timings) < 2 else "MISSED")


if __name__ == "__main__":
    run()
