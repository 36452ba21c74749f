"""What the tablets, the console and the projector show of the vote in progress (or
just closed): progress as "n of N voted" only, my ballots to cast, and the result with
its arithmetic once closed; the candidates of the current item's elections."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from governance.auth import Principal
from governance.i18n import lazy_gettext as _l
from governance.meetings.services import MeetingContext
from governance.polls import services, wording
from governance.polls.guards import holds_casting_vote

Row = dict[str, Any]
CHOICE_WORDS = {"yes": _l("Yes"), "no": _l("No"), "abstain": _l("Abstain"), "blank": _l("Blank")}


def shown_poll(polls: list[Row], current_item: Row | None, motions: list[Any]) -> Row | None:
    """The poll the panel shows: the open one, else the last one on the item under way (a
    result on an earlier item gives way once another item is taken up; between items, the
    last result stays)."""
    poll = next((p for p in polls if p["status"] == "open"), None)
    if poll is not None or not polls:
        return poll
    if current_item is None:
        return polls[-1]
    on_item = {m["id"] for m in motions}
    return next((p for p in reversed(polls) if p["motion"] in on_item), None)


async def poll_rows(
    context: MeetingContext, motions: Iterable[Any] = (), current_item: Row | None = None
) -> dict[str, Any]:
    """What the poll panel reads from the database that is the same for every reader (a
    live update loads it once per change and worker, not once per open page). ``motions``
    are the motions of ``current_item``, the item under way (None between items)."""
    motions = list(motions)
    candidates = {
        m["id"]: await services.list_candidates(context, m["id"]) for m in motions if m["decision_type"] == "election"
    }
    polls = await services.list_polls(context)
    poll = shown_poll(polls, current_item, motions)
    if poll is None:
        return {"poll": None, "candidates": candidates}
    return {
        "poll": poll,
        "candidates": candidates,
        "progress": await services.progress(poll["id"]),
        "names": await services.candidate_names(poll) if poll["kind"] == "election" else {},
    }


async def poll_panel(
    context: MeetingContext, principal: Principal, motions: Iterable[Any] = (), facts: dict[str, Any] | None = None
) -> dict[str, Any]:
    if facts is None:
        facts = await poll_rows(context, motions)
    poll, candidates = facts["poll"], facts["candidates"]
    if poll is None:
        return {"poll": None, "candidates": candidates}
    voted, size = facts["progress"]
    mine = await services.my_ballots(context, principal, poll["id"]) if poll["status"] == "open" else []
    names = facts["names"]
    tally: list[tuple[str, int]] = []
    if poll["status"] == "closed" and poll["tally"]:
        votes = {int(k): v for k, v in json.loads(poll["tally"]).items()}
        tally = sorted(((names.get(c, str(c)), n) for c, n in votes.items()), key=lambda pair: -pair[1])
    if poll["kind"] == "election" and poll["status"] == "closed":
        # The round's facts, so its arithmetic is said in the reader's language (poll_arithmetic).
        poll = {**poll, "election": wording.election_round(poll, names)}
    return {
        "poll": poll,
        **amendment_of(poll, motions),
        "poll_void_reason": wording.void_reason(poll["void_reason"]),
        "poll_casting_office": wording.office_title(poll["casting_vote_office"]),
        "poll_options": services.options_of(poll),
        "poll_candidates": [(c, names.get(c, str(c))) for c in services.candidates_of(poll)],
        "poll_tied": [(c, names.get(c, str(c))) for c in json.loads(poll["next_candidates"] or "[]")],
        "poll_tally": tally,
        "poll_elected": [names.get(c, str(c)) for c in json.loads(poll["elected"] or "[]")],
        "poll_voted": voted,
        "poll_size": size,
        "poll_mine": mine,
        "poll_secrecy_warning": await services.secrecy_warning(poll) if poll["status"] == "open" else None,
        "casts_deciding_vote": holds_casting_vote(context, principal.person_id),
        "candidates": candidates,
    }


def amendment_of(poll: Row, motions: Iterable[Any]) -> dict[str, Any]:
    """When the poll decides an amendment: what it amends ("Amendment to ...": the amended
    motion's decision number, else the start of its text) and the word diff the agenda panel
    already computed for this reader's language (``motions`` are its entries)."""
    by_id = {m["id"]: m for m in motions}
    motion = by_id.get(poll["motion"])
    if motion is None or motion.get("kind") != "amendment" or motion.get("amends") not in by_id:
        return {"poll_amends": None, "poll_diff": None}
    amended = by_id[motion["amends"]]
    amends = {"number": amended.get("decision_number"), "text": shorten(amended.get("text") or "", 80)}
    return {"poll_amends": amends, "poll_diff": motion.get("diff")}


def shorten(text: str, width: int) -> str:
    """The first words of a text, cut at a word and marked with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0].rstrip(",;:") + "…"


# --- the bulletin board -------------------------------------------------------------------

CODE_CHARACTERS = re.compile(r"^[A-Z2-7]{10}$")  # RFC 4648 base32, as receipt codes are written


def normalise_code(raw: str) -> str:
    """A receipt code as typed (any case, with or without the dash or spaces) -> "ABCDEFGHIJ"."""
    return re.sub(r"[\s-]", "", raw).upper()


def _choice_label(poll: Row, choice: str, names: dict[int, str]) -> str:
    if choice in CHOICE_WORDS:
        return str(CHOICE_WORDS[choice])
    if poll["kind"] == "election":
        return ", ".join(names.get(int(c), c) if c.isdigit() else c for c in choice.split(","))
    return choice


async def board_view(context: MeetingContext, poll_id: int, code: str = "") -> dict[str, Any]:
    """The bulletin board page: the poll, its result, every ballot (sorted by receipt) with the
    words of its choice, and the answer to a search for a receipt code ("found", "missing",
    "malformed", or None when nothing was searched). Raises as ``services.board`` does."""
    found = await services.board(context, poll_id)
    poll, ballots = found["poll"], found["ballots"]
    names = await services.candidate_names(poll) if poll["kind"] == "election" else {}
    for ballot in ballots:
        ballot["label"] = _choice_label(poll, ballot["choice"], names)
    search = normalise_code(code)
    answer = None
    if search:
        if not CODE_CHARACTERS.match(search):
            answer = "malformed"
        else:
            answer = "found" if any(b["code"].replace("-", "") == search for b in ballots) else "missing"
    tally: list[tuple[str, int]] = []
    if poll["tally"]:
        votes = {int(k): v for k, v in json.loads(poll["tally"]).items()}
        tally = sorted(((names.get(c, str(c)), n) for c, n in votes.items()), key=lambda pair: -pair[1])
    if poll["kind"] == "election":
        poll = {**poll, "election": wording.election_round(poll, names)}
    return {
        "poll": poll,
        "ballots": ballots,
        "poll_tally": tally,
        "poll_elected": [names.get(c, str(c)) for c in json.loads(poll["elected"] or "[]")],
        "code": code.strip()[:40],
        "searched": search if answer else "",
        "answer": answer,
    }
