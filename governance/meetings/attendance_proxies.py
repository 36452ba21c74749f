"""Proxies: a member entrusts its vote to another (rule 3), and the consent steps that make
it count: the grantor's word (its own, or its signed form), the holder's acceptance (its
own, or recorded in the room by the secretariat) and the secretariat's validation."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from typing import Any

from governance.auth import Principal
from governance.errors import Conflict, Forbidden, Invalid, NotFound
from governance.i18n import gettext as _
from governance.meetings import attendance_rules as rules
from governance.meetings import attendance_store as store
from governance.meetings.attendance_changes import (
    is_secretary,
    record_change,
    represents,
    require_register_open,
    seated_member,
    when_given,
)
from governance.meetings.attendance_model import ProxyScope, ProxyStep, QuorumTrigger, revocation_reason, trigger
from governance.meetings.attendance_register import load_register
from governance.meetings.attendance_rules import STEP_TRIGGER, Actor, StepRefusal, proxy_missing
from governance.meetings.proxy_rules import LiveProxy, proxy_problems
from governance.meetings.services import MeetingContext

Row = dict[str, Any]


async def give_proxy(
    context: MeetingContext,
    principal: Principal,
    *,
    grantor_slug: str,
    holder_slug: str,
    scope: str = "meeting",
    items: str = "",
    instructions: str = "",
) -> Row:
    """A member entrusts its vote to another member (recorded by the grantor or the secretariat).

    Given by the grantor's own representative, the proxy carries the grantor's consent. Recorded
    by the secretariat, it waits for the grantor's signed form (``attach_form``) or the
    grantor's own confirmation (``confirm_proxy``); either way the holder still accepts it
    (``accept_proxy``, or ``accept_in_room`` recorded by the secretariat). Until then it
    counts for nothing."""
    require_register_open(context)
    grantor, holder = await seated_member(context, grantor_slug), await seated_member(context, holder_slug)
    by_grantor = represents(context, principal, grantor["id"])
    if not (is_secretary(context) or by_grantor):
        raise Forbidden(_("Only the member's own representative, or the secretariat, can give its proxy."))
    if scope == ProxyScope.items and not items.strip():
        message = _("List the agenda items the proxy covers.")
        raise Invalid(message, fields={"items": message})
    when = when_given(None)
    created: dict[str, int] = {}

    async def give() -> None:
        register = await load_register(context)  # refuses a meeting without its rules
        statutes = context.statutes
        assert statutes is not None
        live_proxies = [LiveProxy(p["grantor"], p["holder"]) for p in register.proxies if p["revoked_at"] is None]
        problems = proxy_problems(
            grantor=grantor["id"],
            holder=holder["id"],
            names=register.names,
            statutes=statutes,
            live=live_proxies,
            voters=register.voters,
            attending=set(register.attending),
            in_session=rules.in_session(context.meeting["status"]),
        )
        if problems:
            raise Invalid(next(iter(problems.values())), fields=problems)
        # The secretariat validates what it records (its own check of the proxy); that is not
        # the grantor's consent, which comes from the grantor or its signed form.
        validated = is_secretary(context)
        created["id"] = await store.insert_proxy(
            {
                "meeting": context.meeting["id"],
                "grantor": grantor["id"],
                "holder": holder["id"],
                "scope": scope,
                "items": items.strip()[:200],
                "instructions": instructions.strip(),
                "created_at": when,
                "created_by": principal.person_id,
                "validated_at": when if validated else None,
                "validated_by": principal.person_id if validated else None,
                "grantor_confirmed_at": when if by_grantor else None,
                "grantor_confirmed_by": principal.person_id if by_grantor else None,
            }
        )

    await record_change(
        context,
        trigger(QuorumTrigger.proxy_given, grantor["slug"], holder["slug"]),
        when,
        give,
        principal.person_id,
        lambda: _proxy_details(created["id"]),
    )
    return await get_proxy(context, created["id"])


async def _proxy_details(proxy_id: int) -> Row:
    """The proxy's state for its log event (inside the writing transaction): the grantor's
    consent (the signed form's SHA-256, or who confirmed and when), the holder's acceptance
    (who, when, and whether the secretariat recorded it in the room) and the validation."""
    proxy, names = await store.proxy_with_people(proxy_id)

    def step(at_key: str, by_key: str) -> Row | None:
        if proxy[at_key] is None:
            return None
        by = proxy[by_key]
        return {"at": proxy[at_key].astimezone(dt.UTC).isoformat(), "by": by, "by_name": names.get(by, "")}

    accepted = step("accepted_at", "accepted_by")
    if accepted is not None:
        accepted["in_room"] = proxy["accepted_in_room"]
    form = None
    if proxy["form_sha256"]:
        form = {
            "sha256": proxy["form_sha256"],
            "name": proxy["form_name"],
            "content_type": proxy["form_content_type"],
            "size": proxy["form_size"],
        }
    return {
        "proxy": {
            "id": proxy["id"],
            "form": form,
            "grantor_confirmed": step("grantor_confirmed_at", "grantor_confirmed_by"),
            "accepted": accepted,
            "validated": proxy["validated_at"] is not None,
            "revoked": proxy["revoked_at"] is not None,
            "missing": [code.value for code in proxy_missing(proxy)],
        }
    }


async def get_proxy(context: MeetingContext, proxy_id: int) -> Row:
    row = await store.get_proxy(context.meeting["id"], proxy_id)
    if row is None:
        raise NotFound(_("No such proxy in this meeting."))
    return row


async def list_proxies(context: MeetingContext) -> list[Row]:
    return await store.list_proxies(context.meeting["id"])


def _live_proxy(proxy: Row) -> None:
    if proxy["revoked_at"] is not None:
        raise Conflict(
            _("This proxy was revoked ({reason}).").format(reason=revocation_reason(proxy["revoked_reason"]))
        )


def _step_refused(refusal: StepRefusal) -> Forbidden | Conflict:
    sentences = {
        StepRefusal.holder_accepts: _(
            "Only the holder's representative accepts a proxy; the secretariat can record "
            "that the holder accepted it in the room."
        ),
        StepRefusal.secretary_records_in_room: _(
            "Only the secretariat records that a holder accepted a proxy in the room."
        ),
        StepRefusal.grantor_confirms: _("Only the grantor's own representative can confirm its proxy."),
        StepRefusal.secretary_validates: _("Only the secretariat validates proxies."),
        StepRefusal.grantor_or_secretary_revokes: _(
            "Only the grantor's representative, or the secretariat, can revoke this proxy."
        ),
        StepRefusal.already_accepted: _("This proxy is already accepted."),
        StepRefusal.already_confirmed: _("This proxy is already confirmed by its grantor."),
        StepRefusal.already_validated: _("This proxy is already validated."),
    }
    return (Forbidden if refusal.forbidden else Conflict)(sentences[refusal])


async def _proxy_step(
    context: MeetingContext, principal: Principal, proxy_id: int, step: ProxyStep, reason: str = ""
) -> Row:
    require_register_open(context)
    proxy = await get_proxy(context, proxy_id)
    _live_proxy(proxy)
    actor = Actor(
        secretary=is_secretary(context),
        for_grantor=represents(context, principal, proxy["grantor"]),
        for_holder=represents(context, principal, proxy["holder"]),
    )
    refusal = rules.step_refusal(step, proxy, actor)
    if refusal is not None:
        raise _step_refused(refusal)
    when = when_given(None)

    async def apply() -> None:
        # Accepted in the room: the holder is checked in as present (checked in the transaction).
        if step is ProxyStep.accept_in_room and not await store.checked_in(
            context.meeting["id"], proxy["holder"], present_only=True
        ):
            raise Conflict(
                _("{holder} is not checked in as present: its acceptance cannot be recorded in the room.").format(
                    holder=proxy["holder_name"]
                )
            )
        if not await store.stamp_proxy(proxy_id, step, at=when, by=principal.person_id, reason=reason):
            raise Conflict(_("This proxy changed meanwhile; reload the page."))

    await record_change(
        context,
        trigger(STEP_TRIGGER[step], proxy["grantor_slug"], proxy["holder_slug"]),
        when,
        apply,
        principal.person_id,
        lambda: _proxy_details(proxy_id),
    )
    return await get_proxy(context, proxy_id)


async def accept_proxy(context: MeetingContext, principal: Principal, proxy_id: int) -> Row:
    """The holder's representative accepts the proxy itself."""
    return await _proxy_step(context, principal, proxy_id, ProxyStep.accept)


async def accept_in_room(context: MeetingContext, principal: Principal, proxy_id: int) -> Row:
    """The secretariat records that the holder, present in the room, accepted the proxy."""
    return await _proxy_step(context, principal, proxy_id, ProxyStep.accept_in_room)


async def confirm_proxy(context: MeetingContext, principal: Principal, proxy_id: int) -> Row:
    """The grantor's own representative confirms a proxy the secretariat recorded for it."""
    return await _proxy_step(context, principal, proxy_id, ProxyStep.confirm)


async def validate_proxy(context: MeetingContext, principal: Principal, proxy_id: int) -> Row:
    return await _proxy_step(context, principal, proxy_id, ProxyStep.validate)


async def revoke_proxy(context: MeetingContext, principal: Principal, proxy_id: int, reason: str = "") -> Row:
    return await _proxy_step(context, principal, proxy_id, ProxyStep.revoke, reason.strip()[:200])


# The kinds of file a signed proxy form may be: a scan or a signed PDF.
FORM_TYPES = ("application/pdf", "image/png", "image/jpeg")


async def attach_form(context: MeetingContext, principal: Principal, proxy_id: int, filename: str, data: bytes) -> Row:
    """The secretariat attaches the grantor's signed proxy form (PDF, PNG or JPEG, at most
    20 MB, its type read from its bytes). Stored by its SHA-256 like the agenda's documents;
    the SHA-256 goes into the log event that records it. A proxy keeps its first form."""
    # Imported here: the agenda package builds on this module.
    from governance.agenda import documents

    if not is_secretary(context):
        raise Forbidden(_("Only the secretariat attaches a grantor's signed proxy form."))
    require_register_open(context)
    proxy = await get_proxy(context, proxy_id)
    _live_proxy(proxy)
    if proxy["form_sha256"]:
        raise Conflict(_("This proxy already has its signed form."))
    documents.check_size(len(data))
    name = documents.sanitize_name(filename)
    content_type = documents.sniff(name, data)
    if content_type not in FORM_TYPES:
        message = _("A signed proxy form is a PDF, PNG or JPEG file.")
        raise Invalid(message, fields={"file": message})
    sha256 = await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())
    when = when_given(None)

    async def attach() -> None:
        # Written before the row commits: a committed row always has its file.
        await asyncio.to_thread(documents._store, sha256, data)
        stored = await store.attach_proxy_form(
            proxy_id, sha256=sha256, name=name, content_type=content_type, size=len(data), at=when,
            by=principal.person_id,
        )  # fmt: skip
        if not stored:
            raise Conflict(_("This proxy changed meanwhile; reload the page."))

    await record_change(
        context,
        trigger(QuorumTrigger.proxy_form, proxy["grantor_slug"], proxy["holder_slug"]),
        when,
        attach,
        principal.person_id,
        lambda: _proxy_details(proxy_id),
    )
    return await get_proxy(context, proxy_id)
