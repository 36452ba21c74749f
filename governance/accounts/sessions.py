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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from governance.accounts.tables import AuthSession
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


# One query for the session, its person and the organisations whose secretariat the
# person belongs to (one row per staff membership; staff_of NULL when there is none).
_PRINCIPAL_SQL = """
SELECT s.handle AS handle, s.last_seen_at AS last_seen_at, s.expires_at AS expires_at,
       p.id AS id, p.email AS email, p.full_name AS full_name, p.is_admin AS is_admin,
       p.language AS language, st.organisation AS staff_of
FROM auth_session s
JOIN person p ON p.id = s.person
LEFT JOIN staff st ON st.person = p.id
WHERE s.id = {} AND p.is_active = {}
"""


@dataclass(frozen=True)
class SessionPerson:
    """What a request needs about its signed-in person: read afresh on every request."""

    handle: str
    person_id: int
    email: str
    full_name: str
    is_admin: bool
    language: str
    staff_of: frozenset[int]


async def session_person(token: str) -> SessionPerson | None:
    """The live session and its (active) person for a cookie token, or None.

    Never cached: a revoked or expired session, or a deactivated person, is refused on
    the very next request. ``last_seen_at`` is written at most once per ``TOUCH_EVERY``.
    """
    if not token or len(token) > 100:
        return None
    digest = token_digest(token)
    rows = await AuthSession.raw(_PRINCIPAL_SQL, digest, True)
    if not rows:
        return None
    first = rows[0]
    expires_at, last_seen_at = _aware(first["expires_at"]), _aware(first["last_seen_at"])
    current = now()
    if expires_at <= current:
        return None
    if current - last_seen_at > TOUCH_EVERY:
        async with writing():
            await AuthSession.update({AuthSession.last_seen_at: current}).where(AuthSession.id == digest)
    return SessionPerson(
        handle=first["handle"],
        person_id=first["id"],
        email=first["email"],
        full_name=first["full_name"],
        is_admin=bool(first["is_admin"]),
        language=first["language"],
        staff_of=frozenset(row["staff_of"] for row in rows if row["staff_of"] is not None),
    )


def _aware(value: datetime) -> datetime:
    """Timestamps come back timezone-aware from both drivers; be sure of it."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


aware = _aware


async def end_session(token: str) -> None:
    async with writing():
        await AuthSession.delete().where(AuthSession.id == token_digest(token))
    _revoked()


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
    _revoked()
    return bool(deleted)


async def revoke_all(person_id: int, keep_token: str | None = None) -> int:
    async with writing():
        query = AuthSession.delete().where(AuthSession.person == person_id)
        if keep_token:
            query = query.where(AuthSession.id != token_digest(keep_token))
        deleted = await query.returning(AuthSession.id)
    _revoked()
    return len(deleted)


# Called after sessions end (revoked, signed out, a person's sessions all revoked): the live
# streams of this process re-check theirs at once instead of at their next periodic refresh.
# A plain hook so that accounts, the lowest layer, imports nothing from meetings.
revocation_observers: list[Callable[[], None]] = []


def _revoked() -> None:
    for observer in revocation_observers:
        observer()


_ALIVE_SQL = """
SELECT s.handle AS handle FROM auth_session s JOIN person p ON p.id = s.person
WHERE s.expires_at > {} AND p.is_active = {}
"""


async def alive_handles() -> frozenset[str]:
    """The handles of every unexpired session of an active person: what a live stream checks
    its own session against on each update (one query per update and process, not per stream)."""
    return frozenset(row["handle"] for row in await AuthSession.raw(_ALIVE_SQL, now(), True))


async def is_alive(handle: str) -> bool:
    """One session checked alone: for a session newer than the set ``alive_handles`` memoised."""
    rows = await AuthSession.raw(_ALIVE_SQL + " AND s.handle = {}", now(), True, handle)
    return bool(rows)
