"""What the tablets, the console and the projector show of the vote in progress (or
just closed): progress as "n of N voted" only, my ballots to cast, and the result with
its arithmetic once closed; the candidates of the current item's elections."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from governance.auth import Principal
from governance.meetings.services import MeetingContext
from governance.polls import services
from governance.polls.guards import holds_casting_vote


async def poll_panel(context: MeetingContext, principal: Principal, motions: Iterable[Any] = ()) -> dict[str, Any]:
    candidates = {
        m["id"]: await services.list_candidates(context, m["id"]) for m in motions if m["decision_type"] == "election"
    }
    polls = await services.list_polls(context)
    if not polls:
        return {"poll": None, "candidates": candidates}
    poll = next((p for p in polls if p["status"] == "open"), polls[-1])
    voted, size = await services.progress(poll["id"])
    mine = await services.my_ballots(context, principal, poll["id"]) if poll["status"] == "open" else []
    names = await services.candidate_names(poll) if poll["kind"] == "election" else {}
    tally: list[tuple[str, int]] = []
    if poll["status"] == "closed" and poll["tally"]:
        votes = {int(k): v for k, v in json.loads(poll["tally"]).items()}
        tally = sorted(((names.get(c, str(c)), n) for c, n in votes.items()), key=lambda pair: -pair[1])
    return {
        "poll": poll,
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
