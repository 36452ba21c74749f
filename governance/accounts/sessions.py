"""Server-side sessions in the database, where every worker sees them.

Hand-written rather than Litestar's ``ServerSideSessionBackend`` because that backend
adopts a session id chosen by the client and never rotates it (session fixation,
reproduced on litestar 2.25), writes the session on every response, and its store
interface cannot list one person's sessions to revoke "that lost tablet". Here:

* the cookie carries a random token; the table stores only its SHA-256;
* a login always creates a new token and deletes the session it replaces (rotation);
* a session is read on each authenticated request and written at most once a minute.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from governance.accounts.tables import AuthSession, Person
from governance.db import reading, writing
from governance.settings import get_settings

COOKIE_NAME = "governance_session"
TOUCH_EVERY = timedelta(minutes=1)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SessionInfo:
    handle: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str
    client_ip: str
    current: bool


async def create_session(person_id: int, *, user_agent: str, client_ip: str, replacing: str | None) -> str:
    """Start a session for a person and return its cookie token.

    ``replacing`` is whatever session token the client presented: it is deleted so that
    a token planted before login can never become an authenticated session.
    """
    token = secrets.token_urlsafe(32)
    started = now()
    async with writing():
        if replacing:
            await AuthSession.delete().where(AuthSession.id == token_digest(replacing))
        await AuthSession.insert(
            AuthSession(
                id=token_digest(token),
                handle=secrets.token_urlsafe(12),
                person=person_id,
                created_at=started,
                last_seen_at=started,
                expires_at=started + timedelta(hours=get_settings().session_hours),
                user_agent=user_agent[:300],
                client_ip=client_ip[:64],
            )
        )
    return token


async def session_person(token: str) -> tuple[dict, dict] | None:
    """The live session and its (active) person for a cookie token, or None."""
    if not token or len(token) > 100:
        return None
    digest = token_digest(token)
    async with reading():
        rows = await AuthSession.select(
            AuthSession.id,
            AuthSession.handle,
            AuthSession.last_seen_at,
            AuthSession.expires_at,
            AuthSession.person,
        ).where(AuthSession.id == digest)
        if not rows or rows[0]["expires_at"] <= now():
            return None
        person = (
            await Person.select()
            .where(
                (Person.id == rows[0]["person"]) & (Person.is_active == True)  # noqa: E712
            )
            .first()
        )
    if person is None:
        return None
    session = rows[0]
    if now() - session["last_seen_at"] > TOUCH_EVERY:
        async with writing():
            await AuthSession.update({AuthSession.last_seen_at: now()}).where(AuthSession.id == digest)
    return session, person


async def end_session(token: str) -> None:
    async with writing():
        await AuthSession.delete().where(AuthSession.id == token_digest(token))


async def list_sessions(person_id: int, current_token: str | None) -> list[SessionInfo]:
    current = token_digest(current_token) if current_token else None
    async with reading():
        rows = (
            await AuthSession.select()
            .where((AuthSession.person == person_id) & (AuthSession.expires_at > now()))
            .order_by(AuthSession.last_seen_at, ascending=False)
        )
    return [
        SessionInfo(
            handle=row["handle"],
            created_at=row["created_at"],
            last_seen_at=row["last_seen_at"],
            expires_at=row["expires_at"],
            user_agent=row["user_agent"],
            client_ip=row["client_ip"],
            current=row["id"] == current,
        )
        for row in rows
    ]


async def revoke_session(person_id: int, handle: str) -> bool:
    """Revoke one of the person's own sessions; False if no such session."""
    async with writing():
        deleted = (
            await AuthSession.delete()
            .where((AuthSession.person == person_id) & (AuthSession.handle == handle))
            .returning(AuthSession.id)
        )
    return bool(deleted)


async def revoke_all(person_id: int, keep_token: str | None = None) -> int:
    async with writing():
        query = AuthSession.delete().where(AuthSession.person == person_id)
        if keep_token:
            query = query.where(AuthSession.id != token_digest(keep_token))
        deleted = await query.returning(AuthSession.id)
    return len(deleted)
