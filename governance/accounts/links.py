"""Nobody types another person's password: invitations, reset links, account events.

Staff (an organisation's secretariat, a platform administrator) create an account by
**invitation** and can issue a **reset link**; the person opens the link and chooses
their own password. A link's token is shown once and never stored (the table keeps its
SHA-256); it works once and expires. Staff can never set a password.

Every account action by staff (invitation, reset link, deactivation, change of e-mail),
and every password change, is an :class:`AccountEvent` the person sees on ``/account``.
Events never hold a token.

How a link reaches its person is a :class:`LinkSender`. Today :class:`ShowToStaff` gives
it back to the staff member to hand over; an e-mail sender can slot in later (it sends
the link and returns a delivery without it).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from governance.accounts import sessions, throttle
from governance.accounts.passwords import hash_password, verify_password
from governance.accounts.tables import AccessLink, AccountEvent, AuthSession, Person
from governance.db import reading, writing
from governance.errors import Conflict, DomainError, Invalid, NotFound, TooManyAttempts
from governance.i18n import gettext as _
from governance.settings import get_settings

INVITATION = "invitation"
RESET = "reset"
LINK_PATH = "/account/link/"

# The name recorded for what the server's operator does from the command line.
OPERATOR_NAME = "operator (command line)"


class Gone(DomainError):
    """A link that existed but can no longer be used (used, expired, superseded)."""

    status_code = 410
    title = "Gone"


@dataclass(frozen=True)
class Actor:
    """Who did something to an account: a signed-in person, or the operator (no person)."""

    person_id: int | None
    name: str

    @classmethod
    def of(cls, principal: Any) -> Actor:
        return cls(principal.person_id, principal.full_name or principal.email)


OPERATOR = Actor(None, OPERATOR_NAME)


# --- delivery -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedLink:
    """A new link, with its token: handed to a sender, never stored."""

    person: dict
    kind: str
    path: str  # /account/link/<token>
    expires_at: datetime


@dataclass(frozen=True)
class Delivery:
    kind: str
    expires_at: datetime
    # Where the link went: "shown" (to the staff member, to hand over) or, later, "email".
    channel: str
    # The link itself when the staff member must hand it over; None once it is e-mailed.
    shown_path: str | None


class LinkSender(Protocol):
    channel: str

    async def deliver(self, link: IssuedLink) -> Delivery: ...


class ShowToStaff:
    """No e-mail yet: the staff member is shown the link once, and hands it over."""

    channel = "shown"

    async def deliver(self, link: IssuedLink) -> Delivery:
        return Delivery(kind=link.kind, expires_at=link.expires_at, channel=self.channel, shown_path=link.path)


_sender: LinkSender = ShowToStaff()


def link_sender() -> LinkSender:
    return _sender


def use_link_sender(sender: LinkSender) -> LinkSender:
    """Install another sender (an SMTP one, later); returns the previous one."""
    global _sender
    previous, _sender = _sender, sender
    return previous


# --- events ---------------------------------------------------------------------------------


async def record_event(person_id: int, kind: str, actor: Actor, **detail: Any) -> None:
    """Append one account event (inside the caller's transaction, if any)."""
    async with writing():
        await AccountEvent.insert(
            AccountEvent(
                person=person_id,
                kind=kind,
                actor=actor.person_id,
                actor_name=(actor.name or OPERATOR_NAME)[:254],
                detail=json.dumps(detail, sort_keys=True, default=str)[:600] if detail else "",
                at=sessions.now(),
            )
        )


async def events_of(person_id: int) -> list[dict]:
    """The person's account events, newest first, with their detail decoded."""
    async with reading():
        rows = (
            await AccountEvent.select()
            .where(AccountEvent.person == person_id)
            .order_by(AccountEvent.at, ascending=False)
            .order_by(AccountEvent.id, ascending=False)
        )
    return [{**row, "detail": json.loads(row["detail"]) if row["detail"] else {}} for row in rows]


# --- issuing links --------------------------------------------------------------------------


def _lifetime(kind: str) -> timedelta:
    settings = get_settings()
    if kind == INVITATION:
        return timedelta(days=settings.invitation_days)
    return timedelta(hours=settings.reset_link_hours)


async def issue_link(
    person_id: int, kind: str, actor: Actor, *, organisation: str = "", sender: LinkSender | None = None
) -> Delivery:
    """A new one-time link for a person, delivered by ``sender`` (default: shown to staff);
    any earlier unused link of theirs stops working.

    An invitation is for an account without a password, a reset link for one with a
    password. The event records who issued it, until when, and how it was delivered.
    """
    sender = sender or link_sender()
    issued = await store_link(person_id, kind, actor, organisation=organisation, channel=sender.channel)
    return await sender.deliver(issued)


async def store_link(person_id: int, kind: str, actor: Actor, *, organisation: str, channel: str) -> IssuedLink:
    """Store a new link (its digest) and its event, in the caller's transaction if any;
    the returned link carries the token, for a sender to deliver after the commit."""
    token = secrets.token_urlsafe(32)
    issued_at = sessions.now()
    expires_at = issued_at + _lifetime(kind)
    async with writing():
        person = await Person.select().where(Person.id == person_id).first()
        if person is None:
            raise NotFound(_("No such person."))
        if not person["is_active"]:
            raise Conflict(_("This account is deactivated: reactivate it before sending a link."))
        if kind == INVITATION and person["password_hash"]:
            raise Conflict(_("This person has chosen a password already: send a password reset link instead."))
        if kind == RESET and not person["password_hash"]:
            raise Conflict(_("This person has no password yet: send an invitation instead."))
        await AccessLink.delete().where((AccessLink.person == person_id) & AccessLink.used_at.is_null())
        await AccessLink.insert(
            AccessLink(
                id=sessions.token_digest(token),
                person=person_id,
                kind=kind,
                created_by=actor.person_id,
                created_at=issued_at,
                expires_at=expires_at,
            )
        )
        await record_event(
            person_id,
            "invited" if kind == INVITATION else "reset_link",
            actor,
            until=expires_at.isoformat(timespec="minutes"),
            channel=channel,
            organisation=organisation,
        )
    return IssuedLink(person=person, kind=kind, path=LINK_PATH + token, expires_at=expires_at)


# --- using links ----------------------------------------------------------------------------


def _used() -> Gone:
    return Gone(_("This link has been used already. Sign in with the password you chose, or ask for a new link."))


async def open_link(token: str) -> dict:
    """The link's person and kind, or a clear refusal (404 unknown, 410 used or expired)."""
    if not token or len(token) > 100:
        raise NotFound(_("This link is not known. Check that it was copied whole, or ask for a new one."))
    async with reading():
        link = await AccessLink.select().where(AccessLink.id == sessions.token_digest(token)).first()
        person = await Person.select().where(Person.id == link["person"]).first() if link else None
    if link is None or person is None:
        raise NotFound(_("This link is not known. Check that it was copied whole, or ask for a new one."))
    if link["used_at"] is not None:
        raise _used()
    if sessions.aware(link["expires_at"]) <= sessions.now():
        raise Gone(_("This link has expired. Ask the secretariat for a new one."))
    if not person["is_active"]:
        raise Gone(_("This account is deactivated."))
    if link["kind"] == INVITATION and person["password_hash"]:
        raise Gone(_("This account has a password already. Sign in, or ask for a password reset link."))
    return {"kind": link["kind"], "person": person, "expires_at": sessions.aware(link["expires_at"])}


async def use_link(token: str, password: str, *, user_agent: str, client_ip: str, replacing: str | None) -> dict:
    """Set the password the person chose, kill the link, end every other session of theirs
    and sign them in with a fresh one. Returns {"token": session token, "person": row}."""
    opened = await open_link(token)
    person = opened["person"]
    new_hash = await hash_password(password)  # before the write lock
    now = sessions.now()
    async with writing():
        claimed = (
            await AccessLink.update({AccessLink.used_at: now})
            .where(
                (AccessLink.id == sessions.token_digest(token))
                & AccessLink.used_at.is_null()
                & (AccessLink.expires_at > now)
            )
            .returning(AccessLink.person)
        )
        if not claimed:  # another request used it meanwhile
            raise _used()
        await _replace_password(person["id"], new_hash)
        itself = Actor(person["id"], person["full_name"])
        await record_event(person["id"], "password_chosen", itself, link=opened["kind"])
        session = await sessions.create_session(
            person["id"], user_agent=user_agent, client_ip=client_ip, replacing=replacing
        )
    return {"token": session, "person": person}


async def _replace_password(person_id: int, new_hash: str) -> None:
    """New hash; every session and every unused link of the person ends (in the caller's transaction)."""
    await Person.update({Person.password_hash: new_hash}).where(Person.id == person_id)
    await AuthSession.delete().where(AuthSession.person == person_id)
    await AccessLink.delete().where((AccessLink.person == person_id) & AccessLink.used_at.is_null())


# --- the person's own change, and the operator's ----------------------------------------------


async def change_password(
    person_id: int, current: str, new: str, *, current_token: str | None, user_agent: str, client_ip: str
) -> str:
    """Self-service: the current password is required. Every other session ends; this one
    gets a new id. Returns the new session token."""
    async with reading():
        person = await Person.select().where(Person.id == person_id).first()
    if person is None:
        raise NotFound(_("No such person."))
    account, client = throttle.account_key(person["email"]), throttle.client_key(client_ip)
    wait = await throttle.seconds_until_allowed(account, client)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        raise TooManyAttempts(
            _("Too many failed attempts. Try again in {minutes} min.").format(minutes=minutes), retry_after=wait
        )
    ok, _rehash = await verify_password(person["password_hash"], current)
    if not ok:
        await throttle.record_failure(account, client)
        message = _("This is not your current password.")
        raise Invalid(message, fields={"current_password": message})
    new_hash = await hash_password(new)
    async with writing():
        await _replace_password(person_id, new_hash)
        await record_event(person_id, "password_changed", Actor(person_id, person["full_name"]))
        token = await sessions.create_session(
            person_id, user_agent=user_agent, client_ip=client_ip, replacing=current_token
        )
    await throttle.clear_account(account)
    return token


async def set_password_by_operator(person_id: int, password: str) -> None:
    """The operator's conscious act on the server (``governance user add --reset-password``):
    recorded as such, and the person is signed out everywhere."""
    new_hash = await hash_password(password)
    async with writing():
        await _replace_password(person_id, new_hash)
        await record_event(person_id, "password_set_by_operator", OPERATOR)
