"""Display links: the room's screen follows a meeting without anyone's login.

The secretariat opens a link for the projector; it carries a random token of which only the
SHA-256 is stored (a copy of the database opens no screen), is read-only (the display view
and its live stream are the only things it opens), and can be revoked: the page then stops
loading and its live stream ends at the next update (revoking wakes the meeting's streams).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from governance import clock
from governance.auth import Principal
from governance.db import reading, writing
from governance.errors import Conflict, NotFound
from governance.i18n import gettext as _
from governance.meetings import live
from governance.meetings.services import MeetingContext
from governance.meetings.tables import DisplayLink
from governance.record import log

Row = dict[str, Any]
TOKEN_BYTES = 24  # 192 bits: 32 URL-safe characters


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_link(context: MeetingContext, principal: Principal, label: str = "") -> tuple[Row, str]:
    """A new display link for the meeting: its row and its token (shown once, never stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    at = clock.now()
    async with writing():
        rows = await DisplayLink.insert(
            DisplayLink(
                meeting=context.meeting["id"],
                token_hash=token_hash(token),
                label=label.strip()[:100],
                created_at=at,
                created_by=principal.person_id,
            )
        ).returning(*DisplayLink.all_columns())
        await log.append(context.meeting["id"], "display_link_opened", principal.person_id, at, link=rows[0]["id"])
    return rows[0], token


async def list_links(context: MeetingContext) -> list[Row]:
    async with reading():
        return (
            await DisplayLink.select(
                *DisplayLink.all_columns(), DisplayLink.created_by.full_name.as_alias("created_by_name")
            )
            .where(DisplayLink.meeting == context.meeting["id"])
            .order_by(DisplayLink.id, ascending=False)
        )


async def revoke_link(context: MeetingContext, principal: Principal, link_id: int) -> Row:
    at = clock.now()
    async with writing():
        row = (
            await DisplayLink.select()
            .where((DisplayLink.id == link_id) & (DisplayLink.meeting == context.meeting["id"]))
            .first()
        )
        if row is None:
            raise NotFound(_("No such display link in this meeting."))
        if row["revoked_at"] is not None:
            raise Conflict(_("This display link is already revoked."))
        await DisplayLink.update({DisplayLink.revoked_at: at, DisplayLink.revoked_by: principal.person_id}).where(
            DisplayLink.id == link_id
        )
        await log.append(context.meeting["id"], "display_link_revoked", principal.person_id, at, link=link_id)
    # The screens showing it end their live stream at once rather than at the next refresh.
    live.meeting_changed(context.meeting["id"])
    return {**row, "revoked_at": at, "revoked_by": principal.person_id}


async def meeting_of_token(token: str) -> Row | None:
    """The meeting a live display link opens (its slug and id), or None (unknown or revoked)."""
    if not token or len(token) > 100:
        return None
    async with reading():
        return (
            await DisplayLink.select(
                DisplayLink.id, DisplayLink.meeting.id.as_alias("meeting_id"), DisplayLink.meeting.slug.as_alias("slug")
            )
            .where((DisplayLink.token_hash == token_hash(token)) & DisplayLink.revoked_at.is_null())
            .first()
        )


async def is_live(link_id: int) -> bool:
    async with reading():
        return await DisplayLink.exists().where((DisplayLink.id == link_id) & DisplayLink.revoked_at.is_null())
