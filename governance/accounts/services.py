"""Accounts: signing in and out, and creating people.

Both the login page and ``POST /api/v1/auth/login`` call :func:`login`; the failure
message is the same whether the e-mail is unknown or the password wrong.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from governance.accounts import sessions, throttle
from governance.accounts.links import Actor, record_event
from governance.accounts.passwords import hash_password, verify_password
from governance.accounts.schemas import AccountIn, PersonIn, PersonOut
from governance.accounts.tables import Person
from governance.db import reading, writing
from governance.errors import Conflict, NotFound, TooManyAttempts, Unauthenticated
from governance.i18n import gettext as _


@dataclass(frozen=True)
class SignedIn:
    token: str
    person: dict


def person_out(row: dict) -> PersonOut:
    return PersonOut(
        id=row["id"],
        email=row["email"],
        full_name=row["full_name"],
        language=row["language"],
        is_admin=row["is_admin"],
        is_active=row["is_active"],
        can_log_in=bool(row["password_hash"]) and row["is_active"],
    )


async def login(email: str, password: str, *, client_ip: str, user_agent: str, replacing: str | None) -> SignedIn:
    email = email.strip().lower()
    account, client = throttle.account_key(email), throttle.client_key(client_ip)
    wait = await throttle.seconds_until_allowed(account, client)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        raise TooManyAttempts(
            _("Too many failed sign-in attempts. Try again in {minutes} min.").format(minutes=minutes),
            retry_after=wait,
        )
    async with reading():
        person = await Person.select().where(Person.email == email).first()
    stored = person["password_hash"] if person and person["is_active"] else None
    ok, new_hash = await verify_password(stored, password)
    if not ok or person is None:
        await throttle.record_failure(account, client)
        raise Unauthenticated(_("E-mail or password is incorrect."))
    if new_hash:
        async with writing():
            await Person.update({Person.password_hash: new_hash}).where(Person.id == person["id"])
    await throttle.clear_account(account)
    token = await sessions.create_session(person["id"], user_agent=user_agent, client_ip=client_ip, replacing=replacing)
    return SignedIn(token=token, person=person)


async def get_person(person_id: int) -> dict:
    async with reading():
        row = await Person.select().where(Person.id == person_id).first()
    if row is None:
        raise NotFound(_("No such person."))
    return row


async def find_person_by_email(email: str) -> dict | None:
    async with reading():
        return await Person.select().where(Person.email == email.strip().lower()).first()


async def create_person(
    data: PersonIn, *, is_admin: bool = False, then: Callable[[dict], Awaitable[None]] | None = None
) -> dict:
    """Create an account. Staff pass a :class:`PersonIn` (no password: they invite); only
    the operator's :class:`AccountIn` carries one, hashed with argon2id first.

    ``then`` runs in the same transaction with the new row (e.g. a directory entry), so
    the slow hash is never computed while the write lock is held.
    """
    password = data.password if isinstance(data, AccountIn) else None
    password_hash = await hash_password(password) if password else None
    async with writing():
        if await Person.exists().where(Person.email == data.email):
            message = _("A person with this e-mail address already exists.")
            raise Conflict(message, fields={"email": message})
        rows = await Person.insert(
            Person(
                email=data.email,
                full_name=data.full_name,
                language=data.language.value,
                is_active=data.is_active,
                is_admin=is_admin,
                password_hash=password_hash,
            )
        ).returning(*Person.all_columns())
        if then is not None:
            await then(rows[0])
    return rows[0]


async def update_person(person_id: int, data: PersonIn, *, actor: Actor, organisation: str = "") -> dict:
    """Staff edit a person (never their password). A change of e-mail, a deactivation or a
    reactivation is an account event the person sees."""
    values: dict = {
        Person.email: data.email,
        Person.full_name: data.full_name,
        Person.language: data.language.value,
        Person.is_active: data.is_active,
    }
    async with writing():
        before = await Person.select().where(Person.id == person_id).first()
        if before is None:
            raise NotFound(_("No such person."))
        clash = await Person.exists().where((Person.email == data.email) & (Person.id != person_id))
        if clash:
            message = _("A person with this e-mail address already exists.")
            raise Conflict(message, fields={"email": message})
        rows = await Person.update(values).where(Person.id == person_id).returning(*Person.all_columns())
        if before["email"] != data.email:
            old, new = before["email"], data.email
            await record_event(person_id, "email_changed", actor, old=old, new=new, organisation=organisation)
        if before["is_active"] and not data.is_active:
            await record_event(person_id, "deactivated", actor, organisation=organisation)
            # A deactivated account ends every open session.
            await sessions.revoke_all(person_id)
        elif data.is_active and not before["is_active"]:
            await record_event(person_id, "reactivated", actor, organisation=organisation)
    return rows[0]


async def set_language(person_id: int, language: str) -> None:
    async with writing():
        await Person.update({Person.language: language}).where(Person.id == person_id)
