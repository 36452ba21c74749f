"""What the minutes pages show: read-only helpers over the minutes services and tables."""

from __future__ import annotations

from typing import Any

from governance.auth import Principal
from governance.db import reading
from governance.meetings.roles import MeetingRole
from governance.meetings.services import MeetingContext
from governance.minutes import services
from governance.minutes.tables import SignatoryKey
from governance.organisations.tables import Mandate, Organisation

Row = dict[str, Any]
COMMENTERS = frozenset({MeetingRole.representative, MeetingRole.chair, MeetingRole.secretary})


async def current_key(person_id: int) -> Row | None:
    """The person's signing key in use (its public parts only), or None."""
    async with reading():
        return (
            await SignatoryKey.select(SignatoryKey.fingerprint, SignatoryKey.created_at, SignatoryKey.certified_by)
            .where((SignatoryKey.person == person_id) & SignatoryKey.retired_at.is_null())
            .first()
        )


async def signing_organisation(principal: Principal) -> Row | None:
    """The organisation that certifies this person's signing key: the first whose secretariat
    they belong to, else the organisation of their first mandate; None if neither."""
    columns = (Organisation.id, Organisation.slug, Organisation.name_en, Organisation.name_fr, Organisation.name_es)
    async with reading():
        if principal.staff_of:
            row = (
                await Organisation.select(*columns)
                .where(Organisation.id.is_in(sorted(principal.staff_of)))
                .order_by(Organisation.id)
                .first()
            )
            if row is not None:
                return row
        mandate = (
            await Mandate.select(Mandate.body.organisation.as_alias("organisation"))
            .where(Mandate.person == principal.person_id)
            .order_by(Mandate.id)
            .first()
        )
        if mandate is None:
            return None
        return await Organisation.select(*columns).where(Organisation.id == mandate["organisation"]).first()


def _editor_items(content: Row) -> list[Row]:
    narratives = content.get("narratives") or {}
    return [{**item, "narrative": narratives.get(item["number"], "")} for item in content["facts"].get("items", [])]


async def minutes_panel(context: MeetingContext, principal: Principal) -> Row:
    """Everything the minutes page shows this person, and which forms they get."""
    rows = await services.versions(context)
    latest = rows[-1] if rows else None
    status = latest["status"] if latest else None
    roles = context.roles
    is_secretary = MeetingRole.secretary in roles
    held = await services.offices_held(context, principal.person_id)
    offices = services.signatory_offices(context)
    signatures = (
        await services.signatures(context, latest["version"])
        if latest and status in ("approved", "signed", "published")
        else []
    )
    signed = {s["office"] for s in signatures}
    commented = next((row for row in reversed(rows) if row["circulated_at"] is not None), None)
    return {
        "versions": rows,
        "latest": latest,
        "is_secretary": is_secretary,
        "is_chair": MeetingRole.chair in roles,
        "can_comment": bool(COMMENTERS & roles),
        "can_draft": is_secretary and status in (None, "draft", "signed", "published"),
        "editor": _editor_items(services.content_of(latest)) if is_secretary and status == "draft" and latest else None,
        "commented": commented,
        "comments": await services.comments(context, commented["version"]) if commented else [],
        "signatory_offices": offices,
        "signatures": signatures,
        "missing_offices": [o for o in offices if o not in signed],
        "to_sign": [{"office": o, "acting": held[o]} for o in offices if o in held and o not in signed]
        if status == "approved"
        else [],
        "holds_signing_office": bool(set(held) & set(offices)),
        "my_key": await current_key(principal.person_id),
    }
