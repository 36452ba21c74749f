"""The agenda context's typed state: what an agenda item and a motion are once their rows are
decoded.

The statuses, kinds and procedures are closed ``StrEnum``s whose values are the strings the
database stores (its CHECK constraints list them): ``ItemStatus`` and ``MotionStatus`` (from
``governance.vocabulary``, where their labels are), ``ItemKind``, ``MotionKind``,
``Procedure`` and ``Special``. A row is decoded once (``Item.from_row``, ``Motion.from_row``);
the rules (``governance.agenda.rules``) decide over these values; the store
(``governance.agenda.store``) alone reads and writes the rows they come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from governance.vocabulary import DecisionType, ItemKind, ItemStatus, MotionStatus

__all__ = [
    "FINAL_STATUSES",
    "ON_FLOOR",
    "OPEN_STATUSES",
    "Actor",
    "DecisionType",
    "Item",
    "ItemKind",
    "ItemStatus",
    "Motion",
    "MotionKind",
    "MotionStatus",
    "Procedure",
    "SpeakerState",
    "Special",
]


class MotionKind(StrEnum):
    main = "main"
    amendment = "amendment"  # changes the text of another motion on the same item
    procedural = "procedural"  # proposes a procedure (postpone, close the debate...)


class Procedure(StrEnum):
    postpone = "postpone"
    refer = "refer"  # to a committee, the secretariat...
    table = "table"  # lay on the table: the item is postponed
    close_debate = "close_debate"  # the main motions under debate go to the vote
    amend_agenda = "amend_agenda"  # unlocks one change of an adopted agenda


class Special(StrEnum):
    """The standard items, which carry their own decision type (and so their majority)."""

    agenda = "agenda"  # adoption of the agenda
    minutes = "minutes"  # approval of the previous minutes


class SpeakerState(StrEnum):
    """Where a request for the floor stands (from its times, never stored)."""

    waiting = "waiting"
    speaking = "speaking"
    spoken = "spoken"
    withdrawn = "withdrawn"


class Actor(StrEnum):
    """Who moves a motion from one status to the next."""

    seconder = "seconder"  # a member's representative other than the mover (``second``)
    chair = "chair"  # whoever drives the agenda: the chair, or the secretary where allowed
    vote = "vote"  # a closed poll or a casting vote, through the polls context only
    mover = "mover"  # the mover (or the secretariat on their behalf) withdraws


# A motion is open until it is settled; the floor is where debate and votes happen.
OPEN_STATUSES: tuple[MotionStatus, ...] = (
    MotionStatus.proposed,
    MotionStatus.seconded,
    MotionStatus.debate,
    MotionStatus.voting,
)
FINAL_STATUSES: tuple[MotionStatus, ...] = (
    MotionStatus.adopted,
    MotionStatus.rejected,
    MotionStatus.withdrawn,
    MotionStatus.postponed,
    MotionStatus.referred,
)
ON_FLOOR: tuple[MotionStatus, ...] = (MotionStatus.debate, MotionStatus.voting)


def _optional_int(value: object) -> int | None:
    return None if value is None else int(str(value))


@dataclass(frozen=True)
class Item:
    """An agenda item: its number ("3.2"), kind, decision type and status."""

    id: int
    number: str
    kind: ItemKind
    status: ItemStatus
    special: Special | None
    decision_type: DecisionType | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Item:
        return cls(
            id=int(row["id"]),
            number=str(row["number"]),
            kind=ItemKind(row["kind"]),
            status=ItemStatus(row["status"]),
            special=Special(row["special"]) if row["special"] else None,
            decision_type=DecisionType(row["decision_type"]) if row["decision_type"] else None,
        )


@dataclass(frozen=True)
class Motion:
    """A motion: what it is, what it amends, who moved it and where it stands."""

    id: int
    item: int
    kind: MotionKind
    procedure: Procedure | None
    amends: int | None
    depth: int
    status: MotionStatus
    decision_type: DecisionType
    mover_member: int | None
    mover_person: int | None
    version: int

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Motion:
        return cls(
            id=int(row["id"]),
            item=int(row["item"]),
            kind=MotionKind(row["kind"]),
            procedure=Procedure(row["procedure"]) if row["procedure"] else None,
            amends=_optional_int(row["amends"]),
            depth=int(row["depth"]),
            status=MotionStatus(row["status"]),
            decision_type=DecisionType(row["decision_type"]),
            mover_member=_optional_int(row["mover_member"]),
            mover_person=_optional_int(row["mover_person"]),
            version=int(row["version"]),
        )
