"""What the tablets, the console and the projector show of the vote in progress (or
just closed): progress as "n of N voted" only, my ballots to cast, and the result with
its arithmetic once closed."""

from __future__ import annotations

from typing import Any

from governance.auth import Principal
from governance.meetings.services import MeetingContext
from governance.polls import services


async def poll_panel(context: MeetingContext, principal: Principal) -> dict[str, Any]:
    polls = await services.list_polls(context)
    if not polls:
        return {"poll": None}
    poll = next((p for p in polls if p["status"] == "open"), polls[-1])
    voted, size = await services.progress(poll["id"])
    mine = await services.my_ballots(context, principal, poll["id"]) if poll["status"] == "open" else []
    return {
        "poll": poll,
        "poll_voted": voted,
        "poll_size": size,
        "poll_mine": mine,
        "poll_secrecy_warning": services.secrecy_warning(poll),
    }
