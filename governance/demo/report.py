"""What a simulated sitting reports: its polls, decisions and minutes, and the lines printed for them."""

from __future__ import annotations

from dataclasses import dataclass, field

from governance.demo.script import SLUG


@dataclass
class PollResult:
    item: str
    motion: str  # what was put to the vote
    method: str
    round: int
    electorate: int
    by_proxy: int  # electors whose vote a proxy holder cast
    yes: int | None
    no: int | None
    abstain: int | None
    outcome: str
    arithmetic: str
    decision: str | None  # the decision number, when the poll adopted a main motion


@dataclass
class Simulation:
    seed: int
    played: bool = False
    message: str = ""
    arrivals: list[str] = field(default_factory=list)  # member names, in order of arrival
    absent: list[str] = field(default_factory=list)
    proxy: str | None = None
    quorum: str = ""
    recusals: list[str] = field(default_factory=list)
    polls: list[PollResult] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)  # "BoD-2012-01 (item 1): text"
    minutes: list[str] = field(default_factory=list)  # how the minutes went, line by line
    seconds: float = 0.0


def summary(report: Simulation) -> list[str]:
    """The report as lines for the terminal."""
    if not report.played:
        return [report.message]
    lines = [f"Simulated the Board meeting {SLUG} (seed {report.seed}), in {report.seconds:.1f} s."]
    lines.append(f"Arrivals ({len(report.arrivals)}): {', '.join(report.arrivals)}")
    lines.append(f"Absent ({len(report.absent)}): {', '.join(report.absent)}")
    lines.append(f"Proxy: {report.proxy}")
    lines.append(f"Quorum: {report.quorum}")
    for recusal in report.recusals:
        lines.append(f"Recusal: {recusal}")
    lines.append(f"Polls ({len(report.polls)}):")
    for poll in report.polls:
        method = poll.method.replace("_", " ")
        decision = f" -> {poll.decision}" if poll.decision else ""
        proxy = f", {poll.by_proxy} by proxy" if poll.by_proxy else ""
        lines.append(
            f"  item {poll.item}, {poll.motion} (round {poll.round}, {method}, {poll.electorate} electors{proxy}): "
            f"{poll.outcome.upper()}{decision}"
        )
        lines.append(f"      {poll.arithmetic}")
    lines.append(f"Decisions ({len(report.decisions)}):")
    lines.extend(f"  {decision}" for decision in report.decisions)
    lines.append("The meeting is closed.")
    lines.extend(report.minutes)
    return lines
