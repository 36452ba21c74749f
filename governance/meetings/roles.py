"""Who someone is in a meeting: pure functions over plain data.

Authority belongs to offices, not people: the chair is the mandate named as chair for
the meeting, else a Co-President (or Vice-President) acting as President, else the
President. The secretariat of the organisation and the meeting's own secretary act as
secretary. A voting representative holds a principal, delegate or substitute mandate
whose office is not "observer"; an observer holds an observer mandate.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any


class MeetingRole(StrEnum):
    secretary = "secretary"
    chair = "chair"
    representative = "representative"
    observer = "observer"


def chair_mandate(mandates: Iterable[Mapping[str, Any]], named_chair: int | None) -> Mapping[str, Any] | None:
    """The mandate that chairs, among a body's mandates."""
    mandates = list(mandates)
    if named_chair is not None:
        for mandate in mandates:
            if mandate["id"] == named_chair:
                return mandate
    for wanted in ("acting", "president"):
        for mandate in mandates:
            if wanted == "acting" and mandate.get("acting_office") == "president":
                return mandate
            if wanted == "president" and mandate["office"] == "president":
                return mandate
    return None


FROM_MANDATES = object()  # meeting_roles: no chair given, find it among the mandates


def meeting_roles(
    *,
    person_id: int,
    is_admin: bool,
    is_secretariat: bool,
    meeting_secretary: int | None,
    mandates: Iterable[Mapping[str, Any]],
    named_chair: int | None,
    chair: Mapping[str, Any] | object | None = FROM_MANDATES,
) -> frozenset[MeetingRole]:
    """Every role ``person_id`` holds in a meeting, given the body's mandates. ``chair``: the
    chair the log froze for the meeting (offices_fixed), when it did; else from ``mandates``."""
    mandates = list(mandates)
    roles: set[MeetingRole] = set()
    if is_admin or is_secretariat or meeting_secretary == person_id:
        roles.add(MeetingRole.secretary)
    if chair is FROM_MANDATES:
        chair = chair_mandate(mandates, named_chair)
    assert chair is None or isinstance(chair, Mapping)
    if chair is not None and chair["person"] == person_id:
        roles.add(MeetingRole.chair)
    for mandate in mandates:
        if mandate["person"] != person_id:
            continue
        if mandate["office"] == "observer":
            roles.add(MeetingRole.observer)
        else:
            roles.add(MeetingRole.representative)
    return frozenset(roles)


# The meeting's lifecycle, and who may move it. Convening belongs to the secretariat;
# opening, suspending, resuming and closing to the chair (the secretary may stand in
# only for convening and for cancelling a draft back to the drawing board).
TRANSITIONS: dict[tuple[str, str], MeetingRole] = {
    ("draft", "convened"): MeetingRole.secretary,
    ("convened", "draft"): MeetingRole.secretary,
    ("convened", "open"): MeetingRole.chair,
    ("open", "suspended"): MeetingRole.chair,
    ("suspended", "open"): MeetingRole.chair,
    ("open", "closed"): MeetingRole.chair,
    ("suspended", "closed"): MeetingRole.chair,
}


def allowed_transitions(status: str, roles: frozenset[MeetingRole]) -> list[str]:
    return list(_allowed_transitions(status, roles))


@functools.lru_cache(maxsize=256)
def _allowed_transitions(status: str, roles: frozenset[MeetingRole]) -> tuple[str, ...]:
    # Asked on every page and live snapshot, for a handful of (status, roles) pairs.
    return tuple(target for (source, target), role in TRANSITIONS.items() if source == status and role in roles)
